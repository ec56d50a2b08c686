"""The coordinator dashboard: work queues, money per programme and locality, missing documents."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from associations import dashboard
from associations.models import AnnualDocument, FollowUpReport, GrantApplication

from ..factories import LocalityFactory, UserFactory
from .factories import (
    AnnualDocumentFactory,
    AssociationFactory,
    GrantApplicationFactory,
    GrantProgrammeFactory,
    eligible_association,
)
from .factories_coordinator import account_change, decided

Status = GrantApplication.Status
URL = "/backoffice/samordning/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    user = UserFactory(role=Role.COORDINATOR)
    client.force_login(user)
    return user


def _lots_of_data(programme, localities, n: int) -> None:
    for i in range(n):
        association = AssociationFactory()
        association.localities.set(localities[: 1 + i % len(localities)])
        GrantApplicationFactory(programme=programme, association=association, status=Status.SUBMITTED)
        GrantApplicationFactory(programme=programme, association=association, status=Status.RESUBMITTED)
        decided(programme=programme, association=association, approved=Decimal("1000"), paid=Decimal("500"))
        AnnualDocumentFactory(association=association)
        account_change(association)


@pytest.mark.parametrize("role", [None, Role.ASSOCIATION_REP, Role.OFFICIAL, Role.SENIOR])
def test_only_coordinators_get_in(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


def test_work_queue_counts_each_queue(coordinator):
    today = timezone.localdate()
    GrantApplicationFactory(status=Status.SUBMITTED)
    GrantApplicationFactory(status=Status.SUBMITTED)
    GrantApplicationFactory(status=Status.RESUBMITTED)
    GrantApplicationFactory(status=Status.DRAFT)
    AnnualDocumentFactory(status=AnnualDocument.Status.SUBMITTED)
    AnnualDocumentFactory(status=AnnualDocument.Status.APPROVED)
    overdue = decided(approved=Decimal("100"), paid=Decimal("100"), status=Status.REPORT_DUE)
    FollowUpReport.objects.filter(application=overdue).update(due_on=today - timedelta(days=1))
    decided(approved=Decimal("100"), paid=Decimal("100"))  # due in 60 days: not soon
    soon = decided(approved=Decimal("100"), paid=Decimal("100"))
    FollowUpReport.objects.filter(application=soon).update(due_on=today + timedelta(days=5))
    received = decided(approved=Decimal("100"), paid=Decimal("100"), status=Status.REPORT_RECEIVED)
    FollowUpReport.objects.filter(application=received).update(
        due_on=today - timedelta(days=3), submitted_at=timezone.now()
    )
    account_change(AssociationFactory())

    counts = dashboard.work_queue_counts(today)

    assert counts == {
        "submitted": 2,
        "resubmitted": 1,
        "assessed": 0,
        "documents": 1,
        "overdue": 1,
        "due_soon": 1,
        "account_changes": 1,
    }
    reports = list(dashboard.reports_due(today))
    assert [r.application for r in reports] == [overdue, soon]


def test_budget_per_programme_counts_approved_decisions_and_payments():
    programme = GrantProgrammeFactory(budget=Decimal("100000"))
    decided(programme=programme, approved=Decimal("20000"), paid=Decimal("20000"))
    decided(programme=programme, approved=Decimal("5000"))
    decided(programme=programme, approved=Decimal("7000"), status=Status.CLOSED)
    GrantApplicationFactory(programme=programme, status=Status.ASSESSED, proposed_amount=Decimal("9999"))
    GrantApplicationFactory(
        programme=programme,
        status=Status.CLOSED,
        outcome=GrantApplication.Outcome.REJECTED,
        approved_amount=Decimal("0"),
    )
    GrantProgrammeFactory(year=programme.year - 1, budget=Decimal("1"))  # another year: not shown

    [row] = dashboard.programme_budgets(programme.year)

    assert (row.budget, row.decided, row.paid, row.remaining) == (
        Decimal("100000"),
        Decimal("32000"),
        Decimal("20000"),
        Decimal("68000"),
    )


def test_money_by_locality_splits_an_association_equally_between_its_localities(english):
    vingaker, lappe = LocalityFactory(name="Vingåker", slug="vingaker"), LocalityFactory(name="Läppe")
    programme = GrantProgrammeFactory()
    both = AssociationFactory()
    both.localities.set([vingaker, lappe])
    only_lappe = AssociationFactory()
    only_lappe.localities.set([lappe])
    nowhere = AssociationFactory()
    decided(programme=programme, association=both, approved=Decimal("10000"), paid=Decimal("4000"))
    decided(programme=programme, association=only_lappe, approved=Decimal("3000"))
    decided(programme=programme, association=nowhere, approved=Decimal("700"))

    rows = {row.name: (row.decided, row.paid) for row in dashboard.money_by_locality(programme.year)}

    assert rows == {
        "Läppe": (Decimal("8000.00"), Decimal("2000.00")),
        "Vingåker": (Decimal("5000.00"), Decimal("2000.00")),
        "No locality given": (Decimal("700.00"), Decimal("0.00")),
    }


def test_missing_documents_names_what_is_not_approved(english):
    year = timezone.localdate().year - 1
    complete = eligible_association()
    partial = AssociationFactory(name="Halvklar förening")
    AnnualDocumentFactory(
        association=partial,
        year=year,
        kind=AnnualDocument.Kind.AGM_MINUTES,
        status=AnnualDocument.Status.APPROVED,
    )
    AnnualDocumentFactory(
        association=partial,
        year=year,
        kind=AnnualDocument.Kind.ANNUAL_REPORT,
        status=AnnualDocument.Status.RETURNED,
    )
    AssociationFactory(is_active=False)  # inactive: not listed

    missing = list(dashboard.missing_documents(year))

    assert complete not in missing
    assert [a.name for a in missing] == ["Halvklar förening"]
    assert dashboard.describe_missing(missing[0]) == [
        "Annual report (returned for correction)",
        "Financial statement",
        "Audit report",
    ]


def test_page_shows_queues_budget_and_missing_documents(coordinator, client, english):
    programme = GrantProgrammeFactory(name="Aktivitetsbidrag", budget=Decimal("50000"))
    submitted = GrantApplicationFactory(
        programme=programme, status=Status.SUBMITTED, submitted_at=timezone.now()
    )
    AssociationFactory(name="Förening utan papper")

    response = client.get(URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert submitted.reference in content and f"/backoffice/handlaggning/{submitted.pk}/" in content
    assert "Aktivitetsbidrag" in content and "50,000" in content
    assert "Förening utan papper" in content


def test_query_count_does_not_grow_with_data(coordinator, client, django_assert_max_num_queries):
    localities = [LocalityFactory(), LocalityFactory(), LocalityFactory()]
    programme = GrantProgrammeFactory()
    _lots_of_data(programme, localities, 2)
    with django_assert_max_num_queries(40) as few:
        assert client.get(URL).status_code == 200
    _lots_of_data(programme, localities, 8)
    GrantProgrammeFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_money_per_locality_for_one_programme(coordinator, client, english):
    lappe = LocalityFactory(name="Läppe")
    chosen, other = GrantProgrammeFactory(name="Valt"), GrantProgrammeFactory(name="Annat")
    association = AssociationFactory()
    association.localities.set([lappe])
    decided(programme=chosen, association=association, approved=Decimal("1000"))
    decided(programme=other, association=association, approved=Decimal("5000"))

    everything = client.get(URL).context["localities"]
    one = client.get(URL, {"year": chosen.year, "programme": chosen.pk})

    assert [(row.name, row.decided) for row in everything] == [("Läppe", Decimal("6000.00"))]
    assert [(row.name, row.decided) for row in one.context["localities"]] == [("Läppe", Decimal("1000.00"))]
    assert "Per locality: Valt" in one.content.decode()
    wrong_year = client.get(URL, {"year": chosen.year - 1, "programme": chosen.pk})
    assert wrong_year.context["locality_programme"] is None
