"""Back-office pages behind the follow-up figures ("underlag"): population figures (table and CSV import),
manual survey values, the indicator catalogue's baselines/targets/owners, and export downloads.

Officials edit; coordinators and welfare-tech administrators may export the indicators they can see
(``visible_indicators``); an indicator outside that set is simply not found. Every export is audited.
"""

import json
from datetime import date

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role
from portal.models import Locality

from . import exports, population
from .indicators import (
    EXTRA_SPLITS,
    SPLIT_LABELS,
    SPLITS,
    VIEW_ROLES,
    can_edit,
    evaluate,
    shared_evaluation,
    supported_splits,
    visible_indicators,
)
from .models import AgeBand, Indicator, ManualValue, PopulationFigure, Sex

TEMPLATES = "followup/data/"
OFFICIAL = Role.OFFICIAL
MAX_DAYS = 366 * 5
ALL_SPLITS = "all"


# ---------------------------------------------------------------------------------------------- forms
class ExportForm(forms.Form):
    FORMATS = [("csv", "CSV"), ("xlsx", "Excel")]
    GRANULARITIES = [
        ("month", gettext_lazy("Month")),
        ("quarter", gettext_lazy("Quarter")),
        ("year", gettext_lazy("Year")),
    ]

    date_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    granularity = forms.ChoiceField(label=gettext_lazy("Periods"), choices=GRANULARITIES, initial="quarter")
    split = forms.ChoiceField(
        label=gettext_lazy("Split by"),
        required=False,
        choices=[("", gettext_lazy("No split"))] + [(s, SPLIT_LABELS[s]) for s in SPLITS + EXTRA_SPLITS],
    )
    locality = forms.ModelChoiceField(
        label=gettext_lazy("Locality"),
        queryset=Locality.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=gettext_lazy("All localities"),
    )
    sex = forms.ChoiceField(
        label=gettext_lazy("Sex"),
        required=False,
        choices=[
            ("", gettext_lazy("Everyone (T)")),
            ("K", gettext_lazy("Women")),
            ("M", gettext_lazy("Men")),
        ],
    )
    format = forms.ChoiceField(label=gettext_lazy("File format"), choices=FORMATS, initial="csv")

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator is not None:
            allowed = supported_splits(indicator)
            choices = [("", _("No split"))] + [(s, SPLIT_LABELS[s]) for s in allowed]
            if len(allowed) > 1:
                choices.append((ALL_SPLITS, _("All splits")))
            self.fields["split"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            if data["date_to"] < data["date_from"]:
                self.add_error("date_to", _("The end date must not be before the start date."))
            elif (data["date_to"] - data["date_from"]).days > MAX_DAYS:
                self.add_error("date_from", _("Choose at most five years."))
        return data


class KoladaForm(forms.Form):
    FORMATS = [("csv", "CSV"), ("json", "JSON")]

    date_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))
    granularity = forms.ChoiceField(
        label=gettext_lazy("Periods"), choices=ExportForm.GRANULARITIES, initial="year"
    )
    format = forms.ChoiceField(label=gettext_lazy("File format"), choices=FORMATS, initial="csv")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to"):
            if data["date_to"] < data["date_from"]:
                self.add_error("date_to", _("The end date must not be before the start date."))
            elif (data["date_to"] - data["date_from"]).days > MAX_DAYS:
                self.add_error("date_from", _("Choose at most five years."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file from Statistics Sweden"),
        help_text=gettext_lazy("Separated by semicolons or commas, UTF-8 or Windows characters."),
    )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["baseline_value", "baseline_period", "target_value", "target_year", "owner", "is_key"]


class ManualValueForm(forms.ModelForm):
    class Meta:
        model = ManualValue
        fields = ["period_start", "period_end", "value", "sample_size", "source", "locality", "sex"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].empty_label = _("The whole municipality")
        self.fields["sex"].choices = [("", _("Everyone")), *Sex.choices]

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("The end date must not be before the start date."))
        return data


def _default_range() -> tuple[date, date]:
    today = date.today()
    return date(today.year, 1, 1), today


# ---------------------------------------------------------------------------------------------- index
@require_GET
@role_required(*VIEW_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    indicators = visible_indicators(request.user)
    date_from, date_to = _default_range()
    return render(
        request,
        TEMPLATES + "index.html",
        {
            "indicators": indicators,
            "can_edit": can_edit(request.user),
            "date_from": date_from,
            "date_to": date_to,
        },
    )


# ---------------------------------------------------------------------------------------------- population
def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        latest = PopulationFigure.objects.order_by("-year").values_list("year", flat=True).first()
        year = latest or date.today().year - 1
    return year


@role_required(OFFICIAL)
def population_table(request: HttpRequest) -> HttpResponse:
    """The figures of one year as an editable table: a row per locality, a column per sex and age band."""
    year = _year(request)
    localities = list(Locality.objects.all())
    columns = [
        (sex, sex_label, band, band_label)
        for sex, sex_label in Sex.choices
        for band, band_label in AgeBand.choices
    ]
    errors: list[str] = []
    if request.method == "POST":
        values: dict[tuple[int, str, str], int | None] = {}
        for locality in localities:
            for sex, _sl, band, _bl in columns:
                raw = request.POST.get(f"c-{locality.pk}-{sex}-{band}", "").strip().replace(" ", "")
                if raw == "":
                    values[(locality.pk, sex, band)] = None
                elif raw.isdigit() and int(raw) < 10_000_000:
                    values[(locality.pk, sex, band)] = int(raw)
                else:
                    errors.append(
                        _("%(locality)s, %(column)s: “%(value)s” is not a whole number.")
                        % {"locality": locality.name, "column": f"{sex} {band}", "value": raw}
                    )
        if not errors:
            created, updated, deleted = population.save_grid(year, values)
            audit.record(
                "followup.population.edit",
                request=request,
                object_type="followup.populationfigure",
                year=year,
                created=created,
                updated=updated,
                deleted=deleted,
            )
            messages.success(request, _("The population figures for %(year)s are saved.") % {"year": year})
            return redirect(f"{request.path}?year={year}")
    grid = population.grid(year)
    rows = []
    for locality in localities:
        cells = []
        for sex, sex_label, band, band_label in columns:
            name = f"c-{locality.pk}-{sex}-{band}"
            value = request.POST.get(name) if errors else grid.get((locality.pk, sex, band))
            cells.append(
                {
                    "name": name,
                    "value": "" if value is None else value,
                    "label": f"{locality.name}, {sex_label} {band_label}",
                }
            )
        rows.append(
            {
                "locality": locality,
                "cells": cells,
                "total": sum(grid.get((locality.pk, s, b), 0) for s, _sl, b, _bl in columns),
            }
        )
    years = list(PopulationFigure.objects.order_by("-year").values_list("year", flat=True).distinct())
    return render(
        request,
        TEMPLATES + "population.html",
        {
            "year": year,
            "years": years,
            "columns": columns,
            "rows": rows,
            "errors": errors,
            "grand_total": sum(grid.values()),
        },
    )


@role_required(OFFICIAL)
def population_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = population.import_csv(upload.read(population.MAX_BYTES + 1))
        audit.record(
            "followup.population.import",
            request=request,
            object_type="followup.populationfigure",
            filename=upload.name[:200],
            saved=report.saved,
            created=report.created,
            updated=report.updated,
            errors=len(report.errors),
        )
        if report.saved:
            messages.success(
                request,
                _("Imported: %(created)s new and %(updated)s changed figures.")
                % {"created": report.created, "updated": report.updated},
            )
    return render(request, TEMPLATES + "population_import.html", {"form": form, "report": report})


# ---------------------------------------------------------------------------------------------- catalogue
@require_GET
@role_required(OFFICIAL)
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "catalogue.html", {"indicators": Indicator.objects.all()})


@role_required(OFFICIAL)
def indicator_edit(request: HttpRequest, code: str) -> HttpResponse:
    indicator = get_object_or_404(Indicator, code=code)
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            "followup.indicator.edit",
            request=request,
            obj=indicator,
            fields=sorted(form.changed_data),
        )
        messages.success(request, _("%(code)s is saved.") % {"code": indicator.code})
        return redirect("followup_data:catalogue")
    return render(request, TEMPLATES + "indicator_form.html", {"form": form, "indicator": indicator})


# ---------------------------------------------------------------------------------------------- manual values
def _manual_indicator(code: str) -> Indicator:
    return get_object_or_404(Indicator, code=code, source=Indicator.Source.MANUAL)


@role_required(OFFICIAL)
def manual_values(request: HttpRequest, code: str) -> HttpResponse:
    indicator = _manual_indicator(code)
    form = ManualValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        value = form.save(commit=False)
        value.indicator = indicator
        value.entered_by = request.user
        value.save()
        audit.record("followup.manual_value.create", request=request, obj=value, indicator=indicator.code)
        messages.success(request, _("The value is saved."))
        return redirect("followup_data:manual-values", code=indicator.code)
    values = indicator.manual_values.select_related("locality", "entered_by")
    manual = Indicator.objects.filter(source=Indicator.Source.MANUAL)
    return render(
        request,
        TEMPLATES + "manual_values.html",
        {"indicator": indicator, "values": values, "form": form, "manual_indicators": manual},
    )


@role_required(OFFICIAL)
def manual_value_edit(request: HttpRequest, pk: int) -> HttpResponse:
    value = get_object_or_404(ManualValue.objects.select_related("indicator"), pk=pk)
    form = ManualValueForm(request.POST or None, instance=value)
    if request.method == "POST" and form.is_valid():
        form.instance.entered_by = request.user
        form.save()
        audit.record(
            "followup.manual_value.edit", request=request, obj=value, fields=sorted(form.changed_data)
        )
        messages.success(request, _("The value is saved."))
        return redirect("followup_data:manual-values", code=value.indicator.code)
    return render(request, TEMPLATES + "manual_value_form.html", {"form": form, "value": value})


@require_POST
@role_required(OFFICIAL)
def manual_value_delete(request: HttpRequest, pk: int) -> HttpResponse:
    value = get_object_or_404(ManualValue.objects.select_related("indicator"), pk=pk)
    code = value.indicator.code
    audit.record("followup.manual_value.delete", request=request, obj=value, indicator=code)
    value.delete()
    messages.success(request, _("The value is removed."))
    return redirect("followup_data:manual-values", code=code)


# ---------------------------------------------------------------------------------------------- exports
def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(*VIEW_ROLES)
def export(request: HttpRequest, code: str) -> HttpResponse:
    """The form for one indicator's export (no query string) or the file itself (a valid query)."""
    indicator = get_object_or_404(visible_indicators(request.user), code=code)
    date_from, date_to = _default_range()
    if "format" not in request.GET:
        form = ExportForm(
            indicator=indicator,
            initial={"date_from": date_from, "date_to": date_to, "granularity": "quarter", "format": "csv"},
        )
        return render(request, TEMPLATES + "export.html", {"form": form, "indicator": indicator})
    form = ExportForm(request.GET, indicator=indicator)
    if not form.is_valid():
        return render(request, TEMPLATES + "export.html", {"form": form, "indicator": indicator}, status=400)
    data = form.cleaned_data
    splits = supported_splits(indicator) if data["split"] == ALL_SPLITS else [data["split"] or None]
    with shared_evaluation():  # the splits read the same base sets once
        results = [
            evaluate(
                indicator,
                date_from=data["date_from"],
                date_to=data["date_to"],
                granularity=data["granularity"],
                split=split,
                locality=data["locality"],
                sex=data["sex"] or None,
            )
            for split in splits
        ]
    audit.record(
        "followup.export",
        request=request,
        obj=indicator,
        format=data["format"],
        date_from=data["date_from"].isoformat(),
        date_to=data["date_to"].isoformat(),
        split=data["split"],
        locality=data["locality"].slug if data["locality"] else "",
        sex=data["sex"],
    )
    stem = f"{indicator.code}_{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}"
    if data["format"] == "xlsx":
        return _download(exports.indicator_xlsx(results), exports.XLSX_CONTENT_TYPE, f"{stem}.xlsx")
    return _download(exports.indicator_csv(results), exports.CSV_CONTENT_TYPE, f"{stem}.csv")


@require_GET
@role_required(*VIEW_ROLES)
def kolada(request: HttpRequest) -> HttpResponse:
    """Kolada-style values of every indicator the user may see."""
    _first, date_to = _default_range()
    if "format" not in request.GET:
        form = KoladaForm(
            initial={"date_from": date(date_to.year - 1, 1, 1), "date_to": date_to, "format": "csv"}
        )
        return render(request, TEMPLATES + "kolada.html", {"form": form})
    form = KoladaForm(request.GET)
    if not form.is_valid():
        return render(request, TEMPLATES + "kolada.html", {"form": form}, status=400)
    data = form.cleaned_data
    indicators = list(visible_indicators(request.user))
    if not indicators:
        raise Http404
    rows = exports.kolada_rows(
        indicators, date_from=data["date_from"], date_to=data["date_to"], granularity=data["granularity"]
    )
    audit.record(
        "followup.export",
        request=request,
        object_type="followup.indicator",
        format=f"kolada-{data['format']}",
        indicators=[indicator.code for indicator in indicators],
        date_from=data["date_from"].isoformat(),
        date_to=data["date_to"].isoformat(),
    )
    stem = f"kolada_{exports.municipality_code()}_{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}"
    if data["format"] == "json":
        body = json.dumps(exports.kolada_json(rows), ensure_ascii=False, indent=2).encode("utf-8")
        return _download(body, "application/json; charset=utf-8", f"{stem}.json")
    return _download(exports.kolada_csv(rows), exports.CSV_CONTENT_TYPE, f"{stem}.csv")
