from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.search, name="search"),
    path("mina-anmalningar/", views.my_registrations, name="my-registrations"),
    path("mina-anmalningar/<int:pk>/avboka/", views.cancel_my_registration, name="cancel-my-registration"),
    path("tipsa/", views.suggest, name="suggest"),
    path("tipsa/tack/", views.suggest_thanks, name="suggest-thanks"),
    path("tillfalle/<int:pk>/anmal/", views.signup, name="signup"),
    path("tillfalle/<int:pk>/anmald/", views.signup_done, name="signup-done"),
    path("avanmal/<str:token>/", views.cancel_registration, name="cancel-registration"),
    path("<slug:slug>/", views.activity_detail, name="detail"),
]
