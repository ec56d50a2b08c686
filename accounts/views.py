"""Mina uppgifter: a signed-in person sees what is stored about them, downloads it and deletes the account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import privacy


class DeleteAccountForm(forms.Form):
    """Re-enter the password, or for accounts without one (sign-in by e-mailed code) the e-mail address."""

    password = forms.CharField(
        label=gettext_lazy("Your password"), strip=False, widget=forms.PasswordInput, required=False
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy("Type the address you sign in with, to show that you mean it."),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["email"]
            self.fields["password"].required = True
            self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        else:
            del self.fields["password"]
            self.fields["email"].required = True
            self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."), code="wrong_password")
        return password

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("That is not the address you sign in with."), code="wrong_email")
        return email

    def clean(self):
        cleaned = super().clean()
        for reason in privacy.deletion_blockers(self.user):
            self.add_error(None, reason)
        return cleaned


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/privacy/overview.html",
        {"blockers": privacy.deletion_blockers(request.user)},
    )


@login_required
@require_POST
def download(request: HttpRequest) -> HttpResponse:
    """POST so that a download is a deliberate act (and audited), never a prefetch or a crawler's GET."""
    data = privacy.export_data(request.user)
    privacy.record_export(request.user, request=request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"mina-uppgifter-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        logout(request)  # first, so the sign-out is logged while the account still exists
        try:
            privacy.delete_account(user)
        except privacy.AccountDeletionRefused as refused:
            for reason in refused.reasons:
                messages.error(request, reason)
            return redirect("account_login")
        messages.success(request, _("Your account is deleted. Thank you for using Åldersvänlig bygd."))
        return redirect("privacy:deleted")
    return render(request, "accounts/privacy/delete.html", {"form": form})


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy/deleted.html")
