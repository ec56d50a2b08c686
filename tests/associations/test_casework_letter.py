"""The decision letter: a real PDF stating the decision, the amount, the reasons and how to appeal."""

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from accounts.models import AuditEntry
from accounts.roles import Role
from associations.letters import has_decision_letter, render_decision_letter
from associations.models import GrantApplication

from ..factories import UserFactory
from .factories import AssociationFactory
from .factories_casework import application_in

pytestmark = pytest.mark.django_db
Status = GrantApplication.Status


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # Thousands are grouped with (narrow) no-break spaces; compare with plain spaces.
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture
def decided(municipality):
    association = AssociationFactory(
        name="PRO Högsjö", org_number="", payment_method="bankgiro", payment_account="56781234"
    )
    return application_in(
        Status.DECIDED,
        association=association,
        amount=Decimal("12500"),
        requested_amount=Decimal("15000"),
        reference="2026-0042",
        outcome=GrantApplication.Outcome.PARTLY,
        decision_reasons="Budgeten för resor är för hög i förhållande till antalet träffar.",
        decided_by=UserFactory(role=Role.OFFICIAL, full_name="Eva Beslutsfattare"),
    )


def test_letter_states_reference_amount_reasons_decider_and_appeal(decided):
    text = pdf_text(render_decision_letter(decided, language="en"))
    assert "Vingåkers kommun" in text
    assert "2026-0042" in text
    assert "PRO Högsjö" in text
    assert "Partly approved" in text
    assert "12,500.00 kr" in text
    assert "Budgeten för resor är för hög" in text
    assert "Eva Beslutsfattare" in text
    assert "paid to the association's Bankgiro 5678-1234" in text
    assert "How to appeal" in text
    assert "laglighetsprövning" in text
    assert "2017:725" in text
    assert "three weeks" in text
    assert "förvaltningsrätt" in text


def test_letter_is_swedish_by_default(decided):
    text = pdf_text(render_decision_letter(decided))
    assert text.count("2026-0042") >= 1
    assert "12 500,00 kr" in text
    assert "2017:725" in text


def test_rejection_letter_grants_nothing_and_tells_how_to_appeal(municipality):
    application = application_in(
        Status.DECIDED,
        amount=Decimal("0"),
        outcome=GrantApplication.Outcome.REJECTED,
        decision_reasons="Föreningen uppfyller inte villkoren.",
    )
    text = pdf_text(render_decision_letter(application, language="en"))
    assert "Rejected" in text
    assert "is not granted any money" in text
    assert "paid to the association" not in text
    assert "How to appeal" in text


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status.SUBMITTED, False),
        (Status.ASSESSED, False),
        (Status.DECIDED, True),
        (Status.PAID, True),
        (Status.CLOSED, True),
    ],
)
def test_only_decided_applications_have_a_letter(status, expected):
    assert has_decision_letter(application_in(status)) is expected


def test_coordinator_downloads_the_letter_as_pdf_and_it_is_audited(client, decided):
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.get(f"/backoffice/handlaggning/{decided.pk}/beslut/brev.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="beslut-2026-0042.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF")
    assert "2026-0042" in pdf_text(response.content)
    assert AuditEntry.objects.filter(
        action="grants.letter.downloaded", actor=coordinator, object_id=str(decided.pk)
    ).exists()


def test_no_letter_before_the_decision(client):
    client.force_login(UserFactory(role=Role.OFFICIAL))
    application = application_in(Status.ASSESSED)
    assert client.get(f"/backoffice/handlaggning/{application.pk}/beslut/brev.pdf").status_code == 404
