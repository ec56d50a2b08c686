"""Copies of the most requested cached pages in each web process's memory, dropped the moment data changes.

Reading a cached page from Redis is one network round trip, and on a small machine that round trip is most
of what a cached page costs. So each process also keeps the last few pages it read
(``PORTAL_PAGE_CACHE_LOCAL_ENTRIES``, the most recently used ones) together with the versions they were
read for. A copy is only used while the process is sure no version has moved since:

- every change of a version (:func:`portal.pagecache.bump`, :func:`activities.selectors.bump_data_version`,
  clearing the cache) calls :func:`announce`, which drops this process's copies at once and publishes a
  message on a Redis channel;
- a listener thread in every process that uses copies is subscribed to that channel and drops its copies on
  every message; while it is not subscribed (starting, Redis down, connection lost) no copy is used, and
  after it has (re)subscribed all copies are dropped, since messages may have been missed;
- a copy is also never used longer than :data:`TRUST_SECONDS` after it was read from Redis, which bounds
  what a lost message could cost (a version that vanished from Redis without a bump, say).

A copy read while an announcement was on its way is never kept: each copy records the generation (count of
announcements seen) from before its read and is used only while that is still the current one.

Copies are only kept when the default cache is Redis (with the local-memory cache of the embedded mode the
pages already live in the process).
"""

import logging
import os
import threading
import time
from collections import OrderedDict

from django.conf import settings

logger = logging.getLogger(__name__)

TRUST_SECONDS = 2.0
RECONNECT_SECONDS = 1.0
CHANNEL = "pagecache:changed"


class _Copies:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: OrderedDict = OrderedDict()
        self.generation = 0
        self.listening = False
        self.listener_pid: int | None = None
        self.publisher = None
        self.publisher_pid: int | None = None


_copies = _Copies()


def _redis_url() -> str | None:
    default = settings.CACHES.get("default", {})
    if default.get("BACKEND") != "portal.cache.ResilientRedisCache":
        return None
    location = default.get("LOCATION")
    return location if isinstance(location, str) else None


def _capacity() -> int:
    return int(getattr(settings, "PORTAL_PAGE_CACHE_LOCAL_ENTRIES", 0))


def _channel() -> str:
    prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX", "")
    return f"{prefix}:{CHANNEL}" if prefix else CHANNEL


def _drop_all() -> None:
    with _copies.lock:
        _copies.generation += 1
        _copies.items.clear()


def generation() -> int:
    """The count of announcements this process has seen; take it before reading what :func:`keep` stores."""
    return _copies.generation


def get(key: tuple):
    """The copy kept under ``key``, or ``None`` when there is none that may be used."""
    if _capacity() <= 0 or (url := _redis_url()) is None:
        return None
    _start_listener(url)
    if not _copies.listening:
        return None
    with _copies.lock:
        item = _copies.items.get(key)
        if item is None:
            return None
        value, read_in, read_at = item
        if read_in != _copies.generation or time.monotonic() - read_at > TRUST_SECONDS:
            del _copies.items[key]
            return None
        _copies.items.move_to_end(key)
        return value


def keep(key: tuple, value, read_in: int) -> None:
    """Keep ``value`` (read from Redis after :func:`generation` gave ``read_in``) under ``key``."""
    capacity = _capacity()
    if capacity <= 0 or not _copies.listening:
        return
    with _copies.lock:
        if read_in != _copies.generation:
            return  # a change was announced while it was read
        _copies.items[key] = (value, read_in, time.monotonic())
        _copies.items.move_to_end(key)
        while len(_copies.items) > capacity:
            _copies.items.popitem(last=False)


def announce() -> None:
    """A version changed: drop this process's copies now and tell every other process to drop theirs."""
    _drop_all()
    url = _redis_url()
    if url is None or _capacity() <= 0:
        return
    try:
        _publisher(url).publish(_channel(), b"")
    except Exception as error:  # the other processes stop trusting their copies after TRUST_SECONDS anyway
        logger.warning("Could not announce a page cache change (%r); copies expire soon anyway.", error)


def _publisher(url: str):
    import redis

    pid = os.getpid()
    if _copies.publisher is None or _copies.publisher_pid != pid:
        _copies.publisher = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        _copies.publisher_pid = pid
    return _copies.publisher


def _start_listener(url: str) -> None:
    pid = os.getpid()
    if _copies.listener_pid == pid:
        return
    with _copies.lock:
        if _copies.listener_pid == pid:
            return
        _copies.listener_pid = pid  # after a fork the parent's thread is gone: start one in this process
        _copies.listening = False
        _copies.items.clear()
    thread = threading.Thread(target=_listen, args=(url, _channel()), name="page-cache-listener", daemon=True)
    thread.start()


def _listen(url: str, channel: str) -> None:
    import redis

    while True:
        client = pubsub = None
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=5)
            pubsub = client.pubsub()
            pubsub.subscribe(channel)
            while True:
                message = pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    _drop_all()  # anything may have changed while not subscribed
                    _copies.listening = True
                elif message["type"] == "message":
                    _drop_all()
        except Exception as error:
            if _copies.listening:
                logger.warning("Page cache listener lost Redis (%r); local copies are not used.", error)
        finally:
            _copies.listening = False
            _drop_all()
            for closable in (pubsub, client):
                try:
                    if closable is not None:
                        closable.close()
                except Exception:  # noqa: S110 closing a broken connection may fail; it is dropped anyway
                    pass
        time.sleep(RECONNECT_SECONDS)
