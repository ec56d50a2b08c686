"""Load without loss, sign-ups: 100 people press "sign up" at the same moment for 10 places.

Every sign-up goes through ``activities.services.register`` in a thread of its own with a database
connection of its own; a barrier releases them together. Exactly 10 must be confirmed, the other 90
waiting-listed, and none lost or doubled.
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections

from activities import services
from activities.models import Registration

from ..factories import ActivityFactory, OccurrenceFactory

PEOPLE = 100
PLACES = 10

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks under real concurrency; SQLite serialises every writer",
    ),
    pytest.mark.django_db(transaction=True),
]


def free_connections() -> int:
    """Connections the server still accepts (the Celery worker and other sessions hold some)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def test_100_parallel_sign_ups_for_10_places_lose_nothing():
    occurrence = OccurrenceFactory(
        activity=ActivityFactory(signup_required=True, capacity=PLACES, waiting_list=True)
    )
    # 100 threads start together; if the server's max_connections leaves fewer than 100 free, the ones
    # beyond wait for a connection as they would in a pool, instead of being refused by the server.
    open_at_once = min(PEOPLE, free_connections() - 3)
    assert open_at_once >= 30, "too few free database connections for a meaningful test"
    gate = threading.BoundedSemaphore(open_at_once)
    barrier = threading.Barrier(PEOPLE)
    statuses: dict[int, str] = {}
    errors: list[BaseException] = []

    def sign_up(i: int) -> None:
        try:
            barrier.wait()
            with gate:
                try:
                    registration = services.register(
                        occurrence, guest_name=f"Person {i}", guest_email=f"person{i}@example.org"
                    )
                    statuses[i] = registration.status
                finally:
                    connections.close_all()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(PEOPLE)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started
    print(f"\n{PEOPLE} sign-ups in {elapsed:.2f} s, at most {open_at_once} database connections at once")

    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    assert Counter(statuses.values()) == {"confirmed": PLACES, "waiting": PEOPLE - PLACES}
    stored = Registration.objects.filter(occurrence=occurrence)
    assert stored.count() == PEOPLE
    assert set(stored.values_list("guest_name", flat=True)) == {f"Person {i}" for i in range(PEOPLE)}
    assert {r.guest_name: r.status for r in stored} == {f"Person {i}": s for i, s in statuses.items()}
    assert services.confirmed_places(occurrence) == PLACES
