"""The site's Content-Security-Policy header is built once per process, and is exactly django-csp's."""

import pytest
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from portal.middleware import SitePolicyCSPMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def plain(request):
    return HttpResponse("hello")


@csp_update({"img-src": ["https://maps.example.org"]})
def with_map(request):
    return HttpResponse("map")


@csp_exempt()
def exempt(request):
    return HttpResponse("no policy")


def with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


def through(middleware_class, view):
    request = RequestFactory().get("/sida/")
    return request, middleware_class(view)(request)


def csp_headers(response) -> dict:
    return {name: response[name] for name in HEADERS if name in response}


@pytest.mark.parametrize("view", [plain, with_map, exempt, with_nonce])
def test_every_response_gets_the_header_django_csp_would_give_it(view):
    _, ours = through(SitePolicyCSPMiddleware, view)
    _, theirs = through(CSPMiddleware, view)
    assert csp_headers(ours) == csp_headers(theirs)


def test_a_plain_response_reuses_the_header_built_once(monkeypatch):
    through(SitePolicyCSPMiddleware, plain)
    built = []
    monkeypatch.setattr(CSPMiddleware, "process_response", lambda *args: built.append(args) or args[-1])
    _, response = through(SitePolicyCSPMiddleware, plain)
    assert built == [] and "default-src 'self'" in response["Content-Security-Policy"]


def test_a_view_with_its_own_policy_gets_it():
    _, response = through(SitePolicyCSPMiddleware, with_map)
    assert "https://maps.example.org" in response["Content-Security-Policy"]
    _, response = through(SitePolicyCSPMiddleware, plain)
    assert "https://maps.example.org" not in response["Content-Security-Policy"]


def test_a_used_nonce_is_in_that_responses_header_only(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}
    request, response = through(SitePolicyCSPMiddleware, with_nonce)
    assert f"'nonce-{request.csp_nonce}'" in response["Content-Security-Policy"]
    _, response = through(SitePolicyCSPMiddleware, plain)
    assert "nonce-" not in response["Content-Security-Policy"]


def test_a_nonce_asked_for_after_the_header_was_written_is_an_error():
    request, _ = through(SitePolicyCSPMiddleware, plain)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_changed_policy_setting_is_built_again(settings):
    through(SitePolicyCSPMiddleware, plain)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    _, response = through(SitePolicyCSPMiddleware, plain)
    assert response["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.django_db
def test_pages_rendered_and_served_from_the_cache_carry_the_sites_policy(client, municipality):
    rendered, cached = client.get("/integritet/"), client.get("/integritet/")
    for response in (rendered, cached):
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "object-src 'none'" in response["Content-Security-Policy"]
