"""The open-data API: public, read-only, filtered as DESIGN.md promises, and free of personal data."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, Category, Occurrence, Registration

from ..factories import (
    ActivityFactory,
    AssociationFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
)

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 10) -> dict:
    starts = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=1)}


def day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def village():
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    centre = LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    hall = MeetingPlaceFactory(locality=hogsjo, name="Högsjö bygdegård")
    library = MeetingPlaceFactory(locality=centre, name="Biblioteket")
    walk = ActivityFactory(
        title="Promenadgrupp",
        slug="promenadgrupp",
        description="Vi går en runda i skogen.",
        place=hall,
        contact_name="Karin",
        contact_phone="070-123 45 67",
        contact_email="karin.privat@example.org",
    )
    walk.categories.add(Category.objects.get(slug="fysisk-aktivitet"))
    bingo = ActivityFactory(title="Bingo", slug="bingo", place=library, price_sek=Decimal("20"))
    bingo.categories.add(Category.objects.get(slug="social-gemenskap"))
    ActivityFactory(title="Utkast", slug="utkast", status=Activity.Status.DRAFT)
    walk_soon = OccurrenceFactory(activity=walk, **at(1))
    OccurrenceFactory(activity=bingo, **at(2, 14))
    OccurrenceFactory(activity=bingo, place=hall, **at(9, 18))
    OccurrenceFactory(activity=walk, **at(-3))
    Registration.objects.create(
        occurrence=walk_soon, guest_name="Gun", guest_phone="0151-1234", status=Registration.Status.CONFIRMED
    )
    return {"walk": walk, "bingo": bingo, "hall": hall}


def results(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_only_published_activities_are_listed(client, village):
    assert [a["slug"] for a in results(client, "/api/v1/activities/")] == ["bingo", "promenadgrupp"]
    assert client.get("/api/v1/activities/utkast/").status_code == 404


def test_the_api_is_read_only(client, village):
    assert client.post("/api/v1/activities/", {"title": "X"}).status_code == 405
    assert client.delete("/api/v1/activities/bingo/").status_code == 405


def test_an_activity_carries_its_public_contact_but_no_e_mail_and_no_sign_ups(client, village):
    walk = client.get("/api/v1/activities/promenadgrupp/").json()
    assert walk["contact"] == {"name": "Karin", "phone": "070-123 45 67"}
    assert walk["url"].endswith("/aktiviteter/promenadgrupp/")
    assert walk["categories"] == ["fysisk-aktivitet"]
    assert walk["place"]["locality"] == {"slug": "hogsjo", "name": "Högsjö"}
    body = client.get("/api/v1/occurrences/").content.decode() + str(walk)
    for private in ("karin.privat@example.org", "arrangor@example.org", "Gun", "0151-1234", "created_by"):
        assert private not in body


def test_occurrences_are_upcoming_by_default_and_dated_with_a_range(client, village):
    assert [o["activity"]["slug"] for o in results(client, "/api/v1/occurrences/")] == [
        "promenadgrupp",
        "bingo",
        "bingo",
    ]
    in_range = results(client, f"/api/v1/occurrences/?date_from={day(-5)}&date_to={day(2)}")
    assert [o["starts_at"][:10] for o in in_range] == [day(-3), day(1), day(2)]


def test_an_occurrence_in_another_place_counts_for_that_locality(client, village):
    found = results(client, "/api/v1/occurrences/?locality=hogsjo")
    assert [(o["activity"]["slug"], o["place"]["name"]) for o in found] == [
        ("promenadgrupp", "Högsjö bygdegård"),
        ("bingo", "Högsjö bygdegård"),
    ]
    assert [a["slug"] for a in results(client, "/api/v1/activities/?locality=vingaker")] == ["bingo"]


def test_category_free_and_text_filters(client, village):
    assert {
        o["activity"]["slug"] for o in results(client, "/api/v1/occurrences/?category=social-gemenskap")
    } == {"bingo"}
    assert [a["slug"] for a in results(client, "/api/v1/activities/?is_free=true")] == ["promenadgrupp"]
    assert [a["slug"] for a in results(client, "/api/v1/activities/?is_free=false")] == ["bingo"]
    assert [a["slug"] for a in results(client, "/api/v1/activities/?search=skogen")] == ["promenadgrupp"]
    assert results(client, "/api/v1/occurrences/?search=skogen")[0]["activity"]["slug"] == "promenadgrupp"


def test_activities_by_date_need_an_occasion_inside_the_whole_range(client, village):
    assert [a["slug"] for a in results(client, f"/api/v1/activities/?date_from={day(5)}")] == ["bingo"]
    assert [a["slug"] for a in results(client, f"/api/v1/activities/?date_to={day(1)}")] == ["promenadgrupp"]
    assert results(client, f"/api/v1/activities/?date_from={day(3)}&date_to={day(8)}") == []


def test_cancelled_occurrences_are_shown_as_cancelled(client, village):
    occurrence = Occurrence.objects.get(activity=village["walk"], starts_at__gt=timezone.now())
    occurrence.is_cancelled, occurrence.cancel_reason = True, "Ledaren är sjuk"
    occurrence.save()
    cancelled = results(client, "/api/v1/occurrences/?is_cancelled=true")
    assert [(o["id"], o["cancel_reason"]) for o in cancelled] == [(occurrence.pk, "Ledaren är sjuk")]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("is_free=maybe", "is_free"),
        ("locality=finns-inte", "locality"),
        ("category=finns-inte", "category"),
        ("date_from=2026-02-30", "date_from"),
        ("date_from=2026-03-10&date_to=2026-03-01", "date_to"),
    ],
)
def test_an_invalid_filter_is_a_400_naming_the_field(client, village, query, field):
    response = client.get(f"/api/v1/occurrences/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field
    assert body["message"]
    assert field in body["errors"]


def test_page_size_is_50_by_default_and_at_most_200(client):
    activity = ActivityFactory()
    start = timezone.now() + timedelta(days=1)
    Occurrence.objects.bulk_create(
        Occurrence(
            activity=activity,
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i, minutes=30),
        )
        for i in range(230)
    )
    assert len(results(client, "/api/v1/occurrences/")) == 50
    assert len(results(client, "/api/v1/occurrences/?page_size=120")) == 120
    body = client.get("/api/v1/occurrences/?page_size=1000").json()
    assert len(body["results"]) == 200
    assert body["count"] == 230 and body["next"]


def test_association_directory_lists_only_active_opted_in_associations(client):
    listed = AssociationFactory(
        name="PRO Högsjö", slug="pro-hogsjo", show_in_directory=True, org_number="802000-0000"
    )
    listed.localities.add(LocalityFactory(slug="hogsjo", name="Högsjö"))
    AssociationFactory(slug="hemlig", show_in_directory=False)
    AssociationFactory(slug="nedlagd", show_in_directory=True, is_active=False)
    body = results(client, "/api/v1/associations/")
    assert [a["slug"] for a in body] == ["pro-hogsjo"]
    assert body[0]["localities"] == [{"slug": "hogsjo", "name": "Högsjö"}]
    assert "org_number" not in body[0] and "802000-0000" not in str(body)
    assert client.get("/api/v1/associations/hemlig/").status_code == 404
    assert [a["slug"] for a in results(client, "/api/v1/associations/?locality=hogsjo")] == ["pro-hogsjo"]


def test_places_and_categories(client, village):
    MeetingPlaceFactory(slug="stangd", is_active=False)
    assert [p["name"] for p in results(client, "/api/v1/places/?locality=hogsjo")] == ["Högsjö bygdegård"]
    assert "stangd" not in str(results(client, "/api/v1/places/"))
    assert client.get("/api/v1/places/?kind=slott").status_code == 400
    categories = client.get("/api/v1/categories/").json()
    assert categories[0] == {
        "slug": "fysisk-aktivitet",
        "name": "Fysisk aktivitet",
        "name_sv": "Fysisk aktivitet",
        "name_en": categories[0]["name_en"],
        "is_cornerstone": True,
        "is_finger": True,
    }


def test_a_list_answers_not_modified_until_the_data_changes(client, village):
    first = client.get("/api/v1/occurrences/?locality=hogsjo")
    etag = first["ETag"]
    assert etag
    again = client.get("/api/v1/occurrences/?locality=hogsjo", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/api/v1/occurrences/?locality=vingaker", HTTP_IF_NONE_MATCH=etag).status_code == 200

    village["walk"].title = "Skogspromenad"
    village["walk"].save()
    changed = client.get("/api/v1/occurrences/?locality=hogsjo", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_category_changes_of_an_activity_change_the_etag(client, village):
    etag = client.get("/api/v1/activities/")["ETag"]
    village["walk"].categories.add(Category.objects.get(slug="halsa"))
    assert client.get("/api/v1/activities/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def make_rows(count: int) -> None:
    localities = [LocalityFactory(), LocalityFactory()]
    places = [MeetingPlaceFactory(locality=loc) for loc in localities]
    categories = list(Category.objects.all()[:3])
    for index in range(count):
        association = AssociationFactory(show_in_directory=True)
        association.localities.add(localities[index % 2])
        activity = ActivityFactory(place=places[index % 2], organiser_association=association)
        activity.categories.set(categories[: 1 + index % 3])
        OccurrenceFactory(activity=activity, place=places[(index + 1) % 2], **at(1 + index % 20))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/activities/",
        "/api/v1/occurrences/",
        "/api/v1/places/",
        "/api/v1/associations/",
        "/api/v1/occurrences/?category=fysisk-aktivitet&is_free=true&search=gymnastik",
    ],
)
def test_query_count_does_not_grow_with_the_data(client, url):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{url}{'&' if '?' in url else '?'}page_size=200").status_code == 200
        return len(captured)

    make_rows(5)
    few = queries()
    make_rows(95)
    assert queries() == few
    assert few <= 4


def test_a_repeated_request_is_answered_without_queries_until_the_data_changes(
    client, village, django_assert_num_queries
):
    first = client.get("/api/v1/activities/").json()
    with django_assert_num_queries(0):
        assert client.get("/api/v1/activities/").json() == first
    village["bingo"].title = "Storbingo"
    village["bingo"].save()
    assert [a["title"] for a in results(client, "/api/v1/activities/")] == ["Promenadgrupp", "Storbingo"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Swedish stemming is PostgreSQL full-text search"
)
def test_search_uses_swedish_full_text_search(client, village):
    assert [a["slug"] for a in results(client, "/api/v1/activities/?search=promenader")] == ["promenadgrupp"]
    assert {o["activity"]["slug"] for o in results(client, "/api/v1/occurrences/?search=skog")} == {
        "promenadgrupp"
    }
