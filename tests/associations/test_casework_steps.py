"""The steps a case officer takes through the pages: completion, assessment with the grant rule, decision
under the four-eyes rule, messages, payments and closing."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from associations.models import ApplicationMessage, FollowUpReport, GrantApplication

from ..factories import UserFactory
from .factories import GrantProgrammeFactory, eligible_association
from .factories_casework import application_in, attendance

pytestmark = pytest.mark.django_db
Status = GrantApplication.Status
Outcome = GrantApplication.Outcome
BASE = "/backoffice/handlaggning/"


@pytest.fixture
def coordinator(client):
    user = UserFactory(role=Role.COORDINATOR, full_name="Sara Samordnare")
    client.force_login(user)
    return user


def url(application, step: str = "") -> str:
    return f"{BASE}{application.pk}/{step}"


# --- Completion and messages -------------------------------------------------------------------------------


def test_coordinator_requests_completion(client, coordinator, on_commit):
    application = application_in(Status.SUBMITTED, association=eligible_association(email="pro@example.org"))
    with on_commit(execute=True):
        response = client.post(url(application, "komplettering/"), {"request_text": "Bifoga en budget."})
    assert response.status_code == 302
    assert response["Location"] == url(application)
    application.refresh_from_db()
    assert application.status == Status.COMPLETION_REQUESTED
    assert application.completion_request == "Bifoga en budget."
    assert mail.outbox and "pro@example.org" in mail.outbox[0].to


def test_completion_request_needs_a_text(client, coordinator, english):
    application = application_in(Status.SUBMITTED)
    response = client.post(url(application, "komplettering/"), {"request_text": ""})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_a_step_that_is_not_possible_now_leads_back_to_the_application(client, coordinator, english):
    application = application_in(Status.DECIDED)
    response = client.get(url(application, "bedomning/"), follow=True)
    assert response.redirect_chain == [(url(application), 302)]
    assert "That step is not possible" in response.content.decode()
    response = client.post(url(application, "komplettering/"), {"request_text": "Mer"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.DECIDED


def test_coordinator_replies_in_the_conversation(client, coordinator, on_commit):
    application = application_in(Status.SUBMITTED, association=eligible_association(email="pro@example.org"))
    with on_commit(execute=True):
        response = client.post(url(application, "meddelande/"), {"body": "Vi återkommer nästa vecka."})
    assert response["Location"] == url(application)
    message = ApplicationMessage.objects.get(application=application)
    assert message.from_case_officer and message.author == coordinator
    assert "pro@example.org" in mail.outbox[0].to
    assert "Vi återkommer nästa vecka." in client.get(url(application)).content.decode()


def test_an_empty_reply_is_not_sent(client, coordinator):
    application = application_in(Status.SUBMITTED)
    client.post(url(application, "meddelande/"), {"body": "  "})
    assert not ApplicationMessage.objects.exists()


# --- Assessment with the activity-grant rule ---------------------------------------------------------------


@pytest.fixture
def activity_application():
    """An activity grant for last year: 12, 2 and 5 participants at three occasions (minimum 3, 20 SEK)."""
    year = timezone.localdate().year - 1
    programme = GrantProgrammeFactory(activity=True, delegation_limit=Decimal("5000"))
    association = eligible_association()
    tz = timezone.get_current_timezone()
    attendance(association, datetime(year, 3, 1, 10, tzinfo=tz), 12, title="Boule")
    attendance(association, datetime(year, 3, 8, 10, tzinfo=tz), 2, title="Boule")
    attendance(association, datetime(year, 4, 2, 14, tzinfo=tz), 5, title="Sittgymnastik")
    return application_in(
        Status.SUBMITTED,
        programme=programme,
        association=association,
        requested_amount=None,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
    )


def test_assessment_page_shows_the_calculation_line_by_line(
    client, coordinator, english, activity_application
):
    response = client.get(url(activity_application, "bedomning/"))
    calculation = response.context["calculation"]
    assert [(line.participants, line.counted, line.amount) for line in calculation.lines] == [
        (12, True, Decimal("240.00")),
        (2, False, Decimal("0.00")),
        (5, True, Decimal("100.00")),
    ]
    page = response.content.decode()
    year = activity_application.period_start.year
    assert f"{year}-03-08 10:00" in page
    assert "No: Fewer than 3 participants." in page
    assert "240.00 kr" in page
    assert "340.00 kr" in page  # the calculated total
    assert "2 / 3" in page  # counted sessions
    assert "17" in page  # participant sessions
    assert "20.00 kr" in page  # the rate
    assert response.context["form"]["proposed_amount"].value() == Decimal("340.00")


def test_assessing_with_the_calculated_amount_needs_no_reason(client, coordinator, activity_application):
    response = client.post(
        url(activity_application, "bedomning/"), {"assessment": "Enligt regeln.", "proposed_amount": "340.00"}
    )
    assert response.status_code == 302
    activity_application.refresh_from_db()
    assert activity_application.status == Status.ASSESSED
    assert activity_application.assessed_by == coordinator
    assert activity_application.calculated_amount == Decimal("340.00")
    assert len(activity_application.calculation["lines"]) == 3


def test_proposing_another_amount_requires_a_reason(client, coordinator, english, activity_application):
    data = {"assessment": "Två träffar saknar underlag.", "proposed_amount": "300"}
    response = client.post(url(activity_application, "bedomning/"), data)
    assert response.status_code == 200
    assert "give the reason" in response.content.decode()
    activity_application.refresh_from_db()
    assert activity_application.status == Status.SUBMITTED

    data["adjustment_reason"] = "En träff var ett styrelsemöte."
    assert client.post(url(activity_application, "bedomning/"), data).status_code == 302
    activity_application.refresh_from_db()
    assert activity_application.proposed_amount == Decimal("300")
    assert activity_application.adjustment_reason == "En träff var ett styrelsemöte."


def test_other_grants_are_assessed_without_a_calculation(client, coordinator):
    application = application_in(Status.RESUBMITTED, requested_amount=Decimal("9000"))
    response = client.get(url(application, "bedomning/"))
    assert response.context["calculation"] is None
    assert "adjustment_reason" not in response.context["form"].fields
    assert response.context["form"]["proposed_amount"].value() == Decimal("9000")


# --- Decision and the four-eyes rule -----------------------------------------------------------------------


def assessed(amount: str, limit: str | None = "10000", **fields) -> GrantApplication:
    programme = GrantProgrammeFactory(delegation_limit=Decimal(limit) if limit else None)
    return application_in(
        Status.ASSESSED,
        programme=programme,
        amount=Decimal(amount),
        requested_amount=Decimal(amount),
        **fields,
    )


def decision(amount: str, outcome: str = Outcome.APPROVED) -> dict:
    return {"outcome": outcome, "approved_amount": amount, "reasons": "Ansökan uppfyller villkoren."}


def test_coordinator_decides_within_the_delegation_limit(client, coordinator, on_commit):
    application = assessed("8000", assessed_by=coordinator)
    response = client.get(url(application, "beslut/"))
    assert response.context["block_reason"] is None
    assert response.context["form"]["outcome"].value() == Outcome.APPROVED
    with on_commit(execute=True):
        response = client.post(url(application, "beslut/"), decision("8000"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.approved_amount) == (Status.DECIDED, Decimal("8000"))
    assert application.decided_by == coordinator


def test_coordinator_is_told_up_front_that_an_official_must_decide_above_the_limit(
    client, coordinator, english
):
    application = assessed("25000")
    response = client.get(url(application, "beslut/"))
    page = response.content.decode()
    assert "You cannot decide on the proposed amount" in page
    assert "above the delegation limit" in page and "an official with decision rights must decide" in page
    response = client.post(url(application, "beslut/"), decision("25000"))
    assert response.status_code == 200
    assert "an official with decision rights must decide" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.ASSESSED


def test_coordinator_may_still_grant_less_within_the_limit(client, coordinator):
    application = assessed("25000")
    response = client.post(url(application, "beslut/"), decision("10000", Outcome.PARTLY))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.outcome, application.approved_amount) == (Outcome.PARTLY, Decimal("10000"))


def test_official_who_assessed_may_not_decide_above_the_limit(client, english):
    # Someone with both roles assessed the case; as an official they still may not decide on it.
    official = UserFactory(role=Role.OFFICIAL)
    official.groups.add(Group.objects.get(name=Role.COORDINATOR))
    client.force_login(official)
    application = assessed("25000", assessed_by=official)
    page = client.get(url(application, "beslut/")).content.decode()
    assert "you assessed this application" in page and "four-eyes" in page
    client.post(url(application, "beslut/"), decision("25000"))
    application.refresh_from_db()
    assert application.status == Status.ASSESSED


def test_another_official_decides_above_the_limit(client):
    official = UserFactory(role=Role.OFFICIAL)
    client.force_login(official)
    application = assessed("25000")
    assert client.get(url(application, "beslut/")).context["block_reason"] is None
    assert client.post(url(application, "beslut/"), decision("25000")).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decided_by) == (Status.DECIDED, official)


def test_a_rejection_needs_no_amount(client, coordinator):
    application = assessed("25000")
    data = {"outcome": Outcome.REJECTED, "approved_amount": "", "reasons": "Utanför programmets syfte."}
    assert client.post(url(application, "beslut/"), data).status_code == 302
    application.refresh_from_db()
    assert (application.outcome, application.approved_amount) == (Outcome.REJECTED, Decimal("0"))


def test_an_approval_needs_an_amount_and_reasons(client, coordinator, english):
    application = assessed("8000")
    response = client.post(url(application, "beslut/"), {"outcome": Outcome.APPROVED})
    assert response.status_code == 200
    form = response.context["form"]
    assert "approved_amount" in form.errors and "reasons" in form.errors


def test_an_undecidable_application_says_why(client, coordinator, english):
    application = application_in(Status.SUBMITTED)
    page = client.get(url(application, "beslut/")).content.decode()
    assert "Only an assessed application can be decided." in page
    assert 'name="reasons"' not in page


# --- Payments and closing ----------------------------------------------------------------------------------


def test_coordinator_records_payments_up_to_the_approved_amount(client, coordinator, english):
    application = application_in(Status.DECIDED, amount=Decimal("8000"))
    page = client.get(url(application, "utbetalningar/"))
    assert page.context["form"]["amount"].value() == Decimal("8000")
    data = {"paid_on": "2026-03-01", "amount": "5000", "reference": "V-77"}
    assert client.post(url(application, "utbetalningar/"), data).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert FollowUpReport.objects.filter(application=application).exists()

    response = client.post(url(application, "utbetalningar/"), {**data, "amount": "3500"})
    assert response.status_code == 200
    assert "exceed the approved" in response.content.decode()
    assert application.payments.count() == 1

    assert client.post(url(application, "utbetalningar/"), {**data, "amount": "3000"}).status_code == 302
    page = client.get(url(application, "utbetalningar/")).content.decode()
    assert "V-77" in page and "8,000.00 kr" in page


def test_no_payment_for_a_rejection(client, coordinator, english):
    application = application_in(Status.DECIDED, outcome=Outcome.REJECTED, approved_amount=Decimal("0"))
    page = client.get(url(application, "utbetalningar/")).content.decode()
    assert "No payment can be recorded" in page
    client.post(
        url(application, "utbetalningar/"), {"paid_on": "2026-03-01", "amount": "1", "reference": "X"}
    )
    assert not application.payments.exists()


def test_coordinator_closes_a_case_after_the_report(client, coordinator):
    application = application_in(Status.REPORT_RECEIVED)
    page = client.get(url(application, "avsluta/")).content.decode()
    assert "Vi höll träffar varje vecka." in page
    assert client.post(url(application, "avsluta/"), {"comment": "Klart."}).status_code == 302
    application.refresh_from_db()
    assert application.status == Status.CLOSED
    assert application.history.get().comment == "Klart."


def test_a_rejected_case_can_be_closed_but_not_a_granted_one_before_its_report(client, coordinator):
    rejected = application_in(Status.DECIDED, outcome=Outcome.REJECTED, approved_amount=Decimal("0"))
    granted = application_in(Status.DECIDED)
    assert client.post(url(rejected, "avsluta/"), {}).status_code == 302
    client.post(url(granted, "avsluta/"), {})
    rejected.refresh_from_db()
    granted.refresh_from_db()
    assert (rejected.status, granted.status) == (Status.CLOSED, Status.DECIDED)
