"""Home-care staff log welfare-technology events during a shift, online and without network."""

import time

import pytest
from playwright.sync_api import Page, expect

from accounts.models import AuditEntry
from accounts.roles import Role
from welfaretech.models import Event

from ..factories import (
    PASSWORD,
    AssignmentFactory,
    CareRecipientFactory,
    CareTeamFactory,
    TechnologyTypeFactory,
    UserFactory,
)
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"  # the journeys below find buttons by their English names


@pytest.fixture
def night_shift(municipality):
    team = CareTeamFactory(name="Nattpatrullen")
    staff = UserFactory(role=Role.HOMECARE_STAFF, email="natt@example.org")
    team.members.add(staff)
    recipient = CareRecipientFactory(team=team, code="NATT-01")
    AssignmentFactory(
        recipient=recipient,
        technology=TechnologyTypeFactory(code="digital_supervision", name_sv="Kameratillsyn"),
        night_schedule=["23:00", "02:00", "05:00"],
    )
    AssignmentFactory(recipient=recipient, technology=TechnologyTypeFactory(code="medication_dispenser"))
    return staff, recipient


def wait_for_events(count: int, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stored = Event.objects.count()
        if stored >= count:
            return stored
        time.sleep(0.2)
    return Event.objects.count()


def open_recipient(page: Page, staff, recipient) -> None:
    login(page, staff.email, PASSWORD)
    page.goto("/hemtjanst/pass/")
    assert_accessible(page)
    page.get_by_role("link", name=recipient.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(recipient.code)


def test_staff_log_a_night_check_online(page: Page, night_shift):
    staff, recipient = night_shift
    open_recipient(page, staff, recipient)
    assert_accessible(page)
    page.get_by_role("button", name="Camera: seen, all well").click()
    assert wait_for_events(1) == 1
    stored = Event.objects.get()
    assert (stored.recipient_id, stored.kind, stored.recorded_by_id) == (
        recipient.pk,
        "camera_check_ok",
        staff.pk,
    )
    expect(page.locator("[data-queue-status]")).to_have_attribute("data-pending", "0")
    assert not page.console_errors


def test_staff_keep_logging_offline_and_the_queue_is_sent_exactly_once(page: Page, night_shift, client):
    staff, recipient = night_shift
    open_recipient(page, staff, recipient)
    page.context.set_offline(True)
    page.get_by_role("button", name="Camera: seen, all well").click()
    page.get_by_role("button", name="Dose taken").click()
    page.get_by_role("button", name="Camera: not seen").click()
    status = page.locator("[data-queue-status]")
    expect(status).to_have_attribute("data-pending", "3")
    expect(status).to_contain_text("3")
    time.sleep(1)
    assert Event.objects.count() == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_attribute("data-pending", "0")
    assert wait_for_events(3) == 3
    time.sleep(1)
    assert Event.objects.count() == 3
    assert list(Event.objects.order_by("occurred_at").values_list("kind", flat=True)) == [
        "camera_check_ok",
        "dose_taken",
        "camera_check_not_seen",
    ]

    # The same batch sent again (a retry after a lost answer) stores nothing new.
    batch = [
        {
            "client_uuid": str(e.client_uuid),
            "recipient": recipient.pk,
            "kind": e.kind,
            "occurred_at": e.occurred_at.isoformat(),
        }
        for e in Event.objects.all()
    ]
    client.force_login(staff)
    response = client.post("/api/v1/welfaretech/events/", batch, content_type="application/json")
    assert response.status_code == 200
    assert {r["status"] for r in response.json()["results"]} == {"duplicate"}
    assert Event.objects.count() == 3


def test_a_listed_recipient_never_opened_online_can_be_logged_offline(page: Page, night_shift):
    staff, recipient = night_shift
    CareRecipientFactory(team=recipient.team, code="NATT-02")
    login(page, staff.email, PASSWORD)
    page.goto("/hemtjanst/pass/")
    page.get_by_label("Code or team").fill("natt-01")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".shift-list__code")).to_have_text([recipient.code])
    assert_accessible(page)

    # The service worker keeps the logging page of every recipient on the list (marked as such in the log).
    url = f"/hemtjanst/pass/mottagare/{recipient.pk}/"
    kept = "url => caches.match(url, {ignoreVary: true}).then(Boolean)"
    deadline = time.monotonic() + 15
    while not page.evaluate(kept, url) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert page.evaluate(kept, url)
    views = AuditEntry.objects.filter(action="welfaretech.shift.view", object_id=str(recipient.pk))
    assert list(views.values_list("detail__purpose", flat=True)) == ["offline copy"]

    page.context.set_offline(True)
    page.get_by_role("link", name=recipient.code).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(recipient.code)
    assert views.count() == 1  # opened from the kept copy, not from the server
    page.get_by_role("button", name="Camera: seen, all well").click()
    status = page.locator("[data-queue-status]")
    expect(status).to_have_attribute("data-pending", "1")
    assert Event.objects.count() == 0

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_attribute("data-pending", "0")
    assert wait_for_events(1) == 1
    assert Event.objects.get().recipient_id == recipient.pk
