"""The public activity pages: search, activity page, sign-up, my sign-ups, tips and meeting places."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from activities.models import ActivitySuggestion, Category, MeetingPlace, Registration
from activities.templatetags.activity_format import when

from ..factories import (
    ActivityFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def at(days: int, hour: int) -> dict:
    starts = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=1, minutes=30)}


@pytest.fixture
def village(municipality):
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    centre = LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    hall = MeetingPlaceFactory(
        locality=hogsjo,
        name="Högsjö bygdegård",
        slug="hogsjo-bygdegard",
        step_free_entrance=True,
        accessible_toilet=True,
        bus_stop_nearby=True,
        latitude="59.05000",
        longitude="15.80000",
    )
    library = MeetingPlaceFactory(
        locality=centre, name="Biblioteket", slug="biblioteket", kind=MeetingPlace.Kind.LIBRARY
    )
    walk = ActivityFactory(
        title="Promenadgrupp", slug="promenadgrupp", description="Vi går en runda i skogen.", place=hall
    )
    walk.categories.add(Category.objects.get(slug="fysisk-aktivitet"))
    bingo = ActivityFactory(
        title="Bingo",
        slug="bingo",
        description="Bingo och fika.",
        place=library,
        price_sek=20,
        signup_required=True,
        capacity=2,
        contact_phone="0151-123 45",
    )
    return {
        "hogsjo": hogsjo,
        "hall": hall,
        "walk": walk,
        "bingo": bingo,
        "walk_occurrence": OccurrenceFactory(activity=walk, **at(1, 10)),
        "bingo_occurrence": OccurrenceFactory(activity=bingo, **at(2, 14)),
    }


def test_dates_are_written_the_way_people_say_them():
    starts = timezone.make_aware(timezone.datetime(timezone.localdate().year, 3, 3, 10, 0))
    ends = starts + timedelta(hours=1, minutes=30)
    assert when(starts, ends, language="sv").endswith("3 mars kl. 10.00–11.30")
    assert when(starts, ends, language="en").endswith("3 March, 10:00–11:30")
    next_year = starts.replace(year=starts.year + 1)
    assert str(next_year.year) in when(next_year, language="sv")


class TestSearch:
    def test_lists_upcoming_occasions_with_place_and_price(self, client, village):
        content = client.get("/aktiviteter/").content.decode()
        assert "Promenadgrupp" in content and "Bingo" in content
        assert "Högsjö bygdegård, Högsjö" in content
        assert " kl. 10.00–11.30" in content

    def test_filters_by_locality_and_accessibility(self, client, village):
        content = client.get("/aktiviteter/", {"locality": "hogsjo"}).content.decode()
        assert "Promenadgrupp" in content and "Bingo" not in content
        content = client.get("/aktiviteter/", {"accessible": "on", "free": "on"}).content.decode()
        assert "Promenadgrupp" in content and "Bingo" not in content

    def test_free_text(self, client, village):
        content = client.get("/aktiviteter/", {"q": "fika", "sort": "relevance"}).content.decode()
        assert "Bingo" in content and "Promenadgrupp" not in content

    @pytest.mark.parametrize(
        "params",
        [
            {"date_from": "2026-13-45"},
            {"date_from": "igår"},
            {"date_from": "2030-05-02", "date_to": "2030-05-01"},
            {"weekday": "9"},
            {"locality": "atlantis"},
        ],
    )
    def test_bad_input_is_a_form_error_not_a_crash(self, client, village, params):
        response = client.get("/aktiviteter/", params)
        assert response.status_code == 200
        assert 'class="error-summary"' in response.content.decode()
        assert response.context["page"] is None

    def test_empty_result_suggests_widening_the_search(self, client, village):
        response = client.get("/aktiviteter/", {"locality": "hogsjo", "no_signup": "on", "q": "bingo"})
        content = response.content.decode()
        assert response.context["page"].paginator.count == 0
        assert "?locality=hogsjo&amp;no_signup=on#results" in content  # without the search words

    def test_pages_of_twenty_keep_the_filters(self, client, village):
        for day in range(1, 26):
            OccurrenceFactory(activity=village["walk"], **at(day, 8))
        response = client.get("/aktiviteter/", {"locality": "hogsjo"})
        assert len(response.context["page"].object_list) == 20
        assert "?locality=hogsjo&amp;page=2#results" in response.content.decode()
        second = client.get("/aktiviteter/", {"locality": "hogsjo", "page": "2"})
        assert len(second.context["page"].object_list) == 6

    def test_query_count_does_not_grow_with_the_data(self, client, village, django_assert_max_num_queries):
        for day in range(3, 13):
            OccurrenceFactory(activity=village["bingo"], **at(day, 9))
        with django_assert_max_num_queries(10):
            client.get("/aktiviteter/")
        places = MeetingPlaceFactory.create_batch(5, locality=village["hogsjo"])
        for index in range(100):
            activity = ActivityFactory(place=places[index % 5])
            activity.categories.add(*Category.objects.all()[:2])
            OccurrenceFactory(activity=activity, **at(1 + index % 20, 11))
        with django_assert_max_num_queries(10):
            response = client.get("/aktiviteter/", {"q": "Sittgymnastik", "sort": "relevance"})
        assert response.context["page"].paginator.count == 100

    def test_english_through_accept_language(self, client, village):
        response = client.get("/aktiviteter/", headers={"accept-language": "en"})
        assert response["Content-Language"] == "en"
        assert ", 10:00–11:30" in response.content.decode()


class TestActivityPage:
    def test_shows_dates_place_accessibility_calendar_and_json_ld(self, client, village):
        content = client.get("/aktiviteter/promenadgrupp/").content.decode()
        assert "Vi går en runda i skogen." in content
        assert "/motesplatser/hogsjo-bygdegard/" in content
        assert "/kalender/aktivitet/promenadgrupp.ics" in content
        assert '<script type="application/ld+json">' in content
        assert '"@type": "Event"' in content

    def test_json_ld_cannot_close_its_script_element(self, client, village):
        village["walk"].title = "</script><script>alert(1)</script>"
        village["walk"].save()
        content = client.get("/aktiviteter/promenadgrupp/").content.decode()
        assert "</script><script>alert(1)" not in content

    def test_places_left_and_waiting_list(self, client, village):
        content = client.get("/aktiviteter/bingo/").content.decode()
        assert f"/aktiviteter/tillfalle/{village['bingo_occurrence'].pk}/anmal/" in content
        Registration.objects.create(
            occurrence=village["bingo_occurrence"],
            guest_name="A",
            guest_phone="1",
            party_size=2,
            status="confirmed",
        )
        response = client.get("/aktiviteter/bingo/")
        assert response.context["page"][0].places_left == 0

    @pytest.mark.parametrize("status", ["draft", "pending", "cancelled"])
    def test_unpublished_activities_are_not_found(self, client, village, status):
        village["walk"].status = status
        village["walk"].save()
        assert client.get("/aktiviteter/promenadgrupp/").status_code == 404

    def test_unknown_slug_is_not_found(self, client, village):
        assert client.get("/aktiviteter/finns-inte/").status_code == 404

    def test_query_count_does_not_grow_with_occurrences(self, client, village, django_assert_max_num_queries):
        for day in range(3, 60):
            OccurrenceFactory(activity=village["bingo"], **at(day, 9))
        with django_assert_max_num_queries(10):
            client.get("/aktiviteter/bingo/")


class TestSignup:
    def url(self, village):
        return f"/aktiviteter/tillfalle/{village['bingo_occurrence'].pk}/anmal/"

    def test_guest_signs_up_and_gets_an_email(self, client, village, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                self.url(village),
                {"guest_name": "Anna Svensson", "guest_email": "anna@example.org", "party_size": "1"},
            )
        assert response.status_code == 302
        registration = Registration.objects.get()
        assert registration.status == Registration.Status.CONFIRMED
        assert mail.outbox[0].to == ["anna@example.org"]
        assert registration.cancel_token in mail.outbox[0].body
        done = client.get(response["Location"]).content.decode()
        assert "anna@example.org" in done

    def test_full_occasion_puts_the_guest_on_the_waiting_list(self, client, village):
        client.post(self.url(village), {"guest_name": "A", "guest_phone": "070-1", "party_size": "2"})
        response = client.post(
            self.url(village),
            {"guest_name": "B", "guest_phone": "070-2", "party_size": "1"},
            follow=True,
            headers={"accept-language": "en"},
        )
        assert response.context["registration"].status == Registration.Status.WAITING
        assert "waiting list" in response.content.decode()

    @pytest.mark.parametrize(
        "data",
        [
            {"guest_name": "", "guest_phone": "070-1", "party_size": "1"},
            {"guest_name": "Anna", "party_size": "1"},
            {"guest_name": "Anna", "guest_email": "inte-en-adress", "party_size": "1"},
            {"guest_name": "Anna", "guest_phone": "070-1", "party_size": "11"},
            {"guest_name": "Anna", "guest_phone": "070-1", "party_size": "0"},
        ],
    )
    def test_bad_input_is_shown_as_form_errors(self, client, village, data):
        response = client.post(self.url(village), data)
        assert response.status_code == 200
        assert 'class="error-summary"' in response.content.decode()
        assert not Registration.objects.exists()

    def test_service_refusal_is_a_form_error(self, client, village):
        url = f"/aktiviteter/tillfalle/{village['walk_occurrence'].pk}/anmal/"
        response = client.post(url, {"guest_name": "Anna", "guest_phone": "070-1", "party_size": "1"})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert not Registration.objects.exists()

    def test_honeypot_is_rejected_quietly(self, client, village):
        response = client.post(
            self.url(village),
            {"guest_name": "Bot", "guest_phone": "1", "party_size": "1", "website": "http://spam.example"},
        )
        assert response.status_code == 302
        assert not Registration.objects.exists()

    def test_signed_in_person_signs_up_with_one_button(self, client, village):
        user = UserFactory()
        client.force_login(user)
        response = client.post(self.url(village), {"party_size": "1"})
        assert response.status_code == 302
        assert Registration.objects.get().user == user

    def test_done_page_only_for_the_session_that_signed_up(self, client, village):
        url = f"/aktiviteter/tillfalle/{village['bingo_occurrence'].pk}/anmald/"
        assert client.get(url).status_code == 404

    def test_unknown_or_unpublished_occasion_is_not_found(self, client, village):
        assert client.get("/aktiviteter/tillfalle/999999/anmal/").status_code == 404
        village["bingo"].status = "draft"
        village["bingo"].save()
        assert client.get(self.url(village)).status_code == 404


class TestMySignups:
    def test_requires_sign_in(self, client, village):
        response = client.get("/aktiviteter/mina-anmalningar/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_lists_and_cancels_own_sign_ups_only(self, client, village):
        user, other = UserFactory(), UserFactory()
        mine = Registration.objects.create(
            occurrence=village["bingo_occurrence"], user=user, status="confirmed"
        )
        theirs = Registration.objects.create(
            occurrence=village["bingo_occurrence"], user=other, status="confirmed"
        )
        client.force_login(user)
        content = client.get("/aktiviteter/mina-anmalningar/").content.decode()
        assert "Bingo" in content
        assert client.post(f"/aktiviteter/mina-anmalningar/{theirs.pk}/avboka/").status_code == 404
        response = client.post(f"/aktiviteter/mina-anmalningar/{mine.pk}/avboka/")
        assert response.status_code == 302
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert mine.status == "cancelled" and theirs.status == "confirmed"

    def test_cancel_needs_post(self, client, village):
        user = UserFactory()
        mine = Registration.objects.create(
            occurrence=village["bingo_occurrence"], user=user, status="confirmed"
        )
        client.force_login(user)
        assert client.get(f"/aktiviteter/mina-anmalningar/{mine.pk}/avboka/").status_code == 405


class TestSuggestion:
    def test_tip_is_stored_for_moderation_with_a_receipt(
        self, client, municipality, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/aktiviteter/tipsa/",
                {"title": "Boule", "description": "Boule vid kyrkan", "contact_name": "Per",
                 "contact_email": "per@example.org"},
            )  # fmt: skip
        assert response.status_code == 302
        assert ActivitySuggestion.objects.get().status == ActivitySuggestion.Status.NEW
        assert mail.outbox[0].to == ["per@example.org"]
        assert client.get(response["Location"]).status_code == 200

    def test_missing_fields_and_honeypot(self, client, municipality):
        response = client.post("/aktiviteter/tipsa/", {"title": "", "description": ""})
        assert 'class="error-summary"' in response.content.decode()
        client.post(
            "/aktiviteter/tipsa/",
            {"title": "Spam", "description": "x", "contact_name": "Bot", "website": "spam"},
        )
        assert not ActivitySuggestion.objects.exists()


class TestMeetingPlaces:
    def test_list_filters(self, client, village):
        content = client.get("/motesplatser/", {"locality": "hogsjo"}).content.decode()
        assert "Högsjö bygdegård" in content and "Biblioteket" not in content
        content = client.get("/motesplatser/", {"accessible": "on"}).content.decode()
        assert "Högsjö bygdegård" in content and "Biblioteket" not in content
        content = client.get("/motesplatser/", {"kind": MeetingPlace.Kind.LIBRARY}).content.decode()
        assert "Biblioteket" in content and "Högsjö bygdegård" not in content

    def test_place_page_has_address_map_fallback_and_what_happens(self, client, village, settings):
        settings.MAP_TILE_URL = ""
        content = client.get("/motesplatser/hogsjo-bygdegard/").content.decode()
        assert "Storgatan 1" in content
        assert "https://www.openstreetmap.org/?mlat=59.05000&amp;mlon=15.80000" in content
        assert 'data-tiles=""' in content
        assert "vendor/leaflet/leaflet.js" in content
        assert "Promenadgrupp" in content

    def test_leaflet_is_only_loaded_on_the_place_page(self, client, village):
        assert "leaflet" not in client.get("/aktiviteter/").content.decode()
        assert "leaflet" not in client.get("/motesplatser/").content.decode()

    def test_inactive_or_unknown_place_is_not_found(self, client, village):
        assert client.get("/motesplatser/finns-inte/").status_code == 404
        village["hall"].is_active = False
        village["hall"].save()
        assert client.get("/motesplatser/hogsjo-bygdegard/").status_code == 404

    def test_place_page_query_count_is_constant(self, client, village, django_assert_max_num_queries):
        for day in range(3, 40):
            OccurrenceFactory(activity=village["walk"], **at(day, 9))
        with django_assert_max_num_queries(8):
            client.get("/motesplatser/hogsjo-bygdegard/")


def test_sign_up_page_says_when_no_sign_up_is_needed(client, village):
    response = client.get(f"/aktiviteter/tillfalle/{village['walk_occurrence'].pk}/anmal/")
    assert response.status_code == 200
    assert '<form method="post" class="form"' not in response.content.decode()


def test_my_sign_ups_query_count_is_constant(client, village, django_assert_max_num_queries):
    user = UserFactory()
    for day in range(3, 30):
        occurrence = OccurrenceFactory(activity=village["bingo"], **at(day, 9))
        Registration.objects.create(occurrence=occurrence, user=user, status="confirmed")
    past = OccurrenceFactory(activity=village["bingo"], **at(-3, 9))
    Registration.objects.create(occurrence=past, user=user, status="confirmed")
    client.force_login(user)
    with django_assert_max_num_queries(8):
        response = client.get("/aktiviteter/mina-anmalningar/")
    assert len(response.context["upcoming"]) == 27 and len(response.context["past"]) == 1
