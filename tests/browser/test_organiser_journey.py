"""An association representative creates a weekly activity; a coordinator publishes it; the public sees it."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.roles import Role
from activities.models import Activity

from ..factories import (
    PASSWORD,
    AssociationFactory,
    CategoryFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    RepresentativeFactory,
    UserFactory,
)
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisers(municipality):
    # A transactional test before this one may have flushed the groups the data migration created.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    locality = LocalityFactory(name="Högsjö", slug="hogsjo")
    place = MeetingPlaceFactory(name="Högsjö bygdegård", locality=locality)
    CategoryFactory(slug="motion", name_sv="Motion", name_en="Exercise")
    association = AssociationFactory(name="SPF Högsjö")
    rep = UserFactory(role=Role.ASSOCIATION_REP)
    RepresentativeFactory(user=rep, association=association, role="activities")
    return {"rep": rep, "coordinator": UserFactory(role=Role.COORDINATOR), "place": place}


def create_weekly_activity(page: Page, place_pk: int) -> None:
    page.goto("/backoffice/aktiviteter/")
    assert_accessible(page)
    page.locator("main a[href='/backoffice/aktiviteter/ny/']").click()
    expect(page).to_have_url(re.compile(r"/backoffice/aktiviteter/ny/$"))
    assert_accessible(page)

    page.locator("[name=title]").fill("Stavgång vid sjön")
    page.locator("[name=description]").fill("Vi går en timme i lugnt tempo runt sjön. Stavar finns att låna.")
    page.locator("[name=place]").select_option(str(place_pk))
    page.locator("[name=categories]").first.check()
    page.locator("[name=price_sek]").fill("0")
    page.locator("[name=contact_name]").fill("Gun Ek")
    page.locator("[name=contact_phone]").fill("070-111 22 33")

    first = timezone.localdate() + timedelta(days=2)
    page.locator("[name='rules-0-frequency'][value=weekly]").check()
    page.locator(f"[name='rules-0-weekdays'][value='{first.weekday()}']").check()
    page.locator("[name='rules-0-start_date']").fill(first.isoformat())
    page.locator("[name='rules-0-end_date']").fill((first + timedelta(weeks=8)).isoformat())
    page.locator("[name='rules-0-start_time']").fill("10:00")
    page.locator("[name='rules-0-end_time']").fill("11:00")
    page.locator("main form button[type=submit]").click()


def test_representative_creates_and_submits_coordinator_publishes(
    browser: Browser, live_server, page, organisers
):
    login(page, organisers["rep"].email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/backoffice/$"))

    create_weekly_activity(page, organisers["place"].pk)
    expect(page).to_have_url(re.compile(r"/forhandsvisning/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stavgång vid sjön")
    assert_accessible(page)
    activity = Activity.objects.get(title="Stavgång vid sjön")
    assert (activity.status, activity.occurrences.count()) == ("draft", 9)

    page.locator(f"main a[href='/backoffice/aktiviteter/{activity.pk}/']").last.click()
    assert_accessible(page)
    page.locator("form[action$='/skicka-till-granskning/'] button").click()
    expect(page.locator(".message--success")).to_be_visible()
    activity.refresh_from_db()
    assert activity.status == "pending"

    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 390, "height": 844}
    )
    coordinator_page = context.new_page()
    login(coordinator_page, organisers["coordinator"].email, PASSWORD)
    expect(coordinator_page).to_have_url(re.compile(r"/backoffice/$"))
    coordinator_page.goto("/backoffice/aktiviteter/granskning/")
    expect(coordinator_page.get_by_role("table").first).to_contain_text("Stavgång vid sjön")
    assert_accessible(coordinator_page)
    coordinator_page.locator(
        f"form[action='/backoffice/aktiviteter/{activity.pk}/publicera/'] button"
    ).click()
    expect(coordinator_page).to_have_url(re.compile(r"/backoffice/aktiviteter/granskning/$"))
    expect(coordinator_page.locator(".message--success")).to_be_visible()
    assert_accessible(coordinator_page)
    context.close()

    activity.refresh_from_db()
    assert activity.status == "published"
    response = page.goto(f"/aktiviteter/{activity.slug}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stavgång vid sjön")


def test_the_coordinators_other_back_office_pages_are_accessible(page: Page, organisers):
    from ..factories import (
        ActivityFactory,
        ActivitySuggestionFactory,
        ContactMessageFactory,
        OccurrenceFactory,
    )

    activity = ActivityFactory(place=organisers["place"], status=Activity.Status.PUBLISHED)
    past = OccurrenceFactory(activity=activity, starts_at=timezone.now() - timedelta(days=1))
    coming = OccurrenceFactory(activity=activity)
    suggestion = ActivitySuggestionFactory()
    question = ContactMessageFactory()
    login(page, organisers["coordinator"].email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    base = "/backoffice/aktiviteter/"
    for path in [
        base,
        f"{base}{activity.pk}/",
        f"{base}{activity.pk}/andra/",
        f"{base}{activity.pk}/stall-in/",
        f"{base}tillfalle/{coming.pk}/",
        f"{base}tillfalle/{coming.pk}/stall-in/",
        f"{base}tillfalle/{past.pk}/narvaro/",
        f"{base}tillfalle/{past.pk}/narvarolista/",
        f"{base}granskning/tips/{suggestion.pk}/",
        f"{base}motesplatser/",
        f"{base}motesplatser/{organisers['place'].pk}/",
        f"{base}kategorier/",
        f"{base}orter/ny/",
        "/backoffice/fragor/",
        f"/backoffice/fragor/{question.pk}/",
    ]:
        assert page.goto(path).status == 200, path
        assert_accessible(page)

    # A form with errors: the summary at the top links to the fields.
    page.goto(f"{base}tillfalle/{past.pk}/narvaro/")
    page.locator("[name=women_75_84]").fill("-3")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary a[href='#id_women_75_84']")).to_be_visible()
    assert_accessible(page)
