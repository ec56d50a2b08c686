"""The grant demo data: every kind, every state, consistent, and the same after seeding twice."""

import itertools

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import User
from associations import demo
from associations.eligibility import eligibility
from associations.models import (
    AnnualDocument,
    Association,
    BoardMember,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    MemberCount,
    Payment,
    PaymentAccountChange,
    Representative,
    StatusChange,
)
from associations.selectors import associations_for
from associations.validators import validate_bankgiro, validate_org_number
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db
MODELS = [
    Association,
    BoardMember,
    MemberCount,
    AnnualDocument,
    PaymentAccountChange,
    GrantProgramme,
    GrantApplication,
    StatusChange,
    Payment,
    FollowUpReport,
    Representative,
]


@pytest.fixture
def seeded():
    portal_demo.seed()
    accounts_demo.seed()
    demo.seed()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seeding_twice_changes_nothing(seeded):
    before = _counts()
    fields = list(
        GrantApplication.objects.order_by("reference").values_list("reference", "status", "approved_amount")
    )
    demo.seed()
    assert _counts() == before
    assert (
        list(
            GrantApplication.objects.order_by("reference").values_list(
                "reference", "status", "approved_amount"
            )
        )
        == fields
    )


def test_about_forty_associations_of_every_kind_in_every_locality(seeded):
    assert 38 <= Association.objects.count() <= 45
    assert set(Association.objects.values_list("kind", flat=True)) == set(Association.Kind.values)
    served = set(Association.objects.values_list("localities__slug", flat=True))
    assert served >= {slug for _name, slug, *_ in portal_demo.LOCALITIES}
    for association in Association.objects.all():
        validate_org_number(association.org_number)
        validate_bankgiro(association.payment_account)
    assert not Association.objects.annotate(n=Count("board_members")).filter(n__lt=3).exists()
    assert MemberCount.objects.filter(total__gt=0).count() >= 2 * Association.objects.count()


def test_the_demo_representative_administers_an_eligible_pro_vingaker(seeded):
    user = User.objects.get(email="forening@example.org")
    [association] = associations_for(user)
    assert association.name == "PRO Vingåker"
    assert association.memberships.get(user=user).role == Representative.Role.ADMIN
    validate_org_number(association.org_number)
    assert eligibility(association, timezone.localdate().year).eligible
    states = set(association.applications.values_list("status", flat=True))
    assert GrantApplication.Status.COMPLETION_REQUESTED in states and GrantApplication.Status.DRAFT in states


def test_documents_in_every_state(seeded):
    assert set(AnnualDocument.objects.values_list("status", flat=True)) == set(AnnualDocument.Status.values)
    document = AnnualDocument.objects.filter(status=AnnualDocument.Status.RETURNED).first()
    assert document.review_comment and document.reviewed_by
    assert document.file.read().startswith(b"%PDF-")


def test_two_years_of_programmes_with_applications_in_every_state(seeded):
    year = timezone.localdate().year
    assert set(GrantProgramme.objects.values_list("year", flat=True)) == {year - 1, year}
    assert set(GrantProgramme.objects.values_list("kind", flat=True)) == set(GrantProgramme.Kind.values)
    assert set(GrantApplication.objects.values_list("status", flat=True)) == set(
        GrantApplication.Status.values
    )
    outcomes = set(GrantApplication.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert outcomes == set(GrantApplication.Outcome.values)
    assert PaymentAccountChange.objects.filter(status=PaymentAccountChange.Status.PENDING).exists()


def test_the_history_is_consistent(seeded):
    Status = GrantApplication.Status
    for application in GrantApplication.objects.prefetch_related("history", "payments"):
        history = list(application.history.all())
        if application.status == Status.DRAFT:
            assert not history
            continue
        assert history[0].from_status == Status.DRAFT
        assert history[-1].to_status == application.status
        for earlier, later in itertools.pairwise(history):
            assert earlier.to_status == later.from_status and earlier.at <= later.at
        paid = sum(p.amount for p in application.payments.all())
        if application.status in (Status.PAID, Status.REPORT_DUE, Status.REPORT_RECEIVED):
            assert paid == application.approved_amount > 0
            assert application.report.due_on
        if application.outcome == GrantApplication.Outcome.REJECTED:
            assert application.status == Status.CLOSED and not paid
        limit = application.programme.delegation_limit
        if application.decided_at and limit is not None and application.approved_amount > limit:
            assert application.decided_by.email == "tjansteperson@example.org"
    received = FollowUpReport.objects.filter(submitted_at__isnull=False)
    assert received.exists()
    for report in received.annotate(by_locality=Sum("localities__participants")):
        assert report.by_locality == report.participants_total


def test_the_dashboard_has_something_in_every_queue(seeded):
    from associations import dashboard

    counts = dashboard.work_queue_counts(timezone.localdate())
    assert all(
        counts[name] > 0 for name in ("submitted", "resubmitted", "documents", "overdue", "account_changes")
    )


def test_the_admin_shows_every_model_and_keeps_process_fields_read_only(seeded, client):
    from django.contrib import admin

    client.force_login(User.objects.get(email="admin@example.org"))
    registered = [model for model in admin.site._registry if model._meta.app_label == "associations"]
    inlines = {
        inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines
    }
    from django.apps import apps

    assert set(apps.get_app_config("associations").get_models()) <= set(registered) | inlines
    for model in registered:
        base = f"/admin/associations/{model._meta.model_name}/"
        assert client.get(base).status_code == 200, base
        first = model.objects.first()
        if first is not None:
            assert client.get(f"{base}{first.pk}/change/").status_code == 200, base
    application = GrantApplication.objects.exclude(status=GrantApplication.Status.DRAFT).first()
    page = client.get(f"/admin/associations/grantapplication/{application.pk}/change/").content.decode()
    assert 'name="status"' not in page and 'name="approved_amount"' not in page and 'name="title"' in page
    association = Association.objects.first()
    page = client.get(f"/admin/associations/association/{association.pk}/change/").content.decode()
    assert 'name="payment_account"' not in page
