"""Business actions on activities: generating occurrences, signing up and cancelling.

Capacity is protected by locking the occurrence row for the whole decision (``select_for_update`` on
PostgreSQL; on SQLite every write transaction starts IMMEDIATE, which serialises writers), so parallel
sign-ups can never confirm more people than there are places.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import audit
from accounts.tasks import send_email
from outbox import enqueue

from . import notifications, recurrence, selectors
from .models import Activity, ActivitySuggestion, Occurrence, RecurrenceRule, Registration

LOCAL = ZoneInfo(settings.TIME_ZONE)


class SignupError(ValidationError):
    """A sign-up or cancellation that the rules do not allow; the message is shown to the person."""


def generate_occurrences(rule: RecurrenceRule) -> int:
    """Create the occurrences ``rule`` describes that do not exist yet; returns how many were created."""
    days = recurrence.dates(
        rule.frequency, rule.start_date, rule.end_date, rule.weekdays, rule.week_of_month, rule.exceptions
    )
    existing = set(
        Occurrence.objects.filter(activity_id=rule.activity_id, rule=rule).values_list("starts_at", flat=True)
    )
    new = []
    for day in days:
        starts_at = datetime.combine(day, rule.start_time, tzinfo=LOCAL)
        if starts_at not in existing:
            new.append(
                Occurrence(
                    activity_id=rule.activity_id,
                    rule=rule,
                    starts_at=starts_at,
                    ends_at=datetime.combine(day, rule.end_time, tzinfo=LOCAL),
                )
            )
    created = Occurrence.objects.bulk_create(new, ignore_conflicts=True)
    if created:
        # bulk_create sends no post_save signal: tell the caches of public data ourselves.
        selectors.bump_data_version()
        transaction.on_commit(selectors.bump_data_version)
    return len(created)


def confirmed_places(occurrence: Occurrence) -> int:
    return (
        occurrence.registrations.filter(status=Registration.Status.CONFIRMED).aggregate(n=Sum("party_size"))[
            "n"
        ]
        or 0
    )


def _check_open_for_signup(occurrence: Occurrence) -> None:
    activity = occurrence.activity
    if activity.status != Activity.Status.PUBLISHED:
        raise SignupError(_("This activity is not open for sign-up."))
    if not activity.signup_required:
        raise SignupError(_("No sign-up is needed for this activity: just come along."))
    if occurrence.is_cancelled:
        raise SignupError(_("This occasion has been cancelled."))
    if occurrence.starts_at <= timezone.now():
        raise SignupError(_("This occasion has already started."))


def register(
    occurrence: Occurrence,
    *,
    user=None,
    guest_name: str = "",
    guest_phone: str = "",
    guest_email: str = "",
    party_size: int = 1,
    language: str = "sv",
) -> Registration:
    """Sign someone up: confirmed while places last, then on the waiting list (if the activity has one)."""
    if user is None and not (guest_name.strip() and (guest_phone.strip() or guest_email.strip())):
        raise SignupError(_("Give your name and a phone number or an e-mail address."))
    with transaction.atomic():
        occurrence = Occurrence.objects.select_for_update().select_related("activity").get(pk=occurrence.pk)
        _check_open_for_signup(occurrence)
        if (
            user is not None
            and occurrence.registrations.filter(user=user)
            .exclude(status=Registration.Status.CANCELLED)
            .exists()
        ):
            raise SignupError(_("You are already signed up for this occasion."))
        capacity = occurrence.activity.capacity
        taken = confirmed_places(occurrence)
        if capacity is None or taken + party_size <= capacity:
            status = Registration.Status.CONFIRMED
        elif occurrence.activity.waiting_list:
            status = Registration.Status.WAITING
        else:
            raise SignupError(_("Sorry, this occasion is fully booked."))
        registration = Registration.objects.create(
            occurrence=occurrence,
            user=user,
            guest_name=guest_name.strip(),
            guest_phone=guest_phone.strip(),
            guest_email=guest_email.strip().lower(),
            party_size=party_size,
            status=status,
            language=language,
        )
        notifications.registration_received(registration)
        if (
            status == Registration.Status.CONFIRMED
            and capacity is not None
            and taken + party_size >= capacity
        ):
            notifications.occurrence_full(occurrence)
    return registration


def cancel_registration(registration: Registration, *, request=None) -> list[Registration]:
    """Cancel a sign-up and promote from the waiting list as far as the freed places allow.

    Returns the registrations that were promoted (each is told by e-mail).
    """
    with transaction.atomic():
        occurrence = (
            Occurrence.objects.select_for_update()
            .select_related("activity")
            .get(pk=registration.occurrence_id)
        )
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            raise SignupError(_("This sign-up was already cancelled."))
        if occurrence.starts_at <= timezone.now():
            raise SignupError(_("This occasion has already started."))
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        promoted = _promote_waiting(occurrence)
        audit.record("activities.registration.cancel", request=request, obj=registration)
        for promoted_registration in promoted:
            notifications.promoted_from_waiting_list(promoted_registration)
    return promoted


def _promote_waiting(occurrence: Occurrence) -> list[Registration]:
    capacity = occurrence.activity.capacity
    free = None if capacity is None else capacity - confirmed_places(occurrence)
    promoted = []
    for waiting in occurrence.registrations.filter(status=Registration.Status.WAITING).order_by(
        "created_at", "id"
    ):
        if free is not None and waiting.party_size > free:
            break
        waiting.status = Registration.Status.CONFIRMED
        waiting.save(update_fields=["status"])
        promoted.append(waiting)
        if free is not None:
            free -= waiting.party_size
    return promoted


def cancel_occurrence(occurrence: Occurrence, *, reason: str, request=None) -> int:
    """Cancel one occasion with a reason; everyone signed up is told. Returns how many were told."""
    if not reason.strip():
        raise SignupError(_("Give a reason so that participants know why."))
    with transaction.atomic():
        occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
        occurrence.is_cancelled = True
        occurrence.cancel_reason = reason.strip()
        occurrence.save(update_fields=["is_cancelled", "cancel_reason"])
        affected = list(occurrence.registrations.exclude(status=Registration.Status.CANCELLED))
        audit.record("activities.occurrence.cancel", request=request, obj=occurrence, reason=reason.strip())
        for registration in affected:
            notifications.occurrence_cancelled(registration)
    return len(affected)


def suggest_activity(*, language: str = "sv", **fields) -> ActivitySuggestion:
    """Store an activity tip for moderation and send the sender a receipt when they gave an e-mail."""
    with transaction.atomic():
        suggestion = ActivitySuggestion.objects.create(**fields)
        if suggestion.contact_email:
            with translation.override(language):
                context = {"suggestion": suggestion, "site_url": settings.SITE_URL}
                subject = render_to_string("activities/email/suggestion_receipt_subject.txt", context).strip()
                body = render_to_string("activities/email/suggestion_receipt_message.txt", context)
            enqueue(send_email, subject=subject, body=body, to=[suggestion.contact_email])
    return suggestion
