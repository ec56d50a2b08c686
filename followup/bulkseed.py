"""Bulk benchmark data for follow-up: population figures (``manage.py seed_bulk``).

Rates need inhabitants that fit the amount of data: scale 1 has 2,000 care recipients and 300 activities,
which is a municipality of about 21,000 inhabitants 65+ — Vingåker's demo figures (``followup.demo``)
times eight, spread over the same seven localities, sexes and age bands. The figures of the seeded year
and the year before are written, times the scale; existing figures for those cells are overwritten (there
is one figure per year, locality, sex and age band, so they cannot carry a mark of their own).
"""

import time
from decimal import Decimal

from .demo import BANDS, TOTALS
from .models import PopulationFigure

ORDER = 90  # seed_bulk runs the apps' bulkseed modules in this order
FACTOR = 8  # inhabitants 65+ at scale 1 compared with the demo municipality
GROWTH = {0: Decimal("1"), -1: Decimal("0.98")}  # the seeded year and the year before


def exists() -> bool:
    return False  # population figures are overwritten, never marked


def delete() -> list[tuple[str, int, float]]:
    return []  # left in place: the next run overwrites them


def seed(ctx) -> None:
    started = time.perf_counter()
    rows = []
    for offset, growth in GROWTH.items():
        for slug, total in TOTALS.items():
            locality = ctx.localities.get(slug)
            if locality is None:
                continue
            for band, (share, women) in BANDS.items():
                people = round(Decimal(total) * FACTOR * Decimal(str(ctx.scale)) * growth * share)
                female = round(people * women)
                for sex, count in (("K", female), ("M", people - female)):
                    rows.append(
                        PopulationFigure(
                            year=ctx.year + offset, locality=locality, sex=sex, age_band=band, count=count
                        )
                    )
    PopulationFigure.objects.bulk_create(
        rows,
        batch_size=ctx.batch_size,
        update_conflicts=True,
        unique_fields=["year", "locality", "sex", "age_band"],
        update_fields=["count"],
    )
    table = PopulationFigure._meta.db_table
    ctx.record(table, len(rows), time.perf_counter() - started, table)
