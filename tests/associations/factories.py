"""Factories for the association register and grants (the shared ones live in tests/factories.py)."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.roles import Role
from associations.models import (
    AnnualDocument,
    ApplicationAttachment,
    Association,
    GrantApplication,
    GrantProgramme,
    ProgrammeQuestion,
    Representative,
)

from ..factories import AssociationFactory, RepresentativeFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

__all__ = [
    "PDF_BYTES",
    "AnnualDocumentFactory",
    "ApplicationAttachmentFactory",
    "AssociationFactory",
    "GrantApplicationFactory",
    "GrantProgrammeFactory",
    "ProgrammeQuestionFactory",
    "RepresentativeFactory",
    "eligible_association",
    "representative",
]


def representative(association: Association | None = None, role: str = Representative.Role.ADMIN, **user):
    """A user with the representative role who represents ``association`` (a new one by default)."""
    association = association or AssociationFactory()
    person = UserFactory(role=Role.ASSOCIATION_REP, **user)
    Representative.objects.create(association=association, user=person, role=role)
    return person


class AnnualDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualDocument

    association = factory.SubFactory(AssociationFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year - 1)
    kind = AnnualDocument.Kind.ANNUAL_REPORT
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="document.pdf"))
    original_name = "verksamhetsberattelse.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    status = AnnualDocument.Status.SUBMITTED


def eligible_association(year: int | None = None, **kwargs) -> Association:
    """An active association with every required document for ``year - 1`` approved and data confirmed."""
    year = year or timezone.localdate().year
    association = AssociationFactory(base_data_confirmed_at=timezone.now(), **kwargs)
    for kind in AnnualDocument.Kind.values:
        AnnualDocumentFactory(
            association=association, year=year - 1, kind=kind, status=AnnualDocument.Status.APPROVED
        )
    return association


class GrantProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GrantProgramme

    kind = GrantProgramme.Kind.PROJECT
    name = factory.Sequence(lambda n: f"Bidrag {n}")
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    budget = Decimal("500000")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    is_published = True

    class Params:
        activity = factory.Trait(
            kind=GrantProgramme.Kind.ACTIVITY,
            rate_per_participant_session=Decimal("20"),
            min_participants_per_session=3,
            ceiling_per_association=Decimal("30000"),
        )


class ProgrammeQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeQuestion

    programme = factory.SubFactory(GrantProgrammeFactory)
    text = factory.Sequence(lambda n: f"Fråga {n}")
    kind = ProgrammeQuestion.Kind.TEXT
    required = True


class GrantApplicationFactory(factory.django.DjangoModelFactory):
    """An application in any state, created directly (for reads and queues); use the services to move it."""

    class Meta:
        model = GrantApplication

    programme = factory.SubFactory(GrantProgrammeFactory)
    association = factory.SubFactory(AssociationFactory)
    reference = factory.Sequence(lambda n: f"T{n:06d}")
    title = "Träffar för seniorer"
    requested_amount = Decimal("10000")
    period_start = factory.LazyFunction(lambda: date(timezone.localdate().year - 1, 1, 1))
    period_end = factory.LazyFunction(lambda: date(timezone.localdate().year - 1, 12, 31))


class ApplicationAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationAttachment

    application = factory.SubFactory(GrantApplicationFactory)
    label = "Budget"
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="budget.pdf"))
    original_name = "budget.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)
