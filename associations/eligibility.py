"""Whether an association may receive grants for a year.

An association is *eligible for year Y* when every document in ``REQUIRED_DOCUMENT_KINDS`` for the financial
year Y-1 has been approved, it has approved statutes (of any year up to Y-1: statutes rarely change), and a
representative or coordinator confirmed its base data during the current calendar year.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import REQUIRED_DOCUMENT_KINDS, AnnualDocument, Association


@dataclass(frozen=True)
class Eligibility:
    year: int
    eligible: bool
    missing_documents: list[tuple[int, str]] = field(default_factory=list)
    base_data_confirmed: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def missing_document_labels(self) -> list[str]:
        labels = dict(AnnualDocument.Kind.choices)
        return [f"{labels[kind]} {year}" for year, kind in self.missing_documents]


def _confirmation_year() -> int:
    return timezone.localdate().year


def eligibility(association: Association, year: int) -> Eligibility:
    """The eligibility of ``association`` for grants of ``year``, with the reasons when it is not eligible."""
    prefetched = getattr(association, "approved_documents", None)  # lists prefetch them (apply.index)
    if prefetched is not None:
        approved = {(doc.year, doc.kind) for doc in prefetched if doc.year <= year - 1}
    else:
        approved = set(
            association.documents.filter(
                status=AnnualDocument.Status.APPROVED, year__lte=year - 1
            ).values_list("year", "kind")
        )
    missing = [(year - 1, kind) for kind in REQUIRED_DOCUMENT_KINDS if (year - 1, kind) not in approved]
    if not any(kind == AnnualDocument.Kind.STATUTES for _year, kind in approved):
        missing.append((year - 1, AnnualDocument.Kind.STATUTES))
    confirmed = association.base_data_confirmed_in(_confirmation_year())
    reasons = []
    if not association.is_active:
        reasons.append(_("The association is marked as inactive in the register."))
    if missing:
        reasons.append(
            _("Approved documents are missing: %(documents)s.")
            % {"documents": ", ".join(_label(kind, doc_year) for doc_year, kind in missing)}
        )
    if not confirmed:
        reasons.append(_("The association's details have not been confirmed this year."))
    return Eligibility(
        year=year,
        eligible=not reasons,
        missing_documents=missing,
        base_data_confirmed=confirmed,
        reasons=reasons,
    )


def for_programme(programme, association: Association) -> Eligibility:
    """Eligibility as ``programme``'s own rule counts it: the document rule, or open to every active one."""
    if programme.eligibility == programme.Eligibility.OPEN:
        reasons = (
            [] if association.is_active else [_("The association is marked as inactive in the register.")]
        )
        return Eligibility(
            year=programme.year, eligible=not reasons, base_data_confirmed=True, reasons=reasons
        )
    return eligibility(association, programme.year)


def _label(kind: str, year: int) -> str:
    if kind == AnnualDocument.Kind.STATUTES:
        return str(AnnualDocument.Kind(kind).label)
    return f"{AnnualDocument.Kind(kind).label} {year}"


def eligible_associations(year: int) -> QuerySet[Association]:
    """The associations eligible for ``year``, decided in the database (for filters and dashboards)."""
    with_all_required = (
        Association.objects.annotate(
            required_approved=Count(
                "documents__kind",
                filter=Q(
                    documents__status=AnnualDocument.Status.APPROVED,
                    documents__year=year - 1,
                    documents__kind__in=REQUIRED_DOCUMENT_KINDS,
                ),
                distinct=True,
            )
        )
        .filter(required_approved=len(REQUIRED_DOCUMENT_KINDS))
        .values("pk")
    )
    approved_statutes = AnnualDocument.objects.filter(
        association=OuterRef("pk"),
        status=AnnualDocument.Status.APPROVED,
        kind=AnnualDocument.Kind.STATUTES,
        year__lte=year - 1,
    )
    return Association.objects.filter(
        Exists(approved_statutes),
        is_active=True,
        base_data_confirmed_at__year=_confirmation_year(),
        pk__in=with_all_required,
    )
