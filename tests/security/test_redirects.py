"""Open redirects: every ``next`` the project honours (login, logout, language switch, display settings,
and the login link the role guard builds) must end on a page of this site, whatever is put in it."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from accounts.roles import Role

from ..factories import PASSWORD, UserFactory

HOSTILE = [
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "\x00//evil.example",
    "/%2F%2Fevil.example",
    "https://testserver@evil.example",
    "http://evil.example%23@testserver/",
    "///evil.example",
    "\t//evil.example",
    "/\t/evil.example",
]


def assert_local(response) -> None:
    """A redirect to a path on this site (or an absolute URL on the test server), as a browser reads it:
    browsers drop tabs and newlines and treat a backslash like a slash."""
    assert response.status_code in (301, 302, 303), response.status_code
    location = response["Location"]
    browser_view = "".join(ch for ch in location if ch not in "\t\r\n").replace("\\", "/").strip()
    parts = urlsplit(browser_view)
    assert parts.scheme in ("", "http", "https"), location
    assert parts.netloc in ("", "testserver"), location
    if not parts.netloc:
        assert browser_view.startswith("/") and not browser_view.startswith("//"), location
    assert "\x00" not in location, location


@pytest.fixture
def senior(db):
    return UserFactory(role=Role.SENIOR)


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_login_next_stays_on_the_site(client, senior, target):
    response = client.post(
        reverse("account_login"), {"login": senior.email, "password": PASSWORD, "next": target}
    )
    assert "_auth_user_id" in client.session, "the login itself must work for this test to mean anything"
    assert_local(response)


@pytest.mark.django_db
def test_login_next_to_a_local_page_is_followed(client, senior):
    response = client.post(
        reverse("account_login"), {"login": senior.email, "password": PASSWORD, "next": "/aktiviteter/"}
    )
    assert response["Location"] == "/aktiviteter/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_login_query_next_stays_on_the_site(client, senior, target):
    response = client.post(
        reverse("account_login") + "?" + _query(target), {"login": senior.email, "password": PASSWORD}
    )
    assert "_auth_user_id" in client.session
    assert_local(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_logout_next_stays_on_the_site(client, senior, target):
    client.force_login(senior)
    response = client.post(reverse("account_logout"), {"next": target})
    assert "_auth_user_id" not in client.session
    assert_local(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_next_stays_on_the_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert_local(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_referer_stays_on_the_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER=target)
    assert_local(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_display_settings_next_stays_on_the_site(client, target):
    response = client.post(
        reverse("portal:display-settings"), {"text_size": "large", "contrast": "high", "next": target}
    )
    if response.status_code == 200:  # the form refused the value (a NUL byte): no redirect at all
        assert not response.has_header("Location") and response.context["form"].errors
        return
    assert_local(response)


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE)
def test_display_settings_form_does_not_carry_a_foreign_next(client, target):
    response = client.get(reverse("portal:display-settings") + "?" + _query(target))
    assert response.status_code == 200
    field = response.context["form"]["next"].value()
    assert field == "/" or (field.startswith("/") and not field.startswith(("//", "/\\"))), field


@pytest.mark.django_db
def test_login_link_from_a_guarded_page_keeps_only_the_path(client):
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert_local(response)


def _query(target: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"next": target})
