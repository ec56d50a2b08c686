"""Forms for a representative's grant applications: start, edit (with the programme's own questions),
attachments, messages, withdrawal and the follow-up report.

Forms only validate input; the rules for what may be saved or sent and when live in
``associations.applications``.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.models import Locality

from . import applications, uploads
from .models import Association, FollowUpReport, GrantApplication, GrantProgramme, ProgrammeQuestion

YES, NO = "yes", "no"
OTHER_ATTACHMENT = "__other__"
MAX_TEXT = 5000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def amount_field(label, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class StartApplicationForm(forms.Form):
    """The first step: which programme, for which association, and a name for the application."""

    programme = forms.ModelChoiceField(
        label=_("Grant"), queryset=GrantProgramme.objects.none(), empty_label=_("Choose a grant")
    )
    association = forms.ModelChoiceField(
        label=_("Association applying"), queryset=Association.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("What the grant is for"),
        max_length=200,
        help_text=_("A short name, for example “Weekly walks in Högsjö 2026”."),
    )

    def __init__(self, *args, programmes, associations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        self.fields["association"].queryset = associations


def question_field_name(question: ProgrammeQuestion) -> str:
    return f"question_{question.pk}"


def _question_field(question: ProgrammeQuestion) -> forms.Field:
    label = question.text if question.required else _("%(question)s (optional)") % {"question": question.text}
    # Never required here: a draft may be saved half-done; ``applications.submit`` insists on the answers.
    options = {"label": label, "help_text": question.help_text, "required": False}
    if question.kind == ProgrammeQuestion.Kind.NUMBER:
        return forms.DecimalField(
            max_digits=14,
            decimal_places=2,
            localize=True,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **options,
        )
    if question.kind == ProgrammeQuestion.Kind.YES_NO:
        return forms.ChoiceField(
            choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **options
        )
    if question.kind == ProgrammeQuestion.Kind.CHOICE:
        return forms.ChoiceField(
            choices=[(choice, choice) for choice in question.choices], widget=forms.RadioSelect, **options
        )
    return forms.CharField(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}), **options)


def _initial_answer(question: ProgrammeQuestion, value):
    if question.kind == ProgrammeQuestion.Kind.YES_NO and isinstance(value, bool):
        return YES if value else NO
    return "" if value is None else value


class ApplicationForm(forms.Form):
    """The application itself plus one field per programme question.

    A draft may be saved incomplete; whether everything required is there is checked when it is sent in.
    """

    title = forms.CharField(label=_("What the grant is for"), max_length=200)
    description = forms.CharField(
        label=_("Describe what you want to do"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who it is for, where and when, and what the money will be used for."),
    )
    requested_amount = amount_field(_("Amount applied for (SEK)"))
    period_start = forms.DateField(label=_("Period from"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("Period until"), required=False, widget=DateInput)

    def __init__(self, *args, application: GrantApplication, questions, **kwargs):
        initial = {
            "title": application.title,
            "description": application.description,
            "requested_amount": application.requested_amount,
            "period_start": application.period_start,
            "period_end": application.period_end,
        }
        self.questions = list(questions)
        answers = application.answers or {}
        for question in self.questions:
            initial[question_field_name(question)] = _initial_answer(question, answers.get(str(question.pk)))
        super().__init__(*args, initial=initial, **kwargs)
        if application.programme.uses_calculation:
            self.fields["requested_amount"].help_text = _(
                "Optional. The case officer calculates the activity grant from the attendance you have "
                "recorded in the period."
            )
            self.fields["period_start"].help_text = _("The attendance recorded in this period is counted.")
        for question in self.questions:
            self.fields[question_field_name(question)] = _question_field(question)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after the day it starts."))
        self.answers = {}
        for question in self.questions:
            name = question_field_name(question)
            try:
                answer = applications.validate_answer(question, cleaned.get(name))
            except ValidationError as error:
                self.add_error(name, error)
            else:
                if answer is not None:
                    self.answers[str(question.pk)] = answer
        return cleaned

    def application_fields(self):
        return [field for field in self if not field.name.startswith("question_")]

    def question_fields(self):
        return [self[question_field_name(question)] for question in self.questions]

    def service_fields(self) -> dict:
        """The cleaned data in the shape ``applications.update_draft`` takes."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "requested_amount": data["requested_amount"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "answers": self.answers,
        }


class AttachmentForm(forms.Form):
    label = forms.ChoiceField(label=_("What the file is"), choices=())
    other_label = forms.CharField(
        label=_("Describe the file"),
        required=False,
        max_length=200,
        help_text=_("Only needed when you chose “Another attachment”."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": uploads.allowed_extensions()}),
    )

    def __init__(self, *args, required_labels, missing_labels, **kwargs):
        super().__init__(*args, **kwargs)
        # Missing required attachments first: the likeliest thing the user has come to add.
        ordered = list(missing_labels) + [label for label in required_labels if label not in missing_labels]
        self.fields["label"].choices = [(label, label) for label in ordered] + [
            (OTHER_ATTACHMENT, _("Another attachment"))
        ]
        if not ordered:
            self.fields["label"].widget = forms.HiddenInput()
            self.fields["label"].initial = OTHER_ATTACHMENT
            self.fields["other_label"].required = True
            self.fields["other_label"].help_text = _("For example “Budget” or “Programme for the autumn”.")

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        uploads.validate_upload(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("label") == OTHER_ATTACHMENT and not cleaned.get("other_label", "").strip():
            self.add_error("other_label", _("Describe what the file is."))
        return cleaned

    @property
    def chosen_label(self) -> str:
        if self.cleaned_data["label"] == OTHER_ATTACHMENT:
            return self.cleaned_data["other_label"].strip()
        return self.cleaned_data["label"]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the case officer"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing the application? (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(forms.Form):
    """The follow-up report: what was done, who took part (by sex and age, and by locality), money used."""

    narrative = forms.CharField(
        label=_("What did you do with the grant?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What took place, how often, and what worked well or less well."),
    )
    money_used = amount_field(_("Money used (SEK)"), required=True)

    def __init__(self, *args, localities, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FollowUpReport.COUNT_FIELDS:
            model_field = FollowUpReport._meta.get_field(name)
            self.fields[name] = forms.IntegerField(
                label=model_field.verbose_name.capitalize(),
                help_text=model_field.help_text,
                min_value=0,
                max_value=99999,
                initial=0,
            )
        self.localities = list(localities)
        for locality in self.localities:
            self.fields[self.locality_field_name(locality)] = forms.IntegerField(
                label=locality.name, min_value=0, max_value=99999, required=False
            )

    @staticmethod
    def locality_field_name(locality: Locality) -> str:
        return f"locality_{locality.pk}"

    def count_fields(self):
        return [self[name] for name in FollowUpReport.COUNT_FIELDS]

    def locality_fields(self):
        return [self[self.locality_field_name(locality)] for locality in self.localities]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "narrative": data["narrative"],
            "money_used": data["money_used"],
            "counts": {name: data[name] for name in FollowUpReport.COUNT_FIELDS},
            "localities": {
                locality: data[self.locality_field_name(locality)]
                for locality in self.localities
                if data.get(self.locality_field_name(locality))
            },
        }


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form, on the named fields where it names them."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
