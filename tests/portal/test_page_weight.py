"""Light pages for rural connections: each portal page, with the CSS, JavaScript and fonts it loads, must
stay within 100 KB transferred (compressed, as served in production), images and map tiles excluded.

Two measurements:

- ``test_every_portal_page_is_within_the_budget_in_chromium`` (marker ``browser``) is the real one: Chromium
  loads each page from the live test server and every response it receives is counted through the DevTools
  protocol's Network events: the HTML document, stylesheets, scripts, fonts and anything the page's scripts
  fetch; images (photos, icons, map tiles) are left out. The test server sends bodies uncompressed, which is
  not what a visitor receives: whitenoise serves static files from the gzip/brotli files made at
  ``collectstatic``, and HTML is compressed on the way out (the reverse proxy's gzip). So each compressible
  body counts as its gzip size (level 9, what whitenoise's gzip files hold; brotli is smaller still) plus the
  response headers as Chromium received them (``encodedDataLength`` minus the body); fonts (WOFF2, already
  compressed) and other binary bodies count as received. Both numbers are printed.
- ``test_every_portal_page_is_within_the_budget`` is a quick check without a browser for the suite's fast
  pass: the HTML from the test client and the CSS and JavaScript files it links, gzipped. It misses what
  scripts load at run time, which the browser test sees.
"""

import base64
import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from playwright.sync_api import Page

from ..factories import (
    ActivityFactory,
    AssociationFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
)

pytestmark = pytest.mark.django_db

BUDGET = 100 * 1024
ASSET = re.compile(r'(?:href|src)="/static/([^"?]+\.(?:css|js))"')


def transferred_bytes(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content
    total = len(gzip.compress(html))
    for path in set(ASSET.findall(html.decode())):
        found = finders.find(path)
        assert found, path
        with open(found, "rb") as asset:
            total += len(gzip.compress(asset.read()))
    return total


def test_every_portal_page_is_within_the_budget(client, municipality):
    weights = {url: transferred_bytes(client, url) for url in portal_urls()}
    too_heavy = {url: weight for url, weight in weights.items() if weight > BUDGET}
    assert not too_heavy, too_heavy


EXCLUDED_TYPES = {"Image", "Media", "Ping"}  # images and map tiles (images), beacons
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "application/manifest",
)


class Transfer:
    """What Chromium received for one page, from the DevTools protocol's Network events."""

    def __init__(self, page: Page):
        self.page = page
        self.session = page.context.new_cdp_session(page)
        self.responses: dict[str, dict] = {}
        self.finished: dict[str, int] = {}
        self.session.on("Network.responseReceived", self._response)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.send("Network.enable")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def _response(self, event: dict) -> None:
        self.responses[event["requestId"]] = {
            "url": event["response"]["url"],
            "type": event.get("type", "Other"),
            "mime": event["response"].get("mimeType", ""),
        }

    def _finished(self, event: dict) -> None:
        self.finished[event["requestId"]] = int(event["encodedDataLength"])

    def load(self, url: str) -> dict[str, dict[str, int]]:
        """Open ``url`` (cold cache) and return url -> {received, compressed} for every counted response."""
        self.responses.clear()
        self.finished.clear()
        response = self.page.goto(url, wait_until="networkidle")
        assert response is not None and response.status == 200, url
        counted = {}
        for request_id, info in self.responses.items():
            if info["type"] in EXCLUDED_TYPES or request_id not in self.finished:
                continue
            received = self.finished[request_id]
            compressed = received
            if info["mime"].startswith(COMPRESSIBLE):
                body = self._body(request_id)
                if body is not None:
                    headers = max(received - len(body), 0)
                    compressed = headers + len(gzip.compress(body, compresslevel=9))
            counted[info["url"]] = {"received": received, "compressed": compressed}
        return counted

    def _body(self, request_id: str) -> bytes | None:
        try:
            result = self.session.send("Network.getResponseBody", {"requestId": request_id})
        except Exception:  # a body Chromium did not keep (e.g. a redirect); count what was received
            return None
        if result.get("base64Encoded"):
            return base64.b64decode(result["body"])
        return result["body"].encode()


def portal_urls() -> list[str]:
    """Every portal page, with enough listed on them (25 activities at one place) to weigh something."""
    locality = LocalityFactory(name="Högsjö", slug="hogsjo")
    place = MeetingPlaceFactory(locality=locality, latitude="59.05", longitude="15.73")
    association = AssociationFactory(show_in_directory=True)
    for _ in range(25):
        OccurrenceFactory(
            activity=ActivityFactory(place=place, organiser_association=association, signup_required=True)
        )
    activity = ActivityFactory(place=place)
    OccurrenceFactory(activity=activity)
    return [
        "/",
        "/aktiviteter/",
        f"/aktiviteter/{activity.slug}/",
        "/motesplatser/",
        f"/motesplatser/{place.slug}/",
        "/foreningar/",
        f"/foreningar/{association.slug}/",
        "/fraga-kommunen/",
        "/aktiviteter/tipsa/",
        "/program/",
        "/installningar/",
        "/accounts/login/",
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_portal_page_is_within_the_budget_in_chromium(page: Page, municipality):
    urls = portal_urls()
    transfer = Transfer(page)
    weights = {}
    for url in urls:
        counted = transfer.load(url)
        assert any(u.endswith(url) for u in counted), f"{url}: the document itself was not counted"
        compressed = sum(item["compressed"] for item in counted.values())
        received = sum(item["received"] for item in counted.values())
        weights[url] = compressed
        print(
            f"{url}: {compressed / 1024:.1f} KB compressed, {received / 1024:.1f} KB as received, "
            f"{len(counted)} responses"
        )
    too_heavy = {url: weight for url, weight in weights.items() if weight > BUDGET}
    assert not too_heavy, too_heavy
