from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.roles import ADMIN, BACKOFFICE_ROLES, Role, roles_of


@role_required(*BACKOFFICE_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """The back office's start page: who you are, what you may do here."""
    held = roles_of(request.user)
    role_labels = [label for value, label in Role.choices if value in held]
    if ADMIN in held:
        role_labels.append(_("System administrator"))
    return render(request, "backoffice/home.html", {"role_labels": role_labels})
