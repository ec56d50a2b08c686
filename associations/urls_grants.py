from django.urls import path

from . import apply

app_name = "grants"

urlpatterns = [
    path("", apply.index, name="index"),
    path("ny/", apply.start, name="start"),
    path("<int:pk>/", apply.detail, name="application"),
    path("<int:pk>/andra/", apply.edit, name="edit"),
    path("<int:pk>/bilagor/", apply.attachments, name="attachments"),
    path("<int:pk>/meddelande/", apply.message, name="message"),
    path("<int:pk>/skicka-in/", apply.submit, name="submit"),
    path("<int:pk>/aterta/", apply.withdraw, name="withdraw"),
    path("<int:pk>/beslut.pdf", apply.decision_letter, name="decision-letter"),
    path("<int:pk>/aterrapport/", apply.report, name="report"),
    path("bilagor/<int:pk>/", apply.attachment_download, name="attachment"),
    path("bilagor/<int:pk>/ta-bort/", apply.attachment_remove, name="attachment-remove"),
]
