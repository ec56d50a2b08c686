from datetime import datetime, time, timedelta

from celery import shared_task
from django.utils import timezone

from . import notifications, retention
from .models import Registration
from .services import LOCAL


@shared_task
def send_reminders() -> int:
    """E-mail everyone confirmed for tomorrow once. Safe to run any number of times a day: each
    registration is claimed by a conditional update before its message is queued."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = datetime.combine(tomorrow, time.min, tzinfo=LOCAL)
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        occurrence__is_cancelled=False,
        occurrence__starts_at__gte=start,
        occurrence__starts_at__lt=start + timedelta(days=1),
    ).select_related("occurrence__activity", "occurrence__place", "occurrence__activity__place", "user")
    sent = 0
    for registration in due:
        claimed = Registration.objects.filter(pk=registration.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        )
        if claimed:
            notifications.reminder(registration)
            sent += 1
    return sent


@shared_task
def render_programme(locality_slug: str, year: int, month: int, language: str = "sv") -> None:
    """Render the printed programme PDF for a locality ("alla" for all) and month into the cache."""
    from .programme import store_pdf  # programme imports this module to enqueue the task

    store_pdf(locality_slug, year, month, language)


@shared_task
def anonymise_guest_signups() -> int:
    """Daily: clear guests' names and contact details ACTIVITIES_GUEST_RETENTION_DAYS after the occasion
    ended. Idempotent: rows already anonymised are not selected again."""
    return retention.anonymise_guest_signups()
