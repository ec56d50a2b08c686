"""A coordinator assesses an activity grant above the delegation limit; an official decides it; the decision
letter is produced as a PDF. Every case officer page on the way is checked with axe-core."""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.roles import Role
from associations.models import GrantApplication

from ..associations.factories import GrantProgrammeFactory, eligible_association
from ..associations.factories_casework import application_in, attendance
from ..factories import PASSWORD, UserFactory
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = GrantApplication.Status
BASE = "/backoffice/handlaggning/"


@pytest.fixture
def browser_locale() -> str:
    return "en"


@pytest.fixture
def case(municipality):
    # A transactional test before this one may have flushed the groups the data migration created.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    year = timezone.localdate().year - 1
    programme = GrantProgrammeFactory(
        name="Aktivitetsbidrag",
        activity=True,
        rate_per_participant_session=Decimal("50"),
        delegation_limit=Decimal("5000"),
    )
    association = eligible_association(name="PRO Östra Vingåker")
    tz = timezone.get_current_timezone()
    for week in range(10):  # 10 × 12 participants × 50 SEK = 6 000 SEK, above the 5 000 SEK limit
        attendance(association, datetime(year, 2, 1 + week, 10, tzinfo=tz), 12, title="Boule")
    attendance(association, datetime(year, 5, 4, 10, tzinfo=tz), 2, title="Boule")
    application = application_in(
        Status.SUBMITTED,
        programme=programme,
        association=association,
        reference=f"{year + 1}-0007",
        title="Boule och fika",
        requested_amount=None,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
    )
    return {
        "application": application,
        "coordinator": UserFactory(role=Role.COORDINATOR, full_name="Sara Samordnare"),
        "official": UserFactory(role=Role.OFFICIAL, full_name="Olof Tjänsteperson"),
    }


def test_coordinator_assesses_and_official_decides_above_the_limit(page: Page, case):
    application = case["application"]
    detail = f"{BASE}{application.pk}/"

    login(page, case["coordinator"].email, PASSWORD)
    page.goto(BASE)
    expect(page.locator("h1")).to_have_text("Grant applications")
    assert_accessible(page)
    page.get_by_role("link", name=application.reference).click()
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    assert_accessible(page)

    page.locator(f"main a[href='{detail}bedomning/']").click()
    expect(page.locator("main table").first).to_contain_text("Fewer than 3 participants.")
    expect(page.locator("main")).to_contain_text("6,000.00 kr")
    assert_accessible(page)
    expect(page.locator("[name=proposed_amount]")).to_have_value("6000.00")
    page.locator("[name=assessment]").fill("Föreningen har haft träffar varje vecka enligt närvaron.")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(page.locator("main")).to_contain_text("Assessed")

    # The coordinator who assessed may not decide above the limit, and is told so before trying.
    page.locator(f"main a[href='{detail}beslut/']").click()
    expect(page.locator("#decision-blocked")).to_contain_text("an official with decision rights must decide")
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, case["official"].email, PASSWORD)
    page.goto(detail)
    page.locator(f"main a[href='{detail}beslut/']").click()
    expect(page.locator("#decision-blocked")).to_have_count(0)
    assert_accessible(page)
    page.locator("[name=outcome][value=approved]").check()
    expect(page.locator("[name=approved_amount]")).to_have_value("6000.00")
    page.locator("[name=reasons]").fill("Aktiviteterna uppfyller programmets villkor.")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(detail) + "$"))
    expect(page.locator("main")).to_contain_text("Olof Tjänsteperson")

    application.refresh_from_db()
    assert application.status == Status.DECIDED
    assert application.approved_amount == Decimal("6000.00")
    assert application.assessed_by == case["coordinator"]
    assert application.decided_by == case["official"]

    letter = page.locator(f"main a[href='{detail}beslut/brev.pdf']")
    with page.expect_download() as download_info:
        letter.click()
    download = download_info.value
    assert download.suggested_filename == f"beslut-{application.reference}.pdf"
    with open(download.path(), "rb") as stored:
        assert stored.read(4) == b"%PDF"

    response = page.request.get(f"{detail}beslut/brev.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(body)).pages)
    assert application.reference in text
    assert "2017:725" in text


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (Status.SUBMITTED, "komplettering/"),
        (Status.DECIDED, "utbetalningar/"),
        (Status.REPORT_RECEIVED, "avsluta/"),
        (Status.REPORT_RECEIVED, ""),
    ],
)
def test_the_other_case_officer_pages_are_accessible(page: Page, case, status, step):
    application = application_in(status)
    login(page, case["coordinator"].email, PASSWORD)
    page.goto(f"{BASE}{application.pk}/{step}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
