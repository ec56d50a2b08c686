"""Every state-changing request needs a CSRF token (or, for the API, one is checked through session auth).

The URL resolver is walked as in the access matrix; for every pattern a client that is *allowed* the URL
(``access_table.py``) sends POST, PUT, PATCH and DELETE without a token through ``Client(
enforce_csrf_checks=True)``. The answer must be Django's CSRF refusal (a marker failure view is installed so
that a 403 for any other reason does not count), or for the API DRF's "CSRF Failed" 403, or 405 where an
API view has no session authentication and accepts no writes at all. Afterwards nothing in the database may
have changed. A positive control sends the same POST *with* a token (rolled back) and must get past the
check, so the test cannot pass merely because every request is refused.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import resolve
from django.utils.crypto import get_random_string
from rest_framework.authentication import SessionAuthentication

from accounts.roles import ADMIN, Role

from . import test_access_matrix
from .access_table import ANONYMOUS, ROLES, TABLE
from .test_access_matrix import _arguments, _url, project_patterns

# The access matrix's dataset: one object behind every path argument and a signed-in client per role.
matrix = test_access_matrix.matrix

MARKER = "csrf-refused-by-middleware"
UNSAFE = ("post", "put", "patch", "delete")

# Views that are deliberately exempt from Django's CSRF middleware, each with the reason. (DRF's views are
# exempt at the Django level and checked by SessionAuthentication instead; they are handled separately.)
EXEMPT: dict[str, str] = {}

# URL names answered before the CSRF middleware runs, for which any write method gets 405 and nothing else.
READ_ONLY_PROBES: dict[str, str] = {
    "healthz": "Answered by portal.middleware.HealthProbeMiddleware (GET/HEAD only, 405 otherwise).",
    "readyz": "Answered by portal.middleware.HealthProbeMiddleware (GET/HEAD only, 405 otherwise).",
}


def csrf_failure(request, reason=""):
    return HttpResponseForbidden(MARKER)


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def _session_authenticated(url: str) -> bool:
    view = resolve(url.split("?")[0]).func
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is None:
        return False
    classes = getattr(cls, "authentication_classes", None)
    if classes is None:
        from rest_framework.settings import api_settings

        classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    return any(issubclass(c, SessionAuthentication) for c in classes)


def _role_for(name: str) -> str:
    """A signed-in role allowed the URL when there is one (the client that could do harm); otherwise
    anonymous."""
    allowed = TABLE[name]
    for role in (ADMIN, *ROLES[1:]):
        if role in allowed:
            return role
    return ANONYMOUS


def _fingerprint() -> dict[str, tuple]:
    """Row count and highest primary key of every table except sessions (a CSRF refusal may still touch
    the session) and the audit log (a refusal may be logged)."""
    skip = {"sessions.session", "accounts.auditentry"}
    result = {}
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or not model._meta.managed or model._meta.db_table not in tables:
            continue
        queryset = model._base_manager.all()
        pks = list(queryset.order_by("-pk").values_list("pk", flat=True)[:1])
        result[label] = (queryset.count(), pks[0] if pks else None)
    return result


def _client_like(client: Client | None, *, enforce: bool) -> Client:
    fresh = Client(enforce_csrf_checks=enforce, HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    if client is not None:
        fresh.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return fresh


def _drf_csrf_failure(response) -> bool:
    data = getattr(response, "data", None)
    text = str(data.get("message") or data.get("detail") or "") if isinstance(data, dict) else ""
    return response.status_code == 403 and "CSRF Failed" in text


def _refused(response, url: str, name: str) -> bool:
    if response.status_code == 403 and MARKER.encode() in response.content:
        return True
    if name in READ_ONLY_PROBES:
        return response.status_code == 405
    if _is_api(url):
        if _drf_csrf_failure(response):
            return True
        # Views that authenticate nobody by session cannot be driven by a cross-site form: read-only ones
        # answer 405 to every write.
        if response.status_code == 405 and not _session_authenticated(url):
            return True
    return False


@pytest.mark.django_db
def test_state_changes_without_token_are_refused(matrix, settings, capsys):
    settings.REQUIRE_STAFF_MFA = False
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_failure"
    clients, data = matrix
    before = _fingerprint()
    failures, requests = [], 0
    for pattern in project_patterns():
        if pattern.view in EXEMPT:
            continue
        role = _role_for(pattern.name)
        url = _url(pattern, _arguments(data, pattern, role))
        client = _client_like(clients[role] if role != ANONYMOUS else None, enforce=True)
        for method in UNSAFE:
            response = getattr(client, method)(url)
            requests += 1
            if not _refused(response, url, pattern.name):
                failures.append(
                    f"{method.upper():6} {url:70} as {role}: {response.status_code} "
                    f"{response.get('Location', '')} {response.content[:80]!r}"
                )
    after = _fingerprint()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    with capsys.disabled():
        print(f"\ncsrf: {requests} unsafe requests without a token, {len(failures)} not refused")
    assert not failures, "state-changing requests accepted without a CSRF token:\n" + "\n".join(failures)
    assert not changed, f"refused requests changed the database: {changed}"


@pytest.mark.django_db
def test_the_same_posts_with_a_token_get_past_the_check(matrix, settings):
    """Positive control: with a valid token the middleware lets the POST through (rolled back)."""
    settings.REQUIRE_STAFF_MFA = False
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_failure"
    clients, data = matrix
    token = get_random_string(32)
    stopped = []
    for pattern in project_patterns():
        role = _role_for(pattern.name)
        url = _url(pattern, _arguments(data, pattern, role))
        client = _client_like(clients[role] if role != ANONYMOUS else None, enforce=True)
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        with transaction.atomic():
            response = client.post(url, HTTP_X_CSRFTOKEN=token)
            if response.streaming:
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        refused = MARKER.encode() in response.content or _drf_csrf_failure(response)
        if response.status_code == 403 and refused:
            stopped.append(f"POST {url} as {role}")
    assert not stopped, "refused even with a valid token:\n" + "\n".join(stopped)


@pytest.mark.django_db
def test_api_session_write_needs_the_token(client, settings):
    """The shift PWA posts events with its session: without the token DRF refuses, with it the event is
    stored. (The project has no token authentication; session + CSRF is the only way in.)"""
    from welfaretech.models import Event

    from ..factories import CareRecipientFactory, CareTeamFactory, UserFactory

    settings.REQUIRE_STAFF_MFA = False
    staff = UserFactory(role=Role.HOMECARE_STAFF)
    team = CareTeamFactory()
    team.members.add(staff)
    recipient = CareRecipientFactory(team=team, locality=team.locality)
    api = Client(enforce_csrf_checks=True)
    api.force_login(staff)
    body = {
        "client_uuid": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "recipient": recipient.pk,
        "kind": Event._meta.get_field("kind").choices[0][0],
        "occurred_at": "2026-01-05T10:00:00+01:00",
    }
    events = Event.objects.count()
    refused = api.post("/api/v1/welfaretech/events/", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]
    assert Event.objects.count() == events

    token = get_random_string(32)
    api.cookies[settings.CSRF_COOKIE_NAME] = token
    accepted = api.post(
        "/api/v1/welfaretech/events/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code in (200, 201), accepted.content
    assert accepted.json()["created"] == 1, accepted.json()
    assert Event.objects.count() == events + 1
