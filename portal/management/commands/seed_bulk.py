"""``manage.py seed_bulk --scale N``: N× a realistic municipality-year of data, for benchmarks.

Scale 1 is about 60 meeting places, 300 activities, 15,000 occurrences, 85,000 sign-ups and 15,000
attendance rows, 150 associations with grant applications in every state, 2,000 care recipients and
500,000 welfare-technology events in one calendar year (by default last year, so that every occurrence
has been held), plus population figures for that year and the one before. Fractional scales (``0.02``)
make small data sets for tests.

Each app generates its own rows in ``<app>/bulkseed.py`` (``ORDER``, ``seed(ctx)``, ``exists()``,
``delete()``; run in ``ORDER``, deleted in reverse) with
``random.Random(seed)``, fixed base dates and no per-row queries: rows go in with ``bulk_create`` in large
batches, and on PostgreSQL the biggest tables (events, sign-ups, attendance) with ``COPY``. Every row is
marked — slugs ``bulk-…``, codes and serials ``BULK-…``, names ``Bulk …`` — so that ``--replace`` deletes
exactly what an earlier run created. Localities are shared: the seven Vingåker localities are created when
missing; population figures of the year and the year before are written (overwritten) with N × 8 × the
demo's (see followup/bulkseed.py).
"""

import contextlib
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from portal import demo as portal_demo
from portal.models import Locality

BATCH_SIZE = 5000
# How the big tables are written: COPY on PostgreSQL, one executemany per batch on SQLite, bulk_create
# anywhere else (``--writer bulk_create`` forces it, for comparison).
AUTO_WRITERS = {"postgresql": "copy", "sqlite": "executemany"}
WRITERS = ("auto", "copy", "executemany", "bulk_create")


@contextlib.contextmanager
def explicit_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let ``auto_now``/``auto_now_add`` fields keep the (deterministic) values we give them."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class Context:
    """What every app's ``bulkseed.seed(ctx)`` gets: scale, year, its own random generator, the localities
    and two ways to write rows, each timed and counted per table."""

    def __init__(
        self, *, scale: float, seed: int, year: int, batch_size: int = BATCH_SIZE, writer: str = "auto"
    ):
        self.scale = scale
        self.seed = seed
        self.year = year
        self.batch_size = batch_size
        if writer == "auto":
            writer = AUTO_WRITERS.get(connection.vendor, "bulk_create")
        self.writer = writer
        self.localities: dict[str, Locality] = {}
        self.shared: dict[str, object] = {}  # what an app hands to the ones seeded after it
        self.stats: list[tuple[str, int, float]] = []
        self.tables: set[str] = set()

    def rng(self, name: str) -> random.Random:
        """A generator of its own per app, so that one app's changes do not shift another's data."""
        return random.Random(f"{self.seed}:{name}")

    def n(self, count: float, minimum: int = 1) -> int:
        """``count`` at this scale, at least ``minimum``."""
        return max(minimum, round(count * self.scale))

    def record(self, label: str, rows: int, seconds: float, table: str | None = None) -> None:
        self.stats.append((label, rows, seconds))
        if table:
            self.tables.add(table)

    def analyze(self) -> None:
        """Fresh planner statistics for the tables written (PostgreSQL), so that the first queries after
        seeding do not plan with the row counts of an empty table."""
        if connection.vendor != "postgresql" or not self.tables:
            return
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for table in sorted(self.tables):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        self.record(f"ANALYZE ({len(self.tables)} tables)", 0, time.perf_counter() - started)

    def insert(self, model: type[models.Model], objects: Sequence[models.Model], label: str | None = None):
        """``bulk_create`` in batches (primary keys are set on the objects); returns ``objects``."""
        started = time.perf_counter()
        with explicit_timestamps(model):
            model.objects.bulk_create(objects, batch_size=self.batch_size)
        table = model._meta.db_table
        self.record(label or table, len(objects), time.perf_counter() - started, table)
        return objects

    def copy(
        self, model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple], label=None
    ) -> int:
        """Write tuples of ``fields`` values (attnames) without model instances: ``COPY`` on PostgreSQL,
        ``executemany`` of ``batch_size`` rows on SQLite, else (or with ``--writer bulk_create``)
        ``bulk_create`` in batches. No primary keys come back. Returns the number of rows."""
        started = time.perf_counter()
        if self.writer == "copy":
            count = self._copy(model, fields, rows)
        elif self.writer == "executemany":
            count = self._executemany(model, fields, rows)
        else:
            count = self._bulk_create(model, fields, rows)
        table = model._meta.db_table
        self.record(label or table, count, time.perf_counter() - started, table)
        return count

    def _columns(self, model, fields) -> tuple[str, str]:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
        return quote(model._meta.db_table), columns

    def _copy(self, model, fields, rows) -> int:
        table, columns = self._columns(model, fields)
        count = 0
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def _executemany(self, model, fields, rows) -> int:
        table, columns = self._columns(model, fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608  quoted model names
        prepare = [model._meta.get_field(name).get_db_prep_save for name in fields]
        count = 0
        batch: list[tuple] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(p(value, connection) for p, value in zip(prepare, row, strict=True)))
                if len(batch) >= self.batch_size:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def _bulk_create(self, model, fields, rows) -> int:
        count = 0
        batch: list[models.Model] = []
        with explicit_timestamps(model):
            for row in rows:
                batch.append(model(**dict(zip(fields, row, strict=True))))
                if len(batch) >= self.batch_size:
                    model.objects.bulk_create(batch, batch_size=self.batch_size)
                    count += len(batch)
                    batch = []
            if batch:
                model.objects.bulk_create(batch, batch_size=self.batch_size)
                count += len(batch)
        return count


def ensure_localities() -> dict[str, Locality]:
    """The seven Vingåker localities (created when missing, as the demo does), by slug."""
    existing = {locality.slug: locality for locality in Locality.objects.all()}
    missing = [
        Locality(name=name, slug=slug, is_rural=is_rural, latitude=lat, longitude=lon)
        for name, slug, is_rural, lat, lon in portal_demo.LOCALITIES
        if slug not in existing
    ]
    if missing:
        Locality.objects.bulk_create(missing)
        existing = {locality.slug: locality for locality in Locality.objects.all()}
    return {slug: existing[slug] for _name, slug, *_rest in portal_demo.LOCALITIES}


def seeders() -> list[ModuleType]:
    """Every installed app's ``bulkseed`` module, in their ``ORDER`` (found like admin modules are, so that
    no app has to import another that it must not depend on, such as ``followup``)."""
    modules = [
        import_module(f"{config.name}.bulkseed")
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "bulkseed")
    ]
    return sorted(modules, key=lambda module: module.ORDER)


def bulk_data_exists() -> bool:
    return any(seeder.exists() for seeder in seeders())


def delete_bulk_data() -> list[tuple[str, int, float]]:
    stats = []
    for seeder in reversed(seeders()):
        for label, rows, seconds in seeder.delete():
            stats.append((label, rows, seconds))
    return stats


def run(
    *,
    scale: float,
    seed: int,
    year: int,
    replace: bool = False,
    batch_size: int = BATCH_SIZE,
    writer: str = "auto",
):
    """Seed (after deleting earlier bulk rows when ``replace``); returns ``(deleted stats, ctx)``."""
    deleted: list[tuple[str, int, float]] = []
    with transaction.atomic():
        if bulk_data_exists():
            if not replace:
                raise CommandError(
                    "Bulk data from an earlier seed_bulk run is already in this database. Run again with "
                    "--replace to delete it first (only rows marked bulk-/BULK-/Bulk are touched)."
                )
            deleted = delete_bulk_data()
        ctx = Context(scale=scale, seed=seed, year=year, batch_size=batch_size, writer=writer)
        ctx.localities = ensure_localities()
        for seeder in seeders():
            seeder.seed(ctx)
        ctx.analyze()
    return deleted, ctx


class Command(BaseCommand):
    help = "Create N× a realistic municipality-year of data for benchmarks (marked rows, re-runnable)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Multiple of one municipality-year; fractions allowed."
        )
        parser.add_argument("--seed", type=int, default=428, help="Random seed (same seed, same data).")
        parser.add_argument(
            "--year", type=int, default=None, help="Calendar year of the data (default: last year)."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete the rows of an earlier seed_bulk run first."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--writer",
            choices=WRITERS,
            default="auto",
            help="How the largest tables are written (auto: COPY on PostgreSQL, executemany on SQLite).",
        )
        parser.add_argument(
            "--allow-production-settings",
            action="store_true",
            help="Run although demo mode is off (a benchmark database with production settings).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_MODE and not options["allow_production_settings"]:
            raise CommandError(
                "seed_bulk only runs in demo mode (DEBUG on); refusing to touch this database. For a "
                "benchmark database with production settings pass --allow-production-settings."
            )
        scale = options["scale"]
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        year = options["year"] or timezone.localdate().year - 1
        if not 1990 < year < 2100:
            raise CommandError("--year must be between 1991 and 2099.")
        if options["writer"] == "copy" and connection.vendor != "postgresql":
            raise CommandError("--writer copy needs PostgreSQL.")
        started, cpu = time.perf_counter(), time.process_time()
        deleted, ctx = run(
            scale=scale,
            seed=options["seed"],
            year=year,
            replace=options["replace"],
            batch_size=options["batch_size"],
            writer=options["writer"],
        )
        if deleted:
            self.stdout.write("Deleted the earlier bulk data:")
            self._table(deleted)
        self.stdout.write(f"Created (scale {scale:g}, seed {ctx.seed}, year {year}, writer {ctx.writer}):")
        self._table(ctx.stats)
        total_rows = sum(rows for _label, rows, _s in ctx.stats)
        self.stdout.write(
            self.style.SUCCESS(
                f"{total_rows} rows in {time.perf_counter() - started:.1f} s in total "
                f"({time.process_time() - cpu:.1f} s CPU in this process)."
            )
        )

    def _table(self, stats: list[tuple[str, int, float]]) -> None:
        for label, rows, seconds in stats:
            self.stdout.write(f"  {label:<40} {rows:>10} rows {seconds:>8.2f} s")
