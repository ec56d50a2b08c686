"""ASC-*: associations and grants.

* ASC-01 active associations with every required annual document (AGM minutes, annual report, financial
  statement, audit report) approved for the financial year before the period's (bucket's) end year — the
  documents grant eligibility asks for. Locality split: the localities the association serves (an
  association serving two villages counts in both).
* ASC-02 SEK granted (``approved_amount``) in decisions made in the period (approved or partly approved);
  ASC-02-PAID SEK paid out (payments dated in the period). Suppressed when fewer than 5 decisions/payments
  lie behind the figure.
* ASC-03 SEK granted per inhabitant 65+.
* ASC-04 follow-up reports due in the period (and already due) that were submitted by their due date.

An amount is spread evenly over the localities the association serves (one of three villages gets a third),
so locality and area rows add up to the total of associations that have localities; associations without
localities count in the totals only.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from associations.models import (
    REQUIRED_DOCUMENT_KINDS,
    AnnualDocument,
    Association,
    FollowUpReport,
    GrantApplication,
    Payment,
)

from ..indicators import Cell, Query, register
from .base import area_of, grouped, population

MONEY = DecimalField(max_digits=16, decimal_places=4)
PLACE_PROGRAMME = ("locality", "area", "programme")


# ---------------------------------------------------------------------------------------------- ASC-01
def _eligible(year: int, q: Query) -> QuerySet:
    """Active associations with all required documents approved for ``year``."""
    approved = (
        AnnualDocument.objects.filter(
            association=OuterRef("pk"),
            year=year,
            status=AnnualDocument.Status.APPROVED,
            kind__in=REQUIRED_DOCUMENT_KINDS,
        )
        .values("association")
        .annotate(kinds=Count("kind", distinct=True))
        .values("kinds")
    )
    associations = Association.objects.filter(is_active=True).annotate(kinds=Subquery(approved))
    associations = associations.filter(kinds=len(REQUIRED_DOCUMENT_KINDS))
    if q.locality is not None:
        associations = associations.filter(localities=q.locality)
    return associations


@register("ASC-01", splits=("locality",))
def associations_with_documents(q: Query) -> dict[str, Cell]:
    if q.group == "period":
        years = {key: last.year - 1 for key, _first, last in q.buckets()}
        counts = {year: _eligible(year, q).count() for year in set(years.values())}  # one query per year
        return {key: Cell.count(counts[year]) for key, year in years.items()}
    eligible = _eligible(q.date_to.year - 1, q)
    if q.group == "locality":
        rows = (
            Association.objects.filter(pk__in=eligible.values("pk"))
            .values("localities__slug")
            .annotate(n=Count("id", distinct=True))
            .order_by()
            .values_list("localities__slug", "n")
        )
        return {slug: Cell.count(n) for slug, n in rows if slug}
    return {"": Cell.count(eligible.count())}


# ---------------------------------------------------------------------------------------------- ASC-02/03
def _locality_count(association_path: str):
    through = Association.localities.through
    return Subquery(
        through.objects.filter(association_id=OuterRef(association_path))
        .values("association_id")
        .annotate(n=Count("id"))
        .values("n")
    )


def _money(
    qs: QuerySet, q: Query, amount: str, association: str, time_field: str, programme: str, is_date: bool
):
    """Sum of ``amount`` (spread over the association's localities when split by place) and the number
    of rows behind it, per key of ``q.group``."""
    if q.locality is not None:
        qs = qs.filter(**{f"{association}__localities": q.locality})
    value = F(amount)
    if q.group in ("locality", "area") or q.locality is not None:
        value = ExpressionWrapper(F(amount) / _locality_count(f"{association}_id"), output_field=MONEY)
    qs = qs.annotate(share=value)
    aggregates = {
        "total": Coalesce(Sum("share", output_field=MONEY), Decimal(0), output_field=MONEY),
        "n": Count("id"),
    }
    return grouped(
        qs,
        q,
        aggregates,
        time_field=time_field,
        is_date=is_date,
        locality=f"{association}__localities",
        area=lambda: area_of(f"{association}__localities"),
        extra={"programme": F(programme)},
    )


def _decided(q: Query) -> dict[str, dict]:
    decisions = GrantApplication.objects.filter(
        decided_at__gte=q.start,
        decided_at__lt=q.end,
        outcome__in=[GrantApplication.Outcome.APPROVED, GrantApplication.Outcome.PARTLY],
        approved_amount__isnull=False,
    )
    return _money(decisions, q, "approved_amount", "association", "decided_at", "programme_id", False)


@register("ASC-02", splits=PLACE_PROGRAMME)
def grants_decided(q: Query) -> dict[str, Cell]:
    return {key: Cell(Decimal(row["total"]), (row["n"],)) for key, row in _decided(q).items()}


@register("ASC-02-PAID", splits=PLACE_PROGRAMME)
def grants_paid(q: Query) -> dict[str, Cell]:
    payments = Payment.objects.filter(paid_on__gte=q.date_from, paid_on__lte=q.date_to)
    rows = _money(
        payments, q, "amount", "application__association", "paid_on", "application__programme_id", True
    )
    return {key: Cell(Decimal(row["total"]), (row["n"],)) for key, row in rows.items()}


@register("ASC-03", splits=("locality", "area"))
def grants_per_inhabitant(q: Query) -> dict[str, Cell]:
    decided = _decided(q)
    inhabitants = population(q)
    cells = {}
    for key in set(decided) | set(inhabitants):
        row = decided.get(key, {"total": Decimal(0), "n": 0})
        people = inhabitants.get(key, 0)
        cells[key] = Cell.ratio(row["total"], people, 1, counts=(row["n"], people))
    return cells


# ---------------------------------------------------------------------------------------------- ASC-04
@register("ASC-04", splits=("programme",))
def reports_on_time(q: Query) -> dict[str, Cell]:
    today = timezone.localdate()
    reports = FollowUpReport.objects.filter(due_on__gte=q.date_from, due_on__lte=min(q.date_to, today))
    if q.locality is not None:
        reports = reports.filter(application__association__localities=q.locality)
    aggregates = {
        "due": Count("id", distinct=True),
        "on_time": Count("id", distinct=True, filter=Q(submitted_at__date__lte=F("due_on"))),
    }
    rows = grouped(
        reports,
        q,
        aggregates,
        time_field="due_on",
        is_date=True,
        extra={"programme": F("application__programme_id")},
    )
    return {key: Cell.ratio(row["on_time"], row["due"], 100) for key, row in rows.items()}
