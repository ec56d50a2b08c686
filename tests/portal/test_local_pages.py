"""Each web process keeps copies of the pages it served last, and drops them the moment data changes
anywhere. Needs Redis (its pub/sub carries the announcements): runs in CI's PostgreSQL + Redis pass."""

import time

import pytest
import redis
from django.conf import settings
from django.http import HttpResponse

from portal import localpages, pagecache

from ..worker import wait_for
from .test_page_cache import anonymous_get

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.CACHES["default"]["BACKEND"] != "portal.cache.ResilientRedisCache",
        reason="needs Redis as the cache: runs in CI's PostgreSQL + Redis pass",
    ),
]


@pytest.fixture
def listening():
    localpages.get(("warm-up", ()))  # starts this process's listener
    assert wait_for(lambda: localpages._copies.listening, timeout=10), "the listener did not subscribe"


def stored_page(body: bytes = b"hello") -> str:
    @pagecache.public_page
    def view(request):
        return HttpResponse(body)

    view(anonymous_get())
    return pagecache._key(anonymous_get(), ())


def test_a_page_read_twice_comes_from_the_copy(listening):
    key = stored_page()
    first = pagecache.read(key)
    assert first.entry is not None
    assert pagecache.read(key) is first


def test_a_change_announced_by_another_process_drops_the_copies(listening):
    key = stored_page()
    first = pagecache.read(key)
    assert pagecache.read(key) is first
    other_process = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    other_process.incr(settings.CACHES["default"]["KEY_PREFIX"] + ":1:" + pagecache.DATA_VERSION_KEY)
    other_process.publish(localpages._channel(), b"")
    sooner_than_expiry = localpages.TRUST_SECONDS / 2
    dropped = wait_for(lambda: localpages.get((key, ())) is None, timeout=sooner_than_expiry, interval=0.01)
    assert dropped, "the copy was not dropped"
    again = pagecache.read(key)
    assert again.versions[0] == first.versions[0] + 1
    assert again.entry is None  # rendered for the old version


def test_a_change_in_this_process_drops_the_copies_at_once(listening):
    key = stored_page()
    first = pagecache.read(key)
    pagecache.bump("activity:promenadgrupp")
    assert localpages.get((key, ())) is None
    assert pagecache.read(key) is not first


def test_a_copy_read_while_a_change_was_announced_is_not_kept(listening):
    key = stored_page()
    read_in = localpages.generation()
    found = pagecache.read(key)
    localpages.announce()
    localpages.keep((key, ()), found, read_in)
    assert localpages.get((key, ())) is None


def test_a_copy_is_trusted_for_a_short_time_only(listening, monkeypatch):
    key = stored_page()
    first = pagecache.read(key)
    later = time.monotonic() + localpages.TRUST_SECONDS + 1
    monkeypatch.setattr(localpages.time, "monotonic", lambda: later)
    again = pagecache.read(key)
    assert again is not first and again.entry == first.entry


def test_without_a_listener_no_copy_is_used(listening, monkeypatch):
    key = stored_page()
    pagecache.read(key)
    monkeypatch.setattr(localpages._copies, "listening", False)
    assert localpages.get((key, ())) is None


def test_only_the_most_recent_pages_are_kept(listening, settings):
    settings.PORTAL_PAGE_CACHE_LOCAL_ENTRIES = 2
    keys = [pagecache._key(anonymous_get(f"/page/{n}/"), ()) for n in range(3)]
    entry = {"content": b"x", "headers": {}, "csrf": False, "versions": pagecache.versions()}
    for key in keys:
        pagecache.safe_set(key, entry, timeout=60)
        pagecache.read(key)
    assert [localpages.get((key, ())) is not None for key in keys] == [False, True, True]


def test_clearing_the_cache_drops_the_copies(listening):
    from django.core.cache import cache

    key = stored_page()
    pagecache.read(key)
    cache.clear()
    assert localpages.get((key, ())) is None
