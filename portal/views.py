from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .display import DisplaySettings, display_settings, remember
from .forms import DisplaySettingsForm
from .health import CHECKS
from .selectors import localities


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"localities": localities()})


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_http_methods(["GET", "POST"])
def display_settings_view(request: HttpRequest) -> HttpResponse:
    """Choose text size and contrast; works as a plain form, remembered in a cookie."""
    current = display_settings(request)
    if request.method == "POST":
        form = DisplaySettingsForm(request.POST)
        if form.is_valid():
            response = HttpResponseRedirect(_safe_next(request, form.cleaned_data.get("next")))
            remember(response, DisplaySettings(**form.settings()), secure=not settings.DEBUG)
            return response
    else:
        form = DisplaySettingsForm(
            initial={
                "text_size": current.text_size,
                "contrast": current.contrast,
                "next": _safe_next(request, request.GET.get("next")),
            }
        )
    return render(request, "portal/display_settings.html", {"form": form})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache and broker reachable; 503 naming what is down otherwise."""
    results = {name: check() for name, check in CHECKS.items()}
    ready = all(ok for ok, _ in results.values())
    body = {
        "status": "ok" if ready else "unavailable",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)
