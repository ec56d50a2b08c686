"""Rate limits for the public forms anyone can send: guest sign-up, Fråga kommunen and Tipsa.

Rates use allauth's syntax (``ACCOUNT_RATE_LIMITS``): ``"amount/period/per"``, comma-separated, where
period is e.g. ``10m``, ``h`` or ``2d`` and ``per`` is ``ip`` (the client address as
:func:`accounts.audit.client_ip` sees it, honouring ``TRUSTED_PROXY_COUNT``; IPv6 counted per /64) or
``key`` (the e-mail address or phone number the form would write to, so nobody is flooded with receipts
from many addresses). Defaults are in :data:`DEFAULT_RATE_LIMITS`; ``PUBLIC_FORM_RATE_LIMITS`` in the
settings overrides them per action, and an empty string switches an action's limit off.

Why not ``allauth.core.ratelimit``: its public ``consume()`` reads only ``ACCOUNT_RATE_LIMITS`` (the
variant taking a ``config`` lives in the private ``allauth.core.internal``), it cannot tell how long a
person has to wait, and it keys IPs by allauth's adapter rather than our one ``client_ip`` rule.

Each rate is a fixed window that starts at the first counted use and lasts one period: ``cache.add`` and
``cache.incr`` are atomic in Redis and in the local-memory cache, so parallel requests cannot slip past.
A cache that is down lets the request through (logged): the forms matter more than the limit.
"""

import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from accounts import audit
from accounts.audit import client_ip
from accounts.models import AuditEntry

logger = logging.getLogger(__name__)

GUEST_SIGNUP = "activities.guest_signup"
CONTACT = "portal.contact"
SUGGESTION = "activities.suggestion"

DEFAULT_RATE_LIMITS = {
    GUEST_SIGNUP: "10/10m/ip,10/h/key",
    CONTACT: "5/h/ip,10/d/key",
    SUGGESTION: "5/h/ip,10/d/key",
}
UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
IPV6_PREFIX = 64


@dataclass(frozen=True)
class Rate:
    amount: int
    period: int  # seconds
    per: str  # "ip" or "key"
    text: str

    @classmethod
    def parse(cls, text: str) -> "Rate":
        amount, period, per = [*text.strip().split("/"), "ip"][:3]
        unit, count = period[-1], period[:-1]
        if unit not in UNITS or per not in ("ip", "key"):
            raise ValueError(f"Bad rate limit {text!r}")
        return cls(int(amount), int(float(count or 1) * UNITS[unit]), per, text.strip())


@dataclass(frozen=True)
class Limited:
    """One use too many: which action and rate, how long until it may be tried again, and whether this
    is the first refusal of the window (only that one is audited, so a bot cannot flood the audit log)."""

    action: str
    rate: Rate
    retry_after: int  # seconds
    first: bool

    def message(self) -> str:
        minutes = max(1, math.ceil(self.retry_after / 60))
        if minutes > 90:
            hours = math.ceil(minutes / 60)
            wait = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        else:
            wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        return gettext(
            "This form has been sent many times in a short while, so we have to pause it to stop misuse. "
            "Please wait %(wait)s and send it again. What you wrote is still in the form below."
        ) % {"wait": wait}


def rates(action: str) -> list[Rate]:
    configured = {**DEFAULT_RATE_LIMITS, **getattr(settings, "PUBLIC_FORM_RATE_LIMITS", {})}
    return [Rate.parse(part) for part in (configured.get(action) or "").split(",") if part.strip()]


def _source(request: HttpRequest, rate: Rate, key: str) -> str | None:
    if rate.per == "key":
        key = key.strip().lower()
        if "@" not in key:  # a phone number: 070-123 45 67 and +46 70 123 45 67 are the same line
            key = "".join(char for char in key if char.isdigit() or char == "+")
            key = "0" + key[3:] if key.startswith("+46") else key
        return key or None
    ip = client_ip(request) or "unknown"
    if ":" in ip:
        ip = str(ipaddress.IPv6Network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return ip


def _count(cache_key: str, period: int, now: float) -> tuple[int, float]:
    """Add one use to the window at ``cache_key``; returns the uses so far and when the window started."""
    cache.add(f"{cache_key}:start", now, timeout=period)
    if cache.add(cache_key, 1, timeout=period):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the window ran out between add and incr
            cache.set(cache_key, 1, timeout=period)
            count = 1
    return count, cache.get(f"{cache_key}:start", now)


def hit(request: HttpRequest, action: str, *, key: str = "") -> Limited | None:
    """Count one use of ``action`` by this client (and ``key``); a :class:`Limited` when over any rate."""
    try:
        now = time.time()
        for rate in rates(action):
            source = _source(request, rate, key)
            if source is None:
                continue
            digest = hashlib.sha256(source.encode()).hexdigest()[:32]
            count, started = _count(f"rl:{action}:{rate.text}:{rate.per}:{digest}", rate.period, now)
            if count > rate.amount:
                retry_after = max(1, math.ceil(started + rate.period - now))
                return Limited(action, rate, retry_after, first=count == rate.amount + 1)
    except Exception:  # a cache that is down must not take the forms with it
        logger.warning("Rate limit for %s not checked: the cache failed", action, exc_info=True)
    return None


def too_many_requests(
    request: HttpRequest, limited: Limited, template: str, context: dict, *, form_key: str = "form"
) -> HttpResponse:
    """Audit the refusal and answer 429 with the same page, its form still holding what was typed."""
    if limited.first:
        audit.record(
            "ratelimit.hit",
            request=request,
            outcome=AuditEntry.Outcome.DENIED,
            limit=limited.action,
            rate=limited.rate.text,
            path=request.path,
            retry_after=limited.retry_after,
        )
    context[form_key].add_error(None, limited.message())
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def audit_refusal(request: HttpRequest) -> None:
    """Audit a refusal by allauth's limits, at most once a minute per client and page (bots hammer)."""
    try:
        first = cache.add(f"rl:audited:{client_ip(request)}:{request.path}", 1, timeout=60)
    except Exception:
        first = True
    if first:
        audit.record(
            "ratelimit.hit",
            request=request,
            outcome=AuditEntry.Outcome.DENIED,
            limit="allauth",
            path=request.path,
            actor_label=str(request.POST.get("login") or request.POST.get("email") or ""),
        )


def honeypot_hit(request: HttpRequest, action: str) -> None:
    """A bot filled in the field people never see: nothing is stored, only this audit entry."""
    audit.record(
        "honeypot.hit", request=request, outcome=AuditEntry.Outcome.DENIED, form=action, path=request.path
    )
