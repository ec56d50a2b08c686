"""Back-office forms for the welfare-technology administrator. Forms validate input; rules live in
:mod:`welfaretech.services`."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.models import Locality

from .models import (
    CareRecipient,
    CareTeam,
    Consent,
    Device,
    DeviceHistory,
    EventBenefit,
    TechnologyType,
    TrainingRecord,
)

DATE = forms.DateInput(attrs={"type": "date"})
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class TechnologyForm(forms.ModelForm):
    class Meta:
        model = TechnologyType
        fields = ["name_sv", "name_en", "stage", "owner", "supplier", "product", "consent_required"]


BenefitFormSet = forms.inlineformset_factory(
    TechnologyType,
    EventBenefit,
    fields=["kind", "staff_minutes_saved", "travel_km_avoided"],
    extra=1,
    can_delete=True,
)


class DeviceFilterForm(forms.Form):
    technology = forms.ModelChoiceField(
        TechnologyType.objects.all(), required=False, label=_("Technology"), empty_label=_("All")
    )
    status = forms.ChoiceField(
        choices=[("", _("All")), *Device.Status.choices], required=False, label=_("Status")
    )
    q = forms.CharField(required=False, label=_("Serial number"))

    def apply(self, devices):
        if not self.is_valid():
            return devices
        data = self.cleaned_data
        if data["technology"]:
            devices = devices.filter(technology=data["technology"])
        if data["status"]:
            devices = devices.filter(status=data["status"])
        if data["q"]:
            devices = devices.filter(serial__icontains=data["q"])
        return devices


class DeviceForm(forms.Form):
    technology = forms.ModelChoiceField(TechnologyType.objects.all(), label=_("Technology"))
    serial = forms.CharField(max_length=80, label=_("Serial number"))
    product = forms.CharField(max_length=150, required=False, label=_("Product"))
    next_service_on = forms.DateField(required=False, widget=DATE, label=_("Next service"))
    battery_change_on = forms.DateField(required=False, widget=DATE, label=_("Battery change"))

    def clean_serial(self):
        serial = self.cleaned_data["serial"].strip()
        if Device.objects.filter(serial=serial).exists():
            raise forms.ValidationError(_("A device with this serial number already exists."))
        return serial


class DeviceActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a, label) for a, label in DeviceHistory.Action.choices if a != DeviceHistory.Action.RECEIVED
        ],
        label=_("What happened"),
    )
    recipient = forms.ModelChoiceField(
        CareRecipient.objects.filter(is_active=True),
        required=False,
        label=_("Recipient code"),
        help_text=_("Only when the device is installed or moved."),
        to_field_name="code",
        widget=forms.TextInput,
    )
    note = forms.CharField(max_length=300, required=False, label=_("Note"))


class RecipientFilterForm(forms.Form):
    team = forms.ModelChoiceField(
        CareTeam.objects.all(), required=False, label=_("Team"), empty_label=_("All")
    )
    locality = forms.ModelChoiceField(
        Locality.objects.all(), required=False, label=_("Locality"), empty_label=_("All")
    )
    q = forms.CharField(required=False, label=_("Code"))

    def apply(self, recipients):
        if not self.is_valid():
            return recipients
        data = self.cleaned_data
        if data["team"]:
            recipients = recipients.filter(team=data["team"])
        if data["locality"]:
            recipients = recipients.filter(locality=data["locality"])
        if data["q"]:
            recipients = recipients.filter(code__icontains=data["q"])
        return recipients


class ConsentForm(forms.Form):
    technology = forms.ModelChoiceField(
        TechnologyType.objects.filter(consent_required=True), label=_("Technology")
    )
    given = forms.TypedChoiceField(
        choices=[("1", _("Consent given")), ("0", _("Consent withdrawn"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        label=_("Consent"),
    )
    date = forms.DateField(widget=DATE, label=_("Date"))
    method = forms.ChoiceField(choices=Consent.Method.choices, widget=forms.RadioSelect, label=_("How"))
    witness = forms.CharField(
        max_length=150, required=False, label=_("Witness"), help_text=_("Required for verbal consent.")
    )

    def clean(self):
        data = super().clean()
        if data.get("method") == Consent.Method.VERBAL and not data.get("witness", "").strip():
            self.add_error("witness", _("Verbal consent needs a witness."))
        return data


class AssignmentForm(forms.Form):
    technology = forms.ModelChoiceField(TechnologyType.objects.all(), label=_("Technology"))
    device = forms.ModelChoiceField(
        Device.objects.filter(status=Device.Status.IN_STOCK),
        required=False,
        label=_("Device serial number"),
        to_field_name="serial",
        widget=forms.TextInput,
        help_text=_("Optional. A device in stock of the same technology."),
    )
    decision_date = forms.DateField(widget=DATE, label=_("Needs-assessment decision"))
    starts_on = forms.DateField(widget=DATE, label=_("Starts"))
    night_schedule = forms.CharField(
        required=False,
        label=_("Night check times"),
        help_text=_("Camera supervision only. Times separated by commas, e.g. 23:00, 02:00, 05:00."),
    )

    def clean_night_schedule(self) -> list[str]:
        times = [part.strip() for part in self.cleaned_data["night_schedule"].split(",") if part.strip()]
        if any(not TIME_RE.match(value) for value in times):
            raise forms.ValidationError(_("Write each time as HH:MM, separated by commas."))
        return sorted(set(times), key=lambda value: (value < "12:00", value))

    def clean(self):
        data = super().clean()
        technology = data.get("technology")
        is_camera = technology is not None and technology.code == TechnologyType.Code.DIGITAL_SUPERVISION
        if is_camera and not data.get("night_schedule") and "night_schedule" not in self.errors:
            self.add_error("night_schedule", _("Camera supervision needs at least one check time."))
        return data


class EndAssignmentForm(forms.Form):
    ends_on = forms.DateField(widget=DATE, label=_("Ends"))
    reason = forms.CharField(max_length=200, label=_("Reason"))


class FaultForm(forms.Form):
    device = forms.ModelChoiceField(
        Device.objects.exclude(status=Device.Status.RETIRED),
        label=_("Device serial number"),
        to_field_name="serial",
        widget=forms.TextInput,
    )
    description = forms.CharField(max_length=300, label=_("Description"))
    is_urgent = forms.BooleanField(required=False, label=_("Urgent"))


class CloseFaultForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label=_("Repair note"))


class TrainingForm(forms.ModelForm):
    user = forms.ModelChoiceField(
        get_user_model().objects.all(),
        label=_("Staff e-mail"),
        to_field_name="email",
        widget=forms.EmailInput,
    )

    class Meta:
        model = TrainingRecord
        fields = ["user", "course", "technology", "completed_on", "valid_until"]
        widgets = {"completed_on": DATE, "valid_until": DATE}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: technology, serial, product, next_service_on, battery_change_on."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class BenefitsFilterForm(forms.Form):
    date_from = forms.DateField(widget=DATE, label=_("From"))
    date_to = forms.DateField(widget=DATE, label=_("To"))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date must be after the start date."))
        return data
