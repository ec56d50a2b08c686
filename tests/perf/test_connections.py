"""Persistent database connections with health checks in production: connections are kept for a minute
(no connect per request) and re-validated at the start of each request, so the application recovers by
itself after the database restarts or drops a connection."""

import json
import os

import pytest

from ..test_settings import production_env, run

PRINT_CONNECTION_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({"max_age": db["CONN_MAX_AGE"], "health_checks": db["CONN_HEALTH_CHECKS"]}))
"""

# A connection the database server drops between two requests (as after a restart or a failover) is
# noticed by the health check at the start of the next request and replaced, instead of failing it.
RECOVER_AFTER_DROPPED_CONNECTION = """
import json, django
import psycopg
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection
django.setup()

def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]

request_started.send(sender=None)
first = backend_pid()
request_finished.send(sender=None)
request_started.send(sender=None)
reused = backend_pid()
request_finished.send(sender=None)

db = settings.DATABASES["default"]
with psycopg.connect(
    host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"],
    autocommit=True,
) as admin:
    admin.execute("SELECT pg_terminate_backend(%s)", [first])

request_started.send(sender=None)
replaced = backend_pid()
request_finished.send(sender=None)
print(json.dumps({"first": first, "reused": reused, "replaced": replaced}))
"""


def test_production_keeps_connections_and_checks_their_health():
    result = run(PRINT_CONNECTION_SETTINGS, **production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["health_checks"] is True
    assert values["max_age"] >= 60


def test_connection_lifetime_can_be_tuned_per_deployment():
    result = run(PRINT_CONNECTION_SETTINGS, **production_env(CONN_MAX_AGE="300"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"max_age": 300, "health_checks": True}


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a real PostgreSQL server (DATABASE_URL) whose connections can be terminated",
)
def test_a_dropped_connection_is_replaced_at_the_next_request():
    result = run(RECOVER_AFTER_DROPPED_CONNECTION, **production_env(DATABASE_URL=os.environ["DATABASE_URL"]))
    assert result.returncode == 0, result.stderr
    pids = json.loads(result.stdout.strip().splitlines()[-1])
    assert pids["reused"] == pids["first"]  # persistent: the same server process for the second request
    assert pids["replaced"] != pids["first"]  # the dead one was noticed and a new one opened
