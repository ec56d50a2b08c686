"""WT-*: welfare technology, from logged events, assignments, devices, faults and training records.

Events count when not ``superseded`` (a correction replaces them). An event's locality, sex and age are its
care recipient's; the age is the event's year minus the birth year (recipients under 65 count in totals
only). Rates use population figures for 80+ (bands 80–84 and 85+).

* WT-01 recipients with an assignment overlapping the period, per 1,000 inhabitants 80+ (all recipients
  are counted in the numerator, whatever their age; the technology split shows each technology).
* WT-02 camera checks performed: first attempts (``camera_check_ok`` + ``camera_check_not_seen``).
* WT-03 of those, the share completed digitally (``camera_check_ok`` + ``camera_check_retried_ok``).
* WT-04 / WT-04-KM events times the catalogue's expected minutes (as hours) / km per event kind, summed in
  the database with a CASE over the (few) event kinds; suppressed when fewer than 5 events lie behind it.
* WT-05 / WT-05-P90 median / 90th percentile of minutes from alarm to arrival (alarms with an arrival).
  PostgreSQL: ``percentile_cont``; SQLite has none, so there the ordered (group, minutes) pairs are read
  and the percentile taken in Python — the one documented per-row exception, embedded mode only.
* WT-06 missed doses per 1,000 logged doses (taken + missed).
* WT-07 faults reported in the period per 100 devices not retired (today's stock); WT-07-MTTR mean hours
  from report to repair for those repaired.
* WT-08 home-care staff (active users) with a training record valid at the period's (bucket's) end.
* WT-09 recipients aged 80+ at the period's end, in their own home, with a GPS-alarm assignment
  overlapping the period, per 100 inhabitants 80+.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce, ExtractYear

from accounts.roles import Role
from welfaretech.benefits import PercentileCont, ResponseMinutes, _percentile
from welfaretech.models import (
    Assignment,
    Device,
    Event,
    EventBenefit,
    EventKind,
    Fault,
    TechnologyType,
    TrainingRecord,
)

from ..indicators import LOCAL, Cell, Query, register
from .base import BANDS_80, group_expression, group_key, grouped, per_bucket, population

ALL_SPLITS = ("locality", "area", "sex", "age_band")
PLACE_SEX = ("locality", "area", "sex")
FIRST_CHECKS = (EventKind.CAMERA_CHECK_OK, EventKind.CAMERA_CHECK_NOT_SEEN)
DIGITAL_CHECKS = (EventKind.CAMERA_CHECK_OK, EventKind.CAMERA_CHECK_RETRIED_OK)


def _age_band(age: str):
    return Case(
        When(**{f"{age}__gte": 85}, then=V("85_plus")),
        When(**{f"{age}__gte": 75}, then=V("75_84")),
        When(**{f"{age}__gte": 65}, then=V("65_74")),
        default=None,
        output_field=CharField(),
    )


def _events(q: Query) -> QuerySet:
    events = Event.objects.filter(occurred_at__gte=q.start, occurred_at__lt=q.end, superseded=False)
    if q.locality is not None:
        events = events.filter(recipient__locality=q.locality)
    if q.sex:
        events = events.filter(recipient__sex=q.sex)
    if q.group == "age_band":
        events = events.annotate(age=ExtractYear("occurred_at", tzinfo=LOCAL) - F("recipient__birth_year"))
    return events


def _event_how(q: Query) -> dict:
    return {
        "time_field": "occurred_at",
        "locality": "recipient__locality",
        "extra": {
            "sex": F("recipient__sex"),
            "age_band": _age_band("age") if q.group == "age_band" else None,
        },
    }


def _group_events(q: Query, aggregates: dict, kinds) -> dict[str, dict]:
    """Aggregate the events of ``kinds`` (narrowing first lets the (kind, occurred_at) index work)."""
    return grouped(_events(q).filter(kind__in=list(kinds)), q, aggregates, **_event_how(q))


# ---------------------------------------------------------------------------------------------- WT-01
def _assignments(q: Query, first: date | None = None, last: date | None = None) -> Q:
    """Assignments overlapping ``[first, last]`` (the whole period by default)."""
    first, last = first or q.date_from, last or q.date_to
    return Q(starts_on__lte=last) & (Q(ends_on__isnull=True) | Q(ends_on__gte=first))


def _recipients_rate(q: Query, base: QuerySet, bands, factor: int, overlap, extra_filter=None) -> dict:
    """Distinct recipients of ``base`` (assignments) per ``factor`` inhabitants in ``bands``, per group."""
    if q.locality is not None:
        base = base.filter(recipient__locality=q.locality)
    if q.sex:
        base = base.filter(recipient__sex=q.sex)
    inhabitants = population(q, bands)
    if q.group == "period":

        def measure(first: date, last: date):
            condition = overlap(first, last)
            if extra_filter is not None:
                condition &= extra_filter(last)
            return Count("recipient", distinct=True, filter=condition)

        counts = per_bucket(base, q, measure)
    else:
        condition = overlap(q.date_from, q.date_to)
        if extra_filter is not None:
            condition &= extra_filter(q.date_to)
        filtered = base.filter(condition)
        how = {
            "time_field": "starts_on",
            "locality": "recipient__locality",
            "extra": {"sex": F("recipient__sex"), "technology": F("technology__code")},
        }
        rows = grouped(filtered, q, {"n": Count("recipient", distinct=True)}, **how)
        counts = {key: row["n"] for key, row in rows.items()}
    keys = set(counts) | (set(inhabitants) - {"*"})
    if q.group == "technology":  # every technology in the catalogue, also those nobody has
        keys |= set(TechnologyType.objects.values_list("code", flat=True))
    cells = {}
    for key in keys:
        n = counts.get(key, 0)
        denominator = inhabitants.get(key, inhabitants.get("*", 0))
        cells[key] = Cell.ratio(n, denominator, factor)
    return cells


@register("WT-01", splits=("locality", "area", "sex", "technology"))
def recipients_per_1000(q: Query) -> dict[str, Cell]:
    return _recipients_rate(
        q,
        Assignment.objects.all(),
        BANDS_80,
        1000,
        lambda first, last: _assignments(q, first, last),
    )


@register("WT-09", splits=PLACE_SEX)
def gps_alarm_share(q: Query) -> dict[str, Cell]:
    return _recipients_rate(
        q,
        Assignment.objects.filter(technology__code="gps_alarm", recipient__housing="own_home"),
        BANDS_80,
        100,
        lambda first, last: _assignments(q, first, last),
        extra_filter=lambda last: Q(recipient__birth_year__lte=last.year - 80),
    )


# ---------------------------------------------------------------------------------------------- WT-02/03
@register("WT-02", splits=ALL_SPLITS)
def night_checks(q: Query) -> dict[str, Cell]:
    rows = _group_events(q, {"n": Count("id")}, FIRST_CHECKS)
    return {key: Cell.count(row["n"]) for key, row in rows.items()}


@register("WT-03", splits=ALL_SPLITS)
def night_checks_digital(q: Query) -> dict[str, Cell]:
    aggregates = {
        "checks": Count("id", filter=Q(kind__in=FIRST_CHECKS)),
        "digital": Count("id", filter=Q(kind__in=DIGITAL_CHECKS)),
    }
    rows = _group_events(q, aggregates, {*FIRST_CHECKS, *DIGITAL_CHECKS})
    return {key: Cell.ratio(row["digital"], row["checks"], 100) for key, row in rows.items()}


# ---------------------------------------------------------------------------------------------- WT-04
def _benefit(q: Query, field: str, divisor: int) -> dict[str, Cell]:
    per_kind: dict[str, Decimal] = {}
    for kind, amount in EventBenefit.objects.values_list("kind", field):
        if amount:
            per_kind[kind] = amount  # a kind belongs to one technology in the catalogue
    if not per_kind:
        return {}
    amount = Case(
        *[When(kind=kind, then=V(value)) for kind, value in per_kind.items()],
        default=V(Decimal(0)),
        output_field=DecimalField(max_digits=12, decimal_places=1),
    )
    aggregates = {
        "total": Coalesce(Sum(amount), V(Decimal(0))),
        "n": Count("id", filter=Q(kind__in=per_kind)),
    }
    rows = _group_events(q, aggregates, per_kind)
    return {key: Cell(Decimal(row["total"]) / divisor, (row["n"],)) for key, row in rows.items()}


@register("WT-04", splits=ALL_SPLITS)
def staff_hours_saved(q: Query) -> dict[str, Cell]:
    return _benefit(q, "staff_minutes_saved", 60)


@register("WT-04-KM", splits=ALL_SPLITS)
def km_avoided(q: Query) -> dict[str, Cell]:
    return _benefit(q, "travel_km_avoided", 1)


# ---------------------------------------------------------------------------------------------- WT-05
def _response(q: Query, fraction: float) -> dict[str, Cell]:
    alarms = _events(q).filter(kind=EventKind.ALARM, arrived_at__isnull=False)
    how = _event_how(q)
    expression = group_expression(q, **how)
    if connection.vendor == "postgresql":
        minutes = ResponseMinutes(F("arrived_at") - F("occurred_at"))
        rows = grouped(alarms, q, {"p": PercentileCont(minutes, fraction), "n": Count("id")}, **how)
        return {key: Cell(_decimal(row["p"]), (row["n"],)) for key, row in rows.items()}
    # SQLite: no percentile aggregate — read the ordered (group, response) pairs.
    response = ExpressionWrapper(F("arrived_at") - F("occurred_at"), output_field=DurationField())
    alarms = alarms.annotate(r=response, grp=expression if expression is not None else V(""))
    values: dict[str, list[float]] = defaultdict(list)
    for key, duration in alarms.order_by("grp", "r").values_list("grp", "r"):
        key = group_key(q, key) if expression is not None else ""
        if key is not None:
            values[key].append(duration.total_seconds() / 60)
    return {
        key: Cell(_decimal(_percentile(ordered, fraction)), (len(ordered),))
        for key, ordered in values.items()
    }


def _decimal(number: float | None) -> Decimal | None:
    return None if number is None else Decimal(str(round(number, 4)))


@register("WT-05", splits=PLACE_SEX)
def alarm_response_median(q: Query) -> dict[str, Cell]:
    return _response(q, 0.5)


@register("WT-05-P90", splits=PLACE_SEX)
def alarm_response_p90(q: Query) -> dict[str, Cell]:
    return _response(q, 0.9)


# ---------------------------------------------------------------------------------------------- WT-06
@register("WT-06", splits=ALL_SPLITS)
def missed_doses(q: Query) -> dict[str, Cell]:
    aggregates = {
        "missed": Count("id", filter=Q(kind=EventKind.DOSE_MISSED)),
        "doses": Count("id", filter=Q(kind__in=(EventKind.DOSE_MISSED, EventKind.DOSE_TAKEN))),
    }
    rows = _group_events(q, aggregates, (EventKind.DOSE_MISSED, EventKind.DOSE_TAKEN))
    return {key: Cell.ratio(row["missed"], row["doses"], 1000) for key, row in rows.items()}


# ---------------------------------------------------------------------------------------------- WT-07
def _faults(q: Query) -> QuerySet:
    faults = Fault.objects.filter(reported_at__gte=q.start, reported_at__lt=q.end)
    if q.locality is not None:
        faults = faults.filter(device__recipient__locality=q.locality)
    return faults


FAULT_HOW = {
    "time_field": "reported_at",
    "locality": "device__recipient__locality",
    "extra": {"technology": F("device__technology__code")},
}


@register("WT-07", splits=("technology",))
def faults_per_100(q: Query) -> dict[str, Cell]:
    faults = grouped(_faults(q), q, {"n": Count("id")}, **FAULT_HOW)
    devices = Device.objects.exclude(status=Device.Status.RETIRED)
    if q.locality is not None:
        devices = devices.filter(recipient__locality=q.locality)
    if q.group == "technology":
        stock = dict(
            devices.values("technology__code")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("technology__code", "n")
        )
    else:
        total = devices.count()
        keys = [key for key, _f, _l in q.buckets()] if q.group == "period" else [""]
        stock = dict.fromkeys(keys, total)
    return {
        key: Cell.ratio(faults.get(key, {}).get("n", 0), stock.get(key, 0), 100)
        for key in set(faults) | set(stock)
    }


@register("WT-07-MTTR", splits=("technology",))
def mean_time_to_repair(q: Query) -> dict[str, Cell]:
    repair = ExpressionWrapper(F("repaired_at") - F("reported_at"), output_field=DurationField())
    repaired = _faults(q).filter(repaired_at__isnull=False)
    rows = grouped(repaired, q, {"mean": Avg(repair), "n": Count("id")}, **FAULT_HOW)
    return {
        key: Cell(
            None if row["mean"] is None else Decimal(row["mean"].total_seconds()) / 3600,
            (row["n"],),
        )
        for key, row in rows.items()
    }


# ---------------------------------------------------------------------------------------------- WT-08
@register("WT-08", splits=())
def staff_trained(q: Query) -> dict[str, Cell]:
    staff = get_user_model().objects.filter(groups__name=Role.HOMECARE_STAFF, is_active=True)
    valid_ids = TrainingRecord.objects.values("user_id")

    def trained(day: date):
        return Count(
            "id",
            distinct=True,
            filter=Q(
                id__in=valid_ids.filter(completed_on__lte=day, valid_until__gte=day),
            ),
        )

    if q.group == "period":
        row = staff.aggregate(
            everyone=Count("id", distinct=True),
            **{f"b{i}": trained(last) for i, (_key, _first, last) in enumerate(q.buckets())},
        )
        return {
            key: Cell.ratio(row[f"b{i}"], row["everyone"], 100) for i, (key, _f, _l) in enumerate(q.buckets())
        }
    row = staff.aggregate(everyone=Count("id", distinct=True), trained=trained(q.date_to))
    return {"": Cell.ratio(row["trained"], row["everyone"], 100)}
