"""Faults against real servers: each test starts its own Redis, PostgreSQL, gunicorn or Celery worker (see
servers.py), breaks one of them and checks that the application copes. They share the suite's PostgreSQL
test database where the test must see what the processes wrote."""

import time

import pytest
from kombu import Connection

from followup.models import ReportRun
from followup.tasks import generate_report
from outbox.models import OutboxMessage
from tests.factories import ActivityFactory, OccurrenceFactory

from .servers import (
    NEEDS_REAL_SERVICES,
    Gunicorn,
    Postgres,
    Redis,
    RefusingSMTPServer,
    Worker,
    app_env,
    manage,
    real_services,
    suite_database_url,
    wait_for,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not real_services(), reason=NEEDS_REAL_SERVICES),
    pytest.mark.django_db(transaction=True),
]


def _env_with_redis(redis: Redis, **overrides: str) -> dict:
    return app_env(
        DATABASE_URL=suite_database_url(),
        REDIS_URL=redis.url(0),
        CELERY_BROKER_URL=redis.url(1),
        **overrides,
    )


def test_with_redis_down_pages_are_served_and_e_mails_wait_in_the_outbox(tmp_path, municipality, stop_at_end):
    redis = Redis(tmp_path).start()
    stop_at_end(redis)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # filemail: needs an absolute path (django-environ strips one slash). Relay whatever is pending at once.
    env = _env_with_redis(redis, EMAIL_URL=f"filemail:///{mail_dir}", OUTBOX_RELAY_MIN_AGE_SECONDS="0")
    activity = ActivityFactory(title="Bingo", slug="bingo", signup_required=True, capacity=10)
    occurrence = OccurrenceFactory(activity=activity)
    web = Gunicorn(env, tmp_path).start()
    stop_at_end(web)
    assert web.get("/readyz").status_code == 200

    redis.stop()
    for path in ("/", "/aktiviteter/", "/aktiviteter/?q=bingo", "/aktiviteter/bingo/"):
        assert web.get(path).status_code == 200, path
    ready = web.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert not checks["cache"]["ok"] and not checks["broker"]["ok"] and checks["database"]["ok"]
    assert "Error" in checks["cache"]["detail"]

    started = time.monotonic()
    signup = web.post_form(
        f"/aktiviteter/tillfalle/{occurrence.pk}/anmal/",
        {"guest_name": "Anna Svensson", "guest_email": "anna@example.org", "party_size": "1"},
    )
    assert signup.status_code == 302, signup.text[:2000]
    assert time.monotonic() - started < 10  # the broker being down does not hold the visitor for long
    message = OutboxMessage.objects.get()
    assert message.state == OutboxMessage.State.PENDING and message.kwargs["to"] == ["anna@example.org"]
    assert message.attempts == 1 and message.last_error

    redis.start()  # same port: the broker is back
    worker = Worker(env, tmp_path).start()  # relays what is pending as soon as it starts
    stop_at_end(worker)
    assert wait_for(lambda: any(mail_dir.iterdir()), 30), worker.log()[-3000:]
    sent = next(mail_dir.iterdir()).read_text()
    assert "To: anna@example.org" in sent
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PUBLISHED
    assert web.get("/readyz").status_code == 200


def test_after_a_database_restart_the_app_recovers_by_itself(tmp_path, stop_at_end):
    postgres = Postgres().start()
    stop_at_end(postgres)
    postgres.copy_schema_from(suite_database_url())
    # Persistent connections (CONN_MAX_AGE) are what a restart breaks; no Redis: cache and tasks in-process.
    web = Gunicorn(app_env(DATABASE_URL=postgres.url, CONN_MAX_AGE="600"), tmp_path).start()
    stop_at_end(web)
    for _ in range(4):  # both threads hold a connection
        assert web.get("/").status_code == 200
        assert web.get("/readyz").status_code == 200

    postgres.restart()
    restarted = time.monotonic()
    statuses = []

    def recovered() -> bool:
        statuses.append((web.get("/").status_code, web.get("/readyz").status_code))
        return statuses[-3:] == [(200, 200)] * 3

    assert wait_for(recovered, timeout=10), statuses
    assert time.monotonic() - restarted < 5, statuses
    assert web.alive()  # the same gunicorn, not restarted


def test_a_report_whose_worker_was_killed_is_finished_by_the_next_worker(tmp_path, stop_at_end):
    redis = Redis(tmp_path).start()
    stop_at_end(redis)
    # Test timings: a taken message returns to the queue after 3 s (an hour in production) and a running
    # report may then be claimed again after 3 s (30 minutes).
    env = _env_with_redis(redis, FAULTS_VISIBILITY_TIMEOUT="3", FAULTS_STALE_AFTER="3")
    run = ReportRun.objects.create(
        template="kvartalsrapport",
        parameters={"date_from": "2026-01-01", "date_to": "2026-03-31", "language": "en"},
    )
    first = Worker({**env, "FAULTS_RENDER_DELAY": "120"}, tmp_path, "first").start()
    stop_at_end(first)
    with Connection(redis.url(1)) as broker:
        generate_report.apply_async((run.pk,), connection=broker)

    def running() -> bool:
        run.refresh_from_db()
        return run.status == ReportRun.Status.RUNNING

    assert wait_for(running, 30), first.log()[-3000:]
    time.sleep(2)  # the figures take well under that; the PDF is being rendered (for 120 s)
    first.kill()  # SIGKILL in the middle of rendering the PDF: the message was never acknowledged
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING and not run.file

    second = Worker(env, tmp_path, "second").start()
    stop_at_end(second)

    def done() -> bool:
        run.refresh_from_db()
        return run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED)

    assert wait_for(done, 60), second.log()[-3000:]
    assert run.status == ReportRun.Status.DONE, run.error
    assert run.file and run.attempts == 2


def test_an_e_mail_the_server_refuses_is_retried_with_backoff_then_shown_failed(tmp_path, stop_at_end):
    redis = Redis(tmp_path).start()
    stop_at_end(redis)
    with RefusingSMTPServer() as smtp:
        # Two retries 1 s then 2 s apart, instead of six over about five minutes in production.
        env = _env_with_redis(redis, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", FAULTS_EMAIL_MAX_RETRIES="2")
        worker = Worker(env, tmp_path).start()
        stop_at_end(worker)
        manage(
            env,
            code=(
                "from accounts.tasks import send_email\nfrom outbox import enqueue\n"
                "enqueue(send_email, subject='Hej', body='Text', to=['refused@example.org'])"
            ),
        )
        message = OutboxMessage.objects.get()

        def finished() -> bool:
            message.refresh_from_db()
            return message.state == OutboxMessage.State.FAILED

        assert wait_for(finished, 30), worker.log()[-3000:]
    tries = smtp.refused_at
    assert len(tries) == 3
    first_wait, second_wait = tries[1] - tries[0], tries[2] - tries[1]
    assert 0.9 < first_wait < second_wait - 0.5, (first_wait, second_wait)
    assert message.attempts == 3
    assert "SMTPRecipientsRefused" in message.last_error and "554" in message.last_error
    assert f"outbox message {message.pk}) failed for good after 3 tries" in worker.log()
