"""A real Celery worker, started as a subprocess against the test database and the real broker.

Only tests marked ``worker`` use it. They need a broker (CI's PostgreSQL + Redis pass exports one); in the
embedded SQLite mode there is none, so those tests are skipped there with that reason — unless
CI_REAL_SERVICES is set, in which case a missing broker is a failure.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("The real-worker tests need PostgreSQL (the worker must share the test database).")
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    return f"postgres://{user}:{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def worker_mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("worker-mail")


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup, django_db_blocker, worker_mail_dir, tmp_path_factory
) -> Iterator[subprocess.Popen]:
    if not os.environ.get("CELERY_BROKER_URL"):
        if os.environ.get("CI_REAL_SERVICES"):
            pytest.fail("CI_REAL_SERVICES is set but CELERY_BROKER_URL is not: no broker for the worker.")
        pytest.skip("needs a real broker and worker: runs in CI's PostgreSQL + Redis pass")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"filemail:///{worker_mail_dir}",  # absolute path: django-environ strips one slash
        "CONN_MAX_AGE": "0",
        # The same folder the tests' settings use (conftest._isolated), so files the worker writes are found.
        "PRIVATE_MEDIA_ROOT": str(tmp_path_factory.getbasetemp() / "private-media"),
    }
    log = open(worker_mail_dir.parent / "celery-worker.log", "w")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-l",
            "info",
            "-n",
            "test@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    log_path = Path(log.name)
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
