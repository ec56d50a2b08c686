from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Locality


class HoneypotMixin(forms.Form):
    """A field people never see (hidden with the ``hidden`` attribute); bots that fill it are ignored.

    Shared by the public forms (Fråga kommunen here, sign-up and Tipsa in activities); the view answers a
    filled-in honeypot as if it had worked, stores nothing and audits it (``portal.ratelimit``).
    """

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website"), "").strip())


class DisplaySettingsForm(forms.Form):
    text_size = forms.ChoiceField(
        label=_("Text size"),
        choices=[("normal", _("Normal")), ("large", _("Large")), ("larger", _("Extra large"))],
        widget=forms.RadioSelect,
    )
    contrast = forms.ChoiceField(
        label=_("Contrast"),
        choices=[("normal", _("Normal")), ("high", _("High contrast"))],
        widget=forms.RadioSelect,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def settings(self) -> dict[str, str]:
        return {"text_size": self.cleaned_data["text_size"], "contrast": self.cleaned_data["contrast"]}


class ContactForm(HoneypotMixin, forms.Form):
    """The question form of Fråga kommunen, with a way to answer it."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    phone = forms.CharField(
        label=_("Phone number"), max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    locality = forms.ModelChoiceField(
        label=_("Where do you live?"),
        queryset=Locality.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("I prefer not to say"),
        help_text=_("Optional. It helps us find the right person."),
    )
    message = forms.CharField(
        label=_("Your question"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("At most 4,000 characters."),
    )
    field_order = ["name", "email", "phone", "locality", "message", "website"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone", "").strip() and "email" not in self.errors:
            self.add_error("email", _("Give an e-mail address or a phone number so that we can answer."))
        return cleaned

    def reply_to(self) -> str:
        """Where the answer and the receipt go: the key of the per-address rate limit."""
        return self.cleaned_data.get("email") or self.cleaned_data.get("phone", "")

    def cleaned_data_for_service(self) -> dict:
        fields = ("name", "email", "phone", "locality", "message")
        return {name: self.cleaned_data[name] for name in fields}


class LocalityChoiceForm(forms.Form):
    """Choose the locality whose week the home page shows."""

    ort = forms.ModelChoiceField(
        label=_("Choose where you live"),
        queryset=Locality.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=_("The whole municipality"),
    )
