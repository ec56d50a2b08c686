from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("hamta/", views.download, name="download"),
    path("radera/", views.delete_account, name="delete"),
    path("raderat/", views.deleted, name="deleted"),
]
