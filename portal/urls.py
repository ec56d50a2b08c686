from django.urls import path

from activities import views as activity_views

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("installningar/", views.display_settings_view, name="display-settings"),
    path("fraga-kommunen/", views.contact, name="contact"),
    path("fraga-kommunen/tack/", views.contact_thanks, name="contact-thanks"),
    path("motesplatser/", activity_views.place_list, name="place-list"),
    path("motesplatser/<slug:slug>/", activity_views.place_detail, name="place-detail"),
]
