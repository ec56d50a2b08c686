"""The benefits view: what welfare technology did in a period, computed by database aggregation.

Events are grouped in the database (``values().annotate(Count)``); the catalogue's expected benefit per
event kind is then multiplied in on the grouped rows (a few dozen), never per event. Corrected events
(``superseded``) are left out. Alarm response percentiles use ``percentile_cont`` on PostgreSQL; SQLite has
no percentile aggregate, so there the ordered response minutes are read as one flat list and the
percentile is taken from it (the only per-row Python work, documented fallback for the embedded mode).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)

from .catalogue import BENEFITS
from .models import Device, Event, EventBenefit, EventKind, Fault, TechnologyType

LOCAL = ZoneInfo("Europe/Stockholm")
KIND_TECHNOLOGY = {kind: code for code, kinds in BENEFITS.items() for kind in kinds}
VISIT_REPLACING = [EventKind.CAMERA_CHECK_OK, EventKind.CAMERA_CHECK_RETRIED_OK, EventKind.DIGITAL_VISIT]
SPLITS = {"team": "team__name", "locality": "recipient__locality__name", "sex": "recipient__sex"}


class ResponseMinutes(Func):
    """PostgreSQL: an interval in minutes."""

    template = "EXTRACT(EPOCH FROM %(expressions)s) / 60.0"
    output_field = FloatField()


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expr)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass
class Row:
    label: str
    events: int = 0
    visits_avoided: int = 0
    staff_minutes: Decimal = Decimal(0)
    km: Decimal = Decimal(0)
    doses_taken: int = 0
    doses_missed: int = 0

    @property
    def staff_hours(self) -> Decimal:
        return (self.staff_minutes / 60).quantize(Decimal("0.1"))

    @property
    def missed_per_1000(self) -> Decimal | None:
        scheduled = self.doses_taken + self.doses_missed
        if not scheduled:
            return None
        return (Decimal(self.doses_missed) * 1000 / scheduled).quantize(Decimal("0.1"))


@dataclass
class Benefits:
    date_from: date
    date_to: date
    technologies: list[Row]
    total: Row
    splits: dict[str, list[Row]] = field(default_factory=dict)
    alarm_count: int = 0
    alarm_median_minutes: float | None = None
    alarm_p90_minutes: float | None = None
    devices: int = 0
    faults: int = 0
    mean_repair_hours: float | None = None

    @property
    def faults_per_100_devices(self) -> float | None:
        return round(self.faults * 100 / self.devices, 1) if self.devices else None


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date_from, time.min, tzinfo=LOCAL),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=LOCAL),
    )


def _events(date_from: date, date_to: date) -> QuerySet[Event]:
    start, end = _bounds(date_from, date_to)
    return Event.objects.filter(occurred_at__gte=start, occurred_at__lt=end, superseded=False)


def _add(row: Row, grouped: dict, values: dict[str, tuple[Decimal, Decimal]]) -> None:
    """Add one grouped (kind, count, visits) row's figures to ``row``."""
    kind, count = grouped["kind"], grouped["n"]
    minutes, km = values.get(kind, (Decimal(0), Decimal(0)))
    row.events += count
    row.visits_avoided += grouped["visits"]
    row.staff_minutes += minutes * count
    row.km += km * count
    if kind == EventKind.DOSE_TAKEN:
        row.doses_taken += count
    elif kind == EventKind.DOSE_MISSED:
        row.doses_missed += count


def _benefit_values() -> dict[str, tuple[Decimal, Decimal]]:
    """Expected minutes and km per event kind (a kind belongs to one technology in the catalogue)."""
    return {
        kind: (minutes, km)
        for kind, minutes, km in EventBenefit.objects.values_list(
            "kind", "staff_minutes_saved", "travel_km_avoided"
        )
    }


def _grouped(events: QuerySet[Event], *extra: str) -> QuerySet:
    visits = Count("id", filter=Q(kind__in=VISIT_REPLACING) | Q(replaces_visit=True))
    return events.values("kind", *extra).annotate(n=Count("id"), visits=visits).order_by()


def _percentiles(alarms: QuerySet[Event]) -> tuple[float | None, float | None]:
    if connection.vendor == "postgresql":
        minutes = ResponseMinutes(F("arrived_at") - F("occurred_at"))
        row = alarms.aggregate(median=PercentileCont(minutes, 0.5), p90=PercentileCont(minutes, 0.9))
        return row["median"], row["p90"]
    response = ExpressionWrapper(F("arrived_at") - F("occurred_at"), output_field=DurationField())
    values = [
        d.total_seconds() / 60 for d in alarms.annotate(r=response).order_by("r").values_list("r", flat=True)
    ]
    return _percentile(values, 0.5), _percentile(values, 0.9)


def _percentile(ordered: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def compute(date_from: date, date_to: date) -> Benefits:
    """All figures of the benefits view for the period (inclusive dates, local time)."""
    events = _events(date_from, date_to)
    values = _benefit_values()
    names = dict(TechnologyType.objects.values_list("code", "name_sv"))
    per_technology: dict[str, Row] = {code: Row(names.get(code, code)) for code in BENEFITS}
    other = Row(str(EventKind.DEVICE_FAULT.label))
    total = Row("total")
    for grouped in _grouped(events):
        _add(per_technology.get(KIND_TECHNOLOGY.get(grouped["kind"], ""), other), grouped, values)
        _add(total, grouped, values)
    splits: dict[str, list[Row]] = {}
    for split, path in SPLITS.items():
        rows: dict[str, Row] = {}
        for grouped in _grouped(events, path):
            key = grouped[path] or "–"
            _add(rows.setdefault(key, Row(key)), grouped, values)
        splits[split] = [rows[key] for key in sorted(rows)]

    alarms = events.filter(kind=EventKind.ALARM, arrived_at__isnull=False)
    median, p90 = _percentiles(alarms)
    start, end = _bounds(date_from, date_to)
    faults = Fault.objects.filter(reported_at__gte=start, reported_at__lt=end)
    repair = faults.filter(repaired_at__isnull=False).aggregate(
        mean=Avg(ExpressionWrapper(F("repaired_at") - F("reported_at"), output_field=DurationField()))
    )["mean"]
    technologies = [*per_technology.values()] + ([other] if other.events else [])
    return Benefits(
        date_from=date_from,
        date_to=date_to,
        technologies=technologies,
        total=total,
        splits=splits,
        alarm_count=alarms.count(),
        alarm_median_minutes=round(median, 1) if median is not None else None,
        alarm_p90_minutes=round(p90, 1) if p90 is not None else None,
        devices=Device.objects.exclude(status=Device.Status.RETIRED).count(),
        faults=faults.count(),
        mean_repair_hours=round(repair.total_seconds() / 3600, 1) if repair else None,
    )
