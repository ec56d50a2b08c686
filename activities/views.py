from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .models import Registration


@require_http_methods(["GET", "POST"])
def cancel_registration(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel a sign-up from the link in its e-mail: GET asks for confirmation, POST cancels."""
    registration = get_object_or_404(
        Registration.objects.select_related(
            "occurrence__activity", "occurrence__place", "occurrence__activity__place"
        ),
        cancel_token=token,
    )
    if request.method == "POST" and registration.status != Registration.Status.CANCELLED:
        try:
            services.cancel_registration(registration, request=request)
        except services.SignupError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Your sign-up is cancelled. Thank you for letting us know."))
        return redirect("activities:cancel-registration", token=token)
    return render(request, "activities/cancel_registration.html", {"registration": registration})
