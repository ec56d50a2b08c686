"""The privacy notice and the accessibility statement that Swedish public-sector sites must publish."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from portal.display import COOKIE_NAME
from portal.views import LOCALITY_COOKIE

from ..browser.fixtures import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture
def privacy_page(client, municipality, english, settings):
    settings.ACTIVITIES_GUEST_RETENTION_DAYS = 45
    return client.get(reverse("portal:privacy")).content.decode()


def test_urls_are_swedish():
    assert reverse("portal:privacy") == "/integritet/"
    assert reverse("portal:accessibility") == "/tillganglighet/"


def test_privacy_notice_names_the_controller_and_the_rights(privacy_page, municipality):
    assert f"{municipality.name} (municipality code {municipality.code}) is the controller" in privacy_page
    for words in (
        "task in the public interest",
        "exercise of official authority",
        "only with the consent",
        "Right of access",
        "Right to rectification",
        "Right to erasure",
        "Integritetsskyddsmyndigheten",
        municipality.contact_email,
    ):
        assert words in privacy_page, words
    assert reverse("privacy:overview") in privacy_page


def test_privacy_notice_states_the_configured_retention(privacy_page):
    assert "removed 45 days after the occasion" in privacy_page


def test_privacy_notice_lists_every_cookie_the_site_sets(privacy_page, settings):
    for name in (
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        COOKIE_NAME,
        LOCALITY_COOKIE,
        "messages",
    ):
        assert f"<td>{name}</td>" in privacy_page, name
    assert "only cookies that are needed" in privacy_page


def test_cookies_set_while_browsing_are_all_listed(client, municipality, privacy_page):
    """Visiting pages and changing language sets no cookie that the notice does not mention."""
    client.get(reverse("portal:home"))
    client.get(reverse("portal:contact"))
    client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert client.cookies, "the walk should set at least the CSRF and language cookies"
    for name in client.cookies:
        assert f"<td>{name}</td>" in privacy_page, name


def test_accessibility_statement(client, municipality, english):
    page = client.get(reverse("portal:accessibility")).content.decode()
    for words in (
        f"{municipality.name} is behind this website",
        "partially compliant",
        "SFS 2018:1937",
        "needs JavaScript",
        "PDF documents",
        "Digg",
        "https://www.digg.se/tdosanmalan",
        reverse("portal:contact"),
        "last reviewed on",
    ):
        assert words in page, words


def test_footer_links_to_both_pages_on_every_public_page(client, municipality, english):
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:privacy")}"' in page
    assert f'href="{reverse("portal:accessibility")}"' in page
    assert f'href="{reverse("privacy:overview")}"' not in page


def test_footer_links_signed_in_people_to_their_data(client, municipality, user_with_role):
    client.force_login(user_with_role(Role.SENIOR))
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("privacy:overview")}"' in page


def test_pages_work_without_a_municipality_profile(client):
    assert client.get(reverse("portal:privacy")).status_code == 200
    assert client.get(reverse("portal:accessibility")).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/integritet/", "/tillganglighet/"])
def test_pages_pass_axe(page, municipality, url):
    page.goto(url)
    assert_accessible(page)
    assert page.console_errors == []
