from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation

from . import views


class HealthProbeMiddleware:
    """Answer the health probes before host validation and HTTPS redirects.

    Load balancers and container healthchecks call them by IP address over plain HTTP; the probes reveal
    nothing and change nothing, so they need neither an allowed Host header nor TLS.
    """

    PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)


class PageCacheMiddleware:
    """Answer anonymous visitors from the page cache before the session, authentication and message layers.

    A cached public page (:func:`portal.pagecache.public_page`) or public API list
    (:class:`activities.api.ConditionalGetMixin`) costs one cache round trip; the middleware that would run
    before the view (loading a session, a user, messages, allauth's and the MFA checks) costs as much again
    and decides nothing for a request that carries no session cookie and no messages cookie: such a visitor is
    anonymous and has nothing waiting. So this middleware, placed right after the security headers and before
    ``SessionMiddleware``, does for those requests what the skipped middleware would have done to a cached
    answer (language from the cookie or ``Accept-Language``, the CSRF cookie, ``X-Frame-Options``,
    ``Content-Language``, ``Content-Length``) and answers from the cache. Everything else, and every miss,
    goes on through the whole stack as usual.

    A view takes part by having a ``serve_early(request, args, kwargs)`` attribute (its class's, for
    class-based views), returning the cached response or ``None``.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        # The response side of the skipped middleware, innermost first, as a response would pass them.
        self.finishers = [
            XFrameOptionsMiddleware(get_response),
            self.csrf,
            CommonMiddleware(get_response),
            LocaleMiddleware(get_response),
        ]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.early(request)
        return response if response is not None else self.get_response(request)

    def early(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "GET" or settings.CSRF_USE_SESSIONS:
            return None  # HEAD too goes the long way: some cached views only allow GET
        if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
            return None
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        serve = getattr(match.func, "serve_early", None) or getattr(
            getattr(match.func, "cls", None), "serve_early", None
        )
        if serve is None:
            return None
        self.csrf.process_request(request)  # reads the visitor's CSRF cookie, if any, for the page's token
        response = serve(request, match.args, match.kwargs)
        if response is None:
            return None
        for finisher in self.finishers:
            response = finisher.process_response(request, response)
        return response


# What makes one response's policy differ from the site's: django-csp's view decorators and a used nonce.
OWN_POLICY = [f"_csp_{kind}{ro}" for kind in ("config", "update", "replace", "exempt") for ro in ("", "_ro")]
CSP_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")


class SitePolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy headers built once per process.

    django-csp builds the header strings for every response, which costs about as much as answering a cached
    page. They only differ from the site's policy when a view's decorator gave the response a policy of its
    own, when the page used a nonce, or when a path is excluded in the settings; those responses go through
    django-csp as usual. For all others the headers django-csp wrote for the first such response are
    reused (built again when the CSP settings change).
    """

    site_headers: dict[str, str] | None = None

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        own = any(getattr(response, name, None) for name in OWN_POLICY)
        excluded = any(
            (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") for name in CSP_SETTINGS
        )
        if own or excluded or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)
        if SitePolicyCSPMiddleware.site_headers is None:
            blank = super().process_response(request, HttpResponse())
            SitePolicyCSPMiddleware.site_headers = {
                name: blank[name] for name in (HEADER, HEADER_REPORT_ONLY) if name in blank
            }
        for name, value in SitePolicyCSPMiddleware.site_headers.items():
            response.headers.setdefault(name, value)
        # As django-csp does: a nonce asked for after the header was written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@receiver(setting_changed)
def _csp_settings_changed(setting: str, **kwargs) -> None:
    if setting in CSP_SETTINGS:
        SitePolicyCSPMiddleware.site_headers = None
