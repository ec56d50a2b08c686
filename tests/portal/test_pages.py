import pytest

from ..factories import LocalityFactory

pytestmark = pytest.mark.django_db


def test_home_shows_the_municipality_and_its_localities(client, municipality):
    LocalityFactory(name="Högsjö", slug="hogsjo", is_rural=True)
    LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    content = client.get("/").content.decode()
    assert municipality.name in content
    assert "Högsjö" in content and "Vingåker" in content
    assert municipality.contact_phone in content


def test_home_works_before_any_municipality_is_configured(client):
    assert client.get("/").status_code == 200


def test_swedish_is_the_default_language(client, municipality):
    response = client.get("/")
    assert response["Content-Language"] == "sv"
    assert '<html lang="sv"' in response.content.decode()


def test_english_follows_accept_language(client, municipality):
    response = client.get("/", headers={"accept-language": "en"})
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()
    assert municipality.contact_hours_en in response.content.decode()


def test_the_language_switch_is_a_plain_form_and_is_remembered(client, municipality):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/")["Content-Language"] == "en"


def test_the_home_page_query_count_is_constant(client, municipality, django_assert_max_num_queries):
    LocalityFactory()
    with django_assert_max_num_queries(5) as baseline:
        client.get("/")
    LocalityFactory.create_batch(20)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get("/")


def test_unknown_pages_get_the_friendly_404_in_both_languages(client, municipality):
    swedish = client.get("/finns-inte/")
    english = client.get("/finns-inte/", headers={"accept-language": "en"})
    assert swedish.status_code == english.status_code == 404
    assert swedish.content != english.content
    assert municipality.name in swedish.content.decode()


def test_the_500_page_renders_without_a_request_or_database(settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "<html" in html and "/static/" in html


class TestDisplaySettings:
    def test_choices_are_remembered_in_a_cookie_and_shape_every_page(self, client):
        response = client.post(
            "/installningar/", {"text_size": "larger", "contrast": "high", "next": "/backoffice/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/backoffice/"
        assert client.cookies["display"].value == "larger.high"
        assert 'class="text-larger contrast-high"' in client.get("/").content.decode()

    def test_an_external_next_is_ignored(self, client):
        response = client.post(
            "/installningar/",
            {"text_size": "large", "contrast": "normal", "next": "https://evil.example.com/"},
        )
        assert response["Location"] == "/"

    def test_invalid_choices_are_shown_as_form_errors(self, client):
        response = client.post("/installningar/", {"text_size": "huge", "contrast": "high"})
        assert response.status_code == 200
        assert response.context["form"].errors["text_size"]
        assert "display" not in response.cookies

    def test_a_tampered_cookie_falls_back_to_normal(self, client):
        client.cookies["display"] = "<script>.evil"
        assert 'class="text-normal contrast-normal"' in client.get("/").content.decode()
