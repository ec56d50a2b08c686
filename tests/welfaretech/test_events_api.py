"""The events API: one event or a batch, each stored exactly once per client UUID, errors per item."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.roles import ADMIN, Role
from welfaretech.events import correct_event
from welfaretech.models import Event, Fault

from ..factories import CareRecipientFactory, CareTeamFactory, DeviceFactory, EventFactory, UserFactory

URL = "/api/v1/welfaretech/events/"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def team():
    return CareTeamFactory()


@pytest.fixture
def staff(team):
    user = UserFactory(role=Role.HOMECARE_STAFF)
    team.members.add(user)
    return user


@pytest.fixture
def own(team):
    return CareRecipientFactory(team=team)


def event(recipient, kind="camera_check_ok", **extra):
    return {
        "client_uuid": str(uuid.uuid4()),
        "recipient": recipient.pk,
        "kind": kind,
        "occurred_at": timezone.now().isoformat(),
        **extra,
    }


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_a_single_event_is_stored_with_the_recipients_team(client, staff, own):
    client.force_login(staff)
    item = event(own)
    response = post(client, item)
    assert response.status_code == 201
    result = response.json()["results"][0]
    assert result["status"] == "created"
    stored = Event.objects.get(pk=result["id"])
    assert (stored.team, stored.recorded_by, str(stored.client_uuid)) == (
        own.team,
        staff,
        item["client_uuid"],
    )


def test_the_same_batch_twice_stores_nothing_new(client, staff, own):
    client.force_login(staff)
    batch = [event(own) for _ in range(3)]
    assert post(client, batch).status_code == 201
    again = post(client, batch)
    assert again.status_code == 200
    body = again.json()
    assert [r["status"] for r in body["results"]] == ["duplicate"] * 3
    assert (body["created"], body["duplicates"]) == (0, 3)
    assert Event.objects.count() == 3
    assert {r["id"] for r in body["results"]} == set(Event.objects.values_list("id", flat=True))


def test_a_partly_invalid_batch_stores_the_valid_events_and_reports_each_error(client, staff, own):
    client.force_login(staff)
    other_team = CareRecipientFactory()
    batch = [
        event(own),
        event(own, kind="no_such_kind"),
        event(other_team),
        event(own, kind="alarm"),  # neither arrived_at nor resolved_remotely
        {"client_uuid": "not-a-uuid", "recipient": own.pk, "kind": "dose_taken"},
        event(own, kind="alarm", resolved_remotely=True, cause="accidental"),
    ]
    response = post(client, batch)
    assert response.status_code == 201
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "error", "error", "error", "created"]
    assert "kind" in results[1]["errors"]
    assert "recipient" in results[2]["errors"]
    assert "arrived_at" in results[3]["errors"]
    assert "client_uuid" in results[4]["errors"]
    assert Event.objects.count() == 2
    assert not Event.objects.filter(recipient=other_team).exists()


def test_only_errors_answers_200_with_per_item_statuses(client, staff):
    client.force_login(staff)
    response = post(client, [event(CareRecipientFactory())])
    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "error"


def test_another_users_uuid_is_not_revealed(client, staff, own):
    stored = EventFactory(recipient=own, recorded_by=UserFactory(role=Role.HOMECARE_STAFF))
    client.force_login(staff)
    result = post(client, {**event(own), "client_uuid": str(stored.client_uuid)}).json()["results"][0]
    assert result["status"] == "error" and "id" not in result


def test_more_than_500_events_is_refused_with_a_message(client, staff, own):
    client.force_login(staff)
    response = post(client, [event(own) for _ in range(501)])
    assert response.status_code == 400
    assert "500" in response.json()["message"]
    assert not Event.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"text"', "{not json"])
def test_a_malformed_body_is_400(client, staff, body):
    client.force_login(staff)
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"]


def test_anonymous_callers_are_refused(client, own):
    response = post(client, event(own))
    assert response.status_code in (401, 403)
    assert not Event.objects.exists()


@pytest.mark.parametrize("role", [Role.SENIOR, Role.COORDINATOR, Role.OFFICIAL, Role.ASSOCIATION_REP, ADMIN])
def test_other_roles_are_refused(client, own, role):
    client.force_login(UserFactory(role=role))
    assert post(client, event(own)).status_code == 403
    assert not Event.objects.exists()


def test_the_welfare_tech_administrator_may_log_for_any_team(client, own):
    client.force_login(UserFactory(role=Role.WELFARETECH_ADMIN))
    assert post(client, event(own)).status_code == 201


def test_a_personal_identity_number_in_the_note_is_refused(client, staff, own):
    client.force_login(staff)
    results = post(client, [event(own, note="Ring 19400101-1234"), event(own, note="Ring 400101-1234")])
    assert [r["status"] for r in results.json()["results"]] == ["error", "error"]
    assert not Event.objects.exists()


def test_a_health_word_in_the_note_is_stored_with_a_warning(client, staff, own):
    client.force_login(staff)
    result = post(client, event(own, kind="lock_fault", note="Har demens, hittade inte")).json()["results"][0]
    assert result["status"] == "created" and result["warnings"]


def test_an_urgent_device_fault_opens_a_fault_and_emails_every_administrator(client, staff, own, on_commit):
    admins = [UserFactory(role=Role.WELFARETECH_ADMIN) for _ in range(2)]
    device = DeviceFactory(recipient=own)
    client.force_login(staff)
    with on_commit(execute=True):
        response = post(
            client, event(own, kind="device_fault", device=device.pk, is_urgent=True, note="Trasig")
        )
    assert response.status_code == 201
    assert Fault.objects.get().is_urgent
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted(a.email for a in admins)
    assert own.code in mail.outbox[0].subject


def test_a_fault_without_a_note_or_device_is_refused(client, staff, own):
    client.force_login(staff)
    assert post(client, event(own, kind="device_fault")).json()["results"][0]["status"] == "error"


def test_the_list_shows_only_my_own_events(client, staff, own):
    mine = EventFactory(recipient=own, recorded_by=staff)
    EventFactory(recipient=own, recorded_by=UserFactory(role=Role.HOMECARE_STAFF))
    client.force_login(staff)
    assert [e["id"] for e in client.get(URL).json()["results"]] == [mine.pk]


def test_the_kind_enum_and_the_batch_response_are_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/welfaretech/events/"]["post"]
    assert {"200", "201", "400"} <= set(operation["responses"])
    text = str(schema["components"]["schemas"])
    assert "camera_check_ok" in text and "EventBatchResult" in schema["components"]["schemas"]


class TestCorrection:
    def test_a_correction_within_24_hours_keeps_the_original(self, staff, own):
        original = EventFactory(recipient=own, recorded_by=staff, kind="camera_check_ok")
        result = correct_event(staff, original, {"kind": "camera_check_visit"})
        original.refresh_from_db()
        assert original.superseded and original.kind == "camera_check_ok"
        assert (result.event.corrects, result.event.kind) == (original, "camera_check_visit")
        assert Event.objects.count() == 2

    def test_a_correction_after_24_hours_is_refused(self, staff, own):
        original = EventFactory(recipient=own, recorded_by=staff)
        Event.objects.filter(pk=original.pk).update(received_at=timezone.now() - timedelta(hours=25))
        original.refresh_from_db()
        with pytest.raises(Exception, match="24"):
            correct_event(staff, original, {"kind": "camera_check_visit"})
        assert Event.objects.count() == 1

    def test_only_the_original_logger_may_correct(self, staff, own):
        original = EventFactory(recipient=own, recorded_by=UserFactory(role=Role.HOMECARE_STAFF))
        with pytest.raises(Exception, match="yourself"):
            correct_event(staff, original, {"kind": "camera_check_visit"})

    def test_the_correction_page_saves_a_correction(self, client, staff, own):
        original = EventFactory(recipient=own, recorded_by=staff)
        client.force_login(staff)
        url = f"/hemtjanst/pass/handelse/{original.pk}/rattelse/"
        assert client.get(url).status_code == 200
        response = client.post(url, {"kind": "camera_check_visit", "note": ""})
        assert response.status_code == 302
        assert Event.objects.get(corrects=original).kind == "camera_check_visit"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; needs PostgreSQL")
def test_two_concurrent_posts_of_the_same_uuid_store_one_row(staff, own):
    from django.db import connections
    from django.test import Client

    item = event(own)
    barrier = threading.Barrier(2)
    statuses = []

    def send():
        client = Client()
        client.force_login(staff)
        barrier.wait()
        statuses.append(post(client, [item]).json()["results"][0]["status"])
        connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == ["created", "duplicate"]
    assert Event.objects.filter(client_uuid=item["client_uuid"]).count() == 1


def test_the_same_uuid_twice_in_one_batch_is_stored_once(client, staff, own):
    client.force_login(staff)
    item = event(own)
    results = post(client, [item, item]).json()["results"]
    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert Event.objects.count() == 1
