"""Forms of the coordinator's pages: grant programmes and their questions, the dashboard year, bulk e-mail
and exports. Forms validate input; the writes live in :mod:`associations.programmes` and
:mod:`associations.bulk`."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Locality

from .models import Association, GrantApplication, GrantProgramme, ProgrammeQuestion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CALCULATION_FIELDS = (
    "rate_per_participant_session",
    "min_participants_per_session",
    "ceiling_per_association",
)


def _lines(value: str) -> list[str]:
    """Non-empty, stripped lines of a textarea, duplicates removed, order kept."""
    seen: dict[str, None] = {}
    for line in (value or "").splitlines():
        if line.strip():
            seen.setdefault(line.strip(), None)
    return list(seen)


def year_choices() -> list[tuple[int, int]]:
    this_year = timezone.localdate().year
    return [(year, year) for year in range(this_year + 1, this_year - 5, -1)]


class ProgrammeForm(forms.ModelForm):
    required_attachments = forms.CharField(
        label=_("Required attachments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One attachment per line, e.g. “Budget”. Every application must include them."),
    )

    class Meta:
        model = GrantProgramme
        fields = [
            "name",
            "kind",
            "year",
            "budget",
            "opens_on",
            "closes_on",
            "rules",
            "eligibility",
            "required_attachments",
            "delegation_limit",
            "rate_per_participant_session",
            "min_participants_per_session",
            "ceiling_per_association",
            "report_due_days",
        ]
        widgets = {"opens_on": DATE, "closes_on": DATE, "rules": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "rate_per_participant_session": _("Activity grants only: what each person at a session earns."),
            "min_participants_per_session": _("Activity grants only: smaller sessions are not counted."),
            "ceiling_per_association": _("Activity grants only: the most one association can receive."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["required_attachments"] = "\n".join(self.instance.required_attachments)
        self.fields["year"].initial = timezone.localdate().year
        if (
            self.instance.pk
            and self.instance.applications.exclude(status=GrantApplication.Status.DRAFT).exists()
        ):
            # Submitted applications were made to this kind of grant for this year.
            for name in ("kind", "year"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Applications have been submitted, so this cannot change.")

    def clean_required_attachments(self) -> list[str]:
        labels = _lines(self.cleaned_data["required_attachments"])
        if any(len(label) > 200 for label in labels):
            raise forms.ValidationError(_("Keep each attachment name under 200 characters."))
        return labels

    def clean(self):
        data = super().clean()
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The last day to apply cannot be before applications open."))
        if data.get("kind") == GrantProgramme.Kind.ACTIVITY:
            if data.get("rate_per_participant_session") is None:
                self.add_error(
                    "rate_per_participant_session",
                    _("Enter the kronor per participant session: activity grants are calculated."),
                )
        else:
            # The rule only applies to activity grants; keep no stale rule on other kinds.
            for name in CALCULATION_FIELDS:
                data[name] = None
        return data


class QuestionForm(forms.ModelForm):
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for “Choice from a list”: one choice per line."),
    )

    class Meta:
        model = ProgrammeQuestion
        fields = ["text", "help_text", "kind", "choices", "required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["choices"] = "\n".join(self.instance.choices)

    def clean(self):
        data = super().clean()
        choices = _lines(data.get("choices", ""))
        if data.get("kind") == ProgrammeQuestion.Kind.CHOICE:
            if len(choices) < 2:
                self.add_error("choices", _("Give at least two choices, one per line."))
        else:
            choices = []
        data["choices"] = choices
        return data


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=year_choices, required=False)

    def selected_year(self) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return timezone.localdate().year


class DashboardForm(YearForm):
    programme = forms.ModelChoiceField(
        GrantProgramme.objects.all(), required=False, widget=forms.HiddenInput, label=_("Grant programme")
    )

    def selected_programme(self, year: int) -> GrantProgramme | None:
        """The programme whose money per locality is shown, when it belongs to the chosen year."""
        programme = self.cleaned_data.get("programme") if self.is_valid() else None
        return programme if programme is not None and programme.year == year else None


class RecipientFilterForm(forms.Form):
    """Which associations a bulk message goes to; every field narrows the set."""

    kind = forms.MultipleChoiceField(
        label=_("Kind of association"),
        choices=Association.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every kind."),
    )
    locality = forms.ModelMultipleChoiceField(
        Locality.objects.order_by("name"),
        label=_("Localities served"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="slug",
        help_text=_("None chosen: every locality."),
    )
    eligibility = forms.ChoiceField(
        label=_("Eligibility for grants"),
        required=False,
        choices=[
            ("", _("Every active association")),
            ("eligible", _("Only eligible associations")),
            ("not_eligible", _("Only associations that are not eligible")),
        ],
    )
    year = forms.TypedChoiceField(
        label=_("Eligibility for the year"), coerce=int, choices=year_choices, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        if data.get("eligibility") and not data.get("year"):
            data["year"] = timezone.localdate().year
        return data

    def as_filters(self) -> dict:
        """The chosen filters as plain JSON, the form they are stored in on the sent message."""
        data = self.cleaned_data
        return {
            "kind": list(data["kind"]),
            "locality": sorted(locality.slug for locality in data["locality"]),
            "eligibility": data["eligibility"],
            "year": data["year"] if data["eligibility"] else None,
        }


class BulkMessageForm(RecipientFilterForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Written as plain text. Each association gets its own e-mail with its name at the top."),
    )
    # Set by the preview page: the recipients the coordinator saw, so a changed list is shown again.
    recipients_digest = forms.CharField(required=False, widget=forms.HiddenInput)


class ExportForm(forms.Form):
    WHAT = [
        ("applications", _("Applications")),
        ("decisions", _("Decisions")),
        ("payments", _("Payments")),
    ]
    FORMATS = [("xlsx", _("Excel (.xlsx)")), ("csv", _("CSV (semicolon-separated)"))]

    what = forms.ChoiceField(label=_("What to export"), choices=WHAT, initial="applications")
    file_format = forms.ChoiceField(label=_("File format"), choices=FORMATS, initial="xlsx")
    programme = forms.ModelChoiceField(
        GrantProgramme.objects.all(), label=_("Grant programme"), required=False, empty_label=_("All")
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        choices=[("", _("All")), *year_choices()],
        required=False,
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *GrantApplication.Status.choices], required=False
    )
    locality = forms.ModelChoiceField(
        Locality.objects.order_by("name"),
        label=_("Locality served"),
        required=False,
        empty_label=_("All"),
        to_field_name="slug",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All")), *year_choices()]

    def as_filters(self) -> dict:
        data = self.cleaned_data
        return {
            "programme": data["programme"].pk if data["programme"] else None,
            "year": data["year"],
            "status": data["status"],
            "locality": data["locality"].slug if data["locality"] else "",
        }
