from datetime import date

import pytest

from activities.recurrence import dates, monthly, nth_weekday, weekly

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def test_weekly_on_chosen_weekdays():
    assert weekly(date(2026, 3, 2), date(2026, 3, 15), [TUE, THU]) == [
        date(2026, 3, 3), date(2026, 3, 5), date(2026, 3, 10), date(2026, 3, 12),
    ]  # fmt: skip


def test_every_second_week_counts_from_the_first_week():
    # 2026-03-04 is a Wednesday; the weeks of 4, 18 March and 1 April are kept.
    assert weekly(date(2026, 3, 4), date(2026, 4, 5), [MON, WED], interval=2) == [
        date(2026, 3, 4), date(2026, 3, 16), date(2026, 3, 18), date(2026, 3, 30), date(2026, 4, 1),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, date(2026, 3, 3)),
        (2, date(2026, 3, 10)),
        (4, date(2026, 3, 24)),
        (5, date(2026, 3, 31)),
        (-1, date(2026, 3, 31)),
    ],
)
def test_nth_weekday(n, expected):
    assert nth_weekday(2026, 3, TUE, n) == expected


def test_a_fifth_weekday_that_does_not_exist_is_none():
    assert nth_weekday(2026, 2, TUE, 5) is None


def test_monthly_on_the_last_friday_across_a_year_end():
    assert monthly(date(2026, 11, 1), date(2027, 1, 31), FRI, -1) == [
        date(2026, 11, 27), date(2026, 12, 25), date(2027, 1, 29),
    ]  # fmt: skip


def test_monthly_skips_months_without_the_weekday_and_respects_the_range():
    assert monthly(date(2026, 1, 10), date(2026, 4, 30), MON, 5) == [date(2026, 3, 30)]


def test_exceptions_are_left_out():
    produced = dates(
        "weekly", date(2026, 12, 21), date(2027, 1, 10), [THU], None, ["2026-12-24", date(2026, 12, 31)]
    )
    assert produced == [date(2027, 1, 7)]


def test_a_monthly_rule_without_week_is_refused():
    with pytest.raises(ValueError, match="monthly rule"):
        dates("monthly", date(2026, 1, 1), date(2026, 2, 1), [MON], None)


def test_an_unknown_frequency_is_refused():
    with pytest.raises(ValueError, match="Unknown frequency"):
        dates("daily", date(2026, 1, 1), date(2026, 2, 1), [MON], None)
