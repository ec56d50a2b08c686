"""The follow-up dashboard and indicator pages: aggregates only, small counts suppressed.

Officials see every indicator; coordinators and welfare-tech administrators see their own domain through
the same views, because every list and every lookup goes through ``visible_indicators(user)``. The filter
is a plain GET form, so the pages work without JavaScript and every view can be bookmarked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from portal.models import Locality

from . import charts
from .indicators import (
    SPLIT_LABELS,
    evaluate,
    previous_range,
    shared_evaluation,
    supported_splits,
    visible_indicators,
)
from .models import Indicator

DASHBOARD_ROLES = (Role.OFFICIAL, Role.COORDINATOR, Role.WELFARETECH_ADMIN)
TEMPLATES = "followup/dashboard/"

GRANULARITIES = [
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
    ("year", gettext_lazy("Year")),
]
PERIODS = [
    ("year", gettext_lazy("Whole year")),
    ("Q1", gettext_lazy("Quarter 1 (January–March)")),
    ("Q2", gettext_lazy("Quarter 2 (April–June)")),
    ("Q3", gettext_lazy("Quarter 3 (July–September)")),
    ("Q4", gettext_lazy("Quarter 4 (October–December)")),
]
SEXES = [("", gettext_lazy("Everyone")), ("K", gettext_lazy("Women")), ("M", gettext_lazy("Men"))]


def quarter_range(year: int, quarter: int) -> tuple[date, date]:
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, following - timedelta(days=1)


def last_complete_quarter(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3  # the one before the current
    return (today.year - 1, 4) if quarter == 0 else (today.year, quarter)


# --- Filter ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """What the filter chose: a date range, how to bucket it, and whom to count."""

    date_from: date
    date_to: date
    granularity: str
    locality: Locality | None
    sex: str | None
    label: str

    def evaluate(self, indicator: Indicator, *, split: str | None = None, previous: bool = False):
        date_from, date_to = (
            previous_range(self.date_from, self.date_to) if previous else (self.date_from, self.date_to)
        )
        return evaluate(
            indicator,
            date_from=date_from,
            date_to=date_to,
            granularity=self.granularity,
            split=split,
            locality=self.locality,
            sex=self.sex,
        )


class FilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIODS)
    granularity = forms.ChoiceField(label=gettext_lazy("Trend per"), choices=GRANULARITIES)
    locality = forms.ModelChoiceField(
        label=gettext_lazy("Locality"),
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("The whole municipality"),
        to_field_name="slug",
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=SEXES, required=False)

    def __init__(self, query, *, today: date) -> None:
        year, quarter = last_complete_quarter(today)
        self.defaults = {"year": str(year), "period": f"Q{quarter}", "granularity": "month", "sex": ""}
        super().__init__({**self.defaults, **{key: query[key] for key in query if key in self.base_fields}})
        self.fields["year"].choices = [(y, str(y)) for y in range(today.year, today.year - 8, -1)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("granularity") == "year" and cleaned.get("period", "year") != "year":
            self.add_error("granularity", _("A quarter cannot be shown per year. Choose month or quarter."))
        return cleaned

    def selection(self) -> Selection:
        """The chosen selection, or the default one when the form has errors."""
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or int(self.defaults["year"])
        period = data.get("period") or self.defaults["period"]
        if period == "year":
            date_from, date_to = date(year, 1, 1), date(year, 12, 31)
            label = str(year)
        else:
            date_from, date_to = quarter_range(year, int(period[1]))
            label = _("Quarter %(quarter)s %(year)s") % {"quarter": period[1], "year": year}
        locality = data.get("locality")
        sex = data.get("sex") or None
        if locality:
            label += f", {locality.name}"
        if sex:
            label += ", " + str(dict(SEXES)[sex]).lower()
        return Selection(
            date_from=date_from,
            date_to=date_to,
            granularity=data.get("granularity") or self.defaults["granularity"],
            locality=locality,
            sex=sex,
            label=label,
        )


# --- Comparisons in words --------------------------------------------------------------------------------


def _format(value: Decimal, decimals: int = 1) -> str:
    return number_format(value.quantize(Decimal(10) ** -decimals), decimal_pos=decimals, use_l10n=True)


def _usable(value) -> bool:
    return value is not None and value.value is not None and not value.suppressed


@dataclass(frozen=True)
class Change:
    """The change from one period's value to the next, judged by the indicator's direction."""

    indicator: Indicator
    current: Decimal
    previous: Decimal

    @property
    def delta(self) -> Decimal:
        return self.current - self.previous

    @property
    def relative(self) -> Decimal | None:
        """Change in per cent of the previous value; None when there is nothing to divide by."""
        return None if not self.previous else self.delta / abs(self.previous) * 100

    @property
    def size(self) -> Decimal:
        """How large the change is, for ranking: percentage points for shares, per cent otherwise."""
        if self.indicator.unit == Indicator.Unit.PERCENT:
            return abs(self.delta)
        relative = self.relative
        return abs(relative) if relative is not None else (Decimal(100) if self.delta else Decimal(0))

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"

    @property
    def verdict(self) -> str:
        if self.direction == "same":
            return "same"
        higher_is_better = self.indicator.direction == Indicator.Direction.HIGHER
        return "better" if (self.direction == "up") == higher_is_better else "worse"

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "same": "→"}[self.direction]

    @property
    def amount(self) -> str:
        """The size of the change in words: "12.5 %", "3.0 percentage points" or "5" (from zero)."""
        if self.indicator.unit == Indicator.Unit.PERCENT:
            return _("%(points)s percentage points") % {"points": _format(abs(self.delta))}
        if self.relative is None:
            return _format(abs(self.delta), 0 if self.delta == self.delta.to_integral() else 1)
        return f"{_format(abs(self.relative))} %"

    @property
    def words(self) -> str:
        if self.direction == "same":
            return _("Unchanged since the previous period")
        text = (
            _("Up %(amount)s on the previous period")
            if self.direction == "up"
            else _("Down %(amount)s on the previous period")
        ) % {"amount": self.amount}
        return text + " – " + (_("better") if self.verdict == "better" else _("worse"))


def compare(indicator: Indicator, current, previous) -> Change | None:
    """The change between two values, or None when either is missing or suppressed."""
    if not (_usable(current) and _usable(previous)):
        return None
    return Change(indicator, Decimal(current.value), Decimal(previous.value))


@dataclass(frozen=True)
class Progress:
    """How far the current value has come from the baseline towards the target."""

    percent: int  # 0–100, for the bar
    words: str


def progress(indicator: Indicator, current) -> Progress | None:
    baseline, target = indicator.baseline_value, indicator.target_value
    if baseline is None or target is None or baseline == target or not _usable(current):
        return None
    share = (Decimal(current.value) - baseline) / (target - baseline) * 100
    percent = int(max(Decimal(0), min(Decimal(100), share)))
    if share >= 100:
        words = _("The target is reached.")
    elif share <= 0:
        words = _("No progress from the baseline yet.")
    else:
        words = _("%(percent)s %% of the way from the baseline to the target.") % {"percent": percent}
    return Progress(percent=percent, words=words)


# --- Views -----------------------------------------------------------------------------------------------


@dataclass
class Card:
    indicator: Indicator
    current: object
    change: Change | None
    progress: Progress | None
    trend: str


def _export_links(indicator: Indicator, selection: Selection) -> list[dict]:
    """Links to the export view of the data pages: the chosen selection as CSV and Excel, then its form."""
    url = reverse("followup_data:export", args=[indicator.code])
    query = {
        "date_from": selection.date_from.isoformat(),
        "date_to": selection.date_to.isoformat(),
        "granularity": selection.granularity,
        "split": "",
        "locality": selection.locality.slug if selection.locality else "",
        "sex": selection.sex or "",
    }
    return [
        {"url": f"{url}?{urlencode({**query, 'format': 'csv'})}", "label": _("Download as CSV")},
        {"url": f"{url}?{urlencode({**query, 'format': 'xlsx'})}", "label": _("Download as Excel")},
        {"url": url, "label": _("Choose period, split and file format")},
    ]


class _Page:
    """What both pages share: the filter and the indicators the user may see."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.form = FilterForm(request.GET, today=timezone.localdate())
        self.selection = self.form.selection()

    @cached_property
    def indicators(self) -> list[Indicator]:
        domains = list(Indicator.Domain.values)
        indicators = visible_indicators(self.request.user)
        return sorted(indicators, key=lambda i: (domains.index(i.domain), i.sort_order, i.code))

    def query(self) -> str:
        """The filter's own parameters, to carry the selection between the pages."""
        return urlencode(
            {name: self.request.GET[name] for name in FilterForm.base_fields if name in self.request.GET}
        )


@require_GET
@role_required(*DASHBOARD_ROLES)
@shared_evaluation()  # the cards' periods and indicators share what they read
def dashboard(request: HttpRequest) -> HttpResponse:
    page = _Page(request)
    key = [indicator for indicator in page.indicators if indicator.is_key] or page.indicators
    cards = []
    for indicator in key:
        result = page.selection.evaluate(indicator)
        previous = page.selection.evaluate(indicator, previous=True)
        cards.append(
            Card(
                indicator=indicator,
                current=result.total,
                change=compare(indicator, result.total, previous.total),
                progress=progress(indicator, result.total),
                trend=charts.sparkline(result, title=indicator.name),
            )
        )
    others = [indicator for indicator in page.indicators if indicator not in key]
    return render(
        request,
        TEMPLATES + "dashboard.html",
        {
            "form": page.form,
            "selection": page.selection,
            "cards": cards,
            "others": others,
            "query": page.query(),
        },
    )


@require_GET
@role_required(*DASHBOARD_ROLES)
@shared_evaluation()  # the total, the trend and every split from one read of each base set
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    page = _Page(request)
    indicator = get_object_or_404(visible_indicators(request.user), code=code)
    result = page.selection.evaluate(indicator)
    previous = page.selection.evaluate(indicator, previous=True)
    trend = charts.trend_chart(result, title=indicator.name)
    splits = []
    for split in supported_splits(indicator):
        split_result = page.selection.evaluate(indicator, split=split)
        splits.append(
            charts.split_chart(split_result, title=indicator.name, split_label=str(SPLIT_LABELS[split]))
        )
    return render(
        request,
        TEMPLATES + "indicator.html",
        {
            "form": page.form,
            "selection": page.selection,
            "indicator": indicator,
            "current": result.total,
            "change": compare(indicator, result.total, previous.total),
            "progress": progress(indicator, result.total),
            "trend": trend,
            "splits": splits,
            "exports": _export_links(indicator, page.selection),
            "query": page.query(),
        },
    )


@require_GET
@role_required(*DASHBOARD_ROLES)
@cache_control(max_age=60 * 60 * 24, private=True)
def chart_stylesheet(request: HttpRequest) -> HttpResponse:
    """The charts' stylesheet (see :func:`followup.charts.chart_css`), the same for every chart."""
    return HttpResponse(charts.chart_css(), content_type="text/css; charset=utf-8")
