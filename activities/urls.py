from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("avanmal/<str:token>/", views.cancel_registration, name="cancel-registration"),
]
