"""Whole-page cache for what anonymous visitors see on the public portal.

Decorate a public view with :func:`public_page`. An anonymous ``GET``/``HEAD`` is then answered from the cache
when the same page was rendered before for the same path, query, host, language, display settings (text
size and contrast) and data. Data is covered by versions, not by expiry: a page is kept together with
:func:`activities.selectors.data_version` (bumped whenever any public activity, occasion, place, category,
association, locality or the municipality profile changes, see :mod:`activities.signals`) and any narrower
versions the view names (for example the sign-ups of one activity, see :mod:`portal.cache_signals`) and
only served while they are current, so a published change is visible at once. The short expiry only
bounds what depends on the clock ("this week", occasions that have just ended).

What is never cached: requests from signed-in people, requests with messages waiting to be shown, and
responses that are not a plain 200, set cookies, change the session, queue messages or ask not to be cached.

The key is made of the request alone; the versions a page was rendered for are stored with it, so one
round trip reads both (:func:`read`) and a page stored for older versions counts as missing and is
overwritten. A visitor without a session cookie is answered before the session and authentication
middleware even run (:class:`portal.middleware.PageCacheMiddleware` calls :func:`serve_early`). While one
request renders a missing page, others asking for it wait for the result instead of rendering it too.

Every page carries a CSRF token (the language switch is a POST form). The cache stores the page with a
placeholder in place of the token and puts a token for the current visitor back in on the way out, exactly
as :func:`django.middleware.csrf.get_token` would have during rendering (the CSRF middleware then sets the
cookie as usual). A page whose token appears anywhere but in ``{% csrf_token %}`` fields is not cached.

The cache is an optimisation only: if it cannot be read or written (Redis down) the error is logged and the
page is rendered as if there were no cache.
"""

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

from activities.selectors import DATA_VERSION_KEY

from . import localpages
from .display import display_settings

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 300
MAX_QUERY_LENGTH = 1000
VERSION_PREFIX = "pagecache:version:"
SEEN_PREFIX = "pagecache:seen:"
SEEN_SECONDS = 60 * 60 * 24 * 30
# While one request renders a missing page, others wait for it (polling) instead of rendering it too.
LOCK_SECONDS = 30
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02
# NUL cannot reach a page from user input (form fields reject it), so the placeholder never collides.
PLACEHOLDER = b"\x00csrf-token\x00"
TOKEN_FIELD = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
ANY_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")

VersionsFunc = Callable[..., Iterable[str]]


def page_seconds() -> int:
    """How long a rendered page is kept at most; ``PORTAL_PAGE_CACHE_SECONDS = 0`` turns the cache off."""
    return int(getattr(settings, "PORTAL_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def _pages():
    """The cache that holds rendered pages (``PORTAL_PAGE_CACHE_ALIAS``, the default cache unless set).

    Versions always live in the default cache, next to :data:`activities.selectors.DATA_VERSION_KEY`."""
    return caches[getattr(settings, "PORTAL_PAGE_CACHE_ALIAS", "default")]


def _failed(action: str, error: Exception) -> None:
    # One line, no traceback: while the cache is down this is logged for every request.
    logger.warning("Page cache unavailable (%s: %r); serving without it.", action, error)


def versions(*names: str) -> tuple[int, ...] | None:
    """The public data version followed by the named narrower versions, read in one round trip.

    A version missing from the cache starts from the current time in milliseconds (as
    :func:`activities.selectors.data_version` does), so a lost cache never brings back an old number.
    ``None`` when the cache cannot be reached."""
    keys = [DATA_VERSION_KEY, *(VERSION_PREFIX + name for name in names)]
    try:
        found = cache.get_many(keys)
        missing = [key for key in keys if key not in found]
        for key in missing:
            cache.add(key, int(time.time() * 1000), timeout=None)
        if missing:
            found.update(cache.get_many(missing))
            localpages.announce()  # a lost version starts a new series: copies of the old one are stale
    except Exception as error:
        _failed("reading versions", error)
        return None
    if any(key not in found for key in keys):  # a cache that swallows its errors answers like this
        return None
    return tuple(found[key] for key in keys)


def bump(name: str) -> None:
    """Move the named version on, so that every page keyed by it is rendered again."""
    key = VERSION_PREFIX + name
    try:
        cache.incr(key)
    except ValueError:  # missing: the next read starts a new, higher series
        try:
            cache.add(key, int(time.time() * 1000), timeout=None)
        except Exception as error:
            _failed("bumping a version", error)
    except Exception as error:
        _failed("bumping a version", error)
    localpages.announce()  # after the change, so that nobody reads the old version again


def safe_data_version() -> int | None:
    """:func:`activities.selectors.data_version`, or ``None`` when the cache cannot be reached."""
    found = versions()
    return found[0] if found else None


def version_seen_at(version: int) -> float | None:
    """When this server first saw ``version`` of the public data: a ``Last-Modified`` that is never earlier
    than the change that produced the version. ``None`` when the cache cannot be reached.

    If the record is lost it is made again later, which only ever moves the time forward (a client then gets
    the full answer once instead of ``304``)."""
    key = f"{SEEN_PREFIX}{version}"
    try:
        seen = cache.get(key)
        if seen is None:
            cache.add(key, time.time(), timeout=SEEN_SECONDS)
            seen = cache.get(key)
        return seen
    except Exception as error:
        _failed("reading when data changed", error)
        return None


def safe_get(key: str):
    """Read from the page cache; ``None`` (a miss) when it cannot be reached."""
    try:
        return _pages().get(key)
    except Exception as error:
        _failed("reading", error)
        return None


def safe_set(key: str, value, timeout: int) -> None:
    """Write to the page cache; nothing happens when it cannot be reached."""
    try:
        _pages().set(key, value, timeout=timeout)
    except Exception as error:
        _failed("writing", error)


@dataclass(frozen=True)
class Found:
    """What one read of the cache found for a request: its key, the current versions and, if stored for
    exactly these versions, the entry (``None`` when missing or stale)."""

    key: str
    versions: tuple[int, ...]
    entry: dict | None


def read(key: str, names: Iterable[str] = ()) -> Found | None:
    """Read the versions and the entry stored under ``key`` together: one round trip when pages and
    versions share a cache (the default), none when this process holds a copy it may use
    (:mod:`portal.localpages`). An entry stored for other versions counts as missing; it is overwritten
    when the page is rendered again. ``None`` when the cache cannot be reached."""
    names = tuple(names)
    if (copy := localpages.get((key, names))) is not None:
        return copy
    read_in = localpages.generation()
    version_keys = [DATA_VERSION_KEY, *(VERSION_PREFIX + name for name in names)]
    together = getattr(settings, "PORTAL_PAGE_CACHE_ALIAS", "default") == "default"
    try:
        found = cache.get_many([*version_keys, key] if together else version_keys)
        if not together and (entry := _pages().get(key)) is not None:
            found[key] = entry
    except Exception as error:
        _failed("reading", error)
        return None
    if any(version_key not in found for version_key in version_keys):
        current = versions(*names)
        if current is None:
            return None
        return Found(key, current, None)
    current = tuple(found[version_key] for version_key in version_keys)
    entry = found.get(key)
    if not isinstance(entry, dict) or entry.get("versions") != current:
        return Found(key, current, None)
    result = Found(key, current, entry)
    localpages.keep((key, names), result, read_in)
    return result


def _has_messages(request: HttpRequest) -> bool:
    return len(get_messages(request)) > 0


@dataclass(frozen=True)
class PageOptions:
    """How :func:`public_page` caches one view (kept on the view for :class:`PageCacheMiddleware`)."""

    cookies: tuple[str, ...] = ()
    depends_on: VersionsFunc | None = None

    def version_names(self, request: HttpRequest, args, kwargs) -> tuple[str, ...]:
        return tuple(self.depends_on(request, *args, **kwargs)) if self.depends_on else ()


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and page_seconds() > 0
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY_LENGTH
    )


def _key(request: HttpRequest, cookies: tuple[str, ...]) -> str:
    """The cache key of this request's page, from the request alone (the versions are kept in the entry)."""
    display = display_settings(request)
    material = [
        request.scheme,
        request.get_host(),
        request.path,
        # The raw query parsed as QueryDict would (without building one): the order does not matter.
        repr(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))),
        translation.get_language() or "",
        display.text_size,
        display.contrast,
        *(f"{name}={request.COOKIES.get(name, '')}" for name in cookies),
        timezone.localdate().isoformat(),
    ]
    digest = hashlib.blake2b("\n".join(material).encode(), digest_size=20).hexdigest()
    return f"pagecache:page:{digest}"


def _lookup(request: HttpRequest, options: PageOptions, args, kwargs) -> Found | None:
    """The cache's answer for an anonymous request, or ``None`` when it must not come from the cache."""
    if not _cacheable(request):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    if _has_messages(request):
        return None
    early = getattr(request, "_pagecache_found", None)
    if early is not None and early[0] is options:
        return early[1]
    return read(_key(request, options.cookies), options.version_names(request, args, kwargs))


def _storable(request: HttpRequest, response: HttpResponse, versions: tuple[int, ...]) -> dict | None:
    """What to keep of a freshly rendered ``response``, or ``None`` when it must not be kept."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if response.has_header("Cache-Control") or response.has_header("Vary"):
        return None  # the view decided about caching itself
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return None
    if _has_messages(request):  # queued while rendering; the message middleware stores them afterwards
        return None
    content = response.content
    uses_csrf = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    if uses_csrf:
        if PLACEHOLDER in content:
            return None
        content = TOKEN_FIELD.sub(lambda match: match[1] + PLACEHOLDER + match[3], content)
        secret = request.META.get("CSRF_COOKIE", "")
        if any(_unmask_cipher_token(token.decode()) == secret for token in ANY_TOKEN.findall(content)):
            return None  # a token outside a form field: it cannot be swapped safely
    return {"content": content, "headers": dict(response.items()), "csrf": uses_csrf, "versions": versions}


def _etag(found: Found, entry: dict, request: HttpRequest) -> str | None:
    """A weak ETag for the page as this visitor has it: the served bytes differ only in the masked CSRF
    token, which stays valid as long as the visitor's CSRF cookie does, so the cookie is part of it."""
    secret = ""
    if entry["csrf"]:
        secret = request.META.get("CSRF_COOKIE", "")
        if not secret:
            return None
    material = f"{found.key}|{found.versions}|{secret}"
    return 'W/"' + hashlib.blake2b(material.encode(), digest_size=16).hexdigest() + '"'


def _finish(response: HttpResponse, etag: str | None) -> HttpResponse:
    if etag:
        response["ETag"] = etag
    # "private": the page holds the visitor's CSRF token; "no-cache": browsers ask again (cheaply, with the
    # ETag) so that a published change shows at once.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _serve(request: HttpRequest, found: Found) -> HttpResponse:
    entry = found.entry
    etag = _etag(found, entry, request)
    not_modified = get_conditional_response(request, etag=etag) if etag else None
    if not_modified is not None:
        return _finish(not_modified, etag)
    content = entry["content"]
    if entry["csrf"]:
        content = content.replace(PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in entry["headers"].items():
        response[name] = value
    return _finish(response, etag)


def _wait_for_other_renderer(found: Found, names: tuple[str, ...]) -> Found | None:
    """While another request renders the same page, wait for its result instead of rendering it too.

    Only one request renders a missing page at a time (a lock in the cache, held at most
    :data:`LOCK_SECONDS`); the others poll for the stored page for up to :data:`WAIT_SECONDS` and render it
    themselves when the renderer gave up (page not storable, process gone) or takes too long. Without it,
    every visitor arriving while a popular page is missing renders it at once (a stampede: the start page
    right after a deploy or a published change)."""
    deadline = time.monotonic() + WAIT_SECONDS
    lock = found.key + ":rendering"
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        again = read(found.key, names)
        if again is None:
            return None
        if again.entry is not None:
            return again
        if safe_get(lock) is None:
            # The renderer stores the page before it lets go of the lock: if it finished between the two
            # reads above, the page is there now; if not, it could not be kept and this request renders.
            last = read(found.key, names)
            return last if last is not None and last.entry is not None else None
    return None


def _render(request: HttpRequest, view: Callable, found: Found, args, kwargs) -> HttpResponse:
    response = view(request, *args, **kwargs)
    if callable(getattr(response, "render", None)):  # a TemplateResponse of a class-based view
        response = response.render()
    entry = _storable(request, response, found.versions)
    if entry is None:
        return response
    safe_set(found.key, entry, timeout=page_seconds())
    etag = _etag(found, entry, request)
    not_modified = get_conditional_response(request, etag=etag) if etag else None
    return _finish(not_modified or response, etag)


def _respond(request: HttpRequest, view: Callable, options: PageOptions, args, kwargs) -> HttpResponse:
    found = _lookup(request, options, args, kwargs)
    if found is None:
        return view(request, *args, **kwargs)
    if found.entry is not None:
        return _serve(request, found)
    names = options.version_names(request, args, kwargs)
    lock = found.key + ":rendering"
    try:
        locked = _pages().add(lock, 1, timeout=LOCK_SECONDS)
    except Exception as error:
        _failed("locking", error)
        locked = True  # render without a lock
    if not locked:
        rendered = _wait_for_other_renderer(found, names)
        if rendered is not None:
            return _serve(request, rendered)
        return _render(request, view, found, args, kwargs)
    try:
        return _render(request, view, found, args, kwargs)
    finally:
        try:
            _pages().delete(lock)
        except Exception as error:
            _failed("unlocking", error)


def serve_early(request: HttpRequest, view: Callable, args, kwargs) -> HttpResponse | None:
    """The cached page for ``view``, answered before the session, authentication and message middleware
    have run (see :class:`portal.middleware.PageCacheMiddleware`), or ``None`` to let the request go on.

    The caller has made sure the request carries no session and no messages, so the visitor is anonymous
    and has nothing waiting. On a miss the lookup is kept on the request, so the view's own
    :func:`public_page` wrapper does not read the cache a second time."""
    options = getattr(view, "page_options", None)
    if options is None or not _cacheable(request):
        return None
    found = read(_key(request, options.cookies), options.version_names(request, args, kwargs))
    if found is None:
        return None
    if found.entry is None:
        request._pagecache_found = (options, found)
        return None
    return _serve(request, found)


def public_page(
    view: Callable | None = None, *, cookies: tuple[str, ...] = (), depends_on: VersionsFunc | None = None
):
    """Serve an anonymous visitor's ``GET`` of ``view`` from the page cache (see the module docstring).

    Only for views whose page depends on nothing but the key's parts: never on the session, the user or a
    cookie not named here. ``cookies`` names further cookies the page depends on (the display-settings
    cookie always counts); ``depends_on(request, *args, **kwargs)`` names narrower versions the page depends
    on beyond the public data version, bumped with :func:`bump`."""

    def decorate(view: Callable) -> Callable:
        options = PageOptions(cookies=tuple(cookies), depends_on=depends_on)

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            return _respond(request, view, options, args, kwargs)

        wrapper.page_options = options
        wrapper.serve_early = lambda request, args, kwargs: serve_early(request, wrapper, args, kwargs)
        return wrapper

    return decorate(view) if view is not None else decorate
