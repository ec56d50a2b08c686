"""Load without loss, offline sync: 20 clients resend overlapping batches at once; each event is stored once.

Five home-care staff members each carry four clients (phone, tablet, a reopened tab…) holding the same
offline queue of 60 events. Released together against the live server, every client sends overlapping
windows of its queue in its own order and then the whole queue again, so each event arrives at least
eight times, often at the same moment. Every answer must be 2xx with no item in error, every repeat must
name the stored event, and the database must hold each event exactly once.
"""

import random
import threading
import time
import uuid
from collections import defaultdict

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from welfaretech.models import Event

from ..factories import CareRecipientFactory, CareTeamFactory, UserFactory
from .clients import TIMEOUT, session

STAFF = 5
CLIENTS_PER_STAFF = 4
QUEUE = 60
WINDOW = 20
URL = "/api/v1/welfaretech/events/"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent inserts of one UUID must race for real; SQLite serialises them",
    ),
    pytest.mark.django_db(transaction=True),
]


def offline_queue(recipients) -> list[dict]:
    now = timezone.now()
    return [
        {
            "client_uuid": str(uuid.uuid4()),
            "recipient": recipients[i % len(recipients)].pk,
            "kind": "camera_check_ok",
            "occurred_at": (now - timezone.timedelta(minutes=QUEUE - i)).isoformat(),
        }
        for i in range(QUEUE)
    ]


def batches(queue: list[dict], rng: random.Random) -> list[list[dict]]:
    """Windows of WINDOW events starting every WINDOW/2 (each event in two), shuffled, then the lot."""
    windows = [queue[start : start + WINDOW] for start in range(0, QUEUE, WINDOW // 2)]
    rng.shuffle(windows)
    return [*windows, queue]


def test_20_clients_resending_overlapping_batches_store_each_event_once(live_server):
    team = CareTeamFactory()
    recipients = [CareRecipientFactory(team=team) for _ in range(8)]
    clients = []
    queues = {}
    for _ in range(STAFF):
        staff = UserFactory(role=Role.HOMECARE_STAFF)
        team.members.add(staff)
        queues[staff.pk] = offline_queue(recipients)
        clients += [(staff, session(live_server.url, staff)) for _ in range(CLIENTS_PER_STAFF)]

    barrier = threading.Barrier(len(clients))
    lock = threading.Lock()
    failures: list[str] = []
    stored_ids: dict[str, set[int]] = defaultdict(set)
    requests_sent = 0

    def sync(n: int, staff, http) -> None:
        nonlocal requests_sent
        rng = random.Random(n)
        try:
            barrier.wait()
            for batch in batches(queues[staff.pk], rng):
                response = http.post(live_server.url + URL, json=batch, timeout=TIMEOUT)
                with lock:
                    requests_sent += 1
                if response.status_code not in (200, 201):
                    failures.append(f"client {n}: HTTP {response.status_code} {response.text[:200]}")
                    continue
                for item in response.json()["results"]:
                    with lock:
                        if item["status"] not in ("created", "duplicate"):
                            failures.append(f"client {n}: {item}")
                        else:
                            stored_ids[item["client_uuid"]].add(item["id"])
        except Exception as exc:  # connection errors, timeouts: collected and asserted below
            failures.append(f"client {n}: {exc!r}")
        finally:
            http.close()

    threads = [threading.Thread(target=sync, args=(n, *client)) for n, client in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.monotonic() - started
    print(f"\n{requests_sent} overlapping batches from {len(clients)} clients in {elapsed:.2f} s")

    assert failures == []
    assert requests_sent == len(clients) * len(batches(list(range(QUEUE)), random.Random(0)))
    expected = {item["client_uuid"]: staff_pk for staff_pk, queue in queues.items() for item in queue}
    assert len(expected) == STAFF * QUEUE
    # Every answer for one event named one and the same stored row.
    assert set(stored_ids) == set(expected)
    assert all(len(ids) == 1 for ids in stored_ids.values())
    events = Event.objects.filter(client_uuid__in=list(expected))
    assert Event.objects.count() == STAFF * QUEUE
    assert {str(e.client_uuid): e.recorded_by_id for e in events} == expected
    assert {e.pk for e in events} == {next(iter(ids)) for ids in stored_ids.values()}
