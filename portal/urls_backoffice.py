from django.urls import path

from . import backoffice_inbox

app_name = "portal_backoffice"

urlpatterns = [
    path("", backoffice_inbox.inbox, name="inbox"),
    path("<int:pk>/", backoffice_inbox.message_detail, name="message"),
]
