from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import needs_mfa

# Paths a staff member without MFA may still reach: the account pages (to set MFA up or sign out),
# language switching, health probes and static files.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/healthz", "/readyz", "/static/", "/installningar/")


class StaffMFARequiredMiddleware:
    """When REQUIRE_STAFF_MFA is on, staff must activate TOTP before they can use anything else."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.REQUIRE_STAFF_MFA
            and request.user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and needs_mfa(request.user)
            and not is_mfa_enabled(request.user)
        ):
            text = _("Your role requires two-step verification. Set up an authenticator app to continue.")
            if request.path.startswith("/api/"):
                return JsonResponse({"message": text, "field": None}, status=403)
            messages.warning(request, text)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
