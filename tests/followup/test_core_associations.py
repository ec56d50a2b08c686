"""ASC-* against hand-computed values on small data, with splits."""

from datetime import date
from decimal import Decimal

import pytest

from associations.models import (
    REQUIRED_DOCUMENT_KINDS,
    AnnualDocument,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    Payment,
)
from followup.indicators import evaluate

from ..factories import AssociationFactory
from .factories import at, central, population, village

pytestmark = pytest.mark.django_db
YEAR = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}


def values(rows) -> dict:
    return {row.key: row.value.value for row in rows}


def suppressed(rows) -> set[str]:
    return {row.key for row in rows if row.value.suppressed}


@pytest.fixture
def places():
    return {"vingaker": central(), "lappe": village("lappe", "Läppe")}


def association(*localities, **fields):
    item = AssociationFactory(**fields)
    item.localities.set(localities)
    return item


def documents(item, year: int, kinds=REQUIRED_DOCUMENT_KINDS, status=AnnualDocument.Status.APPROVED) -> None:
    for kind in kinds:
        AnnualDocument.objects.create(
            association=item,
            year=year,
            kind=kind,
            file="associations/test.pdf",
            original_name="handling.pdf",
            content_type="application/pdf",
            size=1000,
            status=status,
        )


def test_asc01_associations_with_approved_documents(places):
    vingaker, lappe = places["vingaker"], places["lappe"]
    for index in range(6):
        item = association(vingaker, lappe) if index == 0 else association(vingaker)
        documents(item, 2024)
    missing = association(vingaker)  # one document only waiting for review
    documents(missing, 2024, REQUIRED_DOCUMENT_KINDS[:3])
    documents(missing, 2024, REQUIRED_DOCUMENT_KINDS[3:], status=AnnualDocument.Status.SUBMITTED)
    inactive = association(vingaker, is_active=False)
    documents(inactive, 2024)
    old = association(vingaker)  # approved for 2023 only
    documents(old, 2023)

    result = evaluate("ASC-01", **YEAR, split="locality")
    assert result.total.value == 6
    assert values(result.rows)["vingaker"] == 6
    assert suppressed(result.rows) == {"lappe"}
    two_years = evaluate("ASC-01", date_from=date(2024, 1, 1), date_to=date(2025, 12, 31), granularity="year")
    assert two_years.periods[0].value.suppressed  # 2024 looks at 2023: one association
    assert two_years.periods[1].value.value == 6


@pytest.fixture
def grants(places):
    vingaker, lappe = places["vingaker"], places["lappe"]
    programme = GrantProgramme.objects.create(
        kind="activity",
        name="Aktivitetsbidrag",
        year=2025,
        budget=Decimal("100000"),
        opens_on=date(2025, 1, 1),
        closes_on=date(2025, 3, 31),
    )
    applications = []
    for index in range(6):
        both = index == 0
        applications.append(
            GrantApplication.objects.create(
                programme=programme,
                association=association(vingaker, lappe) if both else association(vingaker),
                reference=f"B-2025-{index:03d}",
                title="Träffar",
                status="paid",
                outcome="approved",
                approved_amount=Decimal("2000") if both else Decimal("1000"),
                decided_at=at(2025, 4, 10 + index),
            )
        )
    GrantApplication.objects.create(
        programme=programme,
        association=association(vingaker),
        reference="B-2025-100",
        title="Avslag",
        status="decided",
        outcome="rejected",
        approved_amount=Decimal("0"),
        decided_at=at(2025, 4, 20),
    )
    GrantApplication.objects.create(
        programme=programme,
        association=association(vingaker),
        reference="B-2024-001",
        title="Förra året",
        status="closed",
        outcome="approved",
        approved_amount=Decimal("9000"),
        decided_at=at(2024, 12, 20),
    )
    for application in applications:
        Payment.objects.create(
            application=application, paid_on=date(2025, 5, 2), amount=Decimal("500"), reference="x"
        )
    population(2025, vingaker, K_65_74=150, M_65_74=150)
    population(2025, lappe, K_65_74=50, M_65_74=50)
    return {"programme": programme, "applications": applications, **places}


def test_asc02_grants_decided_by_place_and_programme(grants):
    result = evaluate("ASC-02", **YEAR, split="locality")
    assert result.total.value == Decimal("7000")
    # The association serving both localities has its 2,000 split in two.
    assert values(result.rows)["vingaker"] == Decimal("6000")
    assert suppressed(result.rows) == {"lappe"}  # one decision behind it
    assert values(result.periods)["2025-Q2"] == Decimal("7000")
    by_area = evaluate("ASC-02", **YEAR, split="area")
    assert values(by_area.rows)["central"] == Decimal("6000")
    by_programme = evaluate("ASC-02", **YEAR, split="programme")
    assert values(by_programme.rows) == {str(grants["programme"].pk): Decimal("7000")}
    assert evaluate("ASC-02", **YEAR, locality=grants["lappe"]).total.suppressed


def test_asc02_paid(grants):
    result = evaluate("ASC-02-PAID", **YEAR, split="programme")
    assert result.total.value == Decimal("3000")
    assert values(result.periods)["2025-Q2"] == Decimal("3000")
    assert values(result.rows)[str(grants["programme"].pk)] == Decimal("3000")


def test_asc03_grant_sek_per_inhabitant(grants):
    result = evaluate("ASC-03", **YEAR, split="locality")
    assert result.total.value == Decimal("18")  # 7,000 / 400 = 17.5, whole kronor
    assert values(result.rows)["vingaker"] == Decimal("20")  # 6,000 / 300
    assert suppressed(result.rows) == {"lappe"}


def test_asc04_reports_on_time(grants):
    applications = grants["applications"]
    for index, application in enumerate(applications):
        due = date(2025, 8, 1)
        late = index == 5
        FollowUpReport.objects.create(
            application=application,
            due_on=due,
            submitted_at=at(2025, 8, 10) if late else at(2025, 7, 31, 23, 30),
        )
    result = evaluate("ASC-04", **YEAR, split="programme")
    assert result.total.value == Decimal("83.3")  # 5 of 6
    assert values(result.periods)["2025-Q3"] == Decimal("83.3")
    assert result.periods[0].value.display() == "–"  # nothing due in Q1
    assert values(result.rows)[str(grants["programme"].pk)] == Decimal("83.3")
