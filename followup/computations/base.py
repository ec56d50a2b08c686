"""Helpers shared by the computations: grouping expressions, cubes and population denominators.

A *cube* (:func:`cube`) is one aggregate query grouped at the finest grain an indicator is split by: the
period bucket and every split dimension at once (a few hundred rows at most, whatever the amount of data).
:func:`rollup` then sums those rows into the total, the periods or the rows of one split — exact for
counts and sums, because every base row lies in exactly one cell of the cube. Distinct counts, averages
over many-to-many joins and percentiles are not additive and use :func:`grouped` (one query per grouping)
or their own single query (WT-05). Every query is kept for the current
:func:`followup.indicators.shared_evaluation` under its SQL, so the same aggregate is read once there.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncYear

from portal.models import Locality

from ..indicators import LOCAL, Query, memo, period_key
from ..models import PopulationFigure

TRUNC = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}
BANDS_65 = ("65_74", "75_79", "80_84", "85_plus")
BANDS_80 = ("80_84", "85_plus")
# Population bands → the age bands indicators are split by (75–84 is two five-year bands).
POPULATION_AGE_KEY = {"65_74": "65_74", "75_79": "75_84", "80_84": "75_84", "85_plus": "85_plus"}


def period_expr(field: str, q: Query, *, is_date: bool = False):
    if is_date:
        return TRUNC[q.granularity](field)
    return TRUNC[q.granularity](field, tzinfo=LOCAL)


def area_expr(rural: Q, central: Q):
    """ "central" / "countryside" from two conditions (a row matching neither gets NULL)."""
    return Case(
        When(central, then=Value("central")),
        When(rural, then=Value("countryside")),
        default=None,
        output_field=CharField(),
    )


def area_of(locality_path: str):
    """The area of a row whose locality is reached through ``locality_path``."""
    return area_expr(Q(**{f"{locality_path}__is_rural": True}), Q(**{f"{locality_path}__is_rural": False}))


def bucket_expr(field: str, q: Query, *, is_date: bool = False):
    """The index in ``q.buckets()`` of the period bucket a row falls in, from plain comparisons of
    ``field`` with the buckets' (local) boundaries: no time-zone conversion per row. Rows must lie in the
    period. (Small integer keys keep PostgreSQL's aggregation in memory.)"""
    buckets = q.buckets()
    whens = []
    for index, (_key, _first, last) in enumerate(buckets[:-1]):
        bound = last + timedelta(days=1)
        limit = bound if is_date else datetime.combine(bound, time.min, tzinfo=LOCAL)
        whens.append(When(**{f"{field}__lt": limit}, then=Value(index)))
    if not whens:
        return Value(0, output_field=IntegerField())
    return Case(*whens, default=Value(len(buckets) - 1), output_field=IntegerField())


def localities() -> dict[int, tuple[str, bool]]:
    """``{id: (slug, is_rural)}`` of every locality, read once per scope."""
    rows = Locality.objects.values_list("pk", "slug", "is_rural")
    return memo(("localities",), lambda: {pk: (slug, rural) for pk, slug, rural in rows})


def area_key(is_rural: bool | None) -> str | None:
    return None if is_rural is None else ("countryside" if is_rural else "central")


def sql_key(qs: QuerySet) -> tuple:
    sql, params = qs.query.sql_with_params()
    return (sql, tuple(params))


def cube(
    qs: QuerySet,
    q: Query,
    aggregates: dict,
    *,
    time_field: str,
    dims: dict[str, object],
    is_date: bool = False,
    codes: dict[str, tuple] | None = None,
    name: str = "",
) -> list[dict]:
    """``aggregates`` of ``qs`` grouped by the period bucket and every dimension of ``dims`` (name →
    expression) in one query, kept for the scope. Rows carry the keys as ``g_period`` (the bucket's key)
    and ``g_<name>``. A ``locality`` dimension is a locality id: it comes back as the locality's slug, with
    ``g_area`` ("central"/"countryside") beside it; a dimension in ``codes`` is an index into its tuple.
    Keep dimensions small (ids, codes): PostgreSQL then aggregates in memory.

    The rows are kept for the scope under ``name`` and the query's period and filters when a ``name`` is
    given (it must then say everything else the query depends on), else under the query's SQL (compiling
    a large query to find it in the scope costs more than the name)."""
    annotations = {"g_period": bucket_expr(time_field, q, is_date=is_date)}
    annotations |= {f"g_{name}": F(e) if isinstance(e, str) else e for name, e in dims.items()}
    rows = qs.annotate(**annotations).values(*annotations).annotate(**aggregates).order_by()
    keys = [key for key, _first, _last in q.buckets()]

    def read() -> list[dict]:
        places = localities() if "locality" in dims else {}
        result = []
        for row in rows:
            row["g_period"] = keys[row["g_period"]]
            if "locality" in dims:
                slug, rural = places.get(row["g_locality"], (None, None))
                row["g_locality"], row["g_area"] = slug, area_key(rural)
            for name, values in (codes or {}).items():
                code = row[f"g_{name}"]
                row[f"g_{name}"] = None if code is None else values[code]
            result.append(row)
        return result

    if name:
        return memo(("cube", name, *query_key(q)), read)
    return memo(("cube", *sql_key(rows)), read)


def query_key(q: Query) -> tuple:
    """What a computation reads for ``q`` besides its own choices (the grouping does not matter)."""
    return (q.date_from, q.date_to, q.granularity, q.locality, q.sex)


def rollup(
    rows: Iterable[dict],
    group: str | None,
    fields: Iterable[str],
    where: Callable[[dict], bool] | None = None,
) -> dict[str, dict]:
    """Sum ``fields`` of cube ``rows`` (those passing ``where``) per key of ``group``: ``{"": sums}`` for
    the total (always there), else one entry per key met (rows whose key is NULL count in totals only)."""
    fields = tuple(fields)
    column = None if group is None else f"g_{group}"
    result: dict[str, dict] = {"": dict.fromkeys(fields, 0)} if column is None else {}
    for row in rows:
        if column is not None and column not in row:
            raise ValueError(f"Cannot group by {group!r}")
        key = "" if column is None else row[column]
        if key is None or (where is not None and not where(row)):
            continue
        sums = result.setdefault(str(key), dict.fromkeys(fields, 0))
        for name in fields:
            sums[name] += row[name] or 0
    return result


def group_expression(
    q: Query,
    *,
    time_field: str,
    locality: Callable[[], object] | str | None = None,
    area: Callable[[], object] | None = None,
    extra: dict[str, object] | None = None,
    is_date: bool = False,
):
    """The expression to group by for ``q.group`` (``None`` for the total)."""
    if q.group is None:
        return None
    if q.group == "period":
        expression = period_expr(time_field, q, is_date=is_date)
    elif q.group == "locality" and locality is not None:
        expression = locality() if callable(locality) else f"{locality}__slug"
    elif q.group == "area" and (area is not None or isinstance(locality, str)):
        expression = area() if area is not None else area_of(locality)  # type: ignore[arg-type]
    elif extra and q.group in extra:
        expression = extra[q.group]
    else:
        raise ValueError(f"Cannot group by {q.group!r}")
    return F(expression) if isinstance(expression, str) else expression


def group_key(q: Query, key) -> str | None:
    if key is None:
        return None
    return period_key(key, q.granularity) if q.group == "period" else str(key)


def grouped(qs: QuerySet, q: Query, aggregates: dict, **how) -> dict[str, dict]:
    """Aggregate ``qs`` for ``q.group`` in one query: ``{"": row}`` for the total, else ``{key: row}``.

    ``how`` (see :func:`group_expression`): ``time_field``; ``locality``, a path to a locality
    (``"recipient__locality"``) or a callable giving a slug expression; ``area``, a callable giving the
    area expression (defaults from the locality path); ``extra``, other group names (e.g. ``"sex"``)
    mapped to expressions; ``is_date`` when the time field is a DateField.
    """
    expression = group_expression(q, **how)
    if expression is None:
        key = ("aggregate", *sql_key(qs.order_by()), repr(aggregates))
        return {"": dict(memo(key, lambda: qs.aggregate(**aggregates)))}
    rows = qs.annotate(grp=expression).values("grp").annotate(**aggregates).order_by()
    result: dict[str, dict] = {}
    for row in memo(("grouped", *sql_key(rows)), lambda: list(rows)):
        key = group_key(q, row["grp"])
        if key is not None:
            result[key] = {name: value for name, value in row.items() if name != "grp"}
    return result


def per_bucket(qs: QuerySet, q: Query, aggregate: Callable[[date, date], object]) -> dict[str, object]:
    """State over time (assignments, training): one conditional aggregate per period bucket, one query.
    ``aggregate(first, last)`` builds the aggregate for a bucket."""
    buckets = q.buckets()
    aggregates = {f"b{i}": aggregate(first, last) for i, (_key, first, last) in enumerate(buckets)}
    key = ("aggregate", *sql_key(qs.order_by()), repr(aggregates))
    row = memo(key, lambda: qs.aggregate(**aggregates))
    return {key: row[f"b{i}"] for i, (key, _first, _last) in enumerate(buckets)}


# ------------------------------------------------------------------------------------------ population
def population_years(q: Query) -> list[int]:
    if "years" not in q._cache:
        q._cache["years"] = memo(
            ("population years",),
            lambda: sorted(PopulationFigure.objects.values_list("year", flat=True).distinct()),
        )
    return q._cache["years"]


def resolve_year(q: Query, year: int) -> int | None:
    """The population year to use for ``year``: itself, else the latest before, else the first after."""
    years = population_years(q)
    if not years:
        return None
    before = [y for y in years if y <= year]
    return before[-1] if before else years[0]


def population(q: Query, bands: tuple[str, ...] = BANDS_65) -> dict[str, int]:
    """Inhabitants in ``bands`` for each key of ``q.group`` (``""`` for the total), respecting the
    locality and sex filters. Splits a population has no figures for (technology, programme) get the
    total under the key ``"*"``. The year is that of the period's end (per bucket when grouped by period).
    Kept for the scope (callers must not change the result).
    """
    key = ("population", q.date_from, q.date_to, q.granularity, q.group, q.locality, q.sex, tuple(bands))
    return memo(key, lambda: _population(q, bands))


def _population(q: Query, bands: tuple[str, ...]) -> dict[str, int]:
    figures = PopulationFigure.objects.filter(age_band__in=bands)
    if q.locality is not None:
        figures = figures.filter(locality=q.locality)
    if q.sex:
        figures = figures.filter(sex=q.sex)
    if q.group == "period":
        years = {key: resolve_year(q, last.year) for key, _first, last in q.buckets()}
        totals = dict(
            figures.filter(year__in={y for y in years.values() if y})
            .values("year")
            .annotate(n=Sum("count"))
            .order_by()
            .values_list("year", "n")
        )
        return {key: totals.get(year, 0) for key, year in years.items() if year}
    year = resolve_year(q, q.date_to.year)
    if year is None:
        return {}
    figures = figures.filter(year=year)
    if q.group is None or q.group not in ("locality", "area", "sex", "age_band"):
        total = figures.aggregate(n=Coalesce(Sum("count"), 0))["n"]
        return {"": total} if q.group is None else {"*": total}
    field = {
        "locality": "locality__slug",
        "area": "locality__is_rural",
        "sex": "sex",
        "age_band": "age_band",
    }[q.group]
    result: dict[str, int] = {}
    for key, n in figures.values(field).annotate(n=Sum("count")).order_by().values_list(field, "n"):
        if q.group == "area":
            key = "countryside" if key else "central"
        elif q.group == "age_band":
            key = POPULATION_AGE_KEY[key]
        result[key] = result.get(key, 0) + n
    return result
