"""Light pages for rural connections: each portal page, with the CSS and JavaScript it loads, must stay
within 100 KB transferred (compressed, as whitenoise serves it in production), images and tiles excluded."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

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
    locality = LocalityFactory(name="Högsjö", slug="hogsjo")
    place = MeetingPlaceFactory(locality=locality, latitude="59.05", longitude="15.73")
    association = AssociationFactory(show_in_directory=True)
    for _ in range(25):
        OccurrenceFactory(
            activity=ActivityFactory(place=place, organiser_association=association, signup_required=True)
        )
    activity = ActivityFactory(place=place)
    urls = [
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
    weights = {url: transferred_bytes(client, url) for url in urls}
    too_heavy = {url: weight for url, weight in weights.items() if weight > BUDGET}
    assert not too_heavy, too_heavy
