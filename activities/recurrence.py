"""Turn a recurrence rule into dates. Pure functions: no database, easy to test exhaustively."""

import calendar
from collections.abc import Iterable, Iterator
from datetime import date, timedelta


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    """The ``n``-th ``weekday`` (Monday 0) of the month; ``n == -1`` is the last. None if it doesn't exist."""
    days_in_month = calendar.monthrange(year, month)[1]
    matches = [d for d in range(1, days_in_month + 1) if date(year, month, d).weekday() == weekday]
    if n == -1:
        return date(year, month, matches[-1])
    return date(year, month, matches[n - 1]) if 1 <= n <= len(matches) else None


def weekly(start: date, end: date, weekdays: Iterable[int], interval: int = 1) -> list[date]:
    """Dates on ``weekdays`` from start to end; ``interval=2`` keeps every second week from start's."""
    wanted = set(weekdays)
    first_monday = start - timedelta(days=start.weekday())
    return [
        day
        for day in _days(start, end)
        if day.weekday() in wanted and ((day - first_monday).days // 7) % interval == 0
    ]


def monthly(start: date, end: date, weekday: int, n: int) -> list[date]:
    """The ``n``-th ``weekday`` of every month between start and end."""
    result = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        day = nth_weekday(year, month, weekday, n)
        if day is not None and start <= day <= end:
            result.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def dates(frequency: str, start: date, end: date, weekdays: list[int], week_of_month: int | None,
          exceptions: Iterable[str | date] = ()) -> list[date]:  # fmt: skip
    """All dates a rule produces, without its exception dates."""
    if frequency == "weekly":
        produced = weekly(start, end, weekdays)
    elif frequency == "biweekly":
        produced = weekly(start, end, weekdays, interval=2)
    elif frequency == "monthly":
        if not weekdays or week_of_month is None:
            raise ValueError("A monthly rule needs a weekday and a week of the month.")
        produced = monthly(start, end, weekdays[0], week_of_month)
    else:
        raise ValueError(f"Unknown frequency {frequency!r}")
    skipped = {d if isinstance(d, date) else date.fromisoformat(d) for d in exceptions}
    return [day for day in produced if day not in skipped]
