"""ACT-*: activity occurrences, participant sessions and sign-ups.

An occurrence is *held* when it is not cancelled, its activity was published (not a draft or waiting for
review) and it started inside the period and before now. Sign-ups (ACT-05, ACT-05-WL) also count
occurrences of the period that have not started yet: their sign-ups are what there is to measure.
An occurrence's place is its own meeting place,
otherwise the activity's; online-only activities have no locality and count only in totals.
Participant sessions come from :class:`activities.models.Attendance`: the total counts everyone (including
"others": under 65 or unknown), the sex and age splits and every rate count participants 65+ only.
"""

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from activities.models import Activity, Attendance, Occurrence, Registration

from ..indicators import Cell, Query, now, register
from .base import cube, population, rollup

PLACE_SPLITS = ("locality", "area")
ALL_SPLITS = ("locality", "area", "sex", "age_band")
WOMEN = ("women_65_74", "women_75_84", "women_85_plus")
MEN = ("men_65_74", "men_75_84", "men_85_plus")
BAND_COLUMNS = {
    "65_74": ("women_65_74", "men_65_74"),
    "75_84": ("women_75_84", "men_75_84"),
    "85_plus": ("women_85_plus", "men_85_plus"),
}
COLUMNS = (*WOMEN, *MEN, "others")


def _held(model, q: Query, prefix: str = "", *, upcoming: bool = False) -> QuerySet:
    """Rows of ``model`` (Occurrence, or a model reaching one through ``prefix``) for occurrences held
    (with ``upcoming``: also those not yet started)."""
    p = prefix
    end = q.end if upcoming else min(q.end, now())
    qs = model.objects.filter(
        **{f"{p}is_cancelled": False, f"{p}starts_at__gte": q.start, f"{p}starts_at__lt": end}
    ).exclude(**{f"{p}activity__status__in": [Activity.Status.DRAFT, Activity.Status.PENDING]})
    if q.locality is not None:
        qs = qs.filter(
            Q(**{f"{p}place__locality": q.locality})
            | Q(**{f"{p}place__isnull": True, f"{p}activity__place__locality": q.locality})
        )
    return qs


def _locality(p: str):
    """The occurrence's locality id: its own meeting place's, else its activity's (a meeting place always
    has a locality, so the area follows from it)."""
    return Coalesce(F(f"{p}place__locality"), F(f"{p}activity__place__locality"))


def _cube(qs: QuerySet, q: Query, aggregates: dict, p: str = "", name: str = "") -> list[dict]:
    """``aggregates`` per period bucket and locality (with its area), one query per scope (kept under
    ``name``, which must then name the base set and aggregates)."""
    dims = {"locality": _locality(p)}
    return cube(qs, q, aggregates, time_field=f"{p}starts_at", dims=dims, name=name)


def _group(qs: QuerySet, q: Query, aggregates: dict, p: str = "", name: str = "") -> dict[str, dict]:
    return rollup(_cube(qs, q, aggregates, p, name), q.group, aggregates)


# ---------------------------------------------------------------------------------------------- ACT-01/02
@register("ACT-01", splits=PLACE_SPLITS)
def occurrences_held(q: Query) -> dict[str, Cell]:
    rows = _group(_held(Occurrence, q), q, {"n": Count("id")}, name="held")
    return {key: Cell.count(row["n"]) for key, row in rows.items()}


@register("ACT-02", splits=())
def countryside_share(q: Query) -> dict[str, Cell]:
    """Held occurrences in the countryside / those with a locality (the cube of ACT-01)."""
    rows = _cube(_held(Occurrence, q), q, {"n": Count("id")}, name="held")
    everything = rollup(rows, q.group, ["n"])
    rural = rollup(rows, q.group, ["n"], where=lambda row: row["g_area"] == "countryside")
    placed = rollup(rows, q.group, ["n"], where=lambda row: row["g_area"] is not None)
    return {
        key: Cell.ratio(rural.get(key, {}).get("n", 0), placed.get(key, {}).get("n", 0), 100)
        for key in everything
    }


# ---------------------------------------------------------------------------------------------- attendance
def _matrix(q: Query) -> dict[str, dict[str, int]]:
    """Attendance column sums per key of ``q.group`` (total, period, locality or area)."""
    group = q.group if q.group in (None, "period", "locality", "area") else None
    inner = Query(q.date_from, q.date_to, q.granularity, group, q.locality, q.sex, q._cache)
    aggregates = {column: Coalesce(Sum(column), 0) for column in COLUMNS}
    rows = _group(_held(Attendance, inner, "occurrence__"), inner, aggregates, "occurrence__", "attendance")
    return rows


def _columns(sex: str | None, band: str | None = None) -> tuple[str, ...]:
    """The 65+ columns for a sex (None: both) and an age band (None: all)."""
    columns = WOMEN + MEN if sex is None else (WOMEN if sex == "K" else MEN)
    if band is not None:
        columns = tuple(c for c in columns if c in BAND_COLUMNS[band])
    return columns


def _sum(row: dict, columns) -> int:
    return sum(row.get(column, 0) or 0 for column in columns)


def _sessions_65(q: Query) -> dict[str, int]:
    """Participant sessions by people 65+ for each key of ``q.group``."""
    matrix = _matrix(q)
    if q.group == "sex":
        row = matrix.get("", {})
        sexes = ("K", "M") if q.sex is None else (q.sex,)
        return {sex: _sum(row, _columns(sex)) for sex in sexes}
    if q.group == "age_band":
        row = matrix.get("", {})
        return {band: _sum(row, _columns(q.sex, band)) for band in BAND_COLUMNS}
    return {key: _sum(row, _columns(q.sex)) for key, row in matrix.items()}


@register("ACT-03", splits=ALL_SPLITS)
def participant_sessions(q: Query) -> dict[str, Cell]:
    if q.group in ("sex", "age_band"):
        return {key: Cell.count(n) for key, n in _sessions_65(q).items()}
    columns = _columns(q.sex) if q.sex else COLUMNS
    return {key: Cell.count(_sum(row, columns)) for key, row in _matrix(q).items()}


@register("ACT-04", splits=ALL_SPLITS)
def sessions_per_100(q: Query) -> dict[str, Cell]:
    sessions = _sessions_65(q)
    inhabitants = population(q)
    keys = set(sessions) | set(inhabitants) - {"*"}
    return {key: Cell.ratio(sessions.get(key, 0), inhabitants.get(key, 0), 100) for key in keys}


@register("ACT-06", splits=("locality", "area", "age_band"))
def mens_share(q: Query) -> dict[str, Cell]:
    """Men 65+ / (women + men 65+). A sex filter is ignored: a share of men among women means nothing."""
    unfiltered = Query(q.date_from, q.date_to, q.granularity, q.group, q.locality, None, q._cache)
    matrix = _matrix(unfiltered)
    if q.group == "age_band":
        row = matrix.get("", {})
        return {
            band: Cell.ratio(_sum(row, _columns("M", band)), _sum(row, _columns(None, band)), 100)
            for band in BAND_COLUMNS
        }
    return {key: Cell.ratio(_sum(row, MEN), _sum(row, WOMEN + MEN), 100) for key, row in matrix.items()}


# ---------------------------------------------------------------------------------------------- sign-ups
def _limited(q: Query, prefix: str = "") -> QuerySet:
    model = Occurrence if not prefix else Registration
    return _held(model, q, prefix, upcoming=True).filter(
        **{f"{prefix}activity__signup_required": True, f"{prefix}activity__capacity__isnull": False}
    )


@register("ACT-05", splits=PLACE_SPLITS)
def fill_rate(q: Query) -> dict[str, Cell]:
    """Confirmed places / places offered, for occurrences in the period (held or upcoming, not cancelled)
    that need sign-up and have a capacity."""
    places = _group(_limited(q), q, {"n": Coalesce(Sum("activity__capacity"), 0)}, name="places")
    confirmed_qs = _limited(q, "occurrence__").filter(status=Registration.Status.CONFIRMED)
    confirmed = _group(confirmed_qs, q, {"n": Coalesce(Sum("party_size"), 0)}, "occurrence__", "confirmed")
    cells = {}
    for key in set(places) | set(confirmed):
        taken = confirmed.get(key, {}).get("n", 0)
        offered = places.get(key, {}).get("n", 0)
        cells[key] = Cell.ratio(taken, offered, 100, counts=(taken,))
    return cells


@register("ACT-05-WL", splits=PLACE_SPLITS)
def waiting_list(q: Query) -> dict[str, Cell]:
    waiting_qs = _held(Registration, q, "occurrence__", upcoming=True).filter(
        status=Registration.Status.WAITING
    )
    rows = _group(waiting_qs, q, {"n": Coalesce(Sum("party_size"), 0)}, "occurrence__", "waiting")
    return {key: Cell.count(row["n"]) for key, row in rows.items()}
