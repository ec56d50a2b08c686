"""The beat tasks: reports become due and reminders go out once, however often the tasks run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from associations import tasks
from associations.applications import REMINDER_DAYS_AFTER, REMINDER_DAYS_BEFORE
from associations.models import FollowUpReport, GrantApplication

from .factories import AssociationFactory
from .factories_coordinator import decided

pytestmark = pytest.mark.django_db
Status = GrantApplication.Status


def _paid(due_in_days: int, status=Status.PAID) -> GrantApplication:
    association = AssociationFactory(email="kassor@example.org")
    application = decided(
        association=association, approved=Decimal("5000"), paid=Decimal("5000"), status=status
    )
    FollowUpReport.objects.filter(application=application).update(
        due_on=timezone.localdate() + timedelta(days=due_in_days)
    )
    return application


def test_mark_reports_due_moves_each_application_once():
    soon = _paid(REMINDER_DAYS_BEFORE)
    later = _paid(365)

    assert tasks.mark_reports_due.delay().get() == 1
    assert tasks.mark_reports_due.delay().get() == 0

    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.status == Status.REPORT_DUE and later.status == Status.PAID
    assert soon.history.filter(to_status=Status.REPORT_DUE).count() == 1


def test_reminder_before_the_due_date_is_sent_once(on_commit):
    _paid(REMINDER_DAYS_BEFORE, status=Status.REPORT_DUE)

    with on_commit(execute=True):  # the e-mail is stored in the outbox and sent once that commits
        assert tasks.send_report_reminders.delay().get() == 1
        assert tasks.send_report_reminders.delay().get() == 0

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kassor@example.org"]


def test_overdue_reminder_is_sent_once_after_the_earlier_one(on_commit):
    application = _paid(REMINDER_DAYS_BEFORE, status=Status.REPORT_DUE)
    with on_commit(execute=True):  # the e-mails are stored in the outbox and sent once that commits
        tasks.send_report_reminders()
        FollowUpReport.objects.filter(application=application).update(
            due_on=timezone.localdate() - timedelta(days=REMINDER_DAYS_AFTER)
        )

        assert tasks.send_report_reminders() == 1
        assert tasks.send_report_reminders() == 0
    assert len(mail.outbox) == 2


def test_received_reports_get_no_reminder():
    application = _paid(REMINDER_DAYS_BEFORE, status=Status.REPORT_RECEIVED)
    FollowUpReport.objects.filter(application=application).update(submitted_at=timezone.now())
    assert tasks.send_report_reminders() == 0
    assert not mail.outbox
