from django.urls import path

from . import backoffice

app_name = "welfaretech_backoffice"

urlpatterns = [
    path("teknik/", backoffice.technology_list, name="technologies"),
    path("teknik/<int:pk>/", backoffice.technology_edit, name="technology"),
    path("enheter/", backoffice.device_list, name="devices"),
    path("enheter/ny/", backoffice.device_create, name="device-create"),
    path("enheter/service/", backoffice.device_due, name="devices-due"),
    path("enheter/import/", backoffice.device_import, name="device-import"),
    path("enheter/<int:pk>/", backoffice.device_detail, name="device"),
    path("brukare/", backoffice.recipient_list, name="recipients"),
    path("brukare/<int:pk>/", backoffice.recipient_detail, name="recipient"),
    path("brukare/<int:pk>/samtycke/", backoffice.consent_create, name="consent-create"),
    path("brukare/<int:pk>/insats/", backoffice.assignment_create, name="assignment-create"),
    path("insatser/<int:pk>/avsluta/", backoffice.assignment_end, name="assignment-end"),
    path("fel/", backoffice.fault_list, name="faults"),
    path("fel/<int:pk>/atgardat/", backoffice.fault_close, name="fault-close"),
    path("utbildning/", backoffice.training_list, name="training"),
    path("nytta/", backoffice.benefits_view, name="benefits"),
]
