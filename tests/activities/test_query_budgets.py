"""A page's SQL query count must not grow with the data: measured at 10 and at 500 activities."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, Category, Occurrence

from ..factories import AssociationFactory, LocalityFactory, MeetingPlaceFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/aktiviteter/",
    "/aktiviteter/?q=gymnastik&locality=hogsjo&free=on",
    "/aktiviteter/{slug}/",
    "/motesplatser/",
    "/foreningar/",
    "/api/v1/activities/",
    "/api/v1/occurrences/?locality=hogsjo",
    "/api/v1/places/",
    "/program/alla/{month}/",
]


def add_activities(count: int, start: int, place, association, category) -> None:
    activities = Activity.objects.bulk_create(
        Activity(
            title=f"Sittgymnastik {i}",
            slug=f"sittgymnastik-{i}",
            description="Lugn gymnastik på stol.",
            organiser_association=association,
            place=place,
            status=Activity.Status.PUBLISHED,
        )
        for i in range(start, start + count)
    )
    Activity.categories.through.objects.bulk_create(
        Activity.categories.through(activity=a, category=category) for a in activities
    )
    soon = timezone.now() + timedelta(days=2)
    Occurrence.objects.bulk_create(
        Occurrence(
            activity=a, starts_at=soon + timedelta(minutes=i), ends_at=soon + timedelta(hours=1, minutes=i)
        )
        for i, a in enumerate(activities)
    )


def query_counts(client) -> dict[str, int]:
    month = timezone.localdate().strftime("%Y-%m")
    counts = {}
    for page in PAGES:
        url = page.format(slug="sittgymnastik-0", month=month)
        cache.clear()  # measure the database work, not the response cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries.captured_queries)
    return counts


def test_query_counts_are_the_same_at_10_and_500_activities(client, municipality):
    place = MeetingPlaceFactory(locality=LocalityFactory(name="Högsjö", slug="hogsjo"))
    association = AssociationFactory(show_in_directory=True)
    category = Category.objects.get(slug="fysisk-aktivitet")
    add_activities(10, 0, place, association, category)
    small = query_counts(client)
    add_activities(490, 10, place, association, category)
    large = query_counts(client)
    assert large == small
