"""Exports: one indicator with its periods and split as CSV or Excel, and a Kolada-style table (kpi,
municipality code, period, gender T/K/M, value) as CSV or JSON.

Everything is built from :func:`followup.indicators.evaluate` results, so small numbers are already
suppressed: a suppressed cell is written as "<5" (value column empty, status ``suppressed`` in Kolada rows).
CSV files are UTF-8 with BOM and ``;`` as separator (what Excel expects in Swedish), numbers with a decimal
point. Callers (views, API) check who may export which indicator and write the audit entry.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.models import MunicipalityProfile

from . import suppression
from .indicators import SEX_LABELS, SPLIT_LABELS, Result, Value, evaluate, shared_evaluation, supported_splits
from .models import Indicator

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_cell(text: object) -> str:
    """Text for a spreadsheet cell, prefixed with ``'`` when a spreadsheet would read it as a formula:
    labels carry names typed in the back office (localities, technologies, grant programmes)."""
    text = "" if text is None else str(text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def plain(value: Value) -> str:
    """Machine-readable cell text: "<5" when suppressed, "" when missing, else a point-decimal number."""
    if value.suppressed:
        return suppression.SUPPRESSED_TEXT
    if value.value is None:
        return ""
    return format(value.value, "f")


def _results(results: Result | list[Result]) -> list[Result]:
    return results if isinstance(results, list) else [results]


def result_rows(results: Result | list[Result]) -> list[list]:
    """``[group, key, label, value]`` rows: the total, each period, then the rows of each result's split
    (several results: the same indicator and period evaluated with different splits)."""
    results = _results(results)
    first = results[0]
    rows: list[list] = [["total", "T" if first.sex is None else first.sex, _("Total"), first.total]]
    rows += [["period", row.key, row.label, row.value] for row in first.periods]
    for result in results:
        rows += [[result.split, row.key, row.label, row.value] for row in result.rows]
    return rows


def _header(results: list[Result]) -> list[list[str]]:
    result = results[0]
    indicator = result.indicator
    splits = ", ".join(str(SPLIT_LABELS[r.split]) for r in results if r.split) or "–"
    return [
        [_("Indicator"), f"{indicator.code} {indicator.name}"],
        [_("Unit"), str(indicator.get_unit_display())],
        [_("Period"), f"{result.date_from.isoformat()} – {result.date_to.isoformat()}"],
        [_("Locality"), result.locality.name if result.locality else _("All")],
        [_("Sex"), str(SEX_LABELS[result.sex or "T"])],
        [_("Split"), splits],
        [_("Small numbers"), _("Figures resting on fewer than 5 are shown as <5.")],
    ]


def indicator_csv(results: Result | list[Result]) -> bytes:
    result = _results(results)[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    indicator = result.indicator
    writer.writerow(
        ["indicator", "unit", "date_from", "date_to", "locality", "sex", "group", "key", "label", "value"]
    )
    common = [
        indicator.code,
        indicator.unit,
        result.date_from.isoformat(),
        result.date_to.isoformat(),
        result.locality.slug if result.locality else "",
        result.sex or "T",
    ]
    for group, key, label, value in result_rows(results):
        writer.writerow([text_cell(cell) for cell in (*common, group, key, label)] + [plain(value)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def indicator_xlsx(results: Result | list[Result]) -> bytes:
    results = _results(results)
    result = results[0]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = result.indicator.code[:31]
    for label, text in _header(results):
        sheet.append([label, text_cell(text)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])
    sheet.append([_("Group"), _("Key"), _("Label"), _("Value")])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for group, key, label, value in result_rows(results):
        group_label = (
            _("Total") if group == "total" else _("Period") if group == "period" else str(SPLIT_LABELS[group])
        )
        if value.suppressed:
            cell: object = suppression.SUPPRESSED_TEXT
        elif value.value is None:
            cell = None
        else:
            cell = float(value.value) if value.value != value.value.to_integral() else int(value.value)
        sheet.append([text_cell(group_label), text_cell(key), text_cell(label), cell])
    for index, width in enumerate((22, 14, 34, 14), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# ---------------------------------------------------------------------------------------------- Kolada
def municipality_code() -> str:
    profile = MunicipalityProfile.objects.filter(pk=1).first()
    return profile.code if profile else ""


def _period(key: str) -> int | str:
    return int(key) if key.isdigit() else key


def kolada_rows(
    indicators: Iterable[Indicator], *, date_from: date, date_to: date, granularity: str = "year"
) -> list[dict]:
    """Flat rows ``{kpi, municipality, period, gender, value, status}``: gender T for every indicator, K and
    M as well where the indicator can be split by sex. The evaluations share what they read."""
    code = municipality_code()
    with shared_evaluation():
        rows = _kolada_rows(indicators, code, date_from=date_from, date_to=date_to, granularity=granularity)
    rows.sort(key=lambda row: (row["kpi"], str(row["period"]), "TKM".index(row["gender"])))
    return rows


def _kolada_rows(
    indicators: Iterable[Indicator], code: str, *, date_from: date, date_to: date, granularity: str
) -> list[dict]:
    rows = []
    for indicator in indicators:
        sexes = [None, "K", "M"] if "sex" in supported_splits(indicator) else [None]
        for sex in sexes:
            result = evaluate(
                indicator, date_from=date_from, date_to=date_to, granularity=granularity, sex=sex
            )
            for period in result.periods:
                value = period.value
                rows.append(
                    {
                        "kpi": indicator.code,
                        "municipality": code,
                        "period": _period(period.key),
                        "gender": sex or "T",
                        "value": None if value.value is None else _number(value.value),
                        "status": "suppressed"
                        if value.suppressed
                        else ("missing" if value.value is None else ""),
                    }
                )
    return rows


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)


def kolada_json(rows: list[dict]) -> dict:
    """Kolada's shape: one entry per (kpi, municipality, period) with a ``values`` list per gender."""
    grouped: dict[tuple, dict] = {}
    for row in rows:
        key = (row["kpi"], row["municipality"], row["period"])
        entry = grouped.setdefault(
            key,
            {"kpi": row["kpi"], "municipality": row["municipality"], "period": row["period"], "values": []},
        )
        entry["values"].append({"gender": row["gender"], "status": row["status"], "value": row["value"]})
    values = list(grouped.values())
    return {"count": len(values), "values": values}


def kolada_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["kpi", "municipality", "period", "gender", "value", "status"])
    for row in rows:
        value = suppression.SUPPRESSED_TEXT if row["status"] == "suppressed" else row["value"]
        writer.writerow(
            [
                text_cell(row["kpi"]),
                text_cell(row["municipality"]),
                row["period"],
                row["gender"],
                "" if value is None else value,
                row["status"],
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
