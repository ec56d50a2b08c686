"""Retention of personal data in sign-ups: guests' names and contact details are cleared a configured
number of days after the occasion ended. The rows stay (status, party size, occasion) for statistics."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Registration

# Stored in place of a person's name on sign-ups kept only for statistics. The check constraint
# "registration_identifies_someone" wants a name and a phone or e-mail on every sign-up without a user,
# so the phone gets a placeholder that can reach no one.
ANONYMISED_NAME = "Borttagen användare"
ANONYMISED_PHONE = "-"
DEFAULT_GUEST_RETENTION_DAYS = 30


def guest_retention_days() -> int:
    return int(getattr(settings, "ACTIVITIES_GUEST_RETENTION_DAYS", DEFAULT_GUEST_RETENTION_DAYS))


def guest_signups_due(now: datetime | None = None):
    """Guest sign-ups whose occasion ended at least the retention period ago and still hold personal data."""
    cutoff = (now or timezone.now()) - timedelta(days=guest_retention_days())
    already_done = Q(guest_name=ANONYMISED_NAME, guest_phone=ANONYMISED_PHONE, guest_email="")
    due = Registration.objects.filter(user__isnull=True, occurrence__ends_at__lte=cutoff)
    return due.exclude(already_done)


def anonymise_guest_signups(now: datetime | None = None) -> int:
    """Clear the name, phone and e-mail of due guest sign-ups; returns how many. Safe to run repeatedly."""
    return Registration.objects.filter(pk__in=guest_signups_due(now).values("pk")).update(
        guest_name=ANONYMISED_NAME, guest_phone=ANONYMISED_PHONE, guest_email=""
    )
