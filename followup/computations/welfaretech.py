"""WT-*: welfare technology, from logged events, assignments, devices, faults and training records.

Events count when not ``superseded`` (a correction replaces them). An event's locality, sex and age are its
care recipient's; the age is the event's year minus the birth year (recipients under 65 count in totals
only). Rates use population figures for 80+ (bands 80–84 and 85+).

* WT-01 recipients with an assignment overlapping the period, per 1,000 inhabitants 80+ (all recipients
  are counted in the numerator, whatever their age; the technology split shows each technology).
The event indicators (WT-02, WT-03, WT-04, WT-04-KM, WT-06) all read one cube of the period's events:
counts per period bucket × locality × area × sex × age band × event kind (:func:`_event_cube`), one query
for all of them, their totals, periods and splits. WT-05 and WT-05-P90 read one query together.

* WT-02 camera checks performed: first attempts (``camera_check_ok`` + ``camera_check_not_seen``).
* WT-03 of those, the share completed digitally (``camera_check_ok`` + ``camera_check_retried_ok``).
* WT-04 / WT-04-KM events times the catalogue's expected minutes (as hours) / km per event kind: the
  events of each kind are counted in the database and multiplied by the kind's amount (exact decimals);
  suppressed when fewer than 5 events lie behind it.
* WT-05 / WT-05-P90 median / 90th percentile of minutes from alarm to arrival (alarms with an arrival).
  PostgreSQL: ``percentile_cont`` over ``GROUPING SETS`` (total, period, each split: one query);
  SQLite has none, so there the ordered minutes with their keys are read once and the percentiles taken
  in Python — the one documented per-row exception, embedded mode only.
* WT-06 missed doses per 1,000 logged doses (taken + missed).
* WT-07 faults reported in the period per 100 devices not retired (today's stock); WT-07-MTTR mean hours
  from report to repair for those repaired.
* WT-08 home-care staff (active users) with a training record valid at the period's (bucket's) end.
* WT-09 recipients aged 80+ at the period's end, in their own home, with a GPS-alarm assignment
  overlapping the period, per 100 inhabitants 80+.
"""

from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    When,
)
from django.db.models import Value as V

from accounts.roles import Role
from welfaretech.benefits import ResponseMinutes, _percentile
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

from ..indicators import LOCAL, Cell, Query, memo, register
from .base import (
    BANDS_80,
    area_key,
    bucket_expr,
    cube,
    grouped,
    localities,
    per_bucket,
    population,
    query_key,
)

ALL_SPLITS = ("locality", "area", "sex", "age_band")
PLACE_SEX = ("locality", "area", "sex")
FIRST_CHECKS = (EventKind.CAMERA_CHECK_OK, EventKind.CAMERA_CHECK_NOT_SEEN)
DIGITAL_CHECKS = (EventKind.CAMERA_CHECK_OK, EventKind.CAMERA_CHECK_RETRIED_OK)


AGE_BANDS = ("65_74", "75_84", "85_plus")  # coded 0, 1, 2 in the cube


def _band(year: int):
    """The age band (index in AGE_BANDS) of the event's recipient in ``year``; NULL under 65 or without
    a recipient."""
    born = "recipient__birth_year__lte"
    return Case(
        When(**{born: year - 85}, then=V(2)),
        When(**{born: year - 75}, then=V(1)),
        When(**{born: year - 65}, then=V(0)),
        default=None,
        output_field=IntegerField(),
    )


def _age_band(q: Query):
    """Age in the event's (local) year: one band expression per calendar year of the period."""
    years = list(range(q.date_from.year, q.date_to.year + 1))
    if len(years) == 1:
        return _band(years[0])
    whens = [
        When(occurred_at__lt=datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=LOCAL), then=_band(year))
        for year in years[:-1]
    ]
    return Case(*whens, default=_band(years[-1]), output_field=IntegerField())


def _events(q: Query) -> QuerySet:
    events = Event.objects.filter(occurred_at__gte=q.start, occurred_at__lt=q.end, superseded=False)
    if q.locality is not None:
        events = events.filter(recipient__locality=q.locality)
    if q.sex:
        events = events.filter(recipient__sex=q.sex)
    return events


EVENT_DIMS = {"locality": "recipient__locality", "sex": "recipient__sex"}


def _event_cube(q: Query) -> list[dict]:
    """Events per period bucket, locality (and area), sex, age band and kind: one query per scope."""
    dims = {**EVENT_DIMS, "age_band": _age_band(q), "kind": "kind"}
    aggregates = {"n": Count("id")}
    return cube(
        _events(q),
        q,
        aggregates,
        time_field="occurred_at",
        dims=dims,
        codes={"age_band": AGE_BANDS},
        name="events",
    )


def _kind_counts(q: Query, kinds) -> dict[str, dict[str, int]]:
    """``{key: {kind: events}}`` for the events of ``kinds`` per key of ``q.group`` (keys without such
    events are left out, except the total)."""
    kinds = set(kinds)
    result: dict[str, dict[str, int]] = {"": {}} if q.group is None else {}
    column = None if q.group is None else f"g_{q.group}"
    for row in _event_cube(q):
        if column is not None and column not in row:
            raise ValueError(f"Cannot group by {q.group!r}")
        key = "" if column is None else row[column]
        if key is None or row["g_kind"] not in kinds:
            continue
        counts = result.setdefault(str(key), {})
        counts[row["g_kind"]] = counts.get(row["g_kind"], 0) + row["n"]
    return result


def _sum(counts: dict[str, int], kinds) -> int:
    return sum(counts.get(kind, 0) for kind in kinds)


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
    rows = _kind_counts(q, FIRST_CHECKS)
    return {key: Cell.count(_sum(counts, FIRST_CHECKS)) for key, counts in rows.items()}


@register("WT-03", splits=ALL_SPLITS)
def night_checks_digital(q: Query) -> dict[str, Cell]:
    rows = _kind_counts(q, {*FIRST_CHECKS, *DIGITAL_CHECKS})
    return {
        key: Cell.ratio(_sum(counts, DIGITAL_CHECKS), _sum(counts, FIRST_CHECKS), 100)
        for key, counts in rows.items()
    }


# ---------------------------------------------------------------------------------------------- WT-04
def _benefit(q: Query, field: str, divisor: int) -> dict[str, Cell]:
    def amounts() -> dict[str, Decimal]:
        per_kind: dict[str, Decimal] = {}
        for kind, amount in EventBenefit.objects.values_list("kind", field):
            if amount:
                per_kind[kind] = amount  # a kind belongs to one technology in the catalogue
        return per_kind

    per_kind = memo(("benefits", field), amounts)
    if not per_kind:
        return {}
    cells = {}
    for key, counts in _kind_counts(q, per_kind).items():
        total = sum((Decimal(n) * per_kind[kind] for kind, n in counts.items()), Decimal(0))
        cells[key] = Cell(total / divisor, (sum(counts.values()),))
    return cells


@register("WT-04", splits=ALL_SPLITS)
def staff_hours_saved(q: Query) -> dict[str, Cell]:
    return _benefit(q, "staff_minutes_saved", 60)


@register("WT-04-KM", splits=ALL_SPLITS)
def km_avoided(q: Query) -> dict[str, Cell]:
    return _benefit(q, "travel_km_avoided", 1)


# ---------------------------------------------------------------------------------------------- WT-05
RESPONSE_GROUPS = ("period", "locality", "area", "sex")
FRACTIONS = (0.5, 0.9)


def _responses(q: Query) -> dict[tuple[str | None, str], tuple[list[float | None], int]]:
    """``{(group, key): ([median, p90], alarms)}`` for the total (``(None, "")``), the periods and every
    split of WT-05, in one query per scope."""
    alarms = _events(q).filter(kind=EventKind.ALARM, arrived_at__isnull=False).order_by()
    dims = {
        "period": bucket_expr("occurred_at", q),
        "locality": F("recipient__locality"),
        "area": F("recipient__locality__is_rural"),
        "sex": F("recipient__sex"),
    }
    keyed = alarms.annotate(**{f"g_{name}": expression for name, expression in dims.items()})
    columns = [f"g_{name}" for name in RESPONSE_GROUPS]
    buckets = [key for key, _first, _last in q.buckets()]

    def decode(group: str, key) -> str | None:
        if key is None:
            return None
        if group == "period":
            return buckets[key]
        if group == "locality":
            return localities().get(key, (None, None))[0]
        if group == "area":
            return area_key(key)
        return str(key)

    if connection.vendor == "postgresql":
        inner = keyed.annotate(g_minutes=ResponseMinutes(F("arrived_at") - F("occurred_at")))
        inner = inner.values(*columns, "g_minutes")
        sql, params = inner.query.sql_with_params()
        quoted = [connection.ops.quote_name(column) for column in columns]
        minutes = connection.ops.quote_name("g_minutes")
        percentiles = ", ".join(
            f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {minutes})" for fraction in FRACTIONS
        )
        groupings = ", ".join(f"GROUPING({column})" for column in quoted)
        sets = ", ".join(f"({column})" for column in quoted)
        # Identifiers are our own constants and every value is a parameter of the ORM's inner query.
        template = "SELECT {}, {}, {}, COUNT(*) FROM ({}) AS alarms GROUP BY GROUPING SETS ((), {})"
        statement = template.format(groupings, ", ".join(quoted), percentiles, sql, sets)

        def read() -> dict:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                rows = cursor.fetchall()
            size = len(columns)
            result = {}
            for row in rows:
                grouping, keys = row[:size], row[size : 2 * size]
                values, n = list(row[2 * size : 2 * size + len(FRACTIONS)]), row[-1]
                group = next((RESPONSE_GROUPS[i] for i, g in enumerate(grouping) if g == 0), None)
                key = "" if group is None else decode(group, keys[RESPONSE_GROUPS.index(group)])
                if key is not None:
                    result[(group, key)] = (values, n)
            return result

        return memo(("responses", *query_key(q)), read)
    # SQLite: no percentile aggregate — read the ordered minutes with their keys once.
    response = ExpressionWrapper(F("arrived_at") - F("occurred_at"), output_field=DurationField())
    ordered = keyed.annotate(r=response).order_by("r").values_list(*columns, "r")

    def collect() -> dict:
        values: dict[tuple[str | None, str], list[float]] = defaultdict(list)
        for *keys, duration in ordered:
            minutes = duration.total_seconds() / 60
            values[(None, "")].append(minutes)
            for group, code in zip(RESPONSE_GROUPS, keys, strict=True):
                key = decode(group, code)
                if key is not None:
                    values[(group, key)].append(minutes)
        return {
            key: ([_percentile(sorted_values, fraction) for fraction in FRACTIONS], len(sorted_values))
            for key, sorted_values in values.items()
        }

    return memo(("responses", *query_key(q)), collect)


def _response(q: Query, fraction: float) -> dict[str, Cell]:
    index = FRACTIONS.index(fraction)
    return {
        key: Cell(_decimal(values[index]), (n,))
        for (group, key), (values, n) in _responses(q).items()
        if group == q.group
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
    doses = (EventKind.DOSE_MISSED, EventKind.DOSE_TAKEN)
    return {
        key: Cell.ratio(counts.get(EventKind.DOSE_MISSED, 0), _sum(counts, doses), 1000)
        for key, counts in _kind_counts(q, doses).items()
    }


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
