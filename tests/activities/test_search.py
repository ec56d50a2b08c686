"""The activity search behind the portal list, the API and the programmes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from activities.models import Category, Occurrence
from activities.selectors import OccurrenceSearch, search_occurrences

from ..factories import ActivityFactory, LocalityFactory, MeetingPlaceFactory, OccurrenceFactory

pytestmark = pytest.mark.django_db


def at(days: int, hour: int) -> dict:
    starts = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=1)}


def titles(**criteria) -> list[str]:
    return [o.activity.title for o in search_occurrences(OccurrenceSearch(**criteria))]


@pytest.fixture
def village():
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    centre = LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    hall = MeetingPlaceFactory(
        locality=hogsjo, name="Högsjö bygdegård", step_free_entrance=True, accessible_toilet=True
    )
    library = MeetingPlaceFactory(locality=centre, name="Biblioteket")
    walk = ActivityFactory(title="Promenadgrupp", description="Vi går en runda i skogen.", place=hall)
    walk.categories.add(Category.objects.get(slug="fysisk-aktivitet"))
    bingo = ActivityFactory(
        title="Bingo", description="Bingo och fika.", place=library, price_sek=20, signup_required=True
    )
    bingo.categories.add(Category.objects.get(slug="social-gemenskap"))
    OccurrenceFactory(activity=walk, **at(1, 10))
    OccurrenceFactory(activity=bingo, **at(2, 14))
    OccurrenceFactory(activity=bingo, place=hall, **at(9, 18))
    return {"hogsjo": hogsjo, "walk": walk, "bingo": bingo}


def test_upcoming_by_start_time(village):
    assert titles() == ["Promenadgrupp", "Bingo", "Bingo"]


def test_locality_uses_the_occasions_own_place_before_the_activitys(village):
    assert titles(localities=["hogsjo"]) == ["Promenadgrupp", "Bingo"]
    assert titles(localities=["vingaker"]) == ["Bingo"]


def test_category_free_sign_up_and_accessibility(village):
    assert titles(categories=["social-gemenskap"]) == ["Bingo", "Bingo"]
    assert titles(free=True) == ["Promenadgrupp"]
    assert titles(no_signup=True) == ["Promenadgrupp"]
    assert titles(accessible=True) == ["Promenadgrupp", "Bingo"]


def test_date_range_weekday_and_time_of_day(village):
    today = timezone.localdate()
    assert titles(date_from=today + timedelta(days=2), date_to=today + timedelta(days=2)) == ["Bingo"]
    in_two_days = (today + timedelta(days=2)).isoweekday()  # the same weekday as in nine days
    assert titles(weekdays=[in_two_days]) == ["Bingo", "Bingo"]
    assert titles(time_of_day="evening") == ["Bingo"]
    assert titles(time_of_day="morning") == ["Promenadgrupp"]


def test_cancelled_drafts_and_past_occasions_are_left_out(village):
    Occurrence.objects.filter(activity=village["walk"]).update(is_cancelled=True)
    draft = ActivityFactory(status="draft")
    OccurrenceFactory(activity=draft, **at(1, 11))
    OccurrenceFactory(activity=village["bingo"], **at(-3, 14))
    assert titles() == ["Bingo", "Bingo"]


@pytest.mark.parametrize("text", ["promenad", "Promenadgrupp", "skogen", "bygdegård"])
def test_text_search_finds_title_description_and_place(village, text):
    assert "Promenadgrupp" in titles(text=text)
    assert "Bingo" not in titles(text="skogen")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Swedish stemming is PostgreSQL full-text search"
)
def test_swedish_stemming_finds_inflected_forms(village):
    assert titles(text="promenader skog") == ["Promenadgrupp"]


def test_query_count_does_not_grow_with_the_data(village, django_assert_num_queries):
    def run():
        for occurrence in search_occurrences(OccurrenceSearch()):
            _ = (
                occurrence.activity.place.locality.name,
                [c.name for c in occurrence.activity.categories.all()],
            )
            _ = occurrence.venue.name, occurrence.activity.organiser_name

    with django_assert_num_queries(2):
        run()
    for _ in range(30):
        OccurrenceFactory(activity=ActivityFactory(place=village["walk"].place), **at(3, 10))
    with django_assert_num_queries(2):
        run()


def test_punctuation_and_operators_in_the_text_are_harmless(village):
    assert titles(text="bingo & | ! :* ('") == ["Bingo", "Bingo"]
    assert titles(text="!!!") == []
    assert len(titles(text="   ")) == 3  # blank text: no text filter
