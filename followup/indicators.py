"""Indicator computations: the registry, the result types and :func:`evaluate`.

A computed indicator is a function registered with ``@register("ACT-01", splits=(...))`` in
``followup.computations``. It receives a :class:`Query` (period, grouping, filters) and returns a mapping
``key -> Cell`` computed by database aggregation: the key is ``""`` for the total, a period key
(``"2026-03"``, ``"2026-Q1"``, ``"2026"``) when grouped by period, or a split key (locality slug,
``"central"``/``"countryside"``, ``"K"``/``"M"``, ``"65_74"``/``"75_84"``/``"85_plus"``, a technology code, a
grant programme id). A :class:`Cell` carries the value and the counts it rests on; :func:`evaluate` turns
cells into :class:`Value` objects through :func:`followup.suppression.protect` — the one place where small
numbers are suppressed.

Multi-valued indicators are registered as a main code and a second code, each an :class:`Indicator` row:

* ACT-05 fill rate (%) and ACT-05-WL people on waiting lists (count)
* ASC-02 grants decided (SEK) and ASC-02-PAID grants paid (SEK)
* WT-04 staff hours saved and WT-04-KM travel km avoided
* WT-05 alarm response median and WT-05-P90 the 90th percentile (minutes)
* WT-07 faults per 100 devices and WT-07-MTTR mean time to repair (hours)

Manual (survey) indicators are evaluated from :class:`ManualValue` rows: for a bucket, the latest value
whose period ends inside it; rows with a locality or sex feed the matching split; a value whose sample
size is below 5 is suppressed.

Queries: a computation reads each of its base sets once, grouped at the finest grain it can be split by
(period bucket × locality × area × sex × age band, see :func:`followup.computations.base.cube`), and derives
the total, the periods and every split from those few aggregated rows; plus at most a few small lookups
(localities, population figures). The number of queries does not depend on the amount of data.

Within :func:`shared_evaluation` (the dashboard, the reports, exports of several splits) what is read is
kept and shared by every evaluation inside: the total, the periods and each split of an indicator, and
indicators reading the same base set (all WT event counts come from one query), cost one query together.
Each :func:`evaluate` call is such a scope of its own when it is not inside one. Inside a scope the data
is read as of its first use: do not keep a scope open across writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role
from portal.models import Locality

from . import suppression
from .models import Indicator, ManualValue

LOCAL = ZoneInfo("Europe/Stockholm")
Granularity = Literal["month", "quarter", "year"]
GRANULARITIES = ("month", "quarter", "year")
SPLITS = ("locality", "area", "sex", "age_band")  # area = "central" (not is_rural) vs "countryside"
EXTRA_SPLITS = ("technology", "programme")  # only for the indicators that declare them
SPLIT_LABELS = {
    "locality": _("Locality"),
    "area": _("Central town or countryside"),
    "sex": _("Sex"),
    "age_band": _("Age band"),
    "technology": _("Technology"),
    "programme": _("Grant programme"),
}
AREA_LABELS = {"central": _("Central town"), "countryside": _("Countryside")}
SEX_LABELS = {"K": _("Women"), "M": _("Men"), "T": _("Total")}
AGE_BAND_LABELS = {"65_74": _("65–74"), "75_84": _("75–84"), "85_plus": _("85+")}
THIN_SPACE = "\u202f"
SUMMED_UNITS = ("count", "sek", "hours", "km")


# ---------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Value:
    value: Decimal | None  # None when suppressed or no data
    suppressed: bool = False
    unit: str = "count"

    def display(self) -> str:
        """ "<5" when suppressed, "–" when there is no value, else the number in the active language."""
        if self.suppressed:
            return suppression.SUPPRESSED_TEXT
        if self.value is None:
            return "–"
        return format_value(self.value, self.unit)

    def __str__(self) -> str:
        return self.display()


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: Value


@dataclass(frozen=True)
class Result:
    indicator: Indicator
    date_from: date
    date_to: date  # inclusive
    locality: Locality | None
    sex: str | None  # "K"/"M" or None (= T, total)
    total: Value
    periods: list[Row]
    split: str | None
    rows: list[Row]
    granularity: str = "quarter"

    @property
    def split_label(self) -> str:
        return str(SPLIT_LABELS.get(self.split, "")) if self.split else ""


DECIMALS = {"count": 0, "percent": 1, "rate": 1, "sek": 0, "hours": 1, "km": 0, "minutes": 1}
SUFFIX = {"percent": "\u00a0%", "sek": "\u00a0kr"}


def round_value(value: Decimal | None, unit: str) -> Decimal | None:
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-DECIMALS.get(unit, 1))
    return Decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)


def format_number(value: Decimal, decimals: int) -> str:
    """Thin-space thousands; decimal comma in Swedish, point in English."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}".replace(",", THIN_SPACE)
    if get_language() != "en":
        text = text.replace(".", ",")
    return text


def format_value(value: Decimal, unit: str) -> str:
    return format_number(value, DECIMALS.get(unit, 1)) + SUFFIX.get(unit, "")


# ---------------------------------------------------------------------------------------------- scope
_SCOPE: ContextVar[dict | None] = ContextVar("followup_evaluation_scope", default=None)


@contextmanager
def shared_evaluation() -> Iterator[None]:
    """Evaluations inside share what they read (see the module docstring); nested scopes join the outer."""
    if _SCOPE.get() is not None:
        yield
        return
    token = _SCOPE.set({"now": timezone.now()})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def memo(key, compute: Callable[[], object]):
    """``compute()`` once per key within the current :func:`shared_evaluation` (always outside one).
    The result is shared: callers must not change it."""
    scope = _SCOPE.get()
    if scope is None:
        return compute()
    try:
        return scope[key]
    except KeyError:
        scope[key] = value = compute()
        return value
    except TypeError:  # an unhashable key: nothing to share
        return compute()


def now() -> datetime:
    """The current time, fixed for a scope so that what is read at "now" is read once."""
    scope = _SCOPE.get()
    return scope["now"] if scope is not None else timezone.now()


# ---------------------------------------------------------------------------------------------- query
@dataclass(frozen=True)
class Cell:
    """A computed figure and the counts it rests on (for suppression)."""

    value: Decimal | None
    counts: tuple[int | None, ...] = ()

    @classmethod
    def count(cls, n: int | None) -> Cell:
        n = n or 0
        return cls(Decimal(n), (n,))

    @classmethod
    def ratio(cls, numerator, denominator, factor: int, counts: tuple | None = None) -> Cell:
        """``numerator / denominator * factor``; no value without a denominator."""
        numerator = numerator or 0
        denominator = denominator or 0
        counts = counts if counts is not None else (numerator, denominator)
        if not denominator:
            return cls(None, ())  # nothing to divide by: no data ("–"), not a small number
        return cls(Decimal(numerator) * factor / Decimal(denominator), counts)


@dataclass(frozen=True)
class Query:
    """What a computation is asked: the period, how to group and which filters apply."""

    date_from: date
    date_to: date
    granularity: str = "quarter"
    group: str | None = None  # None: total (key ""); "period"; or a split name
    locality: Locality | None = None
    sex: str | None = None
    _cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time.min, tzinfo=LOCAL)

    @property
    def end(self) -> datetime:
        """Exclusive end instant."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=LOCAL)

    def buckets(self) -> list[tuple[str, date, date]]:
        return period_buckets(self.date_from, self.date_to, self.granularity)

    def key_of(self, value) -> str:
        return period_key(value, self.granularity)


def period_key(value: date | datetime, granularity: str) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(LOCAL)
    if granularity == "month":
        return f"{value.year}-{value.month:02d}"
    if granularity == "quarter":
        return f"{value.year}-Q{(value.month - 1) // 3 + 1}"
    return str(value.year)


def _bucket_start(day: date, granularity: str) -> date:
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def _next_bucket(start: date, granularity: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_buckets(date_from: date, date_to: date, granularity: str) -> list[tuple[str, date, date]]:
    """``(key, first day, last day)`` of each bucket, clipped to ``[date_from, date_to]``."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"Unknown granularity {granularity!r}")
    buckets = []
    start = _bucket_start(date_from, granularity)
    while start <= date_to:
        following = _next_bucket(start, granularity)
        buckets.append(
            (
                period_key(start, granularity),
                max(start, date_from),
                min(following - timedelta(days=1), date_to),
            )
        )
        start = following
    return buckets


def period_label(key: str, granularity: str) -> str:
    if granularity == "month":
        year, month = key.split("-")
        return formats.date_format(date(int(year), int(month), 1), "F Y")
    if granularity == "quarter":
        year, quarter = key.split("-Q")
        return str(_("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year})
    return key


def previous_range(date_from: date, date_to: date) -> tuple[date, date]:
    """The period of the same length just before ``[date_from, date_to]``.

    Whole months, quarters and years map to the previous whole month/quarter/year of the same length
    (e.g. 2026-03-01..2026-03-31 → 2026-02-01..2026-02-28); other ranges are shifted by their length in days.
    """
    if date_from.day == 1 and (date_to + timedelta(days=1)).day == 1:
        after = date_to + timedelta(days=1)
        months = (after.year - date_from.year) * 12 + after.month - date_from.month
        month = date_from.month - 1 - months
        start = date(date_from.year + month // 12, month % 12 + 1, 1)
        return start, date_from - timedelta(days=1)
    length = (date_to - date_from).days + 1
    return date_from - timedelta(days=length), date_from - timedelta(days=1)


# ---------------------------------------------------------------------------------------------- registry
Computation = Callable[[Query], dict[str, Cell]]


@dataclass(frozen=True)
class Registered:
    code: str
    function: Computation
    splits: tuple[str, ...]


REGISTRY: dict[str, Registered] = {}


def register(code: str, *, splits: Iterable[str] = ()) -> Callable[[Computation], Computation]:
    """Register the computation of indicator ``code`` supporting ``splits`` (besides period)."""

    def decorator(function: Computation) -> Computation:
        REGISTRY[code] = Registered(code, function, tuple(splits))
        return function

    return decorator


def registry() -> dict[str, Registered]:
    from . import computations  # noqa: F401  (registers on import)

    return REGISTRY


def supported_splits(indicator: Indicator) -> tuple[str, ...]:
    if indicator.is_manual:
        return tuple(indicator.splits)
    entry = registry().get(indicator.code)
    return entry.splits if entry else ()


# ---------------------------------------------------------------------------------------------- keys
def split_keys(split: str) -> list[tuple[str, str]]:
    """The rows of a split in display order, ``(key, label)``."""
    if split == "locality":
        return [(slug, name) for slug, name in Locality.objects.values_list("slug", "name")]
    if split == "area":
        return [(key, str(label)) for key, label in AREA_LABELS.items()]
    if split == "sex":
        return [("K", str(SEX_LABELS["K"])), ("M", str(SEX_LABELS["M"]))]
    if split == "age_band":
        return [(key, str(label)) for key, label in AGE_BAND_LABELS.items()]
    if split == "technology":
        from welfaretech.models import TechnologyType

        english = get_language() == "en"
        return [
            (code, en if english else sv)
            for code, sv, en in TechnologyType.objects.values_list("code", "name_sv", "name_en")
        ]
    if split == "programme":
        from associations.models import GrantProgramme

        return [(str(pk), name) for pk, name in GrantProgramme.objects.values_list("pk", "name")]
    raise ValueError(f"Unknown split {split!r}")


# ---------------------------------------------------------------------------------------------- evaluate
def _indicator(indicator: Indicator | str) -> Indicator:
    if isinstance(indicator, Indicator):
        return indicator
    return Indicator.objects.get(code=indicator)


def _value(cell: Cell | None, unit: str) -> Value:
    if cell is None:
        # Nothing in the database for this key: a count or sum of nothing is 0 (and so below 5); a
        # rate, share or time has no value at all.
        cell = Cell.count(0) if unit in SUMMED_UNITS else Cell(None, ())
    return suppression.protect(round_value(cell.value, unit), cell.counts, unit)


def evaluate(
    indicator: Indicator | str,
    *,
    date_from: date,
    date_to: date,
    granularity: Granularity = "quarter",
    split: str | None = None,
    locality: Locality | None = None,
    sex: str | None = None,
) -> Result:
    """The indicator's total, one row per period bucket and the rows of ``split``, all suppressed where
    small. Raises ``ValueError`` for a split the indicator does not support or an unknown granularity."""
    with shared_evaluation():
        return _evaluate(
            indicator,
            date_from=date_from,
            date_to=date_to,
            granularity=granularity,
            split=split,
            locality=locality,
            sex=sex,
        )


def _evaluate(
    indicator: Indicator | str,
    *,
    date_from: date,
    date_to: date,
    granularity: str,
    split: str | None,
    locality: Locality | None,
    sex: str | None,
) -> Result:
    indicator = _indicator(indicator)
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    if granularity not in GRANULARITIES:
        raise ValueError(f"Unknown granularity {granularity!r}")
    if sex not in (None, "K", "M"):
        raise ValueError(f"Unknown sex {sex!r}")
    if split is not None and split not in supported_splits(indicator):
        raise ValueError(f"{indicator.code} cannot be split by {split!r}")
    base = Query(date_from, date_to, granularity, None, locality, sex)
    if indicator.is_manual:
        compute: Computation = _manual(indicator)
    else:
        entry = registry().get(indicator.code)
        if entry is None:
            raise ValueError(f"No computation registered for {indicator.code}")
        compute = entry.function
    unit = indicator.unit

    def grouped(group: str | None) -> dict[str, Cell]:
        return compute(Query(date_from, date_to, granularity, group, locality, sex, base._cache))

    total = _value(grouped(None).get(""), unit)
    by_period = grouped("period")
    periods = [
        Row(key, period_label(key, granularity), _value(by_period.get(key), unit))
        for key, _first, _last in base.buckets()
    ]
    rows: list[Row] = []
    if split:
        cells = grouped(split)
        known = memo(("split_keys", split, get_language()), lambda: split_keys(split))
        rows = [Row(key, label, _value(cells.get(key), unit)) for key, label in known]
        listed = {key for key, _label in known}
        rows += [Row(key, key, _value(cell, unit)) for key, cell in cells.items() if key not in listed]
    return Result(
        indicator=indicator,
        date_from=date_from,
        date_to=date_to,
        locality=locality,
        sex=sex,
        total=total,
        periods=periods,
        split=split,
        rows=rows,
        granularity=granularity,
    )


def _manual(indicator: Indicator) -> Computation:
    """Manual values: per bucket the latest value whose period ends in it (one query per grouping)."""

    def compute(q: Query) -> dict[str, Cell]:
        values = ManualValue.objects.filter(
            indicator=indicator, period_end__gte=q.date_from, period_end__lte=q.date_to
        ).order_by("period_end", "id")
        if q.group != "locality":
            values = (
                values.filter(locality=q.locality) if q.locality else values.filter(locality__isnull=True)
            )
        if q.group != "sex":
            values = values.filter(sex=q.sex or "")
        if q.group == "locality":
            values = values.exclude(locality__isnull=True)
        if q.group == "sex":
            values = values.exclude(sex="")
        cells: dict[str, Cell] = {}
        rows = values.values_list("period_end", "value", "sample_size", "locality__slug", "sex")
        for period_end, value, sample_size, locality_slug, sex in rows:  # few rows: one per survey wave
            if q.group == "period":
                key = q.key_of(period_end)
            elif q.group == "locality":
                key = locality_slug
            elif q.group == "sex":
                key = sex
            else:
                key = ""
            cells[key] = Cell(value, (sample_size,))  # latest wins (ordered by period end)
        return cells

    return compute


# ---------------------------------------------------------------------------------------------- access
DOMAINS_BY_ROLE = {
    Role.OFFICIAL: None,  # all
    Role.COORDINATOR: (Indicator.Domain.ACTIVITIES, Indicator.Domain.ASSOCIATIONS),
    Role.WELFARETECH_ADMIN: (Indicator.Domain.WELFARETECH,),
}


def visible_domains(user) -> set[str] | None:
    """The domains ``user`` may see; ``None`` means all (officials), an empty set nothing."""
    if has_role(user, Role.OFFICIAL):
        return None
    domains: set[str] = set()
    if has_role(user, Role.COORDINATOR):
        domains.update(DOMAINS_BY_ROLE[Role.COORDINATOR])
    if has_role(user, Role.WELFARETECH_ADMIN):
        domains.update(DOMAINS_BY_ROLE[Role.WELFARETECH_ADMIN])
    return domains


def visible_indicators(user) -> QuerySet[Indicator]:
    """Officials: every indicator; coordinators: activities and associations; welfare-tech administrators:
    welfare technology; everyone else (including system administrators): none."""
    domains = visible_domains(user)
    if domains is None:
        return Indicator.objects.all()
    return Indicator.objects.filter(domain__in=domains)


def can_edit(user) -> bool:
    """Baselines, targets, owners, population figures and manual values: officials only."""
    return has_role(user, Role.OFFICIAL)


VIEW_ROLES = (Role.OFFICIAL, Role.COORDINATOR, Role.WELFARETECH_ADMIN)
__all__ = [
    "SPLITS",
    "Cell",
    "Granularity",
    "Query",
    "Result",
    "Row",
    "Value",
    "evaluate",
    "previous_range",
    "register",
    "visible_indicators",
]
