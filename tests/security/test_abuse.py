"""Abuse of the public forms and the sign-in: rate limits per client address (and per e-mail or phone),
honeypots, friendly refusals that keep what was typed, and audit entries for every kind of refusal."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.account import app_settings as allauth_account_settings
from allauth.core.internal.ratelimit import parse_rates
from django.core import mail

from accounts.models import AuditEntry
from accounts.roles import Role
from activities.models import ActivitySuggestion, Registration
from config.urls import urlpatterns  # noqa: F401  (this module doubles as a URLconf, see below)
from portal import ratelimit
from portal.models import ContactMessage

from ..factories import PASSWORD, ActivityFactory, OccurrenceFactory, UserFactory

pytestmark = pytest.mark.django_db

# With ROOT_URLCONF pointing here, allauth's 429 goes through the site's handler (to be set in config.urls).
handler429 = "portal.views.too_many_requests"


@dataclass
class PublicForm:
    action: str
    url: str
    model: type
    data: Callable[[int], dict]  # valid input, the n-th with its own e-mail address
    typed: tuple[str, ...]  # values in ``data(n)`` that must come back on the refusal page

    def stored(self) -> int:
        return self.model.objects.count()


def signup_form(occurrence) -> PublicForm:
    return PublicForm(
        action=ratelimit.GUEST_SIGNUP,
        url=f"/aktiviteter/tillfalle/{occurrence.pk}/anmal/",
        model=Registration,
        data=lambda n: {
            "guest_name": f"Gunnel Gäst {n}",
            "guest_email": f"gast{n}@example.org",
            "party_size": "2",
        },
        typed=("Gunnel Gäst", "@example.org"),
    )


def contact_form() -> PublicForm:
    return PublicForm(
        action=ratelimit.CONTACT,
        url="/fraga-kommunen/",
        model=ContactMessage,
        data=lambda n: {
            "name": f"Karin Fråga {n}",
            "email": f"fraga{n}@example.org",
            "message": f"När går bussen till Högsjö? ({n})",
        },
        typed=("Karin Fråga", "När går bussen till Högsjö?"),
    )


def suggestion_form() -> PublicForm:
    return PublicForm(
        action=ratelimit.SUGGESTION,
        url="/aktiviteter/tipsa/",
        model=ActivitySuggestion,
        data=lambda n: {
            "title": f"Boule vid kyrkan {n}",
            "description": "Varje tisdag.",
            "contact_name": "Per Tipsare",
            "contact_email": f"tips{n}@example.org",
        },
        typed=("Boule vid kyrkan", "Per Tipsare"),
    )


@pytest.fixture(params=["guest sign-up", "contact", "suggestion"])
def form(request, municipality) -> PublicForm:
    if request.param == "guest sign-up":
        activity = ActivityFactory(signup_required=True, capacity=None, waiting_list=False)
        return signup_form(OccurrenceFactory(activity=activity))
    return contact_form() if request.param == "contact" else suggestion_form()


def send(client, form: PublicForm, n: int, ip: str = "198.51.100.7", **extra):
    return client.post(form.url, form.data(n), REMOTE_ADDR=ip, **extra)


def limit(settings, form: PublicForm, rate: str) -> None:
    settings.PUBLIC_FORM_RATE_LIMITS = {form.action: rate}


class TestDefaults:
    @pytest.mark.parametrize(
        ("action", "amount", "period"),
        [
            (ratelimit.GUEST_SIGNUP, 10, 10 * 60),
            (ratelimit.CONTACT, 5, 60 * 60),
            (ratelimit.SUGGESTION, 5, 60 * 60),
        ],
    )
    def test_per_client_limits(self, action, amount, period):
        per_ip = [rate for rate in ratelimit.rates(action) if rate.per == "ip"]
        assert [(rate.amount, rate.period) for rate in per_ip] == [(amount, period)]

    @pytest.mark.parametrize("action", [ratelimit.GUEST_SIGNUP, ratelimit.CONTACT, ratelimit.SUGGESTION])
    def test_every_form_is_also_limited_per_e_mail_or_phone(self, action):
        assert any(rate.per == "key" for rate in ratelimit.rates(action))

    def test_settings_override_one_action_and_can_switch_it_off(self, settings):
        settings.PUBLIC_FORM_RATE_LIMITS = {ratelimit.CONTACT: "3/2h/ip", ratelimit.SUGGESTION: ""}
        assert [(r.amount, r.period, r.per) for r in ratelimit.rates(ratelimit.CONTACT)] == [(3, 7200, "ip")]
        assert ratelimit.rates(ratelimit.SUGGESTION) == []
        assert ratelimit.rates(ratelimit.GUEST_SIGNUP)


class TestPublicFormLimits:
    def test_the_default_limit_trips_at_its_count_and_not_before(self, client, form):
        (per_ip,) = [rate for rate in ratelimit.rates(form.action) if rate.per == "ip"]
        for n in range(per_ip.amount):
            assert send(client, form, n).status_code == 302, f"refused after {n} uses"
        assert form.stored() == per_ip.amount
        assert send(client, form, per_ip.amount).status_code == 429
        assert form.stored() == per_ip.amount

    def test_a_configured_limit_trips_at_its_count(self, client, settings, form):
        limit(settings, form, "2/h/ip")
        assert [send(client, form, n).status_code for n in range(4)] == [302, 302, 429, 429]
        assert form.stored() == 2

    def test_two_client_addresses_are_counted_apart(self, client, settings, form):
        limit(settings, form, "2/h/ip")
        for n in range(2):
            send(client, form, n, ip="198.51.100.7")
        assert send(client, form, 2, ip="198.51.100.7").status_code == 429
        assert send(client, form, 3, ip="203.0.113.9").status_code == 302
        assert send(client, form, 4, ip="2001:db8::1").status_code == 302

    def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(self, client, settings, form):
        settings.TRUSTED_PROXY_COUNT = 0
        limit(settings, form, "2/h/ip")
        codes = [
            send(client, form, n, headers={"x-forwarded-for": f"192.0.2.{n}"}).status_code for n in range(3)
        ]
        assert codes == [302, 302, 429]

    def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(self, client, settings, form):
        settings.TRUSTED_PROXY_COUNT = 1
        limit(settings, form, "2/h/ip")
        proxy = "10.0.0.2"
        for n in range(2):
            send(client, form, n, ip=proxy, headers={"x-forwarded-for": "192.0.2.10"})
        assert send(client, form, 2, ip=proxy, headers={"x-forwarded-for": "192.0.2.10"}).status_code == 429
        # Another client behind the same proxy has its own count ...
        assert send(client, form, 3, ip=proxy, headers={"x-forwarded-for": "192.0.2.11"}).status_code == 302
        # ... and the first cannot escape by prepending an address of its own: the proxy's entry counts.
        spoofed = {"x-forwarded-for": "203.0.113.50, 192.0.2.10"}
        assert send(client, form, 4, ip=proxy, headers=spoofed).status_code == 429

    def test_one_e_mail_address_is_limited_across_client_addresses(self, client, settings, form):
        limit(settings, form, "100/h/ip,2/h/key")
        same_address = form.data(0)
        codes = [
            client.post(form.url, same_address, REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(3)
        ]
        assert codes == [302, 302, 429]
        assert send(client, form, 1, ip="192.0.2.99").status_code == 302

    def test_mistyped_forms_do_not_count(self, client, settings, form):
        limit(settings, form, "1/h/ip")
        for _ in range(3):
            response = client.post(form.url, {"website": ""}, REMOTE_ADDR="198.51.100.7")
            assert response.status_code == 200 and 'class="error-summary"' in response.content.decode()
        assert send(client, form, 0).status_code == 302

    def test_a_cache_that_is_down_lets_people_through(self, client, settings, form):
        limit(settings, form, "1/h/ip")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://127.0.0.1:9/0",
                "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
            }
        }
        assert [send(client, form, n).status_code for n in range(2)] == [302, 302]
        assert form.stored() == 2


class TestRefusal:
    def test_the_page_says_how_long_to_wait_and_keeps_what_was_typed(self, client, settings, english, form):
        limit(settings, form, "1/h/ip")
        send(client, form, 0)
        response = send(client, form, 1)
        content = response.content.decode()
        assert response.status_code == 429
        assert 3590 <= int(response["Retry-After"]) <= 3600
        assert 'class="error-summary"' in content
        assert "Please wait 60 minutes and send it again" in content
        assert "What you wrote is still in the form" in content
        for value in form.typed:
            assert value in content
        assert 'value="' + next(v for k, v in form.data(1).items() if "email" in k) + '"' in content

    def test_a_short_wait_is_said_in_minutes_and_a_long_one_in_hours(self, english):
        rate = ratelimit.Rate.parse("1/d/key")
        assert "wait 1 minute " in ratelimit.Limited("x", rate, retry_after=20, first=True).message()
        assert "wait 2 minutes " in ratelimit.Limited("x", rate, retry_after=61, first=True).message()
        assert "wait 5 hours " in ratelimit.Limited("x", rate, retry_after=4 * 3600 + 1, first=True).message()

    def test_the_page_is_in_swedish_by_default(self, client, settings, form):
        limit(settings, form, "1/h/ip")
        send(client, form, 0)
        response = send(client, form, 1)
        assert response.status_code == 429 and response["Content-Language"] == "sv"

    def test_the_first_refusal_in_a_window_is_audited_once(self, client, settings, form):
        limit(settings, form, "1/h/ip")
        for n in range(4):
            send(client, form, n, ip="198.51.100.7")
        entry = AuditEntry.objects.get(action="ratelimit.hit")
        assert entry.outcome == AuditEntry.Outcome.DENIED
        assert entry.ip_address == "198.51.100.7"
        assert entry.detail["limit"] == form.action and entry.detail["rate"] == "1/h/ip"
        assert entry.detail["path"] == form.url


class TestHoneypot:
    def test_a_filled_in_honeypot_looks_like_success_stores_nothing_and_is_audited(
        self, client, form, on_commit
    ):
        with on_commit(execute=True):
            response = client.post(form.url, {**form.data(0), "website": "https://spam.example"})
        assert response.status_code == 302
        assert form.stored() == 0 and mail.outbox == []
        entry = AuditEntry.objects.get(action="honeypot.hit")
        assert (entry.outcome, entry.detail["form"]) == (AuditEntry.Outcome.DENIED, form.action)

    def test_a_bot_cannot_flood_the_audit_log(self, client, settings, form):
        limit(settings, form, "2/h/ip")
        for n in range(6):
            client.post(form.url, {**form.data(n), "website": "x"}, REMOTE_ADDR="198.51.100.7")
        assert AuditEntry.objects.filter(action="honeypot.hit").count() == 2
        assert AuditEntry.objects.filter(action="ratelimit.hit").count() == 1
        assert form.stored() == 0

    def test_the_contact_form_uses_the_shared_honeypot(self):
        from activities.forms import GuestSignupForm, SuggestionForm
        from portal.forms import ContactForm, HoneypotMixin

        assert all(issubclass(cls, HoneypotMixin) for cls in (ContactForm, GuestSignupForm, SuggestionForm))


def test_signed_in_sign_ups_are_not_limited(client, settings, municipality):
    settings.PUBLIC_FORM_RATE_LIMITS = {ratelimit.GUEST_SIGNUP: "1/h/ip"}
    client.force_login(UserFactory())
    activity = ActivityFactory(signup_required=True, capacity=None)
    for occurrence in OccurrenceFactory.create_batch(3, activity=activity):
        response = client.post(f"/aktiviteter/tillfalle/{occurrence.pk}/anmal/", {"party_size": "1"})
        assert response.status_code == 302
    assert Registration.objects.count() == 3


# --- Sign-in and password reset: allauth's limits (ACCOUNT_RATE_LIMITS), checked here, not reimplemented.


def login(client, email: str, password: str, ip: str = "198.51.100.7"):
    return client.post("/accounts/login/", {"login": email, "password": password}, REMOTE_ADDR=ip)


class TestSignIn:
    @pytest.mark.parametrize(
        ("action", "pers"),
        [("login", {"ip"}), ("login_failed", {"ip", "key"}), ("reset_password", {"ip", "key"})],
    )
    def test_limits_are_configured(self, action, pers):
        rates = parse_rates(allauth_account_settings.RATE_LIMITS.get(action))
        assert {rate.per for rate in rates} >= pers

    def test_failed_logins_lock_the_account_even_from_another_address(self, client, user_with_role):
        user = user_with_role(Role.SENIOR)
        assert login(client, user.email, PASSWORD).status_code == 302  # the password is right ...
        client.logout()
        (per_key,) = [
            r for r in parse_rates(allauth_account_settings.RATE_LIMITS["login_failed"]) if r.per == "key"
        ]
        for n in range(per_key.amount):
            login(client, user.email, "fel-lösenord", ip=f"192.0.2.{n}")
        response = login(client, user.email, PASSWORD, ip="203.0.113.1")
        assert "_auth_user_id" not in client.session
        assert response.status_code == 200 and response.context["form"].non_field_errors()

    def test_a_locked_out_attempt_is_audited(self, client, user_with_role):
        user = user_with_role(Role.SENIOR)
        (per_key,) = [
            r for r in parse_rates(allauth_account_settings.RATE_LIMITS["login_failed"]) if r.per == "key"
        ]
        for _ in range(per_key.amount):
            login(client, user.email, "fel-lösenord")
        last = AuditEntry.objects.order_by("pk").last().pk
        login(client, user.email, PASSWORD)
        refused = AuditEntry.objects.filter(pk__gt=last, outcome__in=["failure", "denied"])
        assert refused.exists()

    def test_the_login_page_itself_is_limited_per_client_address(self, client):
        (per_ip,) = parse_rates(allauth_account_settings.RATE_LIMITS["login"])
        codes = {login(client, "nobody@example.org", "x").status_code for _ in range(per_ip.amount)}
        assert 429 not in codes
        assert login(client, "nobody@example.org", "x").status_code == 429
        assert login(client, "nobody@example.org", "x", ip="203.0.113.1").status_code != 429

    def test_password_reset_is_limited_per_e_mail_address(self, client, user_with_role, on_commit):
        user = user_with_role(Role.SENIOR)
        (per_key,) = [
            r for r in parse_rates(allauth_account_settings.RATE_LIMITS["reset_password"]) if r.per == "key"
        ]
        with on_commit(execute=True):
            codes = [
                client.post(
                    "/accounts/password/reset/", {"email": user.email}, REMOTE_ADDR=f"192.0.2.{n}"
                ).status_code
                for n in range(per_key.amount + 1)
            ]
        assert codes == [302] * per_key.amount + [429]
        assert len(mail.outbox) == per_key.amount

    def test_the_sign_in_refusal_is_a_friendly_page(self, client):
        (per_ip,) = parse_rates(allauth_account_settings.RATE_LIMITS["login"])
        for _ in range(per_ip.amount):
            login(client, "nobody@example.org", "x")
        response = login(client, "nobody@example.org", "x")
        assert response.status_code == 429
        assert "429.html" in [template.name for template in response.templates]


class TestSignInRefusalHandler:
    """``portal.views.too_many_requests`` as ``handler429`` (config/urls.py must name it)."""

    @pytest.fixture(autouse=True)
    def _with_handler(self, settings):
        settings.ROOT_URLCONF = __name__

    def test_a_sign_in_refusal_is_audited_once_a_minute_per_client(self, client):
        (per_ip,) = parse_rates(allauth_account_settings.RATE_LIMITS["login"])
        for _ in range(per_ip.amount):
            login(client, "nobody@example.org", "x")
        assert AuditEntry.objects.filter(action="ratelimit.hit").count() == 0
        codes = [login(client, "nobody@example.org", "x").status_code for _ in range(3)]
        assert codes == [429, 429, 429]
        entry = AuditEntry.objects.get(action="ratelimit.hit")
        assert (entry.outcome, entry.ip_address, entry.actor_label) == (
            AuditEntry.Outcome.DENIED,
            "198.51.100.7",
            "nobody@example.org",
        )
        assert entry.detail == {"limit": "allauth", "path": "/accounts/login/"}

    def test_the_page_is_the_sites_when_it_has_a_429_template(self, client, settings, english, tmp_path):
        (tmp_path / "429.html").write_text(
            '{% extends "base.html" %}'
            '{% block content %}{% include "includes/rate_limited.html" %}{% endblock %}'
        )
        settings.TEMPLATES = [
            {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]},
            *settings.TEMPLATES[1:],
        ]
        (per_ip,) = parse_rates(allauth_account_settings.RATE_LIMITS["login"])
        for _ in range(per_ip.amount):
            login(client, "nobody@example.org", "x")
        response = login(client, "nobody@example.org", "x")
        content = response.content.decode()
        assert response.status_code == 429
        assert "Wait a few minutes and try again" in content
        assert 'href="/accounts/password/reset/"' in content
