"""A welfare-tech administrator assigns camera supervision: refused without consent, accepted after it."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from accounts.roles import Role
from welfaretech.models import Assignment

from ..factories import PASSWORD, CareRecipientFactory, UserFactory, technology
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def administrator(municipality):
    # A transactional test before this one may have flushed what the data migrations created.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    camera = technology("digital_supervision")
    return {
        "user": UserFactory(role=Role.WELFARETECH_ADMIN),
        "recipient": CareRecipientFactory(code="VG-9001"),
        "camera": camera,
    }


def fill_assignment(page: Page, camera_pk: int) -> None:
    page.locator("[name=technology]").select_option(str(camera_pk))
    page.locator("[name=decision_date]").fill("2026-03-01")
    page.locator("[name=starts_on]").fill("2026-03-02")
    page.locator("[name=night_schedule]").fill("23:00, 02:00, 05:00")
    page.locator("main button[type=submit]").click()


def test_camera_is_refused_without_consent_then_assigned(page: Page, administrator):
    login(page, administrator["user"].email, PASSWORD)
    page.goto("/backoffice/valfardsteknik/brukare/")
    assert_accessible(page)
    page.get_by_role("link", name="VG-9001").click()
    assert_accessible(page)
    page.locator("main a[href$='/insats/']").click()
    assert_accessible(page)

    fill_assignment(page, administrator["camera"].pk)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    assert not Assignment.objects.exists()

    page.goto(f"/backoffice/valfardsteknik/brukare/{administrator['recipient'].pk}/samtycke/")
    assert_accessible(page)
    page.locator("[name=technology]").select_option(str(administrator["camera"].pk))
    page.locator("[name=given][value='1']").check()
    page.locator("[name=date]").fill("2026-02-28")
    page.locator("[name=method][value=written]").check()
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"/backoffice/valfardsteknik/brukare/{administrator['recipient'].pk}/")

    page.locator("main a[href$='/insats/']").click()
    fill_assignment(page, administrator["camera"].pk)
    expect(page).to_have_url(f"/backoffice/valfardsteknik/brukare/{administrator['recipient'].pk}/")
    assert_accessible(page)
    assert Assignment.objects.get().night_schedule == ["23:00", "02:00", "05:00"]


@pytest.mark.parametrize(
    "path",
    [
        "teknik/",
        "enheter/",
        "enheter/service/",
        "enheter/import/",
        "enheter/ny/",
        "fel/",
        "utbildning/",
        "nytta/",
        "enheter/{device}/",
        "teknik/{camera}/",
        "brukare/{recipient}/samtycke/",
    ],
)
def test_administrator_pages_are_accessible(page: Page, administrator, path):
    from welfaretech import services

    device = services.create_device(
        technology=administrator["camera"], serial="CAM-1", next_service_on="2000-01-01"
    )
    services.open_fault(device=device, description="Ingen bild")
    login(page, administrator["user"].email, PASSWORD)
    ids = {
        "device": device.pk,
        "camera": administrator["camera"].pk,
        "recipient": administrator["recipient"].pk,
    }
    page.goto("/backoffice/valfardsteknik/" + path.format(**ids))
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
