""" "Fråga kommunen" and the home page's "this week near you"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import ContactMessage

from ..factories import ActivityFactory, LocalityFactory, MeetingPlaceFactory, OccurrenceFactory

pytestmark = pytest.mark.django_db


class TestContact:
    def test_question_lands_in_the_inbox_with_a_receipt(
        self, client, municipality, django_capture_on_commit_callbacks
    ):
        LocalityFactory(name="Högsjö", slug="hogsjo")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/fraga-kommunen/",
                {"name": "Anna", "email": "Anna@Example.org", "locality": "hogsjo", "message": "Färdtjänst?"},
            )
        assert response.status_code == 302
        question = ContactMessage.objects.get()
        assert question.status == ContactMessage.Status.NEW
        assert question.locality.slug == "hogsjo"
        assert mail.outbox[0].to == ["anna@example.org"]
        thanks = client.get(response["Location"]).content.decode()
        assert municipality.contact_phone in thanks and municipality.contact_hours_sv in thanks

    def test_phone_only_sends_no_email(self, client, municipality, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/fraga-kommunen/", {"name": "Per", "phone": "070-123", "message": "Hej"})
        assert ContactMessage.objects.get().phone == "070-123"
        assert mail.outbox == []

    @pytest.mark.parametrize(
        "data",
        [
            {"name": "Anna", "message": "Hej"},
            {"name": "", "email": "a@example.org", "message": "Hej"},
            {"name": "Anna", "email": "a@example.org", "message": ""},
            {"name": "Anna", "email": "a@example.org", "message": "x" * 4001},
            {"name": "Anna", "email": "inte-en-adress", "message": "Hej"},
            {"name": "Anna", "email": "a@example.org", "message": "Hej", "locality": "atlantis"},
        ],
    )
    def test_bad_input_is_shown_with_an_error_summary(self, client, municipality, data):
        response = client.post("/fraga-kommunen/", data)
        assert response.status_code == 200
        assert 'class="error-summary"' in response.content.decode()
        assert not ContactMessage.objects.exists()

    def test_honeypot_is_rejected_quietly(self, client, municipality):
        response = client.post(
            "/fraga-kommunen/", {"name": "Bot", "email": "b@example.org", "message": "Köp", "website": "x"}
        )
        assert response.status_code == 302
        assert not ContactMessage.objects.exists()

    def test_english(self, client, municipality):
        response = client.get("/fraga-kommunen/", headers={"accept-language": "en"})
        assert response["Content-Language"] == "en"
        assert "Ask the municipality" in response.content.decode()


class TestThisWeekNearYou:
    @pytest.fixture
    def week(self, municipality):
        hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
        centre = LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
        starts = timezone.now() + timedelta(days=2)
        walk = ActivityFactory(title="Promenadgrupp", place=MeetingPlaceFactory(locality=hogsjo))
        bingo = ActivityFactory(title="Bingo", place=MeetingPlaceFactory(locality=centre))
        OccurrenceFactory(activity=walk, starts_at=starts, ends_at=starts + timedelta(hours=1))
        OccurrenceFactory(activity=bingo, starts_at=starts, ends_at=starts + timedelta(hours=1))
        later = timezone.now() + timedelta(days=10)
        OccurrenceFactory(activity=bingo, starts_at=later, ends_at=later + timedelta(hours=1))

    def titles(self, response) -> list[str]:
        return [occurrence.activity.title for occurrence in response.context["week"]]

    def test_whole_municipality_without_a_choice(self, client, week):
        assert sorted(self.titles(client.get("/"))) == ["Bingo", "Promenadgrupp"]

    def test_choice_by_query_is_remembered_in_a_cookie(self, client, week):
        response = client.get("/", {"ort": "hogsjo"})
        assert self.titles(response) == ["Promenadgrupp"]
        assert response.cookies["locality"].value == "hogsjo"
        assert self.titles(client.get("/")) == ["Promenadgrupp"]

    def test_unknown_or_empty_choice_forgets_it(self, client, week):
        client.get("/", {"ort": "hogsjo"})
        response = client.get("/", {"ort": ""})
        assert sorted(self.titles(response)) == ["Bingo", "Promenadgrupp"]
        assert response.cookies["locality"].value == ""
        assert client.get("/", {"ort": "atlantis"}).status_code == 200

    def test_query_count_is_constant(self, client, week, django_assert_max_num_queries):
        with django_assert_max_num_queries(6):
            client.get("/", {"ort": "hogsjo"})

    def test_home_page_shows_the_week_and_links_to_the_filtered_search(self, client, week):
        content = client.get("/", {"ort": "hogsjo"}).content.decode()
        assert "Promenadgrupp" in content and "Bingo" not in content
        assert 'href="/aktiviteter/?locality=hogsjo"' in content
        assert '<option value="hogsjo" selected>' in content
