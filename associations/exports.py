"""Exports of grant applications, decisions and payments as CSV or Excel, for coordinators and officials.

The same filters (programme, year, status, locality served) apply to all three. Every export is written
to the audit log with its filters and row count. Texts typed by associations end up in spreadsheets, so
any text cell a spreadsheet would read as a formula is neutralised with a leading ``'`` (OWASP "CSV
injection"); amounts are written as numbers in Excel. CSV is semicolon-separated with a byte-order mark
and decimal commas, which is what Excel with Swedish settings opens correctly by double-click.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role
from portal.models import Locality

from .forms_coordinator import ExportForm
from .models import Association, GrantApplication, Payment

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: object) -> str:
    """The text, prefixed with ``'`` when a spreadsheet would otherwise evaluate it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _when(value: datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _localities(association: Association) -> str:
    return ", ".join(locality.name for locality in association.localities.all())


# --- Querysets --------------------------------------------------------------------------------------


def _served_in(locality: Locality, association_path: str):
    return Exists(
        Association.localities.through.objects.filter(
            association_id=OuterRef(association_path), locality=locality
        )
    )


def filtered_applications(filters: dict) -> QuerySet[GrantApplication]:
    applications = GrantApplication.objects.all()
    if filters.get("programme"):
        applications = applications.filter(programme_id=filters["programme"])
    if filters.get("year"):
        applications = applications.filter(programme__year=filters["year"])
    if filters.get("status"):
        applications = applications.filter(status=filters["status"])
    if filters.get("locality"):
        locality = Locality.objects.get(slug=filters["locality"])
        applications = applications.filter(_served_in(locality, "association_id"))
    return applications


def _with_association(queryset: QuerySet, path: str = "") -> QuerySet:
    return queryset.prefetch_related(
        Prefetch(f"{path}association__localities", queryset=Locality.objects.order_by("name"))
    )


# --- Sheets -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    headers: Callable[[], list[str]]
    rows: Callable[[dict], Iterable[list]]


def application_rows(filters: dict) -> Iterable[list]:
    applications = _with_association(
        filtered_applications(filters)
        .select_related("programme", "association")
        .annotate(paid=Sum("payments__amount"))
        .order_by("programme__year", "programme__name", "reference")
    )
    for a in applications:
        yield [
            a.reference,
            a.programme.name,
            a.programme.year,
            a.association.name,
            a.association.org_number,
            a.association.get_kind_display(),
            _localities(a.association),
            a.title,
            a.get_status_display(),
            a.requested_amount,
            a.proposed_amount,
            a.get_outcome_display(),
            a.approved_amount,
            a.paid or Decimal("0.00"),
            _when(a.submitted_at),
            _when(a.decided_at),
        ]


def application_headers() -> list[str]:
    return [
        _("Reference"),
        _("Grant programme"),
        _("Year"),
        _("Association"),
        _("Organisation number"),
        _("Kind of association"),
        _("Localities served"),
        _("What the grant is for"),
        _("Status"),
        _("Applied for (SEK)"),
        _("Proposed (SEK)"),
        _("Decision"),
        _("Approved (SEK)"),
        _("Paid (SEK)"),
        _("Submitted"),
        _("Decided"),
    ]


def decision_rows(filters: dict) -> Iterable[list]:
    decisions = _with_association(
        filtered_applications(filters)
        .filter(decided_at__isnull=False)
        .select_related("programme", "association", "assessed_by", "decided_by")
        .order_by("decided_at", "reference")
    )
    for a in decisions:
        yield [
            a.reference,
            a.programme.name,
            a.programme.year,
            a.association.name,
            a.association.org_number,
            _localities(a.association),
            a.get_outcome_display(),
            a.requested_amount,
            a.calculated_amount,
            a.proposed_amount,
            a.approved_amount,
            a.decision_reasons,
            a.assessed_by.full_name if a.assessed_by else "",
            a.decided_by.full_name if a.decided_by else "",
            _when(a.decided_at),
        ]


def decision_headers() -> list[str]:
    return [
        _("Reference"),
        _("Grant programme"),
        _("Year"),
        _("Association"),
        _("Organisation number"),
        _("Localities served"),
        _("Decision"),
        _("Applied for (SEK)"),
        _("Calculated (SEK)"),
        _("Proposed (SEK)"),
        _("Approved (SEK)"),
        _("Reasons"),
        _("Assessed by"),
        _("Decided by"),
        _("Decided"),
    ]


def payment_rows(filters: dict) -> Iterable[list]:
    payments = _with_association(
        Payment.objects.filter(application__in=filtered_applications(filters))
        .select_related("application__programme", "application__association", "recorded_by")
        .order_by("paid_on", "pk"),
        "application__",
    )
    for p in payments:
        association = p.application.association
        yield [
            p.paid_on,
            p.amount,
            p.reference,
            p.application.reference,
            p.application.programme.name,
            p.application.programme.year,
            association.name,
            association.org_number,
            association.payment_account_display,
            _localities(association),
            p.recorded_by.full_name if p.recorded_by else "",
        ]


def payment_headers() -> list[str]:
    return [
        _("Paid on"),
        _("Amount (SEK)"),
        _("Payment reference"),
        _("Application"),
        _("Grant programme"),
        _("Year"),
        _("Association"),
        _("Organisation number"),
        _("Paid to account"),
        _("Localities served"),
        _("Recorded by"),
    ]


SHEETS = {
    "applications": Sheet("ansokningar", gettext_lazy("Applications"), application_headers, application_rows),
    "decisions": Sheet("beslut", gettext_lazy("Decisions"), decision_headers, decision_rows),
    "payments": Sheet("utbetalningar", gettext_lazy("Payments"), payment_headers, payment_rows),
}


# --- Writers ----------------------------------------------------------------------------------------


def _csv_cell(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def write_csv(headers: list[str], rows: Iterable[list]) -> tuple[bytes, int]:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow([neutralise(header) for header in headers])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
    return out.getvalue().encode("utf-8"), count


def write_xlsx(title: str, headers: list[str], rows: Iterable[list]) -> tuple[bytes, int]:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([neutralise(header) for header in headers])
    count = 0
    for row in rows:
        count += 1
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=count + 1, column=column)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                cell.value = value
                if isinstance(value, Decimal):
                    cell.number_format = "#,##0.00"
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.value = neutralise(value)
                # openpyxl reads any string starting with "=" as a formula; this cell is text.
                cell.data_type = TYPE_STRING
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


def export(what: str, file_format: str, filters: dict) -> tuple[bytes, str, str, int]:
    """(content, content type, file name, row count) of one export."""
    sheet = SHEETS[what]
    headers, rows = sheet.headers(), sheet.rows(filters)
    stamp = timezone.localdate().isoformat()
    if file_format == "csv":
        content, count = write_csv(headers, rows)
        return content, "text/csv; charset=utf-8", f"{sheet.name}-{stamp}.csv", count
    content, count = write_xlsx(str(sheet.title), headers, rows)
    return content, XLSX, f"{sheet.name}-{stamp}.xlsx", count


# --- View -------------------------------------------------------------------------------------------


@require_GET
@role_required(Role.COORDINATOR, Role.OFFICIAL)
def export_view(request: HttpRequest) -> HttpResponse:
    """The filter form; with ``download`` in the query, the file itself (audited)."""
    form = ExportForm(request.GET if "download" in request.GET else None)
    if not form.is_valid():
        return render(request, "associations/coordinator/exports.html", {"form": form})
    filters = form.as_filters()
    what, file_format = form.cleaned_data["what"], form.cleaned_data["file_format"]
    content, content_type, filename, count = export(what, file_format, filters)
    audit.record(
        "associations.export", request=request, export=what, format=file_format, filters=filters, rows=count
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
