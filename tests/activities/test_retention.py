"""Retention: guests' names and contact details are cleared ACTIVITIES_GUEST_RETENTION_DAYS after the
occasion ended; the rows stay for statistics, and running the job again changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities import retention
from activities.models import Registration
from activities.tasks import anonymise_guest_signups

from ..factories import OccurrenceFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def ended(ago: timedelta):
    """An occasion that ended ``ago`` before now."""
    end = timezone.now() - ago
    return OccurrenceFactory(starts_at=end - timedelta(hours=2), ends_at=end)


def is_anonymised(registration: Registration) -> bool:
    registration.refresh_from_db()
    return (registration.guest_name, registration.guest_phone, registration.guest_email) == (
        retention.ANONYMISED_NAME,
        retention.ANONYMISED_PHONE,
        "",
    )


def test_default_is_thirty_days(settings):
    del settings.ACTIVITIES_GUEST_RETENTION_DAYS
    assert retention.guest_retention_days() == 30


@pytest.mark.parametrize("days", [30, 7])
def test_boundary(settings, days):
    settings.ACTIVITIES_GUEST_RETENTION_DAYS = days
    due = RegistrationFactory(occurrence=ended(timedelta(days=days, minutes=1)))
    not_yet = RegistrationFactory(occurrence=ended(timedelta(days=days) - timedelta(minutes=1)))
    coming = RegistrationFactory()

    assert anonymise_guest_signups.delay().get() == 1

    assert is_anonymised(due)
    assert not is_anonymised(not_yet)
    assert not_yet.guest_email.startswith("gast")
    assert not is_anonymised(coming)


def test_rows_and_their_figures_are_kept(settings):
    settings.ACTIVITIES_GUEST_RETENTION_DAYS = 30
    occurrence = ended(timedelta(days=40))
    RegistrationFactory(occurrence=occurrence, party_size=3)
    RegistrationFactory(occurrence=occurrence, status=Registration.Status.CANCELLED)
    anonymise_guest_signups()
    rows = list(occurrence.registrations.order_by("id").values_list("party_size", "status"))
    assert rows == [(3, "confirmed"), (1, "cancelled")]


def test_signups_by_users_are_not_touched(settings):
    settings.ACTIVITIES_GUEST_RETENTION_DAYS = 30
    registration = RegistrationFactory(
        occurrence=ended(timedelta(days=40)), user=UserFactory(), guest_name="", guest_email=""
    )
    assert anonymise_guest_signups() == 0
    registration.refresh_from_db()
    assert registration.user_id is not None and registration.guest_name == ""


def test_idempotent(settings, django_assert_max_num_queries):
    settings.ACTIVITIES_GUEST_RETENTION_DAYS = 30
    for _ in range(5):
        RegistrationFactory(occurrence=ended(timedelta(days=31)))
    with django_assert_max_num_queries(1):
        assert anonymise_guest_signups() == 5
    assert anonymise_guest_signups() == 0
    assert retention.guest_signups_due().count() == 0
