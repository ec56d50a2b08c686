"""A coordinator sets up a grant programme, checks the dashboard, writes to associations and exports:
every page is axe-core clean."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from associations.models import BulkMessage, GrantApplication, GrantProgramme

from ..browser.fixtures import assert_accessible, login
from ..factories import PASSWORD, LocalityFactory, UserFactory
from .factories import AssociationFactory, GrantApplicationFactory, eligible_association
from .factories_coordinator import account_change, decided

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(municipality):
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    lappe = LocalityFactory(name="Läppe", slug="lappe")
    association = eligible_association(name="PRO Läppe", email="pro@example.org")
    association.localities.set([lappe])
    GrantApplicationFactory(association=association, status=GrantApplication.Status.SUBMITTED)
    decided(association=association, approved=Decimal("12000"), paid=Decimal("12000"))
    account_change(AssociationFactory(name="Kören", email="kor@example.org"))
    return UserFactory(role=Role.COORDINATOR)


@pytest.fixture
def browser_locale() -> str:
    return "en"


def test_coordinator_sets_up_a_programme_and_writes_to_associations(page: Page, coordinator):
    year = timezone.localdate().year
    login(page, coordinator.email, PASSWORD)

    page.goto("/backoffice/samordning/")
    expect(page.get_by_role("heading", name="Grant coordination")).to_be_visible()
    assert_accessible(page)

    page.goto("/backoffice/samordning/program/nytt/")
    assert_accessible(page)
    page.locator("[name=name]").fill("Aktivitetsbidrag")
    page.locator("[name=kind]").select_option("activity")
    page.locator("[name=budget]").fill("200000")
    page.locator("[name=opens_on]").fill(f"{year}-01-01")
    page.locator("[name=closes_on]").fill(f"{year}-12-31")
    page.locator("[name=required_attachments]").fill("Budget")
    page.locator("main button[type=submit]").first.click()
    expect(page.locator(".error-summary")).to_be_visible()  # the calculation rule is missing
    assert_accessible(page)
    page.locator("[name=rate_per_participant_session]").fill("12")
    page.locator("[name=min_participants_per_session]").fill("3")
    page.locator("main button[type=submit]").first.click()
    programme = GrantProgramme.objects.get(name="Aktivitetsbidrag")
    expect(page).to_have_url(f"/backoffice/samordning/program/{programme.pk}/")
    assert_accessible(page)

    for text in ("Hur många träffar?", "Vilka byar?"):
        page.get_by_role("link", name="Add a question").click()
        assert_accessible(page)
        page.locator("[name=text]").fill(text)
        page.locator("main button[type=submit]").click()
    page.locator("main button[value=up]").click()  # only the second question can move up
    expect(page.locator("main tbody tr").last).to_contain_text("Hur många träffar?")
    assert [q.text for q in programme.questions.all()] == ["Vilka byar?", "Hur många träffar?"]
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".tags")).to_contain_text("Published")
    assert_accessible(page)

    page.goto("/backoffice/samordning/utskick/nytt/")
    assert_accessible(page)
    page.locator("[name=subject]").fill("Nu kan ni söka aktivitetsbidrag")
    page.locator("[name=body]").fill("Välkomna att söka!")
    page.get_by_label("Läppe").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("main")).to_contain_text("pro@example.org")
    expect(page.locator("main")).not_to_contain_text("kor@example.org")
    assert_accessible(page)
    page.get_by_role("button", name="Send the message").click()
    expect(page.locator("h1")).to_have_text("Nu kan ni söka aktivitetsbidrag")
    assert_accessible(page)
    assert BulkMessage.objects.get().recipients.count() == 1

    page.goto("/backoffice/samordning/utskick/")
    assert_accessible(page)
    page.goto("/backoffice/samordning/export/")
    assert_accessible(page)
