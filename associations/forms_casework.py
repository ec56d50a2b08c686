"""Forms of the case officers' pages. They validate input; the rules of the grant process live in
:mod:`associations.applications`."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Locality

from .models import Association, GrantApplication, GrantProgramme

Status = GrantApplication.Status
Outcome = GrantApplication.Outcome
DATE = forms.DateInput(attrs={"type": "date"})
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
# A pseudo status: everything waiting for a case officer's next step.
TO_HANDLE = "to_handle"
TO_HANDLE_STATES = (Status.SUBMITTED, Status.RESUBMITTED, Status.ASSESSED)
# The queue never shows drafts: they are the association's own until submitted.
QUEUE_STATES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]

SORTS = {
    "submitted": ("submitted_at", _("Submitted, oldest first")),
    "-submitted": ("-submitted_at", _("Submitted, newest first")),
    "association": ("association__name", _("Association")),
    "programme": ("programme__name", _("Grant programme")),
    "reference": ("reference", _("Reference")),
    "-amount": ("-requested_amount", _("Amount applied for, largest first")),
    "status": ("status", _("Status")),
}


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Association name, organisation number or reference."),
    )
    programme = forms.ModelChoiceField(
        label=_("Grant programme"),
        required=False,
        queryset=GrantProgramme.objects.all(),
        empty_label=_("All"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), (TO_HANDLE, _("Waiting for the case officer")), *QUEUE_STATES],
    )
    locality = forms.ModelChoiceField(
        label=_("Locality"), required=False, queryset=Locality.objects.all(), empty_label=_("All")
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[(key, label) for key, (_field, label) in SORTS.items()]
    )

    def apply(self, applications):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            text = data["q"].strip()
            applications = applications.filter(
                Q(association__name__icontains=text)
                | Q(association__org_number__icontains=text)
                | Q(reference__icontains=text)
            )
        if data.get("programme"):
            applications = applications.filter(programme=data["programme"])
        if data.get("status") == TO_HANDLE:
            applications = applications.filter(status__in=TO_HANDLE_STATES)
        elif data.get("status"):
            applications = applications.filter(status=data["status"])
        if data.get("locality"):
            # A subquery, not a join, so an association serving several localities is listed once.
            applications = applications.filter(
                association__in=Association.objects.filter(localities=data["locality"]).values("pk")
            )
        return applications.order_by(SORTS[data.get("sort") or "submitted"][0], "pk")


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the association"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class CompletionRequestForm(forms.Form):
    request_text = forms.CharField(
        label=_("What the association needs to complete"),
        help_text=_("The association sees this text and is e-mailed. Be specific about what is missing."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AssessmentForm(forms.Form):
    assessment = forms.CharField(
        label=_("Assessment"),
        help_text=_("Your assessment of the application against the programme's rules."),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    proposed_amount = forms.DecimalField(label=_("Proposed amount (SEK)"), **MONEY)
    adjustment_reason = forms.CharField(
        label=_("Reason for adjusting the calculated amount"),
        help_text=_("Required when you propose another amount than the calculated one."),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, calculated_amount: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if calculated_amount is None:
            del self.fields["adjustment_reason"]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    approved_amount = forms.DecimalField(
        label=_("Approved amount (SEK)"),
        required=False,
        help_text=_("Leave empty when the application is rejected."),
        **MONEY,
    )
    reasons = forms.CharField(
        label=_("Reasons for the decision"),
        help_text=_("The reasons are printed in the decision letter the association receives."),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean(self):
        data = super().clean()
        outcome, amount = data.get("outcome"), data.get("approved_amount")
        if outcome == Outcome.REJECTED:
            data["approved_amount"] = Decimal("0")
        elif outcome and amount is None:
            self.add_error("approved_amount", _("Enter the amount the association is granted."))
        return data


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    amount = forms.DecimalField(
        label=_("Amount (SEK)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=60,
        help_text=_("The reference of the payment in the financial system, e.g. the voucher number."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


class CloseForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        help_text=_("Optional: anything worth knowing about the follow-up report."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
