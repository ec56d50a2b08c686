from django import forms
from django.utils.translation import gettext_lazy as _


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
