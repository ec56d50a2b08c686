"""Follow-up at scale: every indicator with every split for a year, against raw SQL; the annual report PDF.

Usage: ``.venv/bin/python bench/followup.py [--scales 1,4] [--year 2025] [--repeat 3] [--no-seed] [--no-pdf]``

On the configured database (PostgreSQL when DATABASE_URL is set, otherwise db.sqlite3), for each scale in
turn it runs ``seed_bulk --scale N --replace`` (bulk rows of an earlier run are deleted first; other data
stays), then measures, each the median of ``--repeat`` warm runs:

* all indicators: ``followup.indicators.evaluate`` for every indicator of the catalogue, for the whole year
  by quarter, once without a split and once per supported split — what the dashboard and the annual
  report ask for — inside one ``shared_evaluation()`` as they do; with the number of SQL queries it
  takes. The same calls each in a scope of its own are measured once too (``--no-separate`` leaves
  that out);
* the same aggregates written by hand as raw SQL for ACT-01, ACT-03, ACT-06, WT-02 and WT-05 — per
  indicator the same calls (total, quarters and the split's rows, for no split and every split) — and
  the ratio ORM time / raw SQL time, indicator by indicator and for the five together; the totals of both
  are compared so that the raw SQL is known to compute the same thing;
* the annual report ("arsrapport"): evaluating its indicators and building its charts, then rendering the
  PDF with WeasyPrint.

At the end it prints the growth factor of each measure from the first scale to the last (4 for ``1,4``:
linear growth is 4.0 or less). Times are printed, never asserted; compare ratios, not seconds, across
machines. ``--no-seed`` measures the database as it is (one scale).
"""

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from followup.indicators import (  # noqa: E402
    evaluate,
    registry,
    round_value,
    shared_evaluation,
    supported_splits,
)
from followup.models import Indicator  # noqa: E402

LOCAL = ZoneInfo("Europe/Stockholm")
RAW_CODES = ("ACT-01", "ACT-03", "ACT-06", "WT-02", "WT-05")
WOMEN = ("women_65_74", "women_75_84", "women_85_plus")
MEN = ("men_65_74", "men_75_84", "men_85_plus")
EVERYONE = (*WOMEN, *MEN, "others")


# ---------------------------------------------------------------------------------------------- raw SQL
def groups(split: str | None) -> list[str | None]:
    """What one ``evaluate`` call computes: the total, the quarters and the split's rows."""
    return list(dict.fromkeys((None, "period", split)))


class Raw:
    """Hand-written SQL for five indicators, for PostgreSQL and SQLite, returning ``{key: value}`` maps."""

    def __init__(self, year: int):
        self.vendor = connection.vendor
        start = datetime.combine(date(year, 1, 1), clock.min, tzinfo=LOCAL)
        end = min(datetime.combine(date(year + 1, 1, 1), clock.min, tzinfo=LOCAL), timezone.now())
        self.start = connection.ops.adapt_datetimefield_value(start)
        self.end = connection.ops.adapt_datetimefield_value(
            datetime.combine(date(year + 1, 1, 1), clock.min, tzinfo=LOCAL)
        )
        self.held_end = connection.ops.adapt_datetimefield_value(end)

    def quarter(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"date_trunc('quarter', {column} AT TIME ZONE 'Europe/Stockholm')"
        return f"django_datetime_trunc('quarter', {column}, 'Europe/Stockholm', '{connection.timezone_name}')"

    def local_year(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"EXTRACT(YEAR FROM {column} AT TIME ZONE 'Europe/Stockholm')"
        return f"django_datetime_extract('year', {column}, 'Europe/Stockholm', '{connection.timezone_name}')"

    @staticmethod
    def quarter_key(value) -> str:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return f"{value.year}-Q{(value.month - 1) // 3 + 1}"

    def rows(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # -- activities: occurrences held, their locality (own place, else the activity's) and area
    OCCURRENCES = """
        FROM activities_occurrence o
        JOIN activities_activity a ON a.id = o.activity_id
        LEFT JOIN activities_meetingplace op ON op.id = o.place_id
        LEFT JOIN portal_locality ol ON ol.id = op.locality_id
        LEFT JOIN activities_meetingplace ap ON ap.id = a.place_id
        LEFT JOIN portal_locality al ON al.id = ap.locality_id
        {join}
        WHERE o.is_cancelled = false AND o.starts_at >= %s AND o.starts_at < %s
          AND a.status NOT IN ('draft', 'pending')
    """
    PLACE_GROUPS = {
        "locality": "COALESCE(ol.slug, al.slug)",
        "area": "CASE WHEN o.place_id IS NOT NULL THEN ol.is_rural ELSE al.is_rural END",
    }

    def _occurrence_groups(self, aggregate: str, group: str | None, join: str = "") -> dict:
        base = self.OCCURRENCES.format(join=join)
        params = [self.start, self.held_end]
        if group is None:
            return {"": self.rows(f"SELECT {aggregate} {base}", params)[0]}
        expression = self.quarter("o.starts_at") if group == "period" else self.PLACE_GROUPS[group]
        result = {}
        for key, *values in self.rows(f"SELECT {expression}, {aggregate} {base} GROUP BY 1", params):
            if key is None:
                continue
            if group == "period":
                key = self.quarter_key(key)
            elif group == "area":
                key = "countryside" if key else "central"
            result[key] = tuple(values)
        return result

    def act_01(self, split: str | None) -> dict:
        out = {}
        for group in groups(split):
            for key, (n,) in self._occurrence_groups("COUNT(*)", group).items():
                out[(group or "", key)] = n
        return out

    def _attendance(self, group: str | None) -> dict:
        sums = ", ".join(f"SUM(t.{column})" for column in EVERYONE)
        rows = self._occurrence_groups(sums, group, "JOIN activities_attendance t ON t.occurrence_id = o.id")
        return {
            key: dict(zip(EVERYONE, (v or 0 for v in values), strict=True)) for key, values in rows.items()
        }

    def act_03(self, split: str | None) -> dict:
        out = {}
        for group in groups(split):
            if group in ("sex", "age_band"):
                row = self._attendance(None)[""]
                if group == "sex":
                    out |= {("sex", "K"): sum(row[c] for c in WOMEN), ("sex", "M"): sum(row[c] for c in MEN)}
                else:
                    for band in ("65_74", "75_84", "85_plus"):
                        out[("age_band", band)] = row[f"women_{band}"] + row[f"men_{band}"]
                continue
            for key, row in self._attendance(group).items():
                out[(group or "", key)] = sum(row.values())
        return out

    def act_06(self, split: str | None) -> dict:
        def share(row, women, men):
            total = sum(row[c] for c in women + men)
            return 100 * sum(row[c] for c in men) / total if total else None

        out = {}
        for group in groups(split):
            if group == "age_band":
                row = self._attendance(None)[""]
                for band in ("65_74", "75_84", "85_plus"):
                    out[("age_band", band)] = share(row, (f"women_{band}",), (f"men_{band}",))
                continue
            for key, row in self._attendance(group).items():
                out[(group or "", key)] = share(row, WOMEN, MEN)
        return out

    # -- welfare technology: events of the year with their recipient
    EVENTS = """
        FROM welfaretech_event e
        JOIN welfaretech_carerecipient r ON r.id = e.recipient_id
        JOIN portal_locality l ON l.id = r.locality_id
        WHERE e.occurred_at >= %s AND e.occurred_at < %s AND e.superseded = false AND {where}
    """

    def _event_groups(self, aggregate: str, where: str, group: str | None) -> list[tuple]:
        base = self.EVENTS.format(where=where)
        params = [self.start, self.end]
        if group is None:
            return [("", *row) for row in self.rows(f"SELECT {aggregate} {base}", params)]
        age = f"({self.local_year('e.occurred_at')} - r.birth_year)"
        expression = {
            "period": self.quarter("e.occurred_at"),
            "locality": "l.slug",
            "area": "l.is_rural",
            "sex": "r.sex",
            "age_band": f"CASE WHEN {age} >= 85 THEN '85_plus' WHEN {age} >= 75 THEN '75_84' "
            f"WHEN {age} >= 65 THEN '65_74' END",
        }[group]
        result = []
        for key, *values in self.rows(f"SELECT {expression}, {aggregate} {base} GROUP BY 1", params):
            if key is None:
                continue
            if group == "period":
                key = self.quarter_key(key)
            elif group == "area":
                key = "countryside" if key else "central"
            result.append((key, *values))
        return result

    def wt_02(self, split: str | None) -> dict:
        where = "e.kind IN ('camera_check_ok', 'camera_check_not_seen')"
        out = {}
        for group in groups(split):
            for key, n in self._event_groups("COUNT(*)", where, group):
                out[(group or "", key)] = n
        return out

    def wt_05(self, split: str | None) -> dict:
        where = "e.kind = 'alarm' AND e.arrived_at IS NOT NULL"
        out = {}
        for group in groups(split):
            if self.vendor == "postgresql":
                median = (
                    "percentile_cont(0.5) WITHIN GROUP "
                    "(ORDER BY EXTRACT(EPOCH FROM e.arrived_at - e.occurred_at) / 60)"
                )
                for key, value in self._event_groups(median, where, group):
                    out[(group or "", key)] = value
                continue
            # SQLite has no percentile aggregate: read the response times ordered per group.
            minutes = "(julianday(e.arrived_at) - julianday(e.occurred_at)) * 1440"
            values: dict = {}
            if group is None:
                rows = self.rows(
                    f"SELECT {minutes} {self.EVENTS.format(where=where)} ORDER BY 1", [self.start, self.end]
                )
                values[""] = [row[0] for row in rows]
            else:
                for key, value in self._ordered_pairs(minutes, where, group):
                    values.setdefault(key, []).append(value)
            for key, ordered in values.items():
                out[(group or "", key)] = statistics.median(ordered) if ordered else None
        return out

    def _ordered_pairs(self, minutes: str, where: str, group: str) -> list[tuple]:
        base = self.EVENTS.format(where=where)
        expression = {
            "period": self.quarter("e.occurred_at"),
            "locality": "l.slug",
            "area": "l.is_rural",
            "sex": "r.sex",
        }[group]
        pairs = []
        for key, value in self.rows(
            f"SELECT {expression}, {minutes} {base} ORDER BY 1, 2", [self.start, self.end]
        ):
            if group == "period":
                key = self.quarter_key(key)
            elif group == "area":
                key = "countryside" if key else "central"
            pairs.append((key, value))
        return pairs


RAW: dict[str, Callable[[Raw, str | None], dict]] = {
    "ACT-01": Raw.act_01,
    "ACT-03": Raw.act_03,
    "ACT-06": Raw.act_06,
    "WT-02": Raw.wt_02,
    "WT-05": Raw.wt_05,
}


# ---------------------------------------------------------------------------------------------- measures
def timed(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` runs after one warm-up run, and the last result."""
    result = function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def splits_of(indicator: Indicator) -> list[str | None]:
    return [None, *supported_splits(indicator)]


def evaluate_all(
    indicators: list[Indicator], year: int, seconds: dict[str, float] | None = None, shared: bool = True
) -> dict:
    """Every indicator without a split and with each split, in one shared evaluation scope (``shared``)
    or each call on its own; ``seconds`` collects the time per indicator."""
    if shared:
        with shared_evaluation():
            return evaluate_all(indicators, year, seconds, shared=False)
    results = {}
    for indicator in indicators:
        started = time.perf_counter()
        for split in splits_of(indicator):
            results[(indicator.code, split)] = evaluate(
                indicator,
                date_from=date(year, 1, 1),
                date_to=date(year, 12, 31),
                granularity="quarter",
                split=split,
            )
        if seconds is not None:
            seconds[indicator.code] = time.perf_counter() - started
    return results


def measure(year: int, repeat: int, pdf: bool, separate: bool = True) -> dict:
    registered = registry()
    indicators = [
        indicator
        for indicator in Indicator.objects.order_by("sort_order", "code")
        if indicator.is_manual or indicator.code in registered
    ]
    measures: dict[str, float] = {}
    notes: dict[str, str] = {}

    seconds, results = timed(lambda: evaluate_all(indicators, year), repeat)
    per_indicator: dict[str, float] = {}
    with CaptureQueriesContext(connection) as queries:
        evaluate_all(indicators, year, per_indicator)
    calls = sum(len(splits_of(indicator)) for indicator in indicators)
    measures["all indicators, all splits (ORM)"] = seconds
    notes["all indicators, all splits (ORM)"] = (
        f"{len(indicators)} indicators, {calls} calls, {len(queries)} queries"
    )
    slowest = sorted(per_indicator.items(), key=lambda item: item[1], reverse=True)[:6]
    notes["slowest indicators (one run)"] = ", ".join(f"{code} {spent:.2f} s" for code, spent in slowest)
    if separate:
        name = "all indicators, separate scopes (one run)"
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            evaluate_all(indicators, year, shared=False)
            measures[name] = time.perf_counter() - started
        notes[name] = f"each call in its own scope, {len(queries)} queries"

    raw = Raw(year)
    by_code = {indicator.code: indicator for indicator in indicators}
    orm_total = raw_total = 0.0
    for code in RAW_CODES:
        indicator = by_code[code]
        splits = splits_of(indicator)

        def orm(indicator=indicator, splits=splits) -> list:
            with shared_evaluation():  # as the dashboard and the reports evaluate
                return [
                    evaluate(indicator, date_from=date(year, 1, 1), date_to=date(year, 12, 31), split=split)
                    for split in splits
                ]

        orm_seconds, _ = timed(orm, repeat)
        raw_seconds, raw_values = timed(
            lambda code=code, splits=splits: [RAW[code](raw, split) for split in splits], repeat
        )
        orm_total += orm_seconds
        raw_total += raw_seconds
        measures[f"{code} ORM"] = orm_seconds
        measures[f"{code} raw SQL"] = raw_seconds
        expected = results[(code, None)].total
        computed = raw_values[0].get(("", ""))
        same = expected.suppressed or round_value(computed, indicator.unit) == expected.value
        notes[f"{code} ORM"] = f"{len(splits)} calls, total {expected.display()}"
        notes[f"{code} raw SQL"] = (
            f"ORM/raw {orm_seconds / raw_seconds:.2f}, total {'same' if same else f'DIFFERS: {computed}'}"
        )
    measures["five indicators ORM"] = orm_total
    measures["five indicators raw SQL"] = raw_total
    notes["five indicators raw SQL"] = f"ORM/raw {orm_total / raw_total:.2f}"

    if pdf:
        try:
            from followup import reports
            from followup.models import ReportRun
        except ImportError as error:  # the report module is another part of the follow-up work
            notes["annual report"] = f"not measured: {error}"
        else:
            run = ReportRun(
                template="arsrapport",
                parameters={"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"},
            )
            started = time.perf_counter()
            context = reports.build_context(run, lambda _percent: None)
            measures["annual report: indicators and charts"] = time.perf_counter() - started
            started = time.perf_counter()
            document = reports.render_pdf(context)
            measures["annual report: PDF rendering"] = time.perf_counter() - started
            measures["annual report: total"] = (
                measures["annual report: indicators and charts"] + measures["annual report: PDF rendering"]
            )
            notes["annual report: PDF rendering"] = f"{len(document) // 1024} KB"
    return {"measures": measures, "notes": notes}


def seed(scale: float, year: int) -> float:
    started = time.perf_counter()
    call_command(
        "seed_bulk",
        scale=scale,
        year=year,
        replace=True,
        allow_production_settings=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    return time.perf_counter() - started


def print_table(scale_label: str, result: dict) -> None:
    print(f"\n{scale_label}")
    header = f"{'measure':<42} {'seconds':>9}  notes"
    print(header)
    print("-" * 100)
    for name, seconds in result["measures"].items():
        print(f"{name:<42} {seconds:>9.3f}  {result['notes'].get(name, '')}")
    for name, note in result["notes"].items():
        if name not in result["measures"]:
            print(f"{name:<42} {'':>9}  {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", default="1,4", help="Comma-separated seed_bulk scales, e.g. 1,4 or 0.05,0.2."
    )
    parser.add_argument("--year", type=int, default=None, help="Year of the data (default: last year).")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs per measure (the median is shown).")
    parser.add_argument("--no-seed", action="store_true", help="Measure the database as it is.")
    parser.add_argument("--no-pdf", action="store_true", help="Leave out the annual report PDF.")
    parser.add_argument(
        "--no-separate", action="store_true", help="Leave out the calls each in a scope of its own."
    )
    args = parser.parse_args()
    settings.DEBUG = False  # no query log kept in memory while measuring
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    year = args.year or timezone.localdate().year - 1
    scales = [None] if args.no_seed else [float(value) for value in args.scales.split(",")]
    database = os.environ.get("DATABASE_URL", "db.sqlite3 (default)").split("@")[-1]
    print(
        f"bench/followup.py: year {year}, database {connection.vendor} {database}, "
        f"median of {args.repeat} runs"
    )

    series = []
    for scale in scales:
        label = "current data"
        if scale is not None:
            seconds = seed(scale, year)
            label = f"scale {scale:g} (seed_bulk --replace took {seconds:.1f} s)"
        result = measure(year, args.repeat, not args.no_pdf, not args.no_separate)
        print_table(label, result)
        series.append((scale, result))

    if len(series) > 1:
        (first_scale, first), (last_scale, last) = series[0], series[-1]
        factor = last_scale / first_scale
        print(
            f"\nGrowth from scale {first_scale:g} to {last_scale:g} (data ×{factor:g}; linear = {factor:.1f})"
        )
        print(f"{'measure':<42} {'×':>9}")
        print("-" * 52)
        for name, seconds in first["measures"].items():
            if name in last["measures"] and seconds > 0:
                print(f"{name:<42} {last['measures'][name] / seconds:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
