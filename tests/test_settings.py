"""The settings contract: embedded defaults with nothing set, a hard stop without a real secret in
production, and a clean ``check --deploy``. Each case runs in a fresh interpreter with a controlled
environment, because settings are read once at start-up."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
OUR_VARIABLES = {
    "DEBUG", "DEMO_MODE", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
    "EMAIL_URL", "REQUIRE_STAFF_MFA", "MEDIA_ROOT", "STATIC_ROOT", "PRIVATE_MEDIA_ROOT",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "STATIC_MANIFEST", "CSRF_TRUSTED_ORIGINS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "email": settings.EMAIL_BACKEND,
    "cache": settings.CACHES["default"]["BACKEND"],
    "demo": settings.DEMO_MODE,
    "mfa": settings.REQUIRE_STAFF_MFA,
    "debug": settings.DEBUG,
}))
"""


def run(code_or_args: str | list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OUR_VARIABLES}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    args = (
        [sys.executable, "-c", code_or_args]
        if isinstance(code_or_args, str)
        else [sys.executable, *code_or_args]
    )
    return subprocess.run(args, cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120)  # noqa: S603


def production_env(**extra: str) -> dict[str, str]:
    return {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "aldersvanlig.example.org",
        "DATABASE_URL": "postgres://app:secret@127.0.0.1:5432/app",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        **extra,
    }


def test_nothing_set_gives_the_embedded_demo_mode():
    result = run(PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "email": "django.core.mail.backends.console.EmailBackend",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "demo": True,
        "mfa": False,
        "debug": True,
    }


def test_production_uses_postgres_redis_and_requires_staff_mfa():
    result = run(PRINT_SETTINGS, **production_env(CELERY_BROKER_URL="redis://127.0.0.1:6379/1"))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["cache"] == "portal.cache.ResilientRedisCache"  # Redis that skips itself when down
    assert (values["eager"], values["demo"], values["mfa"], values["debug"]) == (False, False, True, False)


@pytest.mark.parametrize(
    "secret_key",
    ["", "short", "django-insecure-" + "x" * 60, "a" * 60],
    ids=["missing", "short", "django-insecure", "one-character"],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    result = run(PRINT_SETTINGS, **production_env(SECRET_KEY=secret_key))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_demo_mode_cannot_be_forced_on_in_production():
    result = run(PRINT_SETTINGS, **production_env(DEMO_MODE="True"))
    assert result.returncode != 0
    assert "DEMO_MODE cannot be switched on" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
