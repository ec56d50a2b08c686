"""Playwright fixtures driving Debian's Chromium against pytest-django's live server, and an axe-core check.

Playwright cannot download its own browser here, so the suite uses /usr/bin/chromium (``CHROMIUM`` overrides)
and fails — never skips — when it is missing.
"""

import os
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"Browser tests need Chromium at {path} and it is missing. Install it with "
            "'apt-get install chromium' (make test does this when run as root) or set CHROMIUM.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        # Playwright gives every launch a fresh, empty profile directory of its own.
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (Accept-Language); override in a module to run its journeys in English."""
    return "sv-SE"


@pytest.fixture
def page(browser: Browser, live_server, browser_locale: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live server; ``page.goto('/path')`` works."""
    context = browser.new_context(
        base_url=live_server.url, locale=browser_locale, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Fail on any axe-core violation of the WCAG 2.1 A/AA rules on the page as it is now.

    axe-core runs inside the page, so the page's browser context must have JavaScript enabled.
    """
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = _axe.run(page, options=options)
    violations = results.response["violations"]
    if violations:
        lines = [f"{page.url}: {len(violations)} accessibility violation(s)"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"][:5])
        pytest.fail("\n".join(lines), pytrace=False)


def login(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
