"""Background work: the embedded mode runs tasks in-process; with a broker a real worker runs them."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from accounts.tasks import clear_expired_sessions, send_email
from config.celery import BaseTask, app

from .worker import wait_for


def test_every_task_acknowledges_late_and_retries_with_backoff():
    for name, task in app.tasks.items():
        if name.startswith(
            ("accounts.", "portal.", "activities.", "associations.", "welfaretech.", "followup.")
        ):
            assert isinstance(task, BaseTask), name
            assert task.acks_late and task.reject_on_worker_lost, name
            assert task.autoretry_for and task.retry_backoff and task.max_retries >= 3, name


def test_the_beat_schedule_names_registered_tasks(settings):
    app.loader.import_default_modules()  # what a worker does at start: import every app's tasks module
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_e_mail_task_sends_in_process():
    send_email.delay("Ämne", "Text", ["a@example.org"], html="<p>Text</p>")
    assert [m.subject for m in mail.outbox] == ["Ämne"]
    assert mail.outbox[0].alternatives[0][1] == "text/html"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_e_mail(celery_worker_process, worker_mail_dir):
    send_email.delay("Worker check", "Sent by a real Celery worker", ["worker-check@example.org"])
    assert wait_for(lambda: any(worker_mail_dir.iterdir()))
    sent = next(worker_mail_dir.iterdir()).read_text()
    assert "To: worker-check@example.org" in sent
    assert "Sent by a real Celery worker" in sent


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_shares_the_database(celery_worker_process):
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    Session.objects.create(
        session_key="y" * 32, session_data="", expire_date=timezone.now() + timedelta(days=1)
    )
    clear_expired_sessions.delay()
    assert wait_for(lambda: not Session.objects.filter(session_key="x" * 32).exists())
    assert Session.objects.filter(session_key="y" * 32).exists()
