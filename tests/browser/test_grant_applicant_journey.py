"""A representative applies for an activity grant, is asked to complete it, answers and sends it in again."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.roles import Role
from associations import applications
from associations.models import FollowUpReport, GrantApplication, ProgrammeQuestion

from ..associations.factories import (
    PDF_BYTES,
    GrantApplicationFactory,
    GrantProgrammeFactory,
    ProgrammeQuestionFactory,
    eligible_association,
    representative,
)
from ..factories import PASSWORD, LocalityFactory, UserFactory
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Status = GrantApplication.Status


@pytest.fixture
def browser_locale() -> str:
    return "en"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }


@pytest.fixture
def applicant(municipality):
    # A transactional test before this one may have flushed the groups the data migration created.
    for role in Role.values:
        Group.objects.get_or_create(name=role)
    association = eligible_association(name="PRO Högsjö")
    association.localities.add(LocalityFactory(name="Högsjö"))
    programme = GrantProgrammeFactory(
        activity=True, name="Aktivitetsbidrag", required_attachments=["Verksamhetsplan"]
    )
    ProgrammeQuestionFactory(
        programme=programme,
        text="Are the activities open to non-members?",
        kind=ProgrammeQuestion.Kind.YES_NO,
    )
    return {
        "rep": representative(association, email="kassor@example.org"),
        "association": association,
        "programme": programme,
        "coordinator": UserFactory(role=Role.COORDINATOR),
    }


def test_representative_applies_and_answers_a_completion_request(page: Page, applicant):
    login(page, applicant["rep"].email, PASSWORD)
    page.goto("/backoffice/bidrag/")
    expect(page.locator("h1")).to_have_text("Grants")
    expect(page.get_by_text("PRO Högsjö meets the requirements for this grant.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Apply for PRO Högsjö").click()
    expect(page).to_have_url(re.compile(r"/backoffice/bidrag/ny/"))
    assert_accessible(page)
    page.locator("[name=title]").fill("Boule och fika i Högsjö")
    page.locator("main button[type=submit]").click()

    application = GrantApplication.objects.get()
    expect(page).to_have_url(f"/backoffice/bidrag/{application.pk}/andra/")
    assert_accessible(page)
    page.locator("[name=description]").fill("Vi spelar boule varje tisdag och fikar efteråt.")
    year = timezone.localdate().year - 1
    page.locator("[name=period_start]").fill(f"{year}-01-01")
    page.locator("[name=period_end]").fill(f"{year}-12-31")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()

    # The check page says what is missing and links straight to where to fix it.
    expect(page).to_have_url(f"/backoffice/bidrag/{application.pk}/skicka-in/")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Attach “Verksamhetsplan”.")
    assert_accessible(page)
    summary.get_by_role("link", name="Attach “Verksamhetsplan”.").click()

    expect(page).to_have_url(f"/backoffice/bidrag/{application.pk}/bilagor/")
    assert_accessible(page)
    page.locator("[name=label]").select_option("Verksamhetsplan")
    page.locator("[name=file]").set_input_files(
        {"name": "verksamhetsplan.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_role("link", name="verksamhetsplan.pdf")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Continue to sending in").click()

    expect(page.locator(".error-summary")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Send in the application").click()
    expect(page).to_have_url(f"/backoffice/bidrag/{application.pk}/")
    expect(page.locator(".tag").first).to_have_text("Submitted")
    assert_accessible(page)

    # The case officer asks for more (through the service, as the casework pages would).
    application.refresh_from_db()
    applications.request_completion(
        application, actor=applicant["coordinator"], request_text="Hur många träffar planerar ni?"
    )

    page.reload()
    expect(page.get_by_text("Hur många träffar planerar ni?").first).to_be_visible()
    assert_accessible(page)
    page.locator("[name=body]").fill("Vi svarar i ansökan: 40 träffar.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Vi svarar i ansökan: 40 träffar.")).to_be_visible()

    page.get_by_role("link", name="Complete the application").click()
    expect(page).to_have_url(f"/backoffice/bidrag/{application.pk}/andra/")
    assert_accessible(page)
    page.locator("[name=description]").fill(
        "Vi spelar boule varje tisdag, 40 träffar om året, och fikar efteråt."
    )
    page.get_by_role("button", name="Save and continue").click()

    expect(page).to_have_url(f"/backoffice/bidrag/{application.pk}/skicka-in/")
    expect(page.get_by_text("What the case officer asked for")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send in again").click()

    expect(page).to_have_url(f"/backoffice/bidrag/{application.pk}/")
    expect(page.locator(".tag").first).to_have_text("Completed and resubmitted")
    assert_accessible(page)
    application.refresh_from_db()
    assert application.status == Status.RESUBMITTED
    assert "40 träffar om året" in application.description
    assert application.attachments.get().label == "Verksamhetsplan"
    assert [change.to_status for change in application.history.all()] == [
        Status.SUBMITTED,
        Status.COMPLETION_REQUESTED,
        Status.RESUBMITTED,
    ]


def decided(applicant, **fields) -> GrantApplication:
    defaults = {
        "programme": applicant["programme"],
        "association": applicant["association"],
        "status": Status.DECIDED,
        "outcome": GrantApplication.Outcome.APPROVED,
        "approved_amount": Decimal("9000"),
        "decision_reasons": "Föreningen uppfyller villkoren.",
        "decided_at": timezone.now(),
    }
    return GrantApplicationFactory(**{**defaults, **fields})


@pytest.mark.parametrize("path", ["withdraw", "decided", "report"])
def test_other_applicant_pages_are_accessible(page: Page, applicant, path):
    rep = applicant["rep"]
    if path == "withdraw":
        application = applications.create_application(
            programme=applicant["programme"], association=applicant["association"], actor=rep, title="Boule"
        )
        url = f"/backoffice/bidrag/{application.pk}/aterta/"
    elif path == "decided":
        url = f"/backoffice/bidrag/{decided(applicant).pk}/"
    else:
        application = decided(applicant, status=Status.PAID)
        FollowUpReport.objects.create(application=application, due_on=timezone.localdate())
        url = f"/backoffice/bidrag/{application.pk}/aterrapport/"
    login(page, rep.email, PASSWORD)
    page.goto(url)
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
