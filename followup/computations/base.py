"""Helpers shared by the computations: grouping expressions and population denominators."""

from collections.abc import Callable
from datetime import date

from django.db.models import Case, CharField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncYear

from ..indicators import LOCAL, Query, period_key
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
        return {"": qs.aggregate(**aggregates)}
    rows = qs.annotate(grp=expression).values("grp").annotate(**aggregates).order_by()
    result: dict[str, dict] = {}
    for row in rows:
        key = group_key(q, row.pop("grp"))
        if key is not None:
            result[key] = row
    return result


def per_bucket(qs: QuerySet, q: Query, aggregate: Callable[[date, date], object]) -> dict[str, object]:
    """State over time (assignments, training): one conditional aggregate per period bucket, one query.
    ``aggregate(first, last)`` builds the aggregate for a bucket."""
    buckets = q.buckets()
    row = qs.aggregate(**{f"b{i}": aggregate(first, last) for i, (_key, first, last) in enumerate(buckets)})
    return {key: row[f"b{i}"] for i, (key, _first, _last) in enumerate(buckets)}


# ------------------------------------------------------------------------------------------ population
def population_years(q: Query) -> list[int]:
    if "years" not in q._cache:
        q._cache["years"] = sorted(PopulationFigure.objects.values_list("year", flat=True).distinct())
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
    """
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
