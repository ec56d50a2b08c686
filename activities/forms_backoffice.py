"""Back-office forms for activities, their dates, moderation and reference data. Validation only."""

import re
import secrets
from datetime import date, datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from associations.models import Association
from portal.models import Locality

from . import authoring
from .models import Activity, Attendance, Category, MeetingPlace, RecurrenceRule

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
WEEK_OF_MONTH = [
    ("", _("Not a monthly rule")),
    (1, _("First")),
    (2, _("Second")),
    (3, _("Third")),
    (4, _("Fourth")),
    (-1, _("Last")),
]
MAX_RULE_SPAN = timedelta(days=2 * 366)
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}  # format → stored extension
SORTS = {
    "title": ("title", _("Title")),
    "-updated": ("-updated_at", _("Recently changed")),
    "status": ("status", _("Status")),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ActivityForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("Link for online participation"), required=False, max_length=200, assume_scheme="https"
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=200,
        help_text=_("Separate with commas, for example: Swedish, Finnish."),
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "description",
            "organiser_association",
            "organiser_unit",
            "place",
            "online_url",
            "categories",
            "audience_note",
            "price_sek",
            "languages",
            "accessibility_notes",
            "signup_required",
            "capacity",
            "waiting_list",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]
        widgets = {"categories": forms.CheckboxSelectMultiple}
        help_texts = {"price_sek": _("0 means free."), "capacity": _("Leave empty for no limit.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser_association"].queryset = authoring.writable_associations(user)
        self.fields["place"].queryset = MeetingPlace.objects.filter(is_active=True).select_related("locality")
        self.fields["categories"].queryset = Category.objects.order_by("position", "slug")
        self.initial["languages"] = ", ".join(self.instance.languages or [])
        if not authoring.is_coordinator(user):
            # Kept (hidden, fixed empty) so the model's organiser rule can report on it.
            self.fields["organiser_unit"].disabled = True
            self.fields["organiser_unit"].widget = forms.HiddenInput()
            self.fields["organiser_association"].required = True
            self.fields["organiser_association"].empty_label = None

    def clean_languages(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["languages"].split(",") if part.strip()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("signup_required") and cleaned.get("capacity") == 0:
            self.add_error("capacity", _("Give at least one place, or leave empty for no limit."))
        return cleaned

    def activity_fields(self) -> dict:
        """The cleaned values for :func:`authoring.create_activity` / ``update_activity``."""
        return {name: value for name, value in self.cleaned_data.items() if name != "categories"}


class RecurrenceRuleForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A monthly rule uses one weekday."),
    )
    week_of_month = forms.TypedChoiceField(
        label=_("Which week of the month"),
        choices=WEEK_OF_MONTH,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only for rules that repeat once a month."),
    )
    exceptions = forms.CharField(
        label=_("Dates left out"),
        required=False,
        help_text=_(
            "Dates without a meeting, as YYYY-MM-DD separated by commas, e.g. 2026-12-24, 2026-12-31."
        ),
    )

    class Meta:
        model = RecurrenceRule
        fields = [
            "frequency",
            "weekdays",
            "week_of_month",
            "start_date",
            "end_date",
            "start_time",
            "end_time",
        ]
        widgets = {
            "frequency": forms.RadioSelect,
            "start_date": DateInput,
            "end_date": DateInput,
            "start_time": TimeInput,
            "end_time": TimeInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frequency"].choices = RecurrenceRule.Frequency.choices
        if self.instance.pk:
            self.initial["exceptions"] = ", ".join(self.instance.exceptions)

    def clean_exceptions(self) -> list[str]:
        return parse_exception_dates(self.cleaned_data["exceptions"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", _("The last date must be on or after the first date."))
            elif end - start > MAX_RULE_SPAN:
                self.add_error(
                    "end_date", _("A rule can cover at most two years. Add a new rule after that.")
                )
        if (
            cleaned.get("start_time")
            and cleaned.get("end_time")
            and cleaned["end_time"] <= cleaned["start_time"]
        ):
            self.add_error("end_time", _("The end time must be after the start time."))
        if cleaned.get("frequency") == RecurrenceRule.Frequency.MONTHLY:
            if cleaned.get("week_of_month") is None:
                self.add_error("week_of_month", _("Choose which week of the month."))
            if len(cleaned.get("weekdays") or []) > 1:
                self.add_error("weekdays", _("A monthly rule takes exactly one weekday."))
        self.instance.exceptions = cleaned.get("exceptions") or []
        return cleaned


def parse_exception_dates(text: str) -> list[str]:
    """``"2026-12-24, 2026-12-31"`` → sorted ISO dates; the error names the first entry that is not a date."""
    result = set()
    for part in (p for p in re.split(r"[,\s]+", text or "") if p):
        try:
            result.add(datetime.strptime(part, "%Y-%m-%d").date().isoformat())
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a date. Write dates as YYYY-MM-DD, separated by commas."),
                params={"value": part},
            ) from None
    return sorted(result)


RecurrenceFormSet = inlineformset_factory(
    Activity, RecurrenceRule, form=RecurrenceRuleForm, extra=1, can_delete=True, max_num=10, validate_max=True
)


class OccurrenceForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Ends"), widget=TimeInput)
    place = forms.ModelChoiceField(
        label=_("Other meeting place this time"),
        queryset=MeetingPlace.objects.filter(is_active=True),
        required=False,
        help_text=_("Leave empty to meet at the activity's usual place."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("start_time")
            and cleaned.get("end_time")
            and cleaned["end_time"] <= cleaned["start_time"]
        ):
            self.add_error("end_time", _("The end time must be after the start time."))
        if cleaned.get("day") and cleaned["day"] < date.today():
            self.add_error("day", _("Choose today or a later date."))
        return cleaned

    def times(self) -> tuple[datetime, datetime]:
        day = self.cleaned_data["day"]
        starts = timezone.make_aware(datetime.combine(day, self.cleaned_data["start_time"]))
        ends = timezone.make_aware(datetime.combine(day, self.cleaned_data["end_time"]))
        return starts, ends


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone signed up gets this in an e-mail."),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the organiser change?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttendanceForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = list(Attendance.COUNT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Attendance.COUNT_FIELDS:
            model_field = self.fields[name]
            self.fields[name] = forms.IntegerField(
                label=model_field.label, help_text=model_field.help_text, min_value=0, max_value=999
            )


def _all_choice(pairs) -> list[tuple]:
    return [("", _("All")), *pairs]


# As a model choice field says it: without repeating whatever was typed into the address.
UNKNOWN_CHOICE = {"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]}


def _pk_choice_field(label) -> forms.TypedChoiceField:
    """A filter by primary key whose (pk, name) choices the form sets; "All" when empty."""
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, error_messages=UNKNOWN_CHOICE
    )


class ActivityFilterForm(forms.Form):
    """The filter above the activity list. Associations and localities are offered as (pk, name) pairs
    read once per request, not as model instances."""

    q = forms.CharField(label=_("Search by title"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_all_choice(Activity.Status.choices),
    )
    association = _pk_choice_field(_("Association"))
    locality = _pk_choice_field(_("Locality"))
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, label) for key, (_f, label) in SORTS.items()],
    )

    def __init__(self, *args, coordinator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if coordinator:
            self.fields["association"].choices = _all_choice(Association.objects.values_list("pk", "name"))
            self.fields["locality"].choices = _all_choice(Locality.objects.values_list("pk", "name"))
        else:
            del self.fields["association"]
            del self.fields["locality"]

    def apply(self, activities):
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("q"):
            activities = activities.filter(title__icontains=data["q"])
        if data.get("status"):
            activities = activities.filter(status=data["status"])
        if data.get("association"):
            activities = activities.filter(organiser_association_id=data["association"])
        if data.get("locality"):
            activities = activities.filter(place__locality_id=data["locality"])
        return activities.order_by(SORTS.get(data.get("sort") or "title")[0], "pk")


class AcceptSuggestionForm(forms.Form):
    organiser_association = forms.ModelChoiceField(
        label=_("Organising association"), required=False, queryset=None
    )
    organiser_unit = forms.CharField(label=_("Or organising municipal unit"), required=False, max_length=150)
    place = forms.ModelChoiceField(
        label=_("Meeting place"), required=False, queryset=MeetingPlace.objects.filter(is_active=True)
    )
    online_url = forms.URLField(
        label=_("Or link for online participation"), required=False, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser_association"].queryset = Association.objects.all()

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("organiser_association")) == bool(cleaned.get("organiser_unit", "").strip()):
            self.add_error("organiser_association", _("Choose either an association or a municipal unit."))
        if not cleaned.get("place") and not cleaned.get("online_url"):
            self.add_error("place", _("Choose a meeting place or give a link for online participation."))
        return cleaned


class MeetingPlaceForm(forms.ModelForm):
    class Meta:
        model = MeetingPlace
        fields = [
            "name",
            "kind",
            "locality",
            "address",
            "postal_code",
            "latitude",
            "longitude",
            "opening_hours",
            "contact_phone",
            "contact_email",
            "description",
            "photo",
            "photo_alt",
            *MeetingPlace.ACCESSIBILITY_FIELDS,
            "is_active",
        ]
        widgets = {
            "opening_hours": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"photo": _("JPEG, PNG or WebP, at most 5 MB.")}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or photo == self.initial.get("photo"):
            return photo
        if photo.size > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo is too large. The largest size is 5 MB."))
        try:
            with Image.open(photo) as image:
                image_format = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
            raise ValidationError(_("The file is not a photo we can show. Use JPEG, PNG or WebP.")) from None
        if image_format not in PHOTO_FORMATS:
            raise ValidationError(_("The file is not a photo we can show. Use JPEG, PNG or WebP."))
        photo.seek(0)
        # Photos are public media: the stored name gets the extension of the checked format, never the
        # uploaded one, so an image with HTML appended cannot be served as a page (``x.html``).
        photo.name = f"{secrets.token_hex(8)}.{PHOTO_FORMATS[image_format]}"
        return photo


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name_sv", "name_en", "position", "is_cornerstone", "is_finger"]


class LocalityForm(forms.ModelForm):
    class Meta:
        model = Locality
        fields = ["name", "slug", "is_rural", "latitude", "longitude"]
        help_texts = {"slug": _("Part of web addresses. Leave empty to make one from the name.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
