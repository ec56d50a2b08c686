"""The shift list at scale: one page of recipients at a time, searchable, small and with constant queries.

The list shows each recipient's code, team, technologies and tonight's camera checks with the one-tap
"seen, all well" camera button, and links to the recipient's page with every other logging button.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from welfaretech.shift import PAGE_SIZE, PRECACHE_HEADER, current_night

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
# session, user, roles, count, the page's recipients, their assignments, their checks tonight,
# the audit entry, the municipality profile (base template), my events of the last 24 hours
QUERIES = 10


@pytest.fixture
def team():
    return CareTeamFactory(name="Nattpatrullen Norr")


@pytest.fixture
def staff(team):
    user = UserFactory(role=Role.HOMECARE_STAFF)
    team.members.add(user)
    return user


def add_recipients(team, count: int, *, supervised: bool = True, staff=None, prefix: str = "N") -> list:
    """``count`` recipients of ``team`` with camera supervision, a check done tonight and one of my events."""
    start = len(team.recipients.all())
    recipients = []
    camera = TechnologyTypeFactory(code="digital_supervision")
    alarm = TechnologyTypeFactory(code="safety_alarm")
    checked_at = current_night(timezone.now())[0] + timedelta(hours=2)
    for number in range(start, start + count):
        recipient = CareRecipientFactory(team=team, locality=team.locality, code=f"{prefix}-{number:04d}")
        AssignmentFactory(recipient=recipient, technology=alarm)
        if supervised:
            schedule = ["23:00", "02:00", "05:00"]
            AssignmentFactory(recipient=recipient, technology=camera, night_schedule=schedule)
            EventFactory(recipient=recipient, kind="camera_check_ok", occurred_at=checked_at)
        if staff is not None:
            EventFactory(recipient=recipient, kind="safety_alarm", recorded_by=staff)
        recipients.append(recipient)
    return recipients


def codes_on(response) -> list[str]:
    return re.findall(r'class="shift-list__code">([^<]+)<', response.content.decode())


def test_the_query_count_is_the_same_for_5_and_60_recipients(client, staff, team, django_assert_num_queries):
    client.force_login(staff)
    add_recipients(team, 5, staff=staff)
    with django_assert_num_queries(QUERIES):
        assert len(codes_on(client.get(SHIFT))) == 5
    add_recipients(team, 55, staff=staff)
    with django_assert_num_queries(QUERIES):
        assert len(codes_on(client.get(SHIFT))) == PAGE_SIZE
    with django_assert_num_queries(QUERIES):
        assert len(codes_on(client.get(SHIFT, {"q": "N-00", "camera": "on", "page": "3"}))) == 10


def test_the_list_is_paginated_in_code_order_and_page_links_keep_the_search(client, staff, team):
    add_recipients(team, 60, supervised=False)
    client.force_login(staff)
    first = client.get(SHIFT)
    assert codes_on(first) == [f"N-{number:04d}" for number in range(PAGE_SIZE)]
    html = first.content.decode()
    assert "60 recipients" in html and "Page 1 of 3" in html
    assert 'href="?page=2"' in html

    searched = client.get(SHIFT, {"q": "n-00", "page": "2"}).content.decode()
    assert 'href="?q=n-00&amp;page=3"' in searched and 'href="?q=n-00&amp;page=1"' in searched
    assert codes_on(client.get(SHIFT, {"page": "3"})) == [f"N-{number:04d}" for number in range(50, 60)]
    # A page number out of range or malformed gives a real page, never an error.
    assert codes_on(client.get(SHIFT, {"page": "99"}))[-1] == "N-0059"
    assert codes_on(client.get(SHIFT, {"page": "x"}))[0] == "N-0000"


def test_recipients_are_found_by_code_or_team(client, staff, team):
    other_team = CareTeamFactory(name="Dagpatrullen Syd")
    other_team.members.add(staff)
    add_recipients(team, 3, supervised=False, prefix="NORR")
    add_recipients(other_team, 2, supervised=False, prefix="SYD")
    client.force_login(staff)
    assert codes_on(client.get(SHIFT, {"q": "norr-0001"})) == ["NORR-0001"]
    assert codes_on(client.get(SHIFT, {"q": " syd "})) == ["SYD-0000", "SYD-0001"]
    assert codes_on(client.get(SHIFT, {"q": "patrullen"})) == [
        "SYD-0000",
        "SYD-0001",
        "NORR-0000",
        "NORR-0001",
        "NORR-0002",
    ]
    html = client.get(SHIFT, {"q": "nobody"}).content.decode()
    assert "No recipients match your search." in html and "Clear search" in html


def test_a_member_of_a_team_without_recipients_gets_an_empty_state_and_no_search(client, staff):
    client.force_login(staff)
    html = client.get(SHIFT).content.decode()
    assert "Your team has no recipients." in html and 'role="search"' not in html
    assert "You have not logged anything in the last 24 hours." in html


def test_only_recipients_with_camera_checks_can_be_listed(client, staff, team):
    supervised = add_recipients(team, 2, prefix="CAM")
    add_recipients(team, 2, supervised=False, prefix="ALARM")
    ended = add_recipients(team, 1, prefix="ENDED")[0]
    ended.assignments.filter(technology__code="digital_supervision").update(
        ends_on=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(staff)
    assert codes_on(client.get(SHIFT, {"camera": "on"})) == [r.code for r in supervised]
    assert len(codes_on(client.get(SHIFT))) == 5


def test_the_list_shows_team_technology_tonights_checks_and_the_one_tap_camera_button(client, staff, team):
    recipient = add_recipients(team, 1)[0]
    add_recipients(team, 1, supervised=False, prefix="ALARM")
    client.force_login(staff)
    html = client.get(SHIFT).content.decode()
    technologies = [str(a.technology) for a in recipient.assignments.order_by("technology__code")]
    assert f"{team.name} · {', '.join(technologies)}" in html
    assert "23:00" in html and "05:00" in html
    assert html.count("shift-slot--done") == 1  # the check logged at 23:00 tonight
    # One camera button, for the supervised recipient only; every other kind is on the recipient's page.
    assert re.findall(r'name="kind" value="([^"]+)"', html) == ["camera_check_ok"]
    assert f'name="recipient" value="{recipient.pk}"' in html
    # The links the service worker keeps for offline logging, and the queue status shift.js fills in.
    listed = html.split("data-offline-pages>", 1)[1].split("</ul>", 1)[0]
    assert f'href="{SHIFT}mottagare/{recipient.pk}/"' in listed
    assert "data-queue-status" in html and 'name="events-api"' in html


def test_the_page_stays_small_with_200_recipients(client, staff, team):
    add_recipients(team, 200, staff=staff)
    client.force_login(staff)
    response = client.get(SHIFT)
    assert len(codes_on(response)) == PAGE_SIZE
    assert len(response.content) < 60_000, len(response.content)  # 166 KB when every recipient was listed


def test_another_teams_recipients_are_never_listed(client, staff, team):
    add_recipients(team, 2, prefix="MINE")
    strangers = add_recipients(CareTeamFactory(name="Annan grupp"), 30, prefix="OTHER")
    inactive = add_recipients(team, 1, prefix="GONE")[0]
    inactive.is_active = False
    inactive.save()
    client.force_login(staff)
    for query in ({}, {"q": "OTHER"}, {"q": "Annan grupp"}, {"q": "GONE"}, {"page": "2"}, {"camera": "on"}):
        codes = codes_on(client.get(SHIFT, query))
        assert not {c for c in codes if not c.startswith("MINE")}, query
    assert strangers[0].code not in client.get(SHIFT, {"q": "OTHER"}).content.decode()


def test_the_welfaretech_administrator_sees_every_team(client):
    add_recipients(CareTeamFactory(name="A-gruppen"), 1, supervised=False, prefix="A")
    add_recipients(CareTeamFactory(name="B-gruppen"), 1, supervised=False, prefix="B")
    client.force_login(UserFactory(role=Role.WELFARETECH_ADMIN))
    assert codes_on(client.get(SHIFT)) == ["A-0000", "B-0000"]


def test_the_audit_entry_names_the_recipients_shown(client, staff, team):
    shown = add_recipients(team, 3, supervised=False)
    client.force_login(staff)
    client.get(SHIFT)
    entry = AuditEntry.objects.get(action="welfaretech.shift.view")
    assert entry.detail["listed"] == [r.pk for r in shown]


def test_a_page_kept_for_offline_use_is_audited_as_such(client, staff, team):
    recipient = add_recipients(team, 1)[0]
    client.force_login(staff)
    page = client.get(f"{SHIFT}mottagare/{recipient.pk}/", headers={PRECACHE_HEADER: "1"})
    assert page.status_code == 200
    assert "23:00" in page.content.decode()  # tonight's checks on the logging page too
    client.get(f"{SHIFT}mottagare/{recipient.pk}/")
    entries = AuditEntry.objects.filter(action="welfaretech.shift.view").order_by("pk")
    purposes = [entry.detail.get("purpose") for entry in entries]
    assert purposes == ["offline copy", None]


def test_the_service_worker_keeps_the_listed_pages_on_request(client):
    body = client.get("/hemtjanst/sw.js").content.decode()
    assert '"precache"' in body and PRECACHE_HEADER.replace("-", "\\u002D") in body
    assert "ignoreVary: true" in body
