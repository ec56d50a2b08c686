"""Applications put straight into a state for the case officers' pages, and attendance for the grant rule."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from activities.models import Attendance
from associations.models import FollowUpReport, GrantApplication, Payment

from ..factories import ActivityFactory, OccurrenceFactory, UserFactory
from .factories import GrantApplicationFactory

Status = GrantApplication.Status
ORDER = [
    Status.SUBMITTED,
    Status.ASSESSED,
    Status.DECIDED,
    Status.PAID,
    Status.REPORT_DUE,
    Status.REPORT_RECEIVED,
    Status.CLOSED,
]


def _reached(status: str, step: str) -> bool:
    return status in ORDER and ORDER.index(status) >= ORDER.index(step)


def application_in(status: str, *, amount: Decimal = Decimal("8000"), **fields) -> GrantApplication:
    """An application in ``status`` with the fields the earlier steps would have filled in (approved)."""
    now = timezone.now()
    values = {"status": status}
    if status != Status.DRAFT:
        values["submitted_at"] = now - timedelta(days=20)
    if _reached(status, Status.ASSESSED):
        values.update(
            assessed_by=fields.pop("assessed_by", None) or UserFactory(role=Role.COORDINATOR),
            assessed_at=now - timedelta(days=10),
            assessment="Uppfyller villkoren.",
            proposed_amount=amount,
        )
    if _reached(status, Status.DECIDED):
        values.update(
            outcome=GrantApplication.Outcome.APPROVED,
            approved_amount=amount,
            decision_reasons="Ansökan uppfyller programmets villkor.",
            decided_by=fields.pop("decided_by", None) or UserFactory(role=Role.OFFICIAL),
            decided_at=now - timedelta(days=5),
        )
    values.update(fields)
    application = GrantApplicationFactory(**values)
    if _reached(status, Status.PAID):
        paid_on = timezone.localdate() - timedelta(days=3)
        Payment.objects.create(application=application, paid_on=paid_on, amount=amount, reference="V-1001")
        FollowUpReport.objects.create(
            application=application,
            due_on=paid_on + timedelta(days=90),
            submitted_at=now if _reached(status, Status.REPORT_RECEIVED) else None,
            narrative="Vi höll träffar varje vecka." if _reached(status, Status.REPORT_RECEIVED) else "",
        )
    return application


def attendance(association, starts_at: datetime, participants: int, *, title: str = "Sittgymnastik"):
    """A held occasion of one of the association's activities with ``participants`` women 65–74."""
    occurrence = OccurrenceFactory(
        activity=ActivityFactory(organiser_association=association, title=title), starts_at=starts_at
    )
    return Attendance.objects.create(occurrence=occurrence, women_65_74=participants)
