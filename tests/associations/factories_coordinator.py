"""Applications put straight into a decided/paid state, payments and reports, for the coordinator's pages."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from associations.models import FollowUpReport, GrantApplication, Payment, PaymentAccountChange

from .factories import GrantApplicationFactory

Status = GrantApplication.Status


def decided(
    *, approved: Decimal, paid: Decimal | None = None, status: str | None = None, **fields
) -> GrantApplication:
    """An approved application; with ``paid`` a payment and an open follow-up report (due in 60 days)."""
    now = timezone.now()
    values = {
        "status": status or (Status.PAID if paid else Status.DECIDED),
        "submitted_at": now - timedelta(days=30),
        "outcome": GrantApplication.Outcome.APPROVED,
        "approved_amount": approved,
        "decision_reasons": "Uppfyller villkoren.",
        "decided_at": now - timedelta(days=10),
    }
    application = GrantApplicationFactory(**{**values, **fields})
    if paid:
        Payment.objects.create(
            application=application, paid_on=timezone.localdate(), amount=paid, reference="BG-1"
        )
        FollowUpReport.objects.create(
            application=application, due_on=timezone.localdate() + timedelta(days=60)
        )
    return application


def account_change(association) -> PaymentAccountChange:
    return PaymentAccountChange.objects.create(association=association, method="bankgiro", account="56781234")
