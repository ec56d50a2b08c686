"""A representative files an annual document (a renamed executable is refused first) and a coordinator
approves it; every register page on the way is checked with axe-core."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from accounts.roles import Role
from associations.models import AnnualDocument

from ..browser.fixtures import assert_accessible, login
from ..factories import PASSWORD
from .factories_register import (
    PDF_BYTES,
    AssociationFactory,
    BoardMemberFactory,
    InvitationFactory,
    MemberCountFactory,
    coordinator,
    private_storage,  # noqa: F401 - fixture
    representative,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def association(municipality, private_storage):  # noqa: F811
    # A transactional test before this one may have flushed what the data migrations created.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    association = AssociationFactory(name="PRO Vingåker", email="pro@example.org")
    BoardMemberFactory(association=association, name="Karin Ek", role="chair")
    MemberCountFactory(association=association)
    InvitationFactory(association=association, token="browser-invitation")
    return association


def upload(page: Page, name: str, content: bytes) -> None:
    page.locator("[name=kind]").select_option("audit_report")
    page.locator("[name=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )
    page.locator("main form[enctype] button[type=submit]").click()


def test_representative_uploads_and_coordinator_approves(page: Page, association):
    page.goto("/backoffice/foreningar/inbjudan/browser-invitation/")
    assert_accessible(page)
    admin = representative(association)
    login(page, admin.email, PASSWORD)
    page.goto("/backoffice/foreningar/mina/")
    expect(page).to_have_url(f"/backoffice/foreningar/{association.pk}/")
    assert_accessible(page)
    for section in ("andra", "styrelse", "medlemmar", "konto", "personer"):
        page.goto(f"/backoffice/foreningar/{association.pk}/{section}/")
        assert_accessible(page)

    page.goto(f"/backoffice/foreningar/{association.pk}/dokument/")
    assert_accessible(page)
    upload(page, "revisionsberattelse.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    assert not AnnualDocument.objects.exists()

    upload(page, "revisionsberattelse.pdf", PDF_BYTES)
    expect(page.locator("main table")).to_contain_text("revisionsberattelse.pdf")
    assert_accessible(page)
    page.goto(f"/backoffice/foreningar/{association.pk}/konto/")
    page.locator("[name=method][value=bankgiro]").check()
    page.locator("[name=account]").fill("5050-1055")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice")).to_be_visible()
    assert_accessible(page)
    document = AnnualDocument.objects.get()

    page.context.clear_cookies()
    login(page, coordinator().email, PASSWORD)
    page.goto("/backoffice/foreningar/")
    assert_accessible(page)
    page.goto(f"/backoffice/foreningar/{association.pk}/konto/")
    assert_accessible(page)
    page.goto("/backoffice/foreningar/dokument/granska/")
    assert_accessible(page)
    page.locator(f"main a[href$='/dokument/{document.pk}/granska/']").click()
    assert_accessible(page)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.locator("[name=decision][value=approve]").check()
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url("/backoffice/foreningar/dokument/granska/")
    document.refresh_from_db()
    assert document.status == AnnualDocument.Status.APPROVED
