"""Factories and fixtures for the association register: board, member counts, payment-account requests,
invitations, and a private storage in a temporary folder for documents."""

from datetime import date, timedelta

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from associations.models import BoardMember, Invitation, MemberCount, PaymentAccountChange, Representative

from ..factories import AssociationFactory, UserFactory
from .factories import PDF_BYTES, AnnualDocumentFactory, representative

__all__ = [
    "PDF_BYTES",
    "PNG_BYTES",
    "AnnualDocumentFactory",
    "AssociationFactory",
    "BoardMemberFactory",
    "InvitationFactory",
    "MemberCountFactory",
    "PaymentAccountChangeFactory",
    "coordinator",
    "pdf_upload",
    "private_storage",
    "representative",
]

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# Luhn-valid identifiers for forms and services.
VALID_ORG_NUMBER = "802473-5592"
VALID_BANKGIRO = "5050-1055"
VALID_PLUSGIRO = "90 20 01-7"


def coordinator():
    return UserFactory(role=Role.COORDINATOR)


def pdf_upload(name: str = "arsmotesprotokoll.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def private_storage(settings, tmp_path):
    """Private files go to a folder of this test's own (the private storage follows the setting)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


class BoardMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardMember

    association = factory.SubFactory(AssociationFactory)
    name = factory.Sequence(lambda n: f"Styrelseledamot {n}")
    role = BoardMember.Role.MEMBER
    period_start = date(2024, 1, 1)


class MemberCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberCount

    association = factory.SubFactory(AssociationFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    total = 120
    women = 70
    men = 48
    aged_65_plus = 110


class PaymentAccountChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentAccountChange

    association = factory.SubFactory(AssociationFactory)
    method = "bankgiro"
    account = "50501055"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    association = factory.SubFactory(AssociationFactory)
    email = factory.Sequence(lambda n: f"inbjuden{n}@example.org")
    role = Representative.Role.GRANTS
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
