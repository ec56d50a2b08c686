"""Load without loss, mixed traffic: 50 connections for 60 seconds against the live server, zero errors.

Each of the 50 clients loops until time is up over a mix like a weekday morning: anonymous visitors
reading the home page, search, activities and places, API readers, coordinators in the back office,
guests signing up and home-care staff syncing their shift events. An error is any answer other than the
expected one (so every 5xx), a timeout or a connection failure; there must be none. The number of
requests served is printed (``pytest -s``, or ``-rP`` for the captured output).

Only in CI's real-services pass (PostgreSQL + Redis), where it measures something meaningful; the
duration is LOAD_TEST_SECONDS (default 60).
"""

import os
import random
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from activities.models import Registration
from welfaretech.models import Event

from ..factories import (
    ActivityFactory,
    CareRecipientFactory,
    CareTeamFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
    UserFactory,
)
from .clients import TIMEOUT, session

CONNECTIONS = 50
SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", "60"))

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("CI_REAL_SERVICES") or connection.vendor != "postgresql",
        reason="a 60-second load run: only in CI's real-services pass (CI_REAL_SERVICES, PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def site(settings):
    """A small municipality: places, published activities with upcoming occasions, staff and a team."""
    # The per-address limit on guest sign-ups would answer 429 to one test machine; it has tests of its
    # own (tests/security/test_abuse.py). MFA for staff likewise (tests/accounts).
    settings.PUBLIC_FORM_RATE_LIMITS = {**settings.PUBLIC_FORM_RATE_LIMITS, "activities.guest_signup": ""}
    settings.REQUIRE_STAFF_MFA = False
    places = [MeetingPlaceFactory() for _ in range(6)]
    activities = [
        ActivityFactory(place=places[i % len(places)], signup_required=True, capacity=None) for i in range(24)
    ]
    occurrences = [
        OccurrenceFactory(activity=activity, starts_at=timezone.now() + timezone.timedelta(days=day))
        for activity in activities
        for day in (2, 9)
    ]
    team = CareTeamFactory()
    recipients = [CareRecipientFactory(team=team) for _ in range(10)]
    staff = [UserFactory(role=Role.HOMECARE_STAFF) for _ in range(5)]
    team.members.add(*staff)
    coordinators = [UserFactory(role=Role.COORDINATOR) for _ in range(3)]
    return {
        "places": places,
        "activities": activities,
        "occurrences": occurrences,
        "recipients": recipients,
        "staff": staff,
        "coordinators": coordinators,
    }


def visitor_requests(site, rng):
    activity = rng.choice(site["activities"])
    place = rng.choice(site["places"])
    return rng.choice(
        [
            ("GET", "/", None, {200}),
            ("GET", "/aktiviteter/?q=gymnastik", None, {200}),
            ("GET", f"/aktiviteter/{activity.slug}/", None, {200}),
            ("GET", "/motesplatser/", None, {200}),
            ("GET", f"/motesplatser/{place.slug}/", None, {200}),
        ]
    )


def api_requests(site, rng):
    return rng.choice(
        [
            ("GET", "/api/v1/activities/", None, {200}),
            ("GET", "/api/v1/occurrences/", None, {200}),
            ("GET", "/api/v1/places/", None, {200}),
        ]
    )


def guest_signup(site, rng):
    occurrence = rng.choice(site["occurrences"])
    n = rng.randrange(10**9)
    form = {
        "guest_name": f"Last {n}",
        "guest_phone": "",
        "guest_email": f"last{n}@example.org",
        "party_size": "1",
        "website": "",
    }
    return ("POST", f"/aktiviteter/tillfalle/{occurrence.pk}/anmal/", form, {302})


def shift_sync(site, rng):
    batch = [
        {
            "client_uuid": str(uuid.uuid4()),
            "recipient": rng.choice(site["recipients"]).pk,
            "kind": "camera_check_ok",
            "occurred_at": timezone.now().isoformat(),
        }
        for _ in range(rng.randint(1, 10))
    ]
    return ("POST", "/api/v1/welfaretech/events/", batch, {201})


def backoffice(site, rng):
    return ("GET", rng.choice(["/backoffice/", "/backoffice/aktiviteter/"]), None, {200})


# (who, user pool, request maker, clients of this kind) — 50 connections in all.
PROFILES = [
    ("visitor", None, visitor_requests, 24),
    ("api", None, api_requests, 6),
    ("guest", None, guest_signup, 6),
    ("staff", "staff", shift_sync, 8),
    ("coordinator", "coordinators", backoffice, 6),
]


def test_50_connections_of_mixed_traffic_without_a_single_error(live_server, site):
    assert sum(count for *_, count in PROFILES) == CONNECTIONS
    clients = []
    for kind, pool, maker, count in PROFILES:
        for n in range(count):
            user = site[pool][n % len(site[pool])] if pool else None
            clients.append((kind, session(live_server.url, user), maker))

    lock = threading.Lock()
    served: Counter[str] = Counter()
    errors: list[str] = []
    deadline: list[float] = []
    # The clock starts when the last client is ready, set by the barrier before it releases anyone.
    barrier = threading.Barrier(CONNECTIONS, action=lambda: deadline.append(time.monotonic() + SECONDS))

    def run(n: int, kind: str, http, maker) -> None:
        rng = random.Random(n)
        try:
            barrier.wait()
            while time.monotonic() < deadline[0]:
                method, path, body, expected = maker(site, rng)
                try:
                    if method == "GET":
                        response = http.get(live_server.url + path, timeout=TIMEOUT, allow_redirects=False)
                    elif kind == "guest":
                        body = {**body, "csrfmiddlewaretoken": http.headers["X-CSRFToken"]}
                        response = http.post(
                            live_server.url + path, data=body, timeout=TIMEOUT, allow_redirects=False
                        )
                    else:
                        response = http.post(live_server.url + path, json=body, timeout=TIMEOUT)
                except Exception as exc:  # connection errors and timeouts are errors too
                    with lock:
                        errors.append(f"{kind} {method} {path}: {exc!r}")
                    continue
                with lock:
                    served[kind] += 1
                    if response.status_code not in expected:
                        errors.append(f"{kind} {method} {path}: HTTP {response.status_code}")
        except Exception as exc:  # a failure of the test's own code must not pass unseen
            with lock:
                errors.append(f"{kind} client {n} stopped: {exc!r}")
        finally:
            http.close()

    threads = [threading.Thread(target=run, args=(n, *client)) for n, client in enumerate(clients)]
    events_before = Event.objects.count()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 2 * TIMEOUT + 30)

    total = sum(served.values())
    summary = f"{CONNECTIONS} connections, {SECONDS:.0f} s: {total} requests ({total / SECONDS:.0f}/s)"
    print(f"\nmixed traffic, {summary}", dict(served))

    assert not any(thread.is_alive() for thread in threads)
    assert errors[:20] == [], f"{len(errors)} errors"
    assert set(served) == {kind for kind, *_ in PROFILES}
    # What was answered as stored is stored: each 302 a sign-up, each 201 at least one event.
    assert Registration.objects.count() == served["guest"]
    assert Event.objects.count() - events_before >= served["staff"]
