"""Small-number protection, in one place: every aggregate leaving the database for a screen, a file or the
API passes through :func:`protect`.

The rule: a figure resting on a count below :data:`THRESHOLD` (5) is suppressed and shown as "<5". A rate,
share, sum or average is suppressed when any count it is computed from (its numerator *or* denominator,
or the number of events/grants/answers behind a sum or average) is below the threshold. Zero is below the
threshold too: "none" can identify people as well as "two" can. Population figures from Statistics Sweden
are public statistics and are not suppressed.
"""

from decimal import Decimal

THRESHOLD = 5
SUPPRESSED_TEXT = "<5"


def is_small(count: int | None) -> bool:
    """True when ``count`` is below the threshold (None means "no count behind it" and is not small)."""
    return count is not None and count < THRESHOLD


def protect(value: Decimal | None, counts: tuple[int | None, ...] = (), unit: str = "count"):
    """The :class:`followup.indicators.Value` to show for ``value`` computed from ``counts``."""
    from .indicators import Value

    if any(is_small(count) for count in counts):
        return Value(None, suppressed=True, unit=unit)
    return Value(value, suppressed=False, unit=unit)


def protect_count(count: int | None, unit: str = "count"):
    """Shortcut for a plain count."""
    return protect(None if count is None else Decimal(count), (count,), unit)
