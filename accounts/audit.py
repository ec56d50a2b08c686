"""The one way to write the audit log."""

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: from X-Forwarded-For as far as TRUSTED_PROXY_COUNT proxies vouch for it
    (the rule allauth's rate limits use), otherwise the connection's own address."""
    if request is None:
        return None
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()
    ]
    candidate = (
        forwarded[-trusted] if trusted and len(forwarded) >= trusted else request.META.get("REMOTE_ADDR")
    )
    try:
        return str(ipaddress.ip_address(candidate)) if candidate else None
    except ValueError:
        return None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor=None,
    actor_label: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    outcome: str = AuditEntry.Outcome.SUCCESS,
    **detail: Any,
) -> AuditEntry:
    """Append an entry. ``actor`` defaults to the request's user; ``obj`` fills type and id.

    ``actor_label`` names an actor that is not a user (e.g. the e-mail typed into a failed login).
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else actor_label[:254],
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        ip_address=client_ip(request),
        outcome=outcome,
        detail=detail,
    )
