from django.urls import path

from . import casework

app_name = "casework"

urlpatterns = [
    path("", casework.queue, name="queue"),
    path("<int:pk>/", casework.application_detail, name="application"),
    path("<int:pk>/bilagor/<int:attachment_pk>/", casework.attachment_download, name="attachment"),
    path("<int:pk>/meddelande/", casework.message_reply, name="message"),
    path("<int:pk>/komplettering/", casework.request_completion, name="request-completion"),
    path("<int:pk>/bedomning/", casework.assess, name="assess"),
    path("<int:pk>/beslut/", casework.decide, name="decide"),
    path("<int:pk>/beslut/brev.pdf", casework.decision_letter, name="letter"),
    path("<int:pk>/utbetalningar/", casework.payments, name="payments"),
    path("<int:pk>/avsluta/", casework.close, name="close"),
]
