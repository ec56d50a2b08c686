"""The transactional outbox, the resilient cache and the report-run sweeper, in-process (every pass)."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

import outbox
from accounts.tasks import send_email
from followup import reports
from followup.models import ReportRun
from followup.tasks import fail_stuck_report_runs, generate_report
from outbox.models import OutboxMessage
from outbox.tasks import relay_outbox
from portal import health
from portal.cache import ResilientRedisCache

from .servers import RefusingSMTPServer, free_port

pytestmark = pytest.mark.django_db


def test_a_task_is_stored_with_the_change_and_sent_once_it_commits(on_commit):
    with on_commit(execute=True), transaction.atomic():
        message = outbox.enqueue(send_email, subject="Hej", body="Text", to=["a@example.org"])
        assert OutboxMessage.objects.get().state == OutboxMessage.State.PENDING
        assert mail.outbox == []  # nothing leaves before the change is committed
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PUBLISHED and message.published_at is not None
    assert message.kwargs == {"subject": "Hej", "body": "Text", "to": ["a@example.org"]}


def test_a_rolled_back_change_sends_nothing(on_commit):
    with on_commit(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue(send_email, subject="Hej", body="Text", to=["a@example.org"])
        raise RuntimeError("the business change failed")
    assert callbacks == [] and mail.outbox == []
    assert not OutboxMessage.objects.exists()


def _pending(minutes_ago: float, to: str) -> OutboxMessage:
    message = OutboxMessage.objects.create(
        task_name=send_email.name, kwargs={"subject": "Hej", "body": "Text", "to": [to]}
    )
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return message


def test_the_relay_publishes_what_the_broker_did_not_get(settings):
    old = _pending(5, "old@example.org")
    young = _pending(0, "young@example.org")  # its own request is still publishing it
    settings.OUTBOX_RELAY_MIN_AGE_SECONDS = 60
    assert outbox.relay() == 1
    assert [m.to for m in mail.outbox] == [["old@example.org"]]
    old.refresh_from_db(), young.refresh_from_db()
    assert (old.state, young.state) == (OutboxMessage.State.PUBLISHED, OutboxMessage.State.PENDING)
    assert outbox.relay() == 0  # a published message is not sent again


def test_published_messages_are_forgotten_after_a_while_failed_ones_kept_longer(settings):
    settings.OUTBOX_KEEP_DAYS = 30
    settings.OUTBOX_FAILED_KEEP_DAYS = 90
    old, failed, recent, old_failed = (_pending(31 * 24 * 60, "a@example.org") for _ in range(4))
    OutboxMessage.objects.filter(pk__in=[old.pk, recent.pk]).update(state="published")
    OutboxMessage.objects.filter(pk__in=[failed.pk, old_failed.pk]).update(state="failed")
    OutboxMessage.objects.filter(pk=recent.pk).update(created_at=timezone.now())
    OutboxMessage.objects.filter(pk=old_failed.pk).update(created_at=timezone.now() - timedelta(days=91))
    assert relay_outbox() == 0
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {failed.pk, recent.pk}


def test_failed_messages_can_be_kept_until_handled(settings):
    settings.OUTBOX_FAILED_KEEP_DAYS = 0
    failed = _pending(400 * 24 * 60, "a@example.org")
    OutboxMessage.objects.filter(pk=failed.pk).update(state="failed")
    relay_outbox()
    assert OutboxMessage.objects.filter(pk=failed.pk).exists()


def test_the_relay_command(capsys):
    _pending(0, "now@example.org")
    call_command("relay_outbox", "--min-age", "0")
    assert "Published 1 outbox message(s)." in capsys.readouterr().out
    assert [m.to for m in mail.outbox] == [["now@example.org"]]


def _refusing_smtp(settings, smtp: RefusingSMTPServer) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_an_e_mail_the_server_refuses_is_kept_with_the_error_for_a_retry(settings, on_commit):
    with RefusingSMTPServer() as smtp:
        _refusing_smtp(settings, smtp)
        # In-process (no broker) Celery raises the retry at once; a worker waits (see test_servers.py).
        with pytest.raises(Retry, match="Relay access denied"), on_commit(execute=True):
            message = outbox.enqueue(send_email, subject="Hej", body="Text", to=["a@example.org"])
    assert len(smtp.refused_at) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxMessage.State.PENDING, 1)
    assert "SMTPRecipientsRefused" in message.last_error and "554" in message.last_error


def test_an_e_mail_refused_on_the_last_try_is_marked_failed(settings, caplog):
    message = _pending(1, "a@example.org")
    with RefusingSMTPServer() as smtp:
        _refusing_smtp(settings, smtp)
        result = send_email.apply(  # the last try, run as a worker does (errors handled, not raised)
            kwargs=message.kwargs,
            headers={"outbox_id": message.pk},
            retries=send_email.max_retries,
            throw=False,
        )
    assert result.failed() and isinstance(result.result, SMTPRecipientsRefused)
    assert len(smtp.refused_at) == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED and message.attempts == 1
    assert "SMTPRecipientsRefused" in message.last_error and "554" in message.last_error
    assert any(r.levelname == "ERROR" and f"outbox message {message.pk}" in r.message for r in caplog.records)


def test_staff_find_failed_e_mails_in_the_admin(client, user_with_role):
    failed = _pending(5, "lost@example.org")
    OutboxMessage.objects.filter(pk=failed.pk).update(state="failed", last_error="SMTPRecipientsRefused: 554")
    _pending(5, "fine@example.org")
    client.force_login(user_with_role(None, is_staff=True, is_superuser=True))
    page = client.get("/admin/outbox/outboxmessage/?state__exact=failed").content.decode()
    assert "lost@example.org" in page and "SMTPRecipientsRefused: 554" in page
    assert "fine@example.org" not in page

    # "Send again": back to pending, so the relay publishes it within a minute.
    response = client.post(
        "/admin/outbox/outboxmessage/", {"action": "requeue", "_selected_action": [failed.pk]}, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.state == OutboxMessage.State.PENDING


# --- Redis down: the cache answers as a miss, the readiness probe reports it ---------------------------


def _unreachable_cache() -> ResilientRedisCache:
    return ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}}
    )


def test_a_cache_whose_redis_is_down_answers_as_a_miss(caplog):
    cache = _unreachable_cache()
    assert cache.get("k", "default") == "default"
    assert cache.get("k") is None
    assert cache.set("k", 1) is False and cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {} and cache.has_key("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert cache.get_or_set("k", 5) == 5
    assert cache.delete("k") is False
    assert sum("Cache unavailable" in r.message for r in caplog.records) == 1  # logged once, not per call
    with pytest.raises(RedisConnectionError):
        cache.strict.get("k")


def test_readyz_names_the_cache_when_redis_is_down(client, settings):
    location = f"redis://127.0.0.1:{free_port()}/0"
    backend = {"BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": location}
    with override_settings(CACHES={"default": backend}):
        ok, detail = health.check_cache()
        response = client.get("/readyz")
    assert not ok and "ConnectionError" in detail
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_the_resilient_cache_is_a_redis_cache():
    assert issubclass(ResilientRedisCache, RedisCache)


# --- Report runs stuck because a worker died --------------------------------------------------------


def _run(
    status: str, *, created_minutes_ago: float = 0, started_minutes_ago: float | None = None
) -> ReportRun:
    run = ReportRun.objects.create(
        template="kvartalsrapport",
        parameters={"date_from": "2026-01-01", "date_to": "2026-03-31", "language": "en"},
        status=status,
    )
    now = timezone.now()
    ReportRun.objects.filter(pk=run.pk).update(
        created_at=now - timedelta(minutes=created_minutes_ago),
        started_at=None if started_minutes_ago is None else now - timedelta(minutes=started_minutes_ago),
    )
    return run


def test_runs_stuck_longer_than_the_limit_are_failed_and_can_be_retried(
    settings, municipality, on_commit, english
):
    settings.FOLLOWUP_REPORT_STUCK_MINUTES = 30
    stuck_running = _run("running", created_minutes_ago=45, started_minutes_ago=31)
    busy = _run("running", created_minutes_ago=45, started_minutes_ago=5)
    lost_in_queue = _run("queued", created_minutes_ago=40)
    just_queued = _run("queued", created_minutes_ago=1)
    retried_lately = _run("queued", created_minutes_ago=90)  # a retry: created long ago, queued now
    outbox.enqueue("followup.tasks.generate_report", retried_lately.pk)

    assert fail_stuck_report_runs() == 2
    states = {r.pk: (r.status, r.error) for r in ReportRun.objects.all()}
    for run in (stuck_running, lost_in_queue):
        status, error = states[run.pk]
        assert status == "failed" and "not finished within 30 minutes" in error
    for run in (busy, just_queued, retried_lately):
        assert states[run.pk][0] in ("running", "queued")

    with on_commit(execute=True):
        assert reports.retry_report(stuck_running)
    stuck_running.refresh_from_db()
    assert stuck_running.status == ReportRun.Status.DONE and stuck_running.file


def test_a_run_with_a_fresh_heartbeat_is_left_to_its_worker_and_a_redelivery_looks_again_later(municipality):
    run = _run("running", created_minutes_ago=40, started_minutes_ago=35)
    ReportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=1))

    assert reports.generate(run.pk) is None  # still alive: not taken over
    with pytest.raises(Retry):  # maybe the redelivery of a task whose worker died: check again later
        generate_report(run.pk)
    assert fail_stuck_report_runs() == 0  # long-running, but with a recent sign of life
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 0)


def test_a_run_whose_heartbeat_stopped_is_taken_over_and_finished(municipality):
    run = _run("running", created_minutes_ago=40, started_minutes_ago=20)
    ReportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - reports.STALE_AFTER - timedelta(seconds=1)
    )

    finished = reports.generate(run.pk)

    assert finished.status == ReportRun.Status.DONE and finished.file
    assert finished.attempts == 1 and finished.heartbeat_at > finished.started_at - timedelta(seconds=1)
