"""Batched ingest: valid new events of a batch go to the database in one INSERT, whatever the batch size,
and a twin that reached the database first is still answered as a duplicate."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from welfaretech.events import Pending, _store, record_events
from welfaretech.models import Event

from ..factories import CareRecipientFactory, CareTeamFactory, UserFactory
from .test_events_api import event, post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def staff():
    return UserFactory(role=Role.HOMECARE_STAFF)


@pytest.fixture
def own(staff):
    team = CareTeamFactory()
    team.members.add(staff)
    return CareRecipientFactory(team=team)


def queries_for(client, recipient, size: int) -> int:
    body = [event(recipient) for _ in range(size)]
    with CaptureQueriesContext(connection) as captured:
        response = post(client, body)
    assert response.status_code == 201
    assert [r["status"] for r in response.json()["results"]] == ["created"] * size
    return len(captured)


def test_a_batch_costs_the_same_queries_for_5_and_50_events(client, staff, own):
    client.force_login(staff)
    queries_for(client, own, 1)  # the session and user are cached from here on
    assert queries_for(client, own, 5) == queries_for(client, own, 50)
    assert Event.objects.count() == 56


def test_the_same_uuid_twice_in_a_batch_is_stored_once_and_answered_as_a_duplicate(client, staff, own):
    client.force_login(staff)
    item = event(own)
    response = post(client, [item, event(own), item])
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["created", "created", "duplicate"]
    results = response.json()["results"]
    assert results[0]["id"] == results[2]["id"]
    assert Event.objects.filter(client_uuid=item["client_uuid"]).count() == 1


def test_a_twin_stored_concurrently_turns_the_batch_into_single_inserts_and_is_a_duplicate(staff, own):
    # What a concurrent request leaves behind: the UUID is in the database although this request's
    # lookup of repeats did not see it, so the multi-row INSERT fails on the unique constraint.
    def unsaved(client_uuid: uuid.UUID) -> Event:
        return Event(
            client_uuid=client_uuid,
            recipient=own,
            team=own.team,
            kind="camera_check_ok",
            occurred_at=timezone.now(),
            recorded_by=staff,
        )

    twin_uuid, fresh_uuid = uuid.uuid4(), uuid.uuid4()
    twin = unsaved(twin_uuid)
    twin.save()
    pending = [Pending(0, unsaved(twin_uuid), []), Pending(1, unsaved(fresh_uuid), [])]
    results = [None, None]

    _store(staff, pending, results)

    assert [r.status for r in results] == ["duplicate", "created"]
    assert results[0].event.pk == twin.pk
    assert Event.objects.filter(client_uuid__in=[twin_uuid, fresh_uuid]).count() == 2


def test_record_events_answers_every_item_in_order(staff, own):
    items = [event(own), {"client_uuid": "nope"}, "not an object", event(own, kind="unknown")]
    results = record_events(staff, items)
    assert [r.status for r in results] == ["created", "error", "error", "error"]
