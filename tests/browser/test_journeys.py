"""User journeys in a real browser (Debian Chromium via Playwright), each page checked with axe-core."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import ADMIN, Role

from ..factories import PASSWORD, LocalityFactory
from .fixtures import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal_data(municipality):
    LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    LocalityFactory(name="Högsjö", slug="hogsjo")
    return municipality


@pytest.mark.parametrize(("locale", "lang"), [("sv-SE", "sv"), ("en-GB", "en")])
def test_home_page_is_accessible_in_both_languages(browser, live_server, portal_data, locale, lang):
    context = browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_role("main")).to_contain_text("Högsjö")
    assert_accessible(page)
    context.close()


def test_skip_link_is_first_and_moves_focus_to_the_content(page: Page, portal_data):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_attribute("href", "#main")
    expect(skip).to_be_visible()
    skip.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_base_font_is_at_least_18px_and_targets_at_least_44px(page: Page, portal_data):
    page.goto("/")
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18
    for handle in page.locator("header a, header button, main a, main button").all():
        if handle.is_visible():
            box = handle.bounding_box()
            assert box["height"] >= 44, handle.evaluate("e => e.outerHTML")


def test_language_switch_without_javascript(browser, live_server, portal_data):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    context.close()


def test_text_size_and_contrast_without_javascript(browser, live_server, portal_data):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    page.goto("/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.locator("a[href^='/installningar/']").first.click()
    page.locator("input[name=text_size][value=larger]").check()
    page.locator("input[name=contrast][value=high]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("body")).to_have_class(re.compile(r"text-larger contrast-high"))
    context.close()
    # axe-core needs JavaScript: check the same pages, with the larger text and high contrast, in a
    # JavaScript-enabled browser that carries the cookie the form set.
    checked = browser.new_context(base_url=live_server.url, locale="sv-SE")
    checked.add_cookies([{"name": "display", "value": "larger.high", "url": live_server.url}])
    page = checked.new_page()
    page.goto("/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > normal
    assert_accessible(page)
    page.goto("/installningar/")
    assert_accessible(page)
    checked.close()


def test_login_page_and_signup_page_are_accessible(page: Page, portal_data):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.goto("/accounts/login/code/")
    assert_accessible(page)


def test_a_failed_login_shows_the_error_accessibly(page: Page, portal_data, user_with_role):
    user = user_with_role(Role.SENIOR)
    login(page, user.email, "wrong-password")
    expect(page.locator("main")).to_contain_text(re.compile("felaktig|not correct", re.I))
    assert_accessible(page)


@pytest.mark.parametrize(
    ("role", "sees_audit_log"),
    [(Role.COORDINATOR, False), (Role.HOMECARE_STAFF, False), (Role.ASSOCIATION_REP, False), (ADMIN, True)],
)
def test_staff_log_in_to_the_back_office_and_see_their_navigation(
    page: Page, portal_data, user_with_role, role, sees_audit_log
):
    user = user_with_role(role)
    login(page, user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    nav = page.get_by_role("navigation", name=re.compile("Administration|Back office", re.I))
    expect(nav.get_by_role("link", name=re.compile("Granskningslogg|Audit log"))).to_have_count(
        1 if sees_audit_log else 0
    )
    assert_accessible(page)
    if sees_audit_log:
        nav.get_by_role("link", name=re.compile("Granskningslogg|Audit log")).click()
        expect(page.get_by_role("table")).to_contain_text(user.email)
        assert_accessible(page)


def test_logout_returns_to_the_portal(page: Page, portal_data, user_with_role):
    login(page, user_with_role(Role.SENIOR).email, PASSWORD)
    page.locator("form[action='/accounts/logout/'] button").first.click()
    if "/accounts/logout/" in page.url:  # allauth asks to confirm when reached by GET
        page.locator("main form button[type=submit]").click()
    expect(page.locator("a[href^='/accounts/login/']").first).to_be_visible()


def test_not_found_page_is_friendly_and_accessible(page: Page, portal_data):
    response = page.goto("/finns-inte/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
