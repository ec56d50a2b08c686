import os

import pytest
from django.core.cache import cache
from django.utils import translation

from accounts.roles import ADMIN, Role
from config.celery import app as celery_app

from .factories import MunicipalityFactory, UserFactory

# Playwright's sync API keeps an event loop running in the main thread; Django's ORM calls made by the test
# code itself (creating fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.browser.fixtures", "tests.worker"]

ALL_ROLES = [*Role.values, ADMIN]


@pytest.fixture(autouse=True)
def _isolated(settings, request, tmp_path_factory):
    """Fast hashing, no network map tiles, a clean cache (rate limits live there), private files in a
    temporary folder and in-process Celery unless a test asks for the real worker."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.getbasetemp() / "private-media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MAP_TILE_URL = ""  # no map tiles from the network in tests
    cache.clear()
    eager = "worker" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager or previous
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def municipality(db):
    return MunicipalityFactory()


@pytest.fixture
def user_with_role(db):
    """Factory: ``user_with_role(Role.COORDINATOR)``; ``None`` gives a user without any role."""

    def make(role: str | None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit(execute=True):`` runs the on-commit callbacks (task dispatch) inside a test."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def english(client):
    """Answer in English (the message ids) for tests that match wording: pages through Accept-Language,
    services through the active language. The Swedish wording stays the translators' to change."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield
