from datetime import date, timedelta

import pytest

from tests.factories import CareRecipientFactory, EventFactory
from welfaretech import services
from welfaretech.models import Event

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def test_recipients_inactive_longer_than_the_period_are_anonymised_and_events_stay():
    old = CareRecipientFactory(code="VG-OLD", is_active=False, last_active_on=TODAY - timedelta(days=400))
    recent = CareRecipientFactory(code="VG-NEW", last_active_on=TODAY - timedelta(days=10))
    EventFactory(recipient=old)

    assert services.anonymise_inactive_recipients(timedelta(days=365), today=TODAY) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.code.startswith("ANON-") and old.anonymised_at and not old.is_active
    assert recent.code == "VG-NEW" and recent.anonymised_at is None
    assert Event.objects.filter(recipient=old).count() == 1


def test_anonymisation_runs_once_per_recipient():
    CareRecipientFactory(last_active_on=TODAY - timedelta(days=400))
    assert services.anonymise_inactive_recipients(timedelta(days=365), today=TODAY) == 1
    assert services.anonymise_inactive_recipients(timedelta(days=365), today=TODAY) == 0


def test_the_beat_task_uses_the_configured_period(settings):
    from welfaretech.tasks import anonymise_inactive_recipients

    settings.WELFARETECH_ANONYMISE_AFTER_DAYS = 30
    CareRecipientFactory(last_active_on=date.today() - timedelta(days=31))
    CareRecipientFactory(last_active_on=date.today() - timedelta(days=5))
    assert anonymise_inactive_recipients() == 1


def test_training_expiry_reminders_are_sent_once(mailoutbox):
    from tests.factories import UserFactory
    from welfaretech.services import record_training
    from welfaretech.tasks import send_training_expiry_reminders

    record_training(
        user=UserFactory(),
        course="Kamera",
        completed_on=date.today() - timedelta(days=700),
        valid_until=date.today() + timedelta(days=10),
    )
    record_training(
        user=UserFactory(),
        course="Lås",
        completed_on=date.today(),
        valid_until=date.today() + timedelta(days=400),
    )
    assert send_training_expiry_reminders() == 1
    assert send_training_expiry_reminders() == 0
    assert len(mailoutbox) == 1


def test_logging_an_event_keeps_the_recipient_active(client):
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from accounts.roles import Role
    from welfaretech.events import record_events

    from ..factories import CareRecipientFactory, UserFactory

    recipient = CareRecipientFactory(last_active_on=timezone.localdate() - timedelta(days=800))
    staff = UserFactory(role=Role.HOMECARE_STAFF)
    recipient.team.members.add(staff)
    item = {"client_uuid": str(uuid.uuid4()), "recipient": recipient.pk, "kind": "dose_taken",
            "occurred_at": timezone.now().isoformat()}  # fmt: skip
    assert record_events(staff, [item])[0].status == "created"
    recipient.refresh_from_db()
    assert recipient.last_active_on == timezone.localdate()
