"""Property-based API tests: schemathesis generates requests from the project's own OpenAPI schema (the one
served at /api/schema/) and sends them in-process to the WSGI application, anonymously and as a signed-in
welfare-tech administrator (the role that may reach every authenticated endpoint: welfare tech and
follow-up). Every answer must be free of server errors, and every documented answer must match the schema.

Bounded for CI: at most ``MAX_EXAMPLES`` generated cases per operation, no deadline, derandomised (the same
cases on every run) and without Hypothesis' example database.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from accounts.roles import Role

from ..factories import (
    ActivityFactory,
    AssociationFactory,
    CareRecipientFactory,
    CareTeamFactory,
    CategoryFactory,
    EventFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    MunicipalityFactory,
    OccurrenceFactory,
    UserFactory,
)

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _openapi() -> dict:
    """The schema exactly as /api/schema/ serves it (JSON), generated without a request."""
    spec = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(spec, renderer_context={}))


schema = schemathesis.openapi.from_dict(_openapi())
schema.app = WSGIHandler()

HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture
def in_process(settings):
    """Requests go through Django's WSGI handler in this thread, inside the test's transaction: the
    handler's own connection closing is switched off as Django's test client does."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.REQUIRE_STAFF_MFA = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def dataset(db):
    """A little of everything the API lists, so lists and details have rows to serialise."""
    MunicipalityFactory()
    locality = LocalityFactory(slug="apiby", name="Apiby")
    category = CategoryFactory(slug="api-kategori")
    place = MeetingPlaceFactory(locality=locality, slug="api-traffpunkt")
    association = AssociationFactory(slug="api-foreningen", is_active=True, show_in_directory=True)
    association.localities.add(locality)
    activity = ActivityFactory(organiser_association=association, place=place, slug="api-aktivitet")
    activity.categories.add(category)
    OccurrenceFactory(activity=activity)
    staff = UserFactory(role=Role.WELFARETECH_ADMIN)
    team = CareTeamFactory(locality=locality)
    team.members.add(staff)
    recipient = CareRecipientFactory(team=team, locality=locality)
    EventFactory(recipient=recipient, recorded_by=staff)
    return {"staff": staff}


@pytest.fixture
def staff_session(dataset) -> tuple[dict, dict]:
    """Cookies and headers of a signed-in browser session with its CSRF token (what the shift PWA sends)."""
    client = Client()
    client.force_login(dataset["staff"])
    token = get_random_string(32)
    cookies = {
        django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        django_settings.CSRF_COOKIE_NAME: token,
    }
    return cookies, {"X-CSRFToken": token, "Accept-Language": "en"}


@pytest.mark.django_db
@schema.parametrize()
@HYPOTHESIS
def test_api_anonymous(case, dataset, in_process):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@HYPOTHESIS
def test_api_signed_in(case, staff_session, in_process):
    cookies, headers = staff_session
    case.call_and_validate(checks=CHECKS, cookies=cookies, headers=headers)
