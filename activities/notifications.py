"""E-mails about sign-ups. Each renders in the language the person used and is sent by a Celery task,
so a failing mail server delays a message instead of losing it. Call them inside the transaction of the
change: the e-mail is stored in the outbox with it and sent once it commits."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.tasks import send_email
from outbox import enqueue

from .models import Occurrence, Registration


def _send(template: str, to: str, language: str, context: dict) -> None:
    if not to:
        return
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"activities/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"activities/email/{template}_message.txt", context)
    enqueue(send_email, subject=subject, body=body, to=[to])


def _context(registration: Registration) -> dict:
    occurrence = registration.occurrence
    return {
        "registration": registration,
        "occurrence": occurrence,
        "activity": occurrence.activity,
        "venue": occurrence.venue,
        "cancel_path": reverse("activities:cancel-registration", args=[registration.cancel_token]),
    }


def registration_received(registration: Registration) -> None:
    template = "confirmed" if registration.status == Registration.Status.CONFIRMED else "waiting"
    _send(template, registration.email, registration.language, _context(registration))


def promoted_from_waiting_list(registration: Registration) -> None:
    _send("promoted", registration.email, registration.language, _context(registration))


def reminder(registration: Registration) -> None:
    _send("reminder", registration.email, registration.language, _context(registration))


def occurrence_cancelled(registration: Registration) -> None:
    _send("occurrence_cancelled", registration.email, registration.language, _context(registration))


def occurrence_full(occurrence: Occurrence) -> None:
    activity = occurrence.activity
    _send("full", activity.contact_email, "sv", {"occurrence": occurrence, "activity": activity})
