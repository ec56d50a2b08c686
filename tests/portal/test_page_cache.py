"""The page cache for anonymous visitors: fast repeat visits, yet every published change shows at once."""

import re
import time

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache.backends.base import BaseCache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token
from django.template import RequestContext, Template
from django.test import Client, RequestFactory

from accounts.roles import Role
from activities import authoring, services
from activities.models import Activity
from associations import services as association_services
from portal import pagecache

from ..factories import ActivityFactory, LocalityFactory, OccurrenceFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


class BrokenCache(BaseCache):
    """A cache whose server is down: every call fails the way a lost Redis connection does."""

    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise ConnectionError("cache server unreachable")

    add = get = set = touch = delete = clear = get_many = set_many = delete_many = incr = has_key = _down


def without_tokens(content: bytes) -> bytes:
    return TOKEN.sub(b'name="csrfmiddlewaretoken" value=""', content)


PAGES = [
    "/",
    "/aktiviteter/",
    "/aktiviteter/?locality=hogsjo&q=promenad",
    "/aktiviteter/promenadgrupp/",
    "/motesplatser/",
    "/motesplatser/hogsjo-bygdegard/",
    "/foreningar/",
    "/foreningar/pro-hogsjo/",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_repeat_visit_is_served_from_the_cache_without_database_queries(
    client, site, url, django_assert_max_num_queries
):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(1):
        second = client.get(url)
    assert second.status_code == 200
    assert without_tokens(second.content) == without_tokens(first.content)
    assert "private" in second["Cache-Control"] and "no-cache" in second["Cache-Control"]
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_the_query_order_does_not_matter_but_the_query_does(client, site, django_assert_num_queries):
    client.get("/aktiviteter/?locality=hogsjo&q=promenad")
    with django_assert_num_queries(0):
        client.get("/aktiviteter/?q=promenad&locality=hogsjo")
    other = client.get("/aktiviteter/?q=bingo")
    assert b"Promenadgrupp" not in other.content.split(b'id="results"')[-1]


def test_the_cached_page_carries_a_working_csrf_token_for_the_language_switch(site):
    client = Client(enforce_csrf_checks=True)
    client.get("/aktiviteter/promenadgrupp/")
    cached = client.get("/aktiviteter/promenadgrupp/")
    token = TOKEN.search(cached.content)[1].decode()
    assert _unmask_cipher_token(token) == client.cookies["csrftoken"].value
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/")["Content-Language"] == "en"


def test_a_new_visitor_gets_a_fresh_token_and_cookie_from_a_cached_page(site):
    Client().get("/foreningar/")
    newcomer = Client()
    response = newcomer.get("/foreningar/")
    token = TOKEN.search(response.content)[1].decode()
    assert _unmask_cipher_token(token) == response.cookies["csrftoken"].value


def test_the_etag_answers_not_modified_until_the_data_changes(client, site):
    etag = client.get("/aktiviteter/")["ETag"]
    assert client.get("/aktiviteter/", headers={"if-none-match": etag}).status_code == 304
    site["activity"].title = "Kvällspromenad"
    site["activity"].save()
    changed = client.get("/aktiviteter/", headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert "Kvällspromenad" in changed.content.decode()


def test_publishing_an_activity_shows_it_at_once(client, site, user_with_role):
    draft = ActivityFactory(title="Boule på torget", slug="boule", status=Activity.Status.PENDING)
    OccurrenceFactory(activity=draft)
    assert "Boule på torget" not in client.get("/aktiviteter/").content.decode()
    assert client.get("/aktiviteter/boule/").status_code == 404
    authoring.publish(draft, user=user_with_role(Role.COORDINATOR))
    assert "Boule på torget" in client.get("/aktiviteter/").content.decode()
    assert client.get("/aktiviteter/boule/").status_code == 200


def test_editing_an_activity_shows_on_its_page_and_the_association_page_at_once(client, site):
    client.get("/aktiviteter/promenadgrupp/")
    client.get("/foreningar/pro-hogsjo/")
    site["activity"].title = "Skogspromenad"
    site["activity"].save()
    assert "Skogspromenad" in client.get("/aktiviteter/promenadgrupp/").content.decode()
    assert "Skogspromenad" in client.get("/foreningar/pro-hogsjo/").content.decode()


def test_a_sign_up_updates_the_places_left_at_once(client, site, english):
    assert "5 places left" in client.get("/aktiviteter/promenadgrupp/").content.decode()
    services.register(site["occurrence"], guest_name="Greta", guest_phone="070-111 22 33", party_size=2)
    assert "3 places left" in client.get("/aktiviteter/promenadgrupp/").content.decode()


def test_changing_a_meeting_place_shows_at_once(client, site, user_with_role):
    client.get("/motesplatser/")
    client.get("/motesplatser/hogsjo-bygdegard/")
    place = site["activity"].place
    place.name = "Nya bygdegården"
    authoring.save_meeting_place(place, user=user_with_role(Role.COORDINATOR))
    assert "Nya bygdegården" in client.get("/motesplatser/").content.decode()
    assert "Nya bygdegården" in client.get("/motesplatser/hogsjo-bygdegard/").content.decode()
    assert "Nya bygdegården" in client.get("/aktiviteter/promenadgrupp/").content.decode()


def test_changing_an_association_shows_in_the_directory_at_once(client, site, user_with_role):
    client.get("/foreningar/")
    client.get("/foreningar/pro-hogsjo/")
    association_services.update_base_data(
        site["association"], actor=user_with_role(Role.COORDINATOR), name="SPF Högsjö"
    )
    assert "SPF Högsjö" in client.get("/foreningar/").content.decode()
    assert "SPF Högsjö" in client.get("/foreningar/pro-hogsjo/").content.decode()
    assert "SPF Högsjö" in client.get("/aktiviteter/promenadgrupp/").content.decode()


def test_leaving_the_directory_removes_the_association_at_once(client, site):
    client.get("/foreningar/")
    site["association"].show_in_directory = False
    site["association"].save()
    assert "PRO Högsjö" not in client.get("/foreningar/").content.decode()
    assert client.get("/foreningar/pro-hogsjo/").status_code == 404


def test_each_language_has_its_own_copy(client, site):
    swedish = client.get("/aktiviteter/")
    english = client.get("/aktiviteter/", headers={"accept-language": "en"})
    assert swedish["Content-Language"] == "sv" and b'<html lang="sv"' in swedish.content
    assert english["Content-Language"] == "en" and b'<html lang="en"' in english.content
    assert swedish["ETag"] != english["ETag"]


def test_each_text_size_and_contrast_has_its_own_copy(client, site):
    assert b"text-normal contrast-normal" in client.get("/").content
    client.cookies["display"] = "larger.high"
    assert b"text-larger contrast-high" in client.get("/").content
    client.cookies["display"] = "nonsense"
    assert b"text-normal contrast-normal" in client.get("/").content


def test_the_chosen_locality_has_its_own_copy_of_the_start_page(client, site):
    LocalityFactory(name="Baggetorp", slug="baggetorp")
    assert "Promenadgrupp" in client.get("/").content.decode()
    client.cookies["locality"] = "baggetorp"
    home = client.get("/").content.decode()
    assert "Baggetorp" in home and "Promenadgrupp" not in home


def test_choosing_a_locality_sets_its_cookie_every_time(client, site):
    first = client.get("/", {"ort": "hogsjo"})
    second = client.get("/", {"ort": "hogsjo"})
    assert first.cookies["locality"].value == second.cookies["locality"].value == "hogsjo"


def test_signed_in_people_never_get_or_leave_a_cached_page(client, site, user_with_role):
    client.get("/aktiviteter/")
    client.force_login(user_with_role(Role.SENIOR))
    signed_in = client.get("/aktiviteter/").content.decode()
    assert "/accounts/logout/" in signed_in and "/aktiviteter/mina-anmalningar/" in signed_in
    assert "no-cache" not in client.get("/aktiviteter/").get("Cache-Control", "")
    client.logout()
    anonymous = client.get("/aktiviteter/").content.decode()
    assert "/accounts/logout/" not in anonymous and "/accounts/login/" in anonymous


def test_a_broken_page_cache_still_serves_pages(client, site, settings, caplog):
    settings.CACHES = {**settings.CACHES, "broken": {"BACKEND": f"{__name__}.BrokenCache"}}
    settings.PORTAL_PAGE_CACHE_ALIAS = "broken"
    for _ in range(2):
        response = client.get("/aktiviteter/promenadgrupp/")
        assert response.status_code == 200 and "Promenadgrupp" in response.content.decode()
    assert "Page cache unavailable" in caplog.text


def test_a_cache_that_cannot_even_hold_versions_still_serves_the_view(settings, caplog):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}
    calls = []

    @pagecache.public_page
    def view(request):
        calls.append(request)
        return HttpResponse("hello")

    for _ in range(2):
        assert view(anonymous_get()).content == b"hello"
    assert len(calls) == 2
    assert "Page cache unavailable" in caplog.text


def test_a_cache_that_swallows_its_errors_serves_every_page_fresh(client, site, settings):
    """While Redis is down the production backend answers every call as a miss, as the dummy cache does."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.get("/aktiviteter/")
    site["activity"].title = "Kvällspromenad"
    site["activity"].save()
    response = client.get("/aktiviteter/")
    assert response.status_code == 200 and "Kvällspromenad" in response.content.decode()
    assert "ETag" not in response


def anonymous_get(path: str = "/sida/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def counted(respond):
    calls = []

    @pagecache.public_page
    def view(request):
        calls.append(request)
        return respond(request)

    return view, calls


def test_a_plain_page_is_rendered_once(db):
    view, calls = counted(lambda request: HttpResponse("hello"))
    assert view(anonymous_get()).content == view(anonymous_get()).content == b"hello"
    assert len(calls) == 1


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(lambda request: HttpResponse("missing", status=404), id="not found"),
        pytest.param(lambda request: HttpResponse("moved", status=302), id="redirect"),
        pytest.param(lambda request: set_cookie(HttpResponse("hello")), id="sets a cookie"),
        pytest.param(lambda request: add_message(request, HttpResponse("hello")), id="queues a message"),
        pytest.param(lambda request: touch_session(request, HttpResponse("hello")), id="changes the session"),
        pytest.param(lambda request: csrf_outside_a_form(request), id="token outside a form field"),
    ],
)
def test_pages_that_must_not_be_shared_are_rendered_every_time(db, respond):
    view, calls = counted(respond)
    view(anonymous_get())
    view(anonymous_get())
    assert len(calls) == 2


def test_waiting_messages_are_shown_instead_of_a_cached_page(db):
    view, calls = counted(lambda request: HttpResponse("hello"))
    view(anonymous_get())
    request = anonymous_get()
    messages.info(request, "Your sign-up is cancelled.")
    view(request)
    assert len(calls) == 2


def test_turned_off_by_setting(db, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0
    view, calls = counted(lambda request: HttpResponse("hello"))
    view(anonymous_get())
    view(anonymous_get())
    assert len(calls) == 2


def set_cookie(response):
    response.set_cookie("locality", "hogsjo")
    return response


def add_message(request, response):
    messages.info(request, "Saved.")
    return response


def touch_session(request, response):
    request.session["signed_up"] = 1
    return response


def csrf_outside_a_form(request):
    template = Template("<meta name='csrf' content='{{ csrf_token }}'>")
    return HttpResponse(template.render(RequestContext(request)))


API_AND_FEEDS = [
    "/api/v1/activities/",
    "/api/v1/occurrences/?locality=hogsjo",
    "/api/v1/places/",
    "/api/v1/categories/",
    "/api/v1/associations/",
    "/kalender/aktivitet/promenadgrupp.ics",
    "/kalender/ort/hogsjo.ics",
]


@pytest.mark.parametrize("url", API_AND_FEEDS)
def test_api_lists_and_feeds_answer_conditional_requests(client, site, url):
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    assert client.get(url, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304


@pytest.mark.parametrize("url", API_AND_FEEDS)
def test_a_change_moves_last_modified_for_clients_without_etags(client, site, url, monkeypatch):
    last_modified = client.get(url)["Last-Modified"]
    later = time.time() + 5
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    site["association"].name = "SPF Högsjö"
    site["association"].save()
    changed = client.get(url, headers={"if-modified-since": last_modified})
    assert changed.status_code == 200
    assert changed["Last-Modified"] != last_modified


@pytest.mark.parametrize("url", API_AND_FEEDS)
def test_a_broken_default_cache_still_answers_api_and_feeds(client, site, settings, url):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}
    response = client.get(url)
    assert response.status_code == 200
    assert "ETag" not in response
