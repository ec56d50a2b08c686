"""Static files in production: fingerprinted names, pre-compressed copies and far-future cache headers.

The production settings are read in a fresh interpreter (they are read once at start-up). The site's own
static folder is then collected with the production storage and served through this process's WhiteNoise
middleware; the third-party apps' files are left out because compressing them takes minutes."""

import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from ..test_settings import production_env, run

FOREVER = "max-age=315360000, public, immutable"

PRINT_STATIC_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "finders": settings.WHITENOISE_USE_FINDERS,
    "max_age": settings.WHITENOISE_MAX_AGE,
    "middleware": settings.MIDDLEWARE,
}))
"""


def test_production_serves_static_files_through_whitenoise_with_manifest_storage():
    result = run(PRINT_STATIC_SETTINGS, **production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["finders"] is False
    assert values["max_age"] >= 60 * 60 * 24 * 365
    middleware = values["middleware"]
    whitenoise = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
    assert whitenoise == middleware.index("django.middleware.security.SecurityMiddleware") + 1


def production_storage(settings) -> dict:
    manifest = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    return {**settings.STORAGES, "staticfiles": manifest}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    from django.conf import settings

    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=production_storage(settings),
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def served(collected, settings):
    """This process serving the collected folder the way production does."""
    settings.STATIC_ROOT = collected
    settings.STORAGES = production_storage(settings)
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    settings.WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    return collected, manifest


def test_stylesheets_get_a_fingerprinted_name_and_compressed_copies(served):
    root, manifest = served
    hashed = manifest["css/site.css"]
    assert hashed != "css/site.css"
    assert (root / hashed).is_file()
    assert (root / f"{hashed}.gz").is_file()
    assert (root / f"{hashed}.br").is_file()


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_fingerprinted_files_are_cached_forever_and_sent_compressed(served, encoding):
    _, manifest = served
    response = Client().get(f"/static/{manifest['css/site.css']}", headers={"accept-encoding": encoding})
    assert response.status_code == 200
    assert response["Cache-Control"] == FOREVER
    assert response["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response["Vary"]


def test_files_without_a_fingerprint_are_not_cached_forever(served):
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


def test_pages_link_the_fingerprinted_stylesheet(served, municipality):
    _, manifest = served
    assert f"/static/{manifest['css/site.css']}" in Client().get("/").content.decode()
