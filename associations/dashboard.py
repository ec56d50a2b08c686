"""The coordinator's dashboard: what is waiting (applications, documents, reports, payment-account
requests), the money per programme and per locality for a year, and the associations whose documents for
last year are not all approved.

Every figure is computed in the database, so the page makes the same number of queries however much data
there is.

**Money per locality.** An application belongs to one association, which may serve several localities.
The dashboard attributes each application's approved amount, and each payment, to the localities the
association serves *today*, split equally between them (an association serving Vingåker and Läppe counts
half in each). Amounts of associations without a locality are shown on their own row. Follow-up reports
count participants per locality, not kronor, so they are not used for this split.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from portal.models import Locality

from .forms_coordinator import DashboardForm
from .models import (
    REQUIRED_DOCUMENT_KINDS,
    AnnualDocument,
    Association,
    FollowUpReport,
    GrantApplication,
    GrantProgramme,
    Payment,
    PaymentAccountChange,
)

Status = GrantApplication.Status
MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
LIST_SIZE = 10
# Reports due within this many days are "due soon"; after the due date they are overdue.
DUE_SOON_DAYS = 30
# Decided with money: the decision stands whatever happened after it (payment, report, closing).
DECIDED_STATES = (Status.DECIDED, Status.PAID, Status.REPORT_DUE, Status.REPORT_RECEIVED, Status.CLOSED)
GRANTED = (GrantApplication.Outcome.APPROVED, GrantApplication.Outcome.PARTLY)
Through = Association.localities.through


# --- Reads ------------------------------------------------------------------------------------------


def open_reports() -> QuerySet[FollowUpReport]:
    return FollowUpReport.objects.filter(
        submitted_at__isnull=True, application__status__in=(Status.PAID, Status.REPORT_DUE)
    )


def work_queue_counts(today) -> dict[str, int]:
    """How many items wait in each queue: four queries whatever the volume."""
    applications = GrantApplication.objects.aggregate(
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
        resubmitted=Count("pk", filter=Q(status=Status.RESUBMITTED)),
        assessed=Count("pk", filter=Q(status=Status.ASSESSED)),
    )
    reports = open_reports().aggregate(
        due_soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
    )
    return {
        **applications,
        **reports,
        "documents": AnnualDocument.objects.filter(status=AnnualDocument.Status.SUBMITTED).count(),
        "account_changes": PaymentAccountChange.objects.filter(
            status=PaymentAccountChange.Status.PENDING
        ).count(),
    }


def waiting_applications() -> QuerySet[GrantApplication]:
    """Submitted and resubmitted applications, oldest first: the case officer's next tasks."""
    return (
        GrantApplication.objects.filter(status__in=(Status.SUBMITTED, Status.RESUBMITTED))
        .select_related("association", "programme")
        .order_by("submitted_at", "pk")
    )


def documents_to_review() -> QuerySet[AnnualDocument]:
    return (
        AnnualDocument.objects.filter(status=AnnualDocument.Status.SUBMITTED)
        .select_related("association")
        .order_by("uploaded_at", "pk")
    )


def reports_due(today) -> QuerySet[FollowUpReport]:
    """Open reports that are overdue or due soon, the most overdue first."""
    return (
        open_reports()
        .filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS))
        .select_related("application__association", "application__programme")
        .order_by("due_on", "pk")
    )


def account_changes() -> QuerySet[PaymentAccountChange]:
    return (
        PaymentAccountChange.objects.filter(status=PaymentAccountChange.Status.PENDING)
        .select_related("association")
        .order_by("requested_at", "pk")
    )


def programme_budgets(year: int) -> QuerySet[GrantProgramme]:
    """The programmes of ``year`` with ``decided``, ``paid`` and ``remaining`` (budget − decided)."""
    decided = (
        GrantApplication.objects.filter(
            programme=OuterRef("pk"), status__in=DECIDED_STATES, outcome__in=GRANTED
        )
        .values("programme")
        .annotate(total=Sum("approved_amount"))
        .values("total")
    )
    paid = (
        Payment.objects.filter(application__programme=OuterRef("pk"))
        .values("application__programme")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        GrantProgramme.objects.filter(year=year)
        .annotate(
            decided=Coalesce(Subquery(decided, output_field=MONEY), ZERO),
            paid=Coalesce(Subquery(paid, output_field=MONEY), ZERO),
        )
        .annotate(remaining=ExpressionWrapper(F("budget") - F("decided"), output_field=MONEY))
        .order_by("name", "pk")
    )


@dataclass
class LocalityMoney:
    name: str
    decided: Decimal
    paid: Decimal


def _locality_share(prefix: str, amount: str, filters: Q) -> dict[int | None, Decimal]:
    """``amount`` summed per locality, each row divided equally between its association's localities."""
    served = (
        Through.objects.filter(association_id=OuterRef(f"{prefix}association_id"))
        .values("association_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    model = GrantApplication if prefix == "" else Payment
    rows = (
        model.objects.filter(filters)
        .annotate(served=Coalesce(Subquery(served, output_field=IntegerField()), Value(1)))
        .annotate(
            share=ExpressionWrapper(
                F(amount) * Value(Decimal("1.0"), output_field=MONEY) / F("served"), output_field=MONEY
            )
        )
        .values(f"{prefix}association__localities")
        .annotate(total=Sum("share"))
        .values_list(f"{prefix}association__localities", "total")
    )
    return {locality: Decimal(total or 0).quantize(Decimal("0.01")) for locality, total in rows}


def money_by_locality(year: int, programme: GrantProgramme | None = None) -> list[LocalityMoney]:
    """Decided and paid SEK per locality for the year's programmes (see the module docstring for the rule).
    Three queries: decided, paid and the locality names."""
    application_filter = Q(programme__year=year, status__in=DECIDED_STATES, outcome__in=GRANTED)
    payment_filter = Q(application__programme__year=year)
    if programme is not None:
        application_filter &= Q(programme=programme)
        payment_filter &= Q(application__programme=programme)
    decided = _locality_share("", "approved_amount", application_filter)
    paid = _locality_share("application__", "amount", payment_filter)
    rows = [
        LocalityMoney(
            locality.name, decided.get(locality.pk, Decimal("0.00")), paid.get(locality.pk, Decimal("0.00"))
        )
        for locality in Locality.objects.order_by("name")
    ]
    if decided.get(None) or paid.get(None):
        rows.append(
            LocalityMoney(
                _("No locality given"), decided.get(None, Decimal("0.00")), paid.get(None, Decimal("0.00"))
            )
        )
    return rows


def missing_documents(year: int) -> QuerySet[Association]:
    """Active associations without all required documents for ``year`` approved, with those that are
    approved prefetched (as ``approved_documents``) so the page can name what is missing."""
    return (
        Association.objects.filter(is_active=True)
        .annotate(
            approved_kinds=Count(
                "documents__kind",
                filter=Q(
                    documents__year=year,
                    documents__status=AnnualDocument.Status.APPROVED,
                    documents__kind__in=REQUIRED_DOCUMENT_KINDS,
                ),
                distinct=True,
            )
        )
        .filter(approved_kinds__lt=len(REQUIRED_DOCUMENT_KINDS))
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=AnnualDocument.objects.filter(year=year, kind__in=REQUIRED_DOCUMENT_KINDS).only(
                    "association_id", "kind", "status"
                ),
                to_attr="year_documents",
            )
        )
        .order_by("name", "pk")
    )


def describe_missing(association: Association) -> list[str]:
    """The required kinds not approved, each with the state of what was filed ("waiting", "returned")."""
    by_kind: dict[str, str] = {}
    for document in association.year_documents:
        if by_kind.get(document.kind) != AnnualDocument.Status.APPROVED:
            by_kind[document.kind] = document.status
    result = []
    for kind in REQUIRED_DOCUMENT_KINDS:
        state = by_kind.get(kind)
        if state == AnnualDocument.Status.APPROVED:
            continue
        label = str(AnnualDocument.Kind(kind).label)
        if state:
            label = f"{label} ({AnnualDocument.Status(state).label.lower()})"
        result.append(label)
    return result


# --- View -------------------------------------------------------------------------------------------


@require_GET
@role_required(Role.COORDINATOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = DashboardForm(request.GET)
    year = form.selected_year()
    programme = form.selected_programme(year)
    missing = list(missing_documents(year - 1)[: LIST_SIZE * 5])
    for association in missing:
        association.missing = describe_missing(association)
    programmes = list(programme_budgets(year))
    totals = {
        name: sum((getattr(p, name) for p in programmes), Decimal("0"))
        for name in ("budget", "decided", "paid", "remaining")
    }
    return render(
        request,
        "associations/coordinator/dashboard.html",
        {
            "form": form,
            "year": year,
            "today": today,
            "counts": work_queue_counts(today),
            "applications": waiting_applications()[:LIST_SIZE],
            "documents": documents_to_review()[:LIST_SIZE],
            "reports": reports_due(today)[:LIST_SIZE],
            "account_changes": account_changes()[:LIST_SIZE],
            "programmes": programmes,
            "totals": totals,
            "localities": money_by_locality(year, programme),
            "locality_programme": programme,
            "missing": missing,
            "missing_count": missing_documents(year - 1).count(),
            "missing_year": year - 1,
        },
    )
