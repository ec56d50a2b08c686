"""Forms of the public activity pages: search, sign-up and activity tips."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import HoneypotMixin
from portal.models import Locality

from .models import ActivitySuggestion, Category, MeetingPlace
from .selectors import OccurrenceSearch

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]
TIMES_OF_DAY = [
    ("", _("Any time")),
    ("morning", _("Morning (before 12)")),
    ("afternoon", _("Afternoon (12–17)")),
    ("evening", _("Evening (after 17)")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class ActivitySearchForm(forms.Form):
    q = forms.CharField(label=_("Search words"), required=False, max_length=100)
    locality = forms.MultipleChoiceField(
        label=_("Where"), required=False, widget=forms.CheckboxSelectMultiple
    )
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=DateInput(), help_text=_("For example 2026-03-03")
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=DateInput(), help_text=_("For example 2026-03-31")
    )
    weekday = forms.TypedMultipleChoiceField(
        label=_("Weekday"), required=False, coerce=int, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    time_of_day = forms.ChoiceField(
        label=_("Time of day"), required=False, choices=TIMES_OF_DAY, widget=forms.RadioSelect
    )
    category = forms.MultipleChoiceField(
        label=_("What kind of activity"), required=False, widget=forms.CheckboxSelectMultiple
    )
    free = forms.BooleanField(label=_("Free of charge"), required=False)
    no_signup = forms.BooleanField(label=_("No sign-up needed"), required=False)
    accessible = forms.BooleanField(
        label=_("Accessible: step-free entrance and accessible toilet"), required=False
    )
    online = forms.BooleanField(label=_("Can be joined online"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("date", _("Date")), ("relevance", _("Best match for the search words"))],
    )

    def __init__(self, *args, localities=None, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        localities = Locality.objects.all() if localities is None else localities
        categories = Category.objects.all() if categories is None else categories
        self.fields["locality"].choices = [(loc.slug, loc.name) for loc in localities]
        self.fields["category"].choices = [(cat.slug, cat.name) for cat in categories]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date must be the same as or after the start date."))
        return cleaned

    def search(self) -> OccurrenceSearch:
        data = self.cleaned_data
        return OccurrenceSearch(
            text=data.get("q", ""),
            localities=data.get("locality", []),
            categories=data.get("category", []),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            weekdays=data.get("weekday", []),
            time_of_day=data.get("time_of_day", ""),
            free=data.get("free", False),
            no_signup=data.get("no_signup", False),
            accessible=data.get("accessible", False),
            online=data.get("online", False),
        )

    def by_relevance(self) -> bool:
        return bool(self.cleaned_data.get("q")) and self.cleaned_data.get("sort") == "relevance"


PARTY_SIZE = forms.TypedChoiceField(
    label=_("How many people are coming, including you?"),
    coerce=int,
    choices=[(n, str(n)) for n in range(1, 11)],
    initial=1,
)


class SignupForm(HoneypotMixin):
    """Sign-up for a signed-in person: only how many are coming."""

    party_size = PARTY_SIZE


class GuestSignupForm(HoneypotMixin):
    """Sign-up without an account: a name and a way to reach the person."""

    guest_name = forms.CharField(label=_("Your name"), max_length=150)
    guest_phone = forms.CharField(
        label=_("Phone number"), max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    guest_email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("We send the confirmation and a reminder the day before to this address."),
    )
    party_size = PARTY_SIZE

    field_order = ["guest_name", "guest_phone", "guest_email", "party_size"]

    def clean(self):
        cleaned = super().clean()
        unreachable = (
            not cleaned.get("guest_phone", "").strip() and not cleaned.get("guest_email", "").strip()
        )
        if unreachable and "guest_phone" not in self.errors and "guest_email" not in self.errors:
            self.add_error("guest_phone", _("Give a phone number or an e-mail address."))
        return cleaned

    def reply_to(self) -> str:
        """Where the confirmation goes: the key of the per-address rate limit."""
        return self.cleaned_data.get("guest_email") or self.cleaned_data.get("guest_phone", "")


class SuggestionForm(HoneypotMixin, forms.ModelForm):
    class Meta:
        model = ActivitySuggestion
        fields = [
            "title",
            "description",
            "when_text",
            "where_text",
            "locality",
            "organiser_text",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        labels = {
            "title": _("What is the activity?"),
            "description": _("Tell us more about it"),
            "when_text": _("When does it happen?"),
            "where_text": _("Where does it happen?"),
            "locality": _("Locality"),
            "organiser_text": _("Who arranges it?"),
            "contact_name": _("Your name"),
            "contact_email": _("Your e-mail address"),
            "contact_phone": _("Your phone number"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6, "maxlength": 4000})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].empty_label = _("Don't know or not in one place")
        self.fields["contact_email"].help_text = _("Optional. We send a receipt to this address.")

    def reply_to(self) -> str:
        """Where the receipt goes: the key of the per-address rate limit."""
        return self.cleaned_data.get("contact_email") or self.cleaned_data.get("contact_phone", "")

    def suggestion_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PlaceFilterForm(forms.Form):
    locality = forms.ChoiceField(label=_("Locality"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of place"), required=False, choices=[("", _("All kinds")), *MeetingPlace.Kind.choices]
    )
    accessible = forms.BooleanField(
        label=_("Accessible: step-free entrance and accessible toilet"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].choices = [
            ("", _("All localities")),
            *((loc.slug, loc.name) for loc in Locality.objects.all()),
        ]
