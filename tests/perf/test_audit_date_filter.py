"""The audit log's date filters select whole days in Stockholm time as a range on ``at`` (which its index
serves; ``at__date`` would convert every row's time first), with the same days as before at the edges."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.filters import AuditEntryFilter
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


def test_whole_local_days_are_selected():
    times = {
        "day before, last minute": at(2025, 3, 29, 23, 59),
        "first minute": at(2025, 3, 30, 0, 0),  # the night summer time starts
        "last minute": at(2025, 3, 30, 23, 59, 59),
        "day after, first minute": at(2025, 3, 31, 0, 0),
    }
    for label, moment in times.items():
        AuditEntry.objects.create(at=moment, action="test.day", actor_label=label)
    chosen = AuditEntryFilter(
        {"date_from": date(2025, 3, 30), "date_to": date(2025, 3, 30)}, queryset=AuditEntry.objects.all()
    ).qs
    assert sorted(chosen.values_list("actor_label", flat=True)) == ["first minute", "last minute"]
    sql = str(chosen.query)
    assert '"accounts_auditentry"."at" >=' in sql and '"accounts_auditentry"."at" <' in sql  # the bare column


def test_open_ended_ranges():
    AuditEntry.objects.create(at=at(2025, 1, 1, 12), action="test.day", actor_label="january")
    AuditEntry.objects.create(at=at(2025, 6, 1, 12), action="test.day", actor_label="june")
    since = AuditEntryFilter({"date_from": "2025-03-01"}, queryset=AuditEntry.objects.all()).qs
    until = AuditEntryFilter({"date_to": "2025-03-01"}, queryset=AuditEntry.objects.all()).qs
    assert list(since.values_list("actor_label", flat=True)) == ["june"]
    assert list(until.values_list("actor_label", flat=True)) == ["january"]
