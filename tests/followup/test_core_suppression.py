"""Small-number protection, display formatting, manual values, periods and the catalogue."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from followup import suppression
from followup.indicators import (
    Cell,
    Value,
    evaluate,
    period_buckets,
    previous_range,
    registry,
    supported_splits,
)
from followup.models import Indicator

from .factories import ManualValueFactory, central

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ((5,), False),
        ((4,), True),
        ((0,), True),
        ((120, 4), True),
        ((5, 1000), False),
        ((None,), False),
        ((), False),
    ],
)
def test_threshold(counts, hidden):
    value = suppression.protect(Decimal("1"), counts)
    assert value.suppressed is hidden
    assert (value.value is None) is hidden


def test_display():
    with translation.override("sv"):
        assert Value(Decimal("12345"), unit="count").display() == "12\u202f345"
        assert Value(Decimal("33.333"), unit="percent").display() == "33,3\u00a0%"
        assert Value(None, suppressed=True).display() == "<5"
        assert Value(None).display() == "–"
    with translation.override("en"):
        assert Value(Decimal("4.25"), unit="rate").display() == "4.3"
        assert Value(Decimal("1500"), unit="sek").display() == "1\u202f500\u00a0kr"


def test_ratio_cells():
    assert Cell.ratio(1, 4, 100).value == Decimal(25)
    assert Cell.ratio(3, 0, 100) == Cell(None, ())


def test_periods_and_previous_range():
    assert [key for key, _f, _l in period_buckets(date(2025, 2, 15), date(2025, 7, 1), "quarter")] == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
    ]
    assert period_buckets(date(2025, 2, 15), date(2025, 3, 10), "month")[0][1:] == (
        date(2025, 2, 15),
        date(2025, 2, 28),
    )
    assert previous_range(date(2026, 1, 1), date(2026, 3, 31)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert previous_range(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert previous_range(date(2026, 3, 5), date(2026, 3, 14)) == (date(2026, 2, 23), date(2026, 3, 4))


def test_every_catalogue_indicator_can_be_evaluated_with_its_splits():
    central()
    codes = set(Indicator.objects.values_list("code", flat=True))
    computed = set(Indicator.objects.filter(source="computed").values_list("code", flat=True))
    assert computed == set(registry())
    assert {"ACT-01", "ASC-04", "WT-09", "SRV-01", "SRV-02"} <= codes
    for indicator in Indicator.objects.all():
        assert list(supported_splits(indicator)) == indicator.splits, indicator.code
        for split in (None, *supported_splits(indicator)):
            result = evaluate(indicator, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), split=split)
            assert len(result.periods) == 4


def test_manual_values_and_small_samples():
    place = central()
    srv = Indicator.objects.get(code="SRV-01")
    ManualValueFactory(indicator=srv, period_start=date(2024, 9, 1), period_end=date(2024, 10, 31), value=15)
    ManualValueFactory(indicator=srv, value=Decimal("12.5"))
    ManualValueFactory(indicator=srv, value=Decimal("20"), locality=place, sample_size=40)
    ManualValueFactory(indicator=srv, value=Decimal("9"), sex="M", sample_size=3)
    result = evaluate(srv, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), split="locality")
    assert result.total.value == Decimal("12.5")
    assert result.periods[3].value.value == Decimal("12.5")
    assert result.periods[0].value.display() == "–"
    assert {row.key: row.value.value for row in result.rows}["vingaker"] == Decimal("20.0")
    by_sex = evaluate(srv, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), split="sex")
    assert {row.key: row.value.suppressed for row in by_sex.rows} == {"K": False, "M": True}


def test_unsupported_split_and_bad_arguments():
    with pytest.raises(ValueError):
        evaluate("WT-08", date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), split="sex")
    with pytest.raises(ValueError):
        evaluate("ACT-01", date_from=date(2025, 1, 1), date_to=date(2024, 12, 31))
    with pytest.raises(ValueError):
        evaluate("ACT-01", date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), granularity="week")
