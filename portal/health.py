"""Readiness checks: each returns (ok, detail) and never raises."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, connection.vendor


def check_cache() -> tuple[bool, str]:
    key = f"readyz:{uuid.uuid4().hex}"
    # The resilient Redis cache hides outages from pages; the probe must see them.
    backend = getattr(cache, "strict", cache)
    try:
        backend.set(key, "1", timeout=5)
        found = backend.get(key) == "1"
        backend.delete(key)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return (True, "ok") if found else (False, "value written was not read back")


def check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "tasks run in-process (no broker configured)"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"
    return True, "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}
