"""Audit retention: entries older than AUDIT_RETENTION_DAYS are purged in batches, the purge is itself
audited, and 0 keeps everything. The ORM still refuses to delete entries."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts import tasks
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def entry_aged(days: float, action: str = "test.action") -> AuditEntry:
    return AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=days), action=action, actor_label="someone@example.org"
    )


def remaining_actions() -> list[str]:
    return sorted(AuditEntry.objects.values_list("action", flat=True))


def test_the_default_is_five_years_counted_generously(settings):
    del settings.AUDIT_RETENTION_DAYS
    assert tasks.audit_retention_days() == 5 * 366


def test_entries_older_than_the_period_are_deleted_and_younger_ones_stay(settings):
    settings.AUDIT_RETENTION_DAYS = 100
    old = [entry_aged(101, "old") for _ in range(3)]
    young = entry_aged(99, "young")

    assert tasks.purge_old_audit_entries() == 3

    left = set(AuditEntry.objects.values_list("pk", flat=True))
    assert not left & {e.pk for e in old}
    assert young.pk in left


def test_the_purge_is_audited_with_its_count_and_cutoff(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    entry_aged(31)
    entry_aged(40)

    tasks.purge_old_audit_entries()

    purge = AuditEntry.objects.get(action="accounts.audit.purge")
    assert purge.actor is None and purge.actor_label == "system"
    assert (purge.detail["deleted"], purge.detail["retention_days"]) == (2, 30)
    cutoff = datetime.fromisoformat(purge.detail["cutoff"])
    assert abs(cutoff - (timezone.now() - timedelta(days=30))) < timedelta(minutes=1)


def test_large_purges_run_in_batches_until_nothing_is_left(settings, monkeypatch):
    settings.AUDIT_RETENTION_DAYS = 10
    monkeypatch.setattr(tasks, "AUDIT_PURGE_BATCH_SIZE", 3)
    for _ in range(7):
        entry_aged(11, "old")
    entry_aged(1, "young")

    assert tasks.purge_old_audit_entries() == 7
    assert "old" not in remaining_actions()
    assert "young" in remaining_actions()


def test_exactly_a_full_batch_is_purged_too(settings, monkeypatch):
    settings.AUDIT_RETENTION_DAYS = 10
    monkeypatch.setattr(tasks, "AUDIT_PURGE_BATCH_SIZE", 3)
    for _ in range(6):
        entry_aged(11, "old")

    assert tasks.purge_old_audit_entries() == 6
    assert "old" not in remaining_actions()


def test_zero_keeps_every_entry_and_records_nothing(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    entry_aged(10_000, "ancient")

    assert tasks.purge_old_audit_entries() == 0
    assert "ancient" in remaining_actions()
    assert not AuditEntry.objects.filter(action="accounts.audit.purge").exists()


def test_running_it_again_deletes_nothing_more(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    entry_aged(31)
    assert tasks.purge_old_audit_entries() == 1
    assert tasks.purge_old_audit_entries() == 0
    assert AuditEntry.objects.filter(action="accounts.audit.purge").count() == 2


def test_the_orm_still_refuses_to_delete_entries():
    entry = entry_aged(10_000)
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_the_task_is_registered_for_beat():
    from config.celery import app

    assert "accounts.tasks.purge_old_audit_entries" in app.tasks
