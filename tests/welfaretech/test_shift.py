"""The shift logging page: my team's recipients, tonight's checks, one-form logging without JavaScript."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from welfaretech.models import Event
from welfaretech.shift import current_night, night_slots

from ..factories import (
    AssignmentFactory,
    CareRecipientFactory,
    CareTeamFactory,
    EventFactory,
    TechnologyTypeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SHIFT = "/hemtjanst/pass/"


@pytest.fixture
def team():
    return CareTeamFactory()


@pytest.fixture
def staff(team):
    user = UserFactory(role=Role.HOMECARE_STAFF)
    team.members.add(user)
    return user


def supervised(team, schedule=("23:00", "02:00", "05:00")):
    recipient = CareRecipientFactory(team=team)
    AssignmentFactory(
        recipient=recipient,
        technology=TechnologyTypeFactory(code="digital_supervision"),
        night_schedule=list(schedule),
    )
    return recipient


def test_the_page_lists_my_teams_recipients_with_technology_and_is_audited(client, staff, team):
    mine = supervised(team)
    other = CareRecipientFactory()
    client.force_login(staff)
    response = client.get(SHIFT)
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.code in html and other.code not in html
    assert "23:00" in html and "05:00" in html
    assert AuditEntry.objects.filter(action="welfaretech.shift.view").exists()


def test_an_ended_assignment_is_not_shown(client, staff, team):
    recipient = CareRecipientFactory(team=team)
    AssignmentFactory(
        recipient=recipient,
        technology=TechnologyTypeFactory(code="gps_alarm"),
        ends_on=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(staff)
    page = client.get(f"/hemtjanst/pass/mottagare/{recipient.pk}/").content.decode()
    assert 'value="gps_alarm"' not in page


@pytest.mark.parametrize(("role", "status"), [(Role.SENIOR, 403), (Role.OFFICIAL, 403), (ADMIN, 403)])
def test_other_roles_may_not_open_the_page(client, role, status):
    client.force_login(UserFactory(role=role))
    assert client.get(SHIFT).status_code == status


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(SHIFT).status_code == 302


def test_another_teams_recipient_is_404(client, staff):
    client.force_login(staff)
    assert client.get(f"/hemtjanst/pass/mottagare/{CareRecipientFactory().pk}/").status_code == 404


def test_one_form_post_logs_a_camera_check_without_javascript(client, staff, team):
    recipient = supervised(team)
    client.force_login(staff)
    response = client.post("/hemtjanst/pass/logga/", {"recipient": recipient.pk, "kind": "camera_check_ok"})
    assert response.status_code == 302
    stored = Event.objects.get()
    assert (stored.recipient, stored.kind, stored.recorded_by) == (recipient, "camera_check_ok", staff)
    assert response["Location"] == SHIFT
    assert "Logged:" in client.get(SHIFT).content.decode()


def test_a_form_post_for_another_team_is_refused(client, staff):
    client.force_login(staff)
    client.post("/hemtjanst/pass/logga/", {"recipient": CareRecipientFactory().pk, "kind": "gps_alarm"})
    assert not Event.objects.exists()


def test_an_alarm_form_with_local_times_is_stored(client, staff, team):
    recipient = CareRecipientFactory(team=team)
    client.force_login(staff)
    client.post(
        "/hemtjanst/pass/logga/",
        {
            "recipient": recipient.pk,
            "kind": "alarm",
            "occurred_at": "2026-01-10T22:15",
            "arrived_at": "2026-01-10T22:40",
            "cause": "fall",
        },
    )
    stored = Event.objects.get()
    assert timezone.localtime(stored.arrived_at).strftime("%H:%M") == "22:40"
    assert stored.cause == "fall"


def test_tonights_slots_are_marked_done_by_a_camera_check():
    night = current_night(timezone.make_aware(datetime(2026, 3, 1, 23, 30)))
    assert timezone.localtime(night[0]).hour == 21
    check = timezone.make_aware(datetime(2026, 3, 2, 2, 10))
    slots = night_slots(["23:00", "02:00", "05:00", "12:00"], night, [check])
    assert [(timezone.localtime(s.at).strftime("%d %H:%M"), s.done) for s in slots] == [
        ("01 23:00", False),
        ("02 02:00", True),
        ("02 05:00", False),
    ]


def test_the_early_morning_belongs_to_the_night_that_began_yesterday():
    start, end = current_night(timezone.make_aware(datetime(2026, 3, 2, 3, 0)))
    assert timezone.localtime(start).day == 1 and timezone.localtime(end).day == 2


def test_my_events_list_links_to_correction(client, staff, team):
    event = EventFactory(recipient=CareRecipientFactory(team=team), recorded_by=staff)
    client.force_login(staff)
    assert f"/hemtjanst/pass/handelse/{event.pk}/rattelse/" in client.get(SHIFT).content.decode()


def test_the_query_count_does_not_grow_with_the_number_of_recipients(client, staff, team):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SHIFT).status_code == 200
        return len(queries)

    client.force_login(staff)
    for _ in range(5):
        recipient = supervised(team)
        EventFactory(recipient=recipient, recorded_by=staff)
    few = count()
    for _ in range(55):  # more than one page of the list
        recipient = supervised(team)
        EventFactory(recipient=recipient, recorded_by=staff)
    many = count()
    print(f"shift page queries: 5 recipients {few}, 60 recipients {many}")
    assert many == few


def test_the_service_worker_is_served_for_the_logging_scope(client):
    response = client.get("/hemtjanst/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/hemtjanst/"
    assert b"/hemtjanst/pass/" in response.content


def test_sending_the_same_form_twice_stores_one_event(client, staff, team):
    recipient = supervised(team)
    client.force_login(staff)
    page = client.get(f"/hemtjanst/pass/mottagare/{recipient.pk}/").content.decode()
    uuids = re.findall(r'name="client_uuid" value="([0-9a-f-]{36})"', page)
    assert len(uuids) == len(set(uuids)) > 1
    form = {"client_uuid": uuids[0], "recipient": recipient.pk, "kind": "camera_check_ok"}
    client.post("/hemtjanst/pass/logga/", form)
    client.post("/hemtjanst/pass/logga/", form)
    assert Event.objects.count() == 1
