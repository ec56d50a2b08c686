from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.exceptions import TemplateDoesNotExist
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from activities.selectors import occurrences_this_week

from . import ratelimit, services
from .display import DisplaySettings, display_settings, remember
from .forms import ContactForm, DisplaySettingsForm, LocalityChoiceForm
from .health import CHECKS
from .pagecache import public_page
from .selectors import localities

LOCALITY_COOKIE = "locality"
WEEK_LIMIT = 10


@public_page(cookies=(LOCALITY_COOKIE,))
def home(request: HttpRequest) -> HttpResponse:
    """The start page with "this week near you" for the chosen locality (``?ort=``, then the cookie)."""
    chosen = request.GET.get("ort", request.COOKIES.get(LOCALITY_COOKIE, ""))
    all_localities = list(localities())
    locality = next((loc for loc in all_localities if loc.slug == chosen), None)
    form = LocalityChoiceForm(initial={"ort": locality.slug if locality else ""})
    week = list(occurrences_this_week(locality.slug if locality else "")[:WEEK_LIMIT])
    response = render(
        request,
        "portal/home.html",
        {"localities": all_localities, "locality": locality, "locality_form": form, "week": week},
    )
    if "ort" in request.GET:
        _remember_locality(response, locality)
    return response


def _remember_locality(response: HttpResponse, locality) -> None:
    if locality is None:
        response.delete_cookie(LOCALITY_COOKIE)
    else:
        max_age = 60 * 60 * 24 * 365
        response.set_cookie(
            LOCALITY_COOKIE, locality.slug, max_age=max_age, samesite="Lax", secure=not settings.DEBUG
        )


@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """Fråga kommunen: a question lands in the coordinators' inbox and the sender gets a receipt.

    Only questions that would be stored count towards the rate limit (a mistyped form is free); a bot
    that fills in the honeypot is thanked like everyone else, and nothing is stored."""
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        spam = form.is_spam()
        if spam or form.is_valid():
            limited = ratelimit.hit(request, ratelimit.CONTACT, key="" if spam else form.reply_to())
            if limited:
                return ratelimit.too_many_requests(request, limited, "portal/contact.html", {"form": form})
            if spam:
                ratelimit.honeypot_hit(request, ratelimit.CONTACT)
            else:
                services.ask_the_municipality(
                    language=request.LANGUAGE_CODE, **form.cleaned_data_for_service()
                )
            return redirect("portal:contact-thanks")
    return render(request, "portal/contact.html", {"form": form})


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """``handler429`` for allauth's own limits (sign-in, password reset, account sign-up): audited once per
    client and page a minute, answered with the site's ``429.html`` (allauth's bare page until it exists)."""
    ratelimit.audit_refusal(request)
    try:
        return render(request, "429.html", status=429)
    except TemplateDoesNotExist:
        from allauth.core.internal.ratelimit import handler429

        return handler429(request)


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/contact_thanks.html")


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
