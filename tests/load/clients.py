"""HTTP clients for the load tests: ``requests`` sessions against pytest-django's live server.

The live server is Django's ThreadedWSGIServer (one thread and one database connection per client
connection), run in the test process itself, so every number these tests measure is a floor: the load
generator shares the interpreter (and its GIL) with the server it loads.
"""

import requests
from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string

TIMEOUT = 30  # seconds for one request; a slower answer counts as an error
# A small page that goes through CommonMiddleware, which sets Content-Length: without it (as for /healthz,
# answered before the middleware) the test server closes the connection after the answer.
WARM_UP = "/api/v1/categories/"


def session(base_url: str, user=None) -> requests.Session:
    """A browser-like session, already connected to ``base_url``: signed in as ``user`` (if given) and
    holding a CSRF cookie whose token is also sent in the X-CSRFToken header, as the site's scripts do.

    The connection is opened here, one client at a time, before any clock starts; with keep-alive the
    session then uses it for the whole run. Django's live server listens with a backlog of 10
    (``WSGIServer.request_queue_size``), so dozens of clients connecting in the same millisecond overflow
    it and some are reset: a limit of the test server (gunicorn's backlog is 2048), not of the site.
    """
    http = requests.Session()
    if user is not None:
        client = Client()
        client.force_login(user)
        http.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    token = get_random_string(32)
    http.cookies.set(settings.CSRF_COOKIE_NAME, token)
    http.headers["X-CSRFToken"] = token
    # Answers in English, the message ids, whatever the default language.
    http.headers["Accept-Language"] = "en"
    response = http.get(base_url + WARM_UP, timeout=TIMEOUT)
    assert response.status_code == 200, response.status_code
    assert response.headers.get("Connection") != "close", "the warm-up must leave the connection open"
    return http
