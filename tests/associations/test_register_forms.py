"""Register forms: each wrong input gets a clear message next to the right field."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from associations.forms_register import (
    AssociationFilterForm,
    AssociationForm,
    BoardMemberForm,
    DocumentReviewForm,
    DocumentUploadForm,
    MemberCountForm,
    PaymentAccountForm,
    PaymentDecisionForm,
)
from associations.models import Association
from tests.factories import LocalityFactory

from .factories_register import PDF_BYTES, VALID_BANKGIRO, VALID_PLUSGIRO, AssociationFactory

pytestmark = pytest.mark.django_db

BASE = {"name": "PRO Vingåker", "kind": "pensionarsforening", "email": "pro@example.org"}


def association_form(files=None, **data) -> AssociationForm:
    return AssociationForm({**BASE, **data}, files or {})


@pytest.mark.parametrize("value", ["802473-5592", "8024735592", "16 802473-5592"])
def test_org_numbers_are_accepted_in_the_usual_forms_and_stored_alike(value):
    form = association_form(org_number=value)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["org_number"] == "802473-5592"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("802473-5593", "is not valid: check the digits"),
        ("80247-5592", "ten digits"),
        ("abcdef-ghij", "ten digits"),
    ],
)
def test_invalid_org_numbers_say_what_is_wrong(value, message, english):
    form = association_form(org_number=value)
    assert not form.is_valid()
    assert message in form.errors["org_number"][0]


def test_the_association_needs_an_email_address(english):
    form = association_form(email="")
    assert not form.is_valid()
    assert "email" in form.errors


def real_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_logo_needs_a_description_and_must_be_an_image(english):
    logo = SimpleUploadedFile("logo.png", real_png(), content_type="image/png")
    form = association_form(files={"logo": logo})
    form.is_valid()
    assert "Describe what the logo shows" in form.errors["logo_alt"][0]

    fake = SimpleUploadedFile("logo.png", PDF_BYTES, content_type="image/png")
    form = association_form(files={"logo": fake}, logo_alt="Logga")
    assert not form.is_valid()
    assert "logo" in form.errors


def test_coordinators_form_does_not_reach_representatives():
    assert "is_active" not in AssociationForm().fields
    assert "payment_account" not in AssociationForm().fields


def test_board_period_must_be_ordered(english):
    form = BoardMemberForm(
        {"name": "Karin", "role": "chair", "period_start": "2025-06-01", "period_end": "2025-01-01"}
    )
    assert not form.is_valid()
    assert form.errors["period_end"] == ["The end of the period cannot be before its start."]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"total": 10, "women": 8, "men": 5, "aged_65_plus": 5}, "total", "Women and men together (13)"),
        (
            {"total": 10, "women": 5, "men": 5, "aged_65_plus": 12},
            "aged_65_plus",
            "Members aged 65 or over (12)",
        ),
        ({"total": -1, "women": 0, "men": 0, "aged_65_plus": 0}, "total", "greater than or equal to 0"),
    ],
)
def test_member_counts_must_be_consistent(data, field, message, english):
    form = MemberCountForm({"year": 2024, **data})
    assert not form.is_valid()
    assert message in form.errors[field][0]


def test_member_counts_for_future_years_are_refused(english):
    form = MemberCountForm(
        {"year": timezone.localdate().year + 1, "total": 1, "women": 1, "men": 0, "aged_65_plus": 1}
    )
    assert not form.is_valid()
    assert "Enter a year between 1900" in form.errors["year"][0]


def test_consistent_member_counts_are_valid():
    form = MemberCountForm({"year": 2024, "total": 10, "women": 5, "men": 4, "aged_65_plus": 10})
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("method", "account", "stored"),
    [("bankgiro", VALID_BANKGIRO, "50501055"), ("plusgiro", VALID_PLUSGIRO, "9020017")],
)
def test_valid_accounts_are_stored_as_digits(method, account, stored):
    form = PaymentAccountForm({"method": method, "account": account})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["account"] == stored


@pytest.mark.parametrize(
    ("method", "account", "message"),
    [
        ("bankgiro", "5050-1056", "This bankgiro number is not valid"),
        ("bankgiro", "505", "A bankgiro number has 7 or 8 digits"),
        ("plusgiro", "90 20 01-8", "This plusgiro number is not valid"),
        ("plusgiro", "1", "A plusgiro number has 2 to 8 digits"),
    ],
)
def test_invalid_accounts_say_what_is_wrong(method, account, message, english):
    form = PaymentAccountForm({"method": method, "account": account})
    assert not form.is_valid()
    assert message in form.errors["account"][0]


def test_rejecting_a_payment_change_or_returning_a_document_needs_a_comment(english):
    assert "comment" in PaymentDecisionForm({"decision": "reject", "comment": ""}).errors
    assert PaymentDecisionForm({"decision": "approve", "comment": ""}).is_valid()
    assert DocumentReviewForm({"decision": "return", "comment": " "}).errors["comment"] == [
        "Say what the association must correct."
    ]
    assert DocumentReviewForm({"decision": "approve"}).is_valid()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 32, "Files of this type cannot be uploaded"),
        ("protokoll.pdf", b"MZ\x90\x00" + b"\x00" * 32, "is not a real PDF file"),
        ("protokoll.docx", b"PK\x03\x04", "Allowed types: PDF, PNG, JPG"),
    ],
)
def test_upload_form_refuses_wrong_files(name, content, message, english):
    year = timezone.localdate().year - 1
    form = DocumentUploadForm(
        {"year": year, "kind": "annual_report"}, {"file": SimpleUploadedFile(name, content)}
    )
    assert not form.is_valid()
    assert message in form.errors["file"][0]


def test_upload_form_refuses_too_large_files(settings, english):
    settings.ASSOCIATIONS_MAX_UPLOAD_BYTES = 100
    form = DocumentUploadForm(
        {"year": timezone.localdate().year, "kind": "statutes"},
        {"file": SimpleUploadedFile("stadgar.pdf", PDF_BYTES + b"0" * 200)},
    )
    assert not form.is_valid()
    assert "files may be at most 100" in form.errors["file"][0]


def test_upload_form_offers_only_recent_years():
    this_year = timezone.localdate().year
    form = DocumentUploadForm(
        {"year": this_year - 10, "kind": "statutes"}, {"file": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    )
    assert not form.is_valid()
    assert "year" in form.errors


def test_filter_searches_filters_and_sorts():
    place = LocalityFactory()
    alpha = AssociationFactory(name="Alfa", city="Baljan")
    beta = AssociationFactory(name="Beta", kind="idrottsforening", is_active=False)
    alpha.localities.add(place)
    everything = Association.objects.all()
    assert list(AssociationFilterForm({"q": "balj"}).apply(everything)) == [alpha]
    beta.org_number = "802473-5592"
    beta.save()
    assert list(AssociationFilterForm({"q": "8024735592"}).apply(everything)) == [beta]
    assert list(AssociationFilterForm({"kind": "idrottsforening"}).apply(everything)) == [beta]
    assert list(AssociationFilterForm({"locality": place.pk}).apply(everything)) == [alpha]
    assert list(AssociationFilterForm({"status": "inactive"}).apply(everything)) == [beta]
    assert list(AssociationFilterForm({"sort": "-name"}).apply(everything)) == [beta, alpha]
    assert list(AssociationFilterForm({"sort": "bogus"}).apply(everything)) == [alpha, beta]
