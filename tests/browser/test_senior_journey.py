"""A senior's journey through the public pages in Chromium, and axe-core on every public page."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from activities.models import Registration

from ..factories import (
    PASSWORD,
    ActivityFactory,
    AssociationFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
    UserFactory,
)
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_week() -> tuple:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return monday, monday + timedelta(days=6)


@pytest.fixture
def portal(municipality, settings):
    settings.MAP_TILE_URL = ""
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    centre = LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    hall = MeetingPlaceFactory(
        name="Högsjö bygdegård", slug="hogsjo-bygdegard", locality=hogsjo, latitude="59.05000",
        longitude="15.80000", step_free_entrance=True, accessible_toilet=True, bus_stop_nearby=True,
        opening_hours="Tisdagar 9–16",
    )  # fmt: skip
    association = AssociationFactory(name="PRO Högsjö", slug="pro-hogsjo", show_in_directory=True)
    association.localities.add(hogsjo)
    monday, _sunday = next_week()
    starts = timezone.make_aware(datetime.combine(monday + timedelta(days=1), time(10)))
    walk = ActivityFactory(
        title="Stavgång vid sjön", slug="stavgang", place=hall, organiser_association=association,
        signup_required=True, capacity=10, contact_phone="0151-123 45",
    )  # fmt: skip
    OccurrenceFactory(activity=walk, starts_at=starts, ends_at=starts + timedelta(hours=1, minutes=30))
    # Noise: the same week in another village, and Högsjö this week.
    elsewhere = ActivityFactory(title="Bingo i centrum", place=MeetingPlaceFactory(locality=centre))
    OccurrenceFactory(activity=elsewhere, starts_at=starts, ends_at=starts + timedelta(hours=1))
    soon = timezone.now() + timedelta(hours=2)
    OccurrenceFactory(
        activity=ActivityFactory(title="Kaffestuga", place=hall),
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )
    return {"walk": walk}


def test_senior_finds_an_activity_in_hogsjo_next_week_signs_up_and_cancels(page: Page, portal):
    monday, sunday = next_week()
    page.goto("/aktiviteter/")
    page.locator("details:has(#id_locality_0) summary").click()
    page.get_by_label("Högsjö").check()
    page.locator("#id_date_from").fill(monday.isoformat())
    page.locator("#id_date_to").fill(sunday.isoformat())
    page.locator("form.filter button[type=submit]").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Stavgång vid sjön")
    expect(results).not_to_contain_text("Bingo i centrum")
    expect(results).not_to_contain_text("Kaffestuga")
    expect(results).to_contain_text(re.compile(r"tisdag \d+ \w+ kl\. 10\.00–11\.30"))
    assert_accessible(page)

    results.get_by_role("link", name="Stavgång vid sjön").click()
    expect(page.locator("h1")).to_have_text("Stavgång vid sjön")
    page.locator("a[href$='/anmal/']").first.click()
    page.locator("#id_guest_name").fill("Greta Andersson")
    page.locator("#id_guest_email").fill("greta@example.org")
    page.locator("#id_party_size").select_option("2")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("greta@example.org")
    assert_accessible(page)

    registration = Registration.objects.get()
    assert registration.status == Registration.Status.CONFIRMED and registration.party_size == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["greta@example.org"]
    cancel_path = re.search(r"/aktiviteter/avanmal/[\w-]+/", mail.outbox[0].body).group(0)

    page.goto(cancel_path)
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED


def test_guest_sees_errors_linked_to_the_fields(page: Page, portal):
    occurrence = portal["walk"].occurrences.get()
    page.goto(f"/aktiviteter/tillfalle/{occurrence.pk}/anmal/")
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    summary.locator("a").first.click()
    expect(page.locator("#id_guest_name")).to_be_focused()
    assert_accessible(page)


PUBLIC_PAGES = [
    "/",
    "/?ort=hogsjo",
    "/aktiviteter/",
    "/aktiviteter/?date_from=2026-02-30",
    "/aktiviteter/?locality=hogsjo&q=finnsinte",
    "/aktiviteter/stavgang/",
    "/aktiviteter/tipsa/",
    "/aktiviteter/tipsa/tack/",
    "/motesplatser/",
    "/motesplatser/hogsjo-bygdegard/",
    "/foreningar/",
    "/foreningar/pro-hogsjo/",
    "/fraga-kommunen/",
    "/fraga-kommunen/tack/",
]


@pytest.mark.parametrize(
    ("locale", "display", "width", "scale"),
    [
        ("sv-SE", "normal.normal", 390, 1),
        ("en-GB", "normal.normal", 390, 1),
        # Browser zoom at 200 % on a 1280 px wide screen, with the site's largest text size on top.
        ("sv-SE", "larger.normal", 640, 2),
        ("en-GB", "larger.high", 640, 2),
    ],
)
def test_every_public_page_is_accessible(
    browser: Browser, live_server, portal, locale, display, width, scale
):
    context = browser.new_context(
        base_url=live_server.url,
        locale=locale,
        viewport={"width": width, "height": 800},
        device_scale_factor=scale,
    )
    context.add_cookies([{"name": "display", "value": display, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    occurrence = portal["walk"].occurrences.get()
    for path in [*PUBLIC_PAGES, f"/aktiviteter/tillfalle/{occurrence.pk}/anmal/"]:
        response = page.goto(path)
        assert response.status == 200, path
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{path} scrolls sideways"
        )
    page.goto("/fraga-kommunen/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    assert errors == []
    context.close()


def test_my_sign_ups_is_accessible_and_cancels(page: Page, portal):
    user = UserFactory()
    occurrence = portal["walk"].occurrences.get()
    Registration.objects.create(occurrence=occurrence, user=user, status=Registration.Status.CONFIRMED)
    login(page, user.email, PASSWORD)
    page.goto("/aktiviteter/mina-anmalningar/")
    expect(page.locator("main")).to_contain_text("Stavgång vid sjön")
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".message--success")).to_be_visible()
    assert Registration.objects.get().status == Registration.Status.CANCELLED
    assert_accessible(page)


def test_place_map_is_drawn_from_local_tiles_and_stays_accessible(page: Page, portal, settings):
    settings.MAP_TILE_URL = "/static/img/favicon.svg?z={z}&x={x}&y={y}"
    page.goto("/motesplatser/hogsjo-bygdegard/")
    expect(page.locator("#place-map.leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.get_by_role("link", name=re.compile("Visa på karta|Show on map"))).to_be_visible()
    assert_accessible(page)
    assert page.console_errors == []


def test_place_page_without_tiles_still_shows_address_and_map_link(page: Page, portal):
    page.goto("/motesplatser/hogsjo-bygdegard/")
    expect(page.locator(".leaflet-container")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Storgatan 1")
    expect(page.locator("main a[href^='https://www.openstreetmap.org/']")).to_be_visible()
