from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
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
