"""Cached answers for anonymous visitors are served before the session and authentication middleware, the
same as they would be after it; a page that is missing is rendered once, however many visitors wait."""

import threading
import time
from datetime import date

import pytest
from django.http import HttpResponse
from rest_framework import permissions

from activities.api import ActivityViewSet
from portal import pagecache
from portal.cache import ResilientRedisCache

from .test_page_cache import TOKEN, anonymous_get, without_tokens

pytestmark = pytest.mark.django_db

EARLY = "portal.middleware.PageCacheMiddleware"
calls: list[str] = []


class RecordingMiddleware:
    """Placed right after the page cache middleware: records every request that goes on past it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        calls.append(request.get_full_path())
        return self.get_response(request)


@pytest.fixture
def recorded(settings):
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index(EARLY) + 1, f"{__name__}.RecordingMiddleware")
    settings.MIDDLEWARE = middleware
    calls.clear()
    return calls


PAGES_AND_LISTS = [
    "/",
    "/aktiviteter/?locality=hogsjo&q=promenad",
    "/aktiviteter/promenadgrupp/",
    "/motesplatser/hogsjo-bygdegard/",
    "/foreningar/",
    "/integritet/",
    "/api/v1/occurrences/?locality=hogsjo",
    "/api/v1/localities/",
]


@pytest.mark.parametrize("url", PAGES_AND_LISTS)
def test_a_cached_answer_skips_the_session_and_authentication_middleware(
    client, site, recorded, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200 and recorded == [url]
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert recorded == [url], "the second request went through the whole stack"
    assert without_tokens(second.content) == without_tokens(first.content)


def headers(response) -> dict:
    varying = {"Set-Cookie", "ETag", "Content-Length"}
    return {name: value for name, value in response.items() if name not in varying}


@pytest.mark.parametrize("url", PAGES_AND_LISTS)
def test_the_early_answer_has_the_headers_of_the_whole_stack(client, site, recorded, url):
    client.get(url)
    early = client.get(url)
    # A session cookie (even an unknown one) sends the request through the whole stack to the same cache.
    client.cookies["sessionid"] = "not-a-session"
    late = client.get(url)
    assert recorded == [url, url]
    assert headers(early) == headers(late)
    assert int(early["Content-Length"]) == len(early.content)


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_visitors_with_a_session_or_waiting_messages_go_through_the_whole_stack(
    client, site, recorded, cookie
):
    client.get("/foreningar/")
    client.cookies[cookie] = "something"
    assert client.get("/foreningar/").status_code == 200
    assert recorded == ["/foreningar/", "/foreningar/"]


def test_forms_and_pages_that_are_not_cached_go_through_the_whole_stack(client, site, recorded):
    client.get("/fraga-kommunen/")
    client.get("/fraga-kommunen/")
    client.get("/finns-inte/")
    assert recorded == ["/fraga-kommunen/", "/fraga-kommunen/", "/finns-inte/"]


def test_the_early_answer_is_in_the_visitors_language(client, site, recorded):
    client.get("/foreningar/")
    client.get("/foreningar/", headers={"accept-language": "en"})
    swedish = client.get("/foreningar/")
    english = client.get("/foreningar/", headers={"accept-language": "en"})
    assert len(recorded) == 2
    assert swedish["Content-Language"] == "sv" and '<html lang="sv"' in swedish.content.decode()
    assert english["Content-Language"] == "en" and '<html lang="en"' in english.content.decode()


def test_the_early_answer_gives_a_new_visitor_a_token_that_works(site, recorded):
    from django.test import Client

    Client().get("/foreningar/")
    newcomer = Client(enforce_csrf_checks=True)
    page = newcomer.get("/foreningar/")
    assert recorded == ["/foreningar/"]
    token = TOKEN.search(page.content)[1].decode()
    response = newcomer.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert newcomer.get("/foreningar/")["Content-Language"] == "en"


def test_a_conditional_request_is_answered_early(client, site, recorded):
    etag = client.get("/api/v1/localities/")["ETag"]
    assert client.get("/api/v1/localities/", headers={"if-none-match": etag}).status_code == 304
    page_etag = client.get("/foreningar/")["ETag"]
    assert client.get("/foreningar/", headers={"if-none-match": page_etag}).status_code == 304
    assert recorded == ["/api/v1/localities/", "/foreningar/"]


def test_only_public_api_lists_are_answered_early(rf):
    class Private(ActivityViewSet):
        permission_classes = [permissions.IsAuthenticated]

    request = rf.get("/api/v1/activities/")
    assert Private.serve_early(request, (), {}) is None


def test_a_published_change_reaches_the_early_answer_at_once(client, site, recorded):
    client.get("/foreningar/")
    site["association"].name = "SPF Högsjö"
    site["association"].save()
    assert "SPF Högsjö" in client.get("/foreningar/").content.decode()
    assert recorded == ["/foreningar/", "/foreningar/"]


def test_a_missing_page_is_rendered_once_while_others_wait(db):
    rendered = []

    @pagecache.public_page
    def slow(request):
        rendered.append(request)
        time.sleep(0.3)
        return HttpResponse("the programme")

    start = threading.Barrier(5)
    answers = []

    def visit():
        start.wait()
        answers.append(slow(anonymous_get()).content)

    visitors = [threading.Thread(target=visit) for _ in range(5)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    assert answers == [b"the programme"] * 5
    assert len(rendered) == 1


def test_waiting_visitors_render_the_page_themselves_when_it_cannot_be_kept(db):
    rendered = []

    @pagecache.public_page
    def personal(request):
        rendered.append(request)
        time.sleep(0.1)
        response = HttpResponse("yours")
        response.set_cookie("seen", "1")  # never kept
        return response

    threads = [threading.Thread(target=lambda: personal(anonymous_get())) for _ in range(3)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(rendered) == 3
    assert time.monotonic() - started < pagecache.WAIT_SECONDS


def test_the_redis_cache_reuses_its_client():
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {})  # never connects: building a client is local
    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache._cache.get_client(write=True) is cache._cache.get_client()


def test_a_cached_programme_pdf_is_answered_early_without_the_database(
    client, site, recorded, django_assert_num_queries
):
    from activities.programme import pdf_cache_key

    month = date.today().replace(day=1)
    entry = {"content": b"%PDF-1.7 programme", "versions": pagecache.versions()}
    pagecache.safe_set(pdf_cache_key("hogsjo", month, "sv"), entry, timeout=60)
    url = f"/program/hogsjo/{month:%Y-%m}.pdf"
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200 and response.content == b"%PDF-1.7 programme"
    assert response["Content-Type"] == "application/pdf" and recorded == []
    assert client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304
    assert client.get("/program/finns-inte/2026-01.pdf").status_code in (202, 404)
    assert recorded == ["/program/finns-inte/2026-01.pdf"]
