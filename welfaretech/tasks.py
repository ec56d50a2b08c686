from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors, services
from .models import TrainingRecord

# Recipients without activity for this long lose the link to their code (DESIGN.md, retention).
DEFAULT_ANONYMISE_AFTER_DAYS = 730


@shared_task
def anonymise_inactive_recipients() -> int:
    """Daily: anonymise recipients inactive longer than WELFARETECH_ANONYMISE_AFTER_DAYS."""
    days = getattr(settings, "WELFARETECH_ANONYMISE_AFTER_DAYS", DEFAULT_ANONYMISE_AFTER_DAYS)
    return services.anonymise_inactive_recipients(timedelta(days=days))


@shared_task
def send_training_expiry_reminders() -> int:
    """Daily: e-mail each staff member once when a training record expires within 60 days. Each record is
    claimed by a conditional update before its message is sent, so reruns never send twice."""
    sent = 0
    due = selectors.training_expiring(timezone.localdate()).filter(reminder_sent_at__isnull=True)
    for record in due:
        claimed = TrainingRecord.objects.filter(pk=record.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        )
        if claimed:
            send_mail(
                _("Your welfare-technology training expires soon"),
                _("Your training “%(course)s” is valid until %(date)s. Book a refresher course.")
                % {"course": record.course, "date": record.valid_until.isoformat()},
                None,
                [record.user.email],
            )
            sent += 1
    return sent
