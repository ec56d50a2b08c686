from django.urls import path

from . import shift

app_name = "welfaretech"

urlpatterns = [
    path("sw.js", shift.service_worker, name="service-worker"),
    path("pass/", shift.shift, name="shift"),
    path("pass/logga/", shift.log, name="shift-log"),
    path("pass/mottagare/<int:pk>/", shift.recipient, name="shift-recipient"),
    path("pass/handelse/<int:pk>/rattelse/", shift.correct, name="shift-correct"),
]
