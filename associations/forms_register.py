"""Forms of the association register: each validates what a person typed and says clearly what is wrong;
the services in ``associations.services`` then do the writing."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Locality

from . import services
from .eligibility import eligible_associations
from .models import AnnualDocument, Association, BoardMember, Representative
from .uploads import allowed_extensions, validate_upload
from .validators import normalise_org_number, validate_org_number

LOGO_FORMATS = ("png", "jpeg")
LOGO_MAX_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# --- Register list ----------------------------------------------------------------------------------


class AssociationFilterForm(forms.Form):
    """Search, filter and sort the coordinator's list of associations."""

    SORTS = {
        "name": ("name", _("Name, A–Ö")),
        "-name": ("-name", _("Name, Ö–A")),
        "kind": ("kind", _("Kind")),
        "-updated": ("-updated_at", _("Recently changed")),
        "confirmed": ("base_data_confirmed_at", _("Confirmed longest ago")),
    }

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, organisation number, town or e-mail."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of association"),
        required=False,
        choices=[("", _("All kinds")), *Association.Kind.choices],
    )
    locality = forms.ModelChoiceField(
        label=_("Locality"), required=False, queryset=Locality.objects.all(), empty_label=_("All localities")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and inactive")), ("active", _("Active")), ("inactive", _("Inactive"))],
    )
    eligible = forms.ChoiceField(
        label=_("Eligible for grants this year"),
        required=False,
        choices=[("", _("Eligible or not")), ("yes", _("Eligible")), ("no", _("Not eligible"))],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[(key, label) for key, (_field, label) in SORTS.items()]
    )

    def apply(self, associations: QuerySet[Association]) -> QuerySet[Association]:
        if not self.is_valid():
            return associations.order_by("name")
        data = self.cleaned_data
        if data["q"]:
            words = data["q"].strip()
            associations = associations.filter(
                Q(name__icontains=words)
                | Q(org_number__icontains=words)
                | Q(org_number=normalise_org_number(words))
                | Q(city__icontains=words)
                | Q(email__icontains=words)
            )
        if data["kind"]:
            associations = associations.filter(kind=data["kind"])
        if data["locality"]:
            associations = associations.filter(localities=data["locality"])
        if data["status"]:
            associations = associations.filter(is_active=data["status"] == "active")
        if data["eligible"]:
            eligible = eligible_associations(timezone.localdate().year).values("pk")
            if data["eligible"] == "yes":
                associations = associations.filter(pk__in=eligible)
            else:
                associations = associations.exclude(pk__in=eligible)
        order = self.SORTS.get(data["sort"] or "name")[0]
        return associations.order_by(order, "name", "pk")


# --- Base data --------------------------------------------------------------------------------------


class AssociationForm(forms.ModelForm):
    """The association's details. Coordinators also see ``is_active``; see :func:`association_form_for`."""

    localities = forms.ModelMultipleChoiceField(
        label=_("Localities served"),
        queryset=Locality.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    org_number = forms.CharField(
        label=_("Organisation number"),
        required=False,
        max_length=20,
        validators=[validate_org_number],
        help_text=_("Ten digits, for example 802473-5592."),
    )
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Association
        fields = [
            "name",
            "org_number",
            "kind",
            "localities",
            "purpose",
            "street_address",
            "postal_code",
            "city",
            "email",
            "phone",
            "website",
            "logo",
            "logo_alt",
            "show_in_directory",
        ]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].widget.attrs["accept"] = allowed_extensions(LOGO_FORMATS)
        self.fields["logo"].help_text = _("PNG or JPEG, at most 2 MB.")
        self.fields["email"].required = True

    def clean_org_number(self) -> str:
        value = self.cleaned_data["org_number"]
        return normalise_org_number(value) if value else value

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):  # a new upload, not the stored file
            validate_upload(logo, allowed=LOGO_FORMATS, max_bytes=LOGO_MAX_BYTES)
        return logo

    def clean(self):
        cleaned = super().clean()
        logo = cleaned.get("logo")
        if logo and not cleaned.get("logo_alt"):
            self.add_error("logo_alt", _("Describe what the logo shows, for people who cannot see it."))
        return cleaned

    def service_fields(self) -> dict:
        """``cleaned_data`` as keyword arguments for the services (a cleared logo becomes empty)."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        if data.get("logo") is False:
            data["logo"] = ""
        if data.get("logo") is None:
            data.pop("logo")
        data["localities"] = list(data.pop("localities", []))
        return data


class CoordinatorAssociationForm(AssociationForm):
    class Meta(AssociationForm.Meta):
        fields = [*AssociationForm.Meta.fields, "is_active"]


# --- Board and members ------------------------------------------------------------------------------


class BoardMemberForm(forms.ModelForm):
    class Meta:
        model = BoardMember
        fields = ["name", "role", "email", "phone", "period_start", "period_end"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}
        help_texts = {"period_end": _("Leave empty if the assignment continues.")}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period cannot be before its start."))
        return cleaned

    def _post_clean(self):
        # Skip the model's constraint check here: clean() already says the same thing next to the field.
        pass


class MemberCountForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), help_text=_("The members on 31 December of this year."))
    total = forms.IntegerField(label=_("Members in total"), min_value=0)
    women = forms.IntegerField(label=_("Women"), min_value=0)
    men = forms.IntegerField(label=_("Men"), min_value=0)
    aged_65_plus = forms.IntegerField(label=_("Aged 65 or over"), min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].widget.attrs.update({"min": 1900, "max": this_year})
        self.fields["year"].initial = this_year - 1

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not 1900 <= year <= this_year:
            raise ValidationError(
                _("Enter a year between 1900 and %(year)s.") % {"year": this_year}, code="year"
            )
        return year

    def clean(self):
        cleaned = super().clean()
        names = ("total", "women", "men", "aged_65_plus")
        if all(cleaned.get(name) is not None for name in names):
            try:
                services.check_member_count(**{name: cleaned[name] for name in names})
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return cleaned


# --- Payment account --------------------------------------------------------------------------------


class PaymentAccountForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Payment method"), choices=Association.PaymentMethod.choices, widget=forms.RadioSelect
    )
    account = forms.CharField(
        label=_("Account number"),
        max_length=20,
        help_text=_("Bankgiro: 7 or 8 digits, e.g. 5050-1055. Plusgiro: 2 to 8 digits, e.g. 90 20 01-7."),
    )

    def clean(self):
        cleaned = super().clean()
        method, account = cleaned.get("method"), cleaned.get("account")
        if method and account:
            try:
                cleaned["account"] = services.clean_payment_account(method, account)
            except ValidationError as error:
                self.add_error("account", error)
        return cleaned


class PaymentDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve the new account")), (REJECT, _("Reject the change"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the association"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject the change."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why the change is rejected."))
        return cleaned


# --- People -----------------------------------------------------------------------------------------


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The person signs in or creates an account with this address to accept."),
    )
    role = forms.ChoiceField(
        label=_("What the person may do"),
        choices=Representative.Role.choices,
        initial=Representative.Role.ACTIVITIES,
        widget=forms.RadioSelect,
        help_text=_(
            "Administrator: everything, including people and account. Grants: apply for grants and "
            "upload documents. Activities: publish activities."
        ),
    )


# --- Documents --------------------------------------------------------------------------------------


class DocumentUploadForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Financial year"), coerce=int)
    kind = forms.ChoiceField(label=_("Document"), choices=AnnualDocument.Kind.choices)
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG or JPEG, at most 10 MB."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = range(this_year, this_year - 5, -1)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["year"].initial = this_year - 1
        self.fields["file"].widget.attrs["accept"] = allowed_extensions()

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_upload(uploaded)
        return uploaded


class DocumentReviewForm(forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve the document")), (RETURN, _("Return it for correction"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment to the association"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you return the document: say what must be corrected."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what the association must correct."))
        return cleaned
