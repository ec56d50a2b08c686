"""Evaluating every indicator with every split, as the dashboard and the annual report do: the number of
queries does not grow with the data, a shared evaluation reads each base set once, and sharing never
changes a figure."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from followup.indicators import evaluate, registry, shared_evaluation, supported_splits
from followup.models import Indicator

pytestmark = pytest.mark.django_db
YEAR = 2025


def seed(scale: float) -> None:
    call_command(
        "seed_bulk",
        scale=scale,
        seed=7,
        year=YEAR,
        replace=True,
        allow_production_settings=True,
        stdout=io.StringIO(),
    )


@pytest.fixture(scope="module")
def small(django_db_setup, django_db_blocker):
    """A small municipality-year for the whole module, in one transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed(0.005)
        yield
        transaction.set_rollback(True)


def evaluate_all(granularity: str = "quarter") -> dict:
    """Every indicator of the catalogue, without a split and with each split it supports."""
    computed = registry()
    indicators = [
        indicator
        for indicator in Indicator.objects.order_by("sort_order", "code")
        if indicator.is_manual or indicator.code in computed
    ]
    return {
        (indicator.code, split): evaluate(
            indicator,
            date_from=date(YEAR, 1, 1),
            date_to=date(YEAR, 12, 31),
            granularity=granularity,
            split=split,
        )
        for indicator in indicators
        for split in (None, *supported_splits(indicator))
    }


def shared(granularity: str = "quarter") -> dict:
    with shared_evaluation():
        return evaluate_all(granularity)


def queries(function) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        function()
    return [query["sql"] for query in captured.captured_queries]


def test_query_count_does_not_grow_with_data(small):
    few = {"shared": len(queries(shared)), "separate": len(queries(evaluate_all))}
    seed(0.02)  # four times the data
    assert {"shared": len(queries(shared)), "separate": len(queries(evaluate_all))} == few
    assert few["shared"] < few["separate"] / 3


def test_a_shared_evaluation_reads_the_events_once(small):
    statements = queries(shared)
    events = [sql for sql in statements if 'FROM "welfaretech_event"' in sql]
    # One cube for WT-02, WT-03, WT-04, WT-04-KM and WT-06; one query for WT-05 and WT-05-P90: each with
    # its total, periods and every split.
    assert len(events) == 2
    attendance = [sql for sql in statements if 'FROM "activities_attendance"' in sql]
    assert len(attendance) == 1  # ACT-03, ACT-04 and ACT-06


@pytest.mark.parametrize("granularity", ["quarter", "month"])
def test_sharing_never_changes_a_figure(small, granularity):
    alone = evaluate_all(granularity)
    together = shared(granularity)
    assert together == alone
    assert any(not result.total.suppressed and result.total.value for result in together.values())
