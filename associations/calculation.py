"""The activity-grant rule: SEK per participant session, applied to the attendance an association recorded.

For each occurrence of the association's activities in the period that was held (not cancelled) and has a
head count, the participants are every person counted (all sexes and age bands, and "others"). A session
counts when it had at least the programme's minimum participants; each counted session earns
``participants × rate``. The sum is capped at the programme's ceiling per association.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Attendance, Occurrence

from .models import Association, GrantProgramme

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    occurrence_id: int
    starts_at: datetime
    activity_title: str
    participants: int
    counted: bool
    amount: Decimal
    note: str = ""


@dataclass(frozen=True)
class Calculation:
    lines: list[Line] = field(default_factory=list)
    rate: Decimal = ZERO
    minimum: int = 0
    ceiling: Decimal | None = None
    subtotal: Decimal = ZERO
    amount: Decimal = ZERO

    @property
    def sessions(self) -> int:
        return len(self.lines)

    @property
    def counted_sessions(self) -> int:
        return sum(1 for line in self.lines if line.counted)

    @property
    def participant_sessions(self) -> int:
        return sum(line.participants for line in self.lines if line.counted)

    @property
    def capped(self) -> bool:
        return self.amount < self.subtotal

    def as_json(self) -> dict:
        """A snapshot stored on the application, so the assessment shows what the officer saw."""
        return {
            "rate": str(self.rate),
            "minimum": self.minimum,
            "ceiling": None if self.ceiling is None else str(self.ceiling),
            "subtotal": str(self.subtotal),
            "amount": str(self.amount),
            "sessions": self.sessions,
            "counted_sessions": self.counted_sessions,
            "participant_sessions": self.participant_sessions,
            "lines": [
                {
                    "occurrence": line.occurrence_id,
                    "starts_at": line.starts_at.isoformat(),
                    "activity": line.activity_title,
                    "participants": line.participants,
                    "counted": line.counted,
                    "amount": str(line.amount),
                    "note": line.note,
                }
                for line in self.lines
            ],
        }


def _day_bounds(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(period_start, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(period_end, datetime.max.time(), tzinfo=tz)
    return start, end


def calculate_activity_grant(
    programme: GrantProgramme, association: Association, period_start: date, period_end: date
) -> Calculation:
    """The amount the programme's rule gives ``association`` for attendance recorded in the period."""
    rate = programme.rate_per_participant_session or ZERO
    minimum = programme.min_participants_per_session or 0
    start, end = _day_bounds(period_start, period_end)
    participants = sum(
        (F(f"attendance__{name}") for name in Attendance.COUNT_FIELDS[1:]), F("attendance__women_65_74")
    )
    rows = (
        Occurrence.objects.filter(
            activity__organiser_association=association,
            starts_at__range=(start, end),
            is_cancelled=False,
            attendance__isnull=False,
        )
        .annotate(participants=participants)
        .order_by("starts_at", "pk")
        .values_list("pk", "starts_at", "activity__title", "participants")
    )
    lines = []
    for pk, starts_at, title, count in rows:
        count = count or 0
        counted = count >= minimum and count > 0
        note = "" if counted else _("Fewer than %(minimum)d participants.") % {"minimum": max(minimum, 1)}
        amount = (rate * count).quantize(Decimal("0.01")) if counted else ZERO
        lines.append(Line(pk, starts_at, title, count, counted, amount, note))
    subtotal = sum((line.amount for line in lines), ZERO)
    ceiling = programme.ceiling_per_association
    amount = min(subtotal, ceiling) if ceiling is not None else subtotal
    return Calculation(
        lines=lines, rate=rate, minimum=minimum, ceiling=ceiling, subtotal=subtotal, amount=amount
    )
