"""iCalendar feeds per activity, locality and category."""

from datetime import UTC, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Category

from ..factories import ActivityFactory, LocalityFactory, MeetingPlaceFactory, OccurrenceFactory

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 10) -> dict:
    starts = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=1, minutes=30)}


@pytest.fixture
def walk(settings):
    settings.SITE_URL = "https://aldersvanlig.example.org"
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    hall = MeetingPlaceFactory(
        locality=hogsjo, name="Högsjö bygdegård", address="Byvägen 2", postal_code="643 93"
    )
    activity = ActivityFactory(title="Promenadgrupp", slug="promenadgrupp", place=hall, contact_phone="070-1")
    activity.categories.add(Category.objects.get(slug="fysisk-aktivitet"))
    OccurrenceFactory(activity=activity, **at(2))
    OccurrenceFactory(activity=activity, is_cancelled=True, cancel_reason="Halka", **at(9))
    OccurrenceFactory(activity=activity, **at(-2))  # over
    OccurrenceFactory(activity=activity, **at(200))  # beyond six months
    return activity


def events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_activity_feed_holds_the_coming_six_months(client, walk):
    response = client.get(reverse("feeds:activity-ics", args=["promenadgrupp"]))
    found = events(response)
    assert len(found) == 2
    first, cancelled = found
    occurrence = walk.occurrences.filter(is_cancelled=False, starts_at__gt=timezone.now()).first()
    assert str(first["uid"]) == f"occurrence-{occurrence.pk}@aldersvanlig.example.org"
    assert first.decoded("dtstart") == occurrence.starts_at.astimezone(UTC)
    assert first.decoded("dtend") == occurrence.ends_at.astimezone(UTC)
    assert str(first["location"]) == "Högsjö bygdegård, Byvägen 2, 643 93 Högsjö"
    assert str(first["url"]) == "https://aldersvanlig.example.org/aktiviteter/promenadgrupp/"
    assert str(first["status"]) == "CONFIRMED"
    assert str(cancelled["status"]) == "CANCELLED"
    assert "Halka" in str(cancelled["description"])


def test_uids_stay_the_same_between_fetches(client, walk):
    url = reverse("feeds:activity-ics", args=["promenadgrupp"])
    first = [str(e["uid"]) for e in events(client.get(url))]
    walk.title = "Skogspromenad"
    walk.save()
    assert [str(e["uid"]) for e in events(client.get(url))] == first


def test_locality_feed_uses_the_occasions_own_place(client, walk):
    elsewhere = MeetingPlaceFactory(locality=LocalityFactory(slug="baggetorp"))
    other = ActivityFactory(title="Bingo", place=elsewhere)
    OccurrenceFactory(activity=other, **at(3))
    OccurrenceFactory(activity=other, place=walk.place, **at(4))
    found = events(client.get(reverse("feeds:locality-ics", args=["hogsjo"])))
    assert [str(e["summary"]) for e in found][:2] == ["Promenadgrupp", "Bingo"]
    assert [str(e["status"]) for e in found] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert len(events(client.get(reverse("feeds:locality-ics", args=["baggetorp"])))) == 1


def test_category_feed(client, walk):
    ActivityFactory(title="Bingo").occurrences.create(**at(3))
    found = events(client.get(reverse("feeds:category-ics", args=["fysisk-aktivitet"])))
    assert len(found) == 2
    assert all("Promenadgrupp" in str(e["summary"]) for e in found)
    assert events(client.get(reverse("feeds:category-ics", args=["social-gemenskap"]))) == []


@pytest.mark.parametrize(
    ("name", "slug"),
    [("feeds:activity-ics", "finns-inte"), ("feeds:locality-ics", "finns-inte"), ("feeds:category-ics", "x")],
)
def test_unknown_slugs_are_404(client, walk, name, slug):
    assert client.get(reverse(name, args=[slug])).status_code == 404


def test_an_unpublished_activity_has_no_feed(client, walk):
    draft = ActivityFactory(slug="utkast", status=Activity.Status.DRAFT)
    OccurrenceFactory(activity=draft, **at(2))
    assert client.get(reverse("feeds:activity-ics", args=["utkast"])).status_code == 404
    assert len(events(client.get(reverse("feeds:locality-ics", args=["hogsjo"])))) == 2


def test_feeds_answer_not_modified_until_the_data_changes(client, walk):
    url = reverse("feeds:activity-ics", args=["promenadgrupp"])
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    occurrence = walk.occurrences.filter(is_cancelled=False, starts_at__gt=timezone.now()).first()
    occurrence.is_cancelled = True
    occurrence.save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
