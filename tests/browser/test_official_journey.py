"""An official follows up: the dashboard filtered by a village and by sex, an indicator page, then the
quarterly report — made, followed while it runs, and downloaded as a PDF."""

import importlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from accounts.roles import Role
from followup.models import ReportRun

from ..factories import PASSWORD, LocalityFactory, UserFactory
from ..followup.factories_ui import held
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_locale() -> str:
    return "en"


@pytest.fixture
def official(municipality, settings, tmp_path):
    # A transactional test before this one may have flushed what the data migrations created.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    importlib.import_module("followup.migrations.0002_indicator_catalogue").create(apps, None)
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    village = LocalityFactory(name="Högsjö", slug="hogsjo")
    town = LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    held(6, year=2026, month=2, locality=village, women=3, men=2)
    held(9, year=2026, month=2, locality=town, women=2, men=2)
    return UserFactory(role=Role.OFFICIAL)


def card_value(page: Page, name: str):
    return (
        page.locator(".indicator-card")
        .filter(has=page.get_by_role("link", name=name, exact=True))
        .locator(".indicator-card__value")
    )


def test_official_filters_the_dashboard_and_downloads_the_quarterly_report(page: Page, official):
    login(page, official.email, PASSWORD)
    page.goto("/backoffice/uppfoljning/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up")
    assert_accessible(page)

    page.get_by_label("Year", exact=True).select_option("2026")
    page.get_by_label("Period", exact=True).select_option("Q1")
    page.get_by_label("Locality", exact=True).select_option("hogsjo")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(
        "/backoffice/uppfoljning/?year=2026&period=Q1&granularity=month&locality=hogsjo&sex="
    )
    expect(card_value(page, "Activity occurrences held")).to_have_text("6")
    expect(card_value(page, "Participant sessions")).to_have_text("30")

    page.get_by_label("Sex", exact=True).select_option("K")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".lead")).to_contain_text("Quarter 1 2026, Högsjö, women")
    expect(card_value(page, "Participant sessions")).to_have_text("18")
    assert_accessible(page)

    page.get_by_role("link", name="Activity occurrences held", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Activity occurrences held")
    expect(page.get_by_role("img", name="Activity occurrences held").first).to_be_visible()
    expect(page.get_by_role("table").first).to_contain_text("February 2026")
    assert_accessible(page)

    page.goto("/backoffice/uppfoljning/rapporter/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Make report\W+Quarterly report")).click()
    assert_accessible(page)
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To and including", exact=True).fill("2026-03-31")
    page.get_by_role("button", name="Make the report").click()

    # Celery runs in-process here: the run is finished when its page loads and the script stops at once.
    expect(page.locator(".report-run [role=status]")).to_contain_text("Done")
    expect(page.locator("progress")).to_have_attribute("value", "100")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click()
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert ReportRun.objects.get().status == "done"
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_run_page_follows_progress_without_reloading(page: Page, official):
    run = ReportRun.objects.create(
        template="kvartalsrapport",
        parameters={"date_from": "2026-01-01", "date_to": "2026-03-31"},
        requested_by=official,
        status=ReportRun.Status.RUNNING,
        progress=10,
        started_at=datetime(2026, 4, 1, 8, tzinfo=ZoneInfo("Europe/Stockholm")),
    )
    login(page, official.email, PASSWORD)
    page.goto(f"/backoffice/uppfoljning/rapporter/korning/{run.pk}/")
    expect(page.locator("progress")).to_have_attribute("value", "10")
    page.evaluate("window.notReloaded = true")

    ReportRun.objects.filter(pk=run.pk).update(progress=60)
    expect(page.locator("progress")).to_have_attribute("value", "60")
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.DONE, progress=100, file="reports/x.pdf"
    )
    expect(page.get_by_role("link", name="Download the report (PDF)")).to_be_visible()
    expect(page.locator(".report-run [role=status]")).to_have_text("Done")
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page)
