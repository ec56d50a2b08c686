"""Sign-up with e-mail verification, login and logout, login by e-mail code, password reset, brute-force
protection and the staff MFA requirement."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time as counters
from django.core import mail

from accounts.models import AuditEntry, User
from accounts.roles import ADMIN, Role

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


class TestSignup:
    def test_signing_up_requires_e_mail_verification_and_makes_a_senior(self, client, on_commit):
        with on_commit(execute=True):
            response = client.post(
                "/accounts/signup/",
                {
                    "email": "Ny.Person@Example.org",
                    "password1": "Tallbacken-2026",
                    "password2": "Tallbacken-2026",
                },
            )
        assert response.status_code == 302
        user = User.objects.get(email__iexact="ny.person@example.org")
        assert list(user.groups.values_list("name", flat=True)) == [Role.SENIOR]
        assert not EmailAddress.objects.get(user=user).verified
        assert len(mail.outbox) == 1

        confirmed = client.post(link_in(mail.outbox[0]))

        assert confirmed.status_code == 302
        assert EmailAddress.objects.get(user=user).verified
        assert AuditEntry.objects.filter(action="auth.signup", actor=user).exists()

    def test_an_unverified_address_cannot_log_in(self, client, user_with_role):
        user = user_with_role(Role.SENIOR, verified=False)
        response = login(client, user.email)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/confirm-email/"
        assert "_auth_user_id" not in client.session

    def test_a_weak_password_is_refused_with_an_error_next_to_the_field(self, client):
        response = client.post(
            "/accounts/signup/", {"email": "svag@example.org", "password1": "12345", "password2": "12345"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["password1"]
        assert not User.objects.filter(email="svag@example.org").exists()


class TestLogin:
    def test_login_and_logout_are_audited(self, client, user_with_role):
        user = user_with_role(Role.SENIOR)
        assert login(client, user.email).status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)
        client.post("/accounts/logout/")
        assert "_auth_user_id" not in client.session
        assert list(AuditEntry.objects.filter(actor=user).values_list("action", flat=True)) == [
            "auth.logout",
            "auth.login",
        ]

    def test_e_mail_is_case_insensitive(self, client, user_with_role):
        user = user_with_role(Role.SENIOR)
        assert login(client, user.email.upper()).status_code == 302

    @pytest.mark.parametrize(("role", "landing"), [(Role.SENIOR, "/"), (Role.COORDINATOR, "/backoffice/")])
    def test_staff_land_in_the_back_office_seniors_on_the_portal(self, client, user_with_role, role, landing):
        assert login(client, user_with_role(role).email)["Location"] == landing

    def test_a_wrong_password_is_audited_as_a_failure(self, client, user_with_role):
        user = user_with_role(Role.SENIOR)
        response = login(client, user.email, "wrong-password")
        assert response.status_code == 200
        assert response.context["form"].errors
        failure = AuditEntry.objects.get(action="auth.login_failed")
        assert (failure.outcome, failure.actor_label) == ("failure", user.email)

    def test_repeated_failures_lock_the_account_out_even_with_the_right_password(
        self, client, user_with_role
    ):
        user = user_with_role(Role.SENIOR)
        for _ in range(5):
            login(client, user.email, "wrong-password")
        response = login(client, user.email)
        assert response.status_code in (200, 429)
        assert "_auth_user_id" not in client.session

    def test_an_open_redirect_in_next_is_ignored(self, client, user_with_role):
        user = user_with_role(Role.SENIOR)
        response = client.post(
            "/accounts/login/?next=https://evil.example.com/", {"login": user.email, "password": PASSWORD}
        )
        assert response["Location"] == "/"


class TestLoginByCode:
    def test_a_senior_logs_in_with_a_code_sent_by_e_mail(self, client, user_with_role, on_commit):
        user = user_with_role(Role.SENIOR)
        with on_commit(execute=True):
            assert client.post("/accounts/login/code/", {"email": user.email}).status_code == 302
        code = re.search(r"^\s*(\d{6})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)

        response = client.post("/accounts/login/code/confirm/", {"code": code})

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_the_e_mail_links_to_the_confirmation_page_with_the_code(self, client, user_with_role, on_commit):
        user = user_with_role(Role.SENIOR)
        with on_commit(execute=True):
            client.post("/accounts/login/code/", {"email": user.email})
        path = link_in(mail.outbox[0])
        assert path.startswith("/accounts/login/code/confirm/?code=")
        page = client.get(path)
        assert page.status_code == 200
        assert f'value="{path.split("=")[1]}"' in page.content.decode()


class TestPasswordReset:
    def test_reset_by_e_mail_link(self, client, user_with_role, on_commit):
        user = user_with_role(Role.SENIOR)
        with on_commit(execute=True):
            assert client.post("/accounts/password/reset/", {"email": user.email}).status_code == 302
        form_url = client.get(link_in(mail.outbox[0]))["Location"]

        response = client.post(form_url, {"password1": "Nytt-losen-2026", "password2": "Nytt-losen-2026"})

        assert response.status_code == 302
        user.refresh_from_db()
        assert user.check_password("Nytt-losen-2026")

    def test_unknown_addresses_get_the_same_answer(self, client):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
        assert response.status_code == 302


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(counters())))


class TestStaffMFA:
    @pytest.fixture(autouse=True)
    def _require_mfa(self, settings):
        settings.REQUIRE_STAFF_MFA = True

    @pytest.mark.parametrize(
        "role", [Role.COORDINATOR, Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN, Role.OFFICIAL, ADMIN]
    )
    def test_staff_without_mfa_are_sent_to_set_it_up(self, client, user_with_role, role):
        client.force_login(user_with_role(role))
        response = client.get("/backoffice/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
        api = client.get("/api/v1/localities/")
        assert api.status_code == 403 and api.json()["message"]

    @pytest.mark.parametrize("role", [Role.SENIOR, Role.ASSOCIATION_REP])
    def test_seniors_and_representatives_are_not_required(self, client, user_with_role, role):
        client.force_login(user_with_role(role))
        assert client.get("/").status_code == 200

    def test_the_requirement_is_off_in_demo_mode(self, client, user_with_role, settings):
        settings.REQUIRE_STAFF_MFA = False
        client.force_login(user_with_role(Role.COORDINATOR))
        assert client.get("/backoffice/").status_code == 200

    def test_activating_totp_then_logging_in_asks_for_the_code(self, client, user_with_role):
        user = user_with_role(Role.COORDINATOR)
        secret = generate_totp_secret()
        TOTP.activate(user, secret)

        first_step = login(client, user.email)
        assert first_step["Location"] == "/accounts/2fa/authenticate/"
        assert "_auth_user_id" not in client.session

        wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session

        done = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
        assert done.status_code == 302
        assert client.get("/backoffice/").status_code == 200

    def test_setting_up_totp_through_the_pages_unlocks_the_back_office(self, client, user_with_role):
        user = user_with_role(Role.OFFICIAL)
        assert login(client, user.email)["Location"] == "/backoffice/"
        assert client.get("/backoffice/")["Location"] == "/accounts/2fa/totp/activate/"
        # allauth asks for the password again before a second factor is added.
        assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
        client.post("/accounts/reauthenticate/", {"password": PASSWORD})
        page = client.get("/accounts/2fa/totp/activate/")
        assert page.status_code == 200
        secret = page.context["form"].secret

        response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})

        assert response.status_code == 302
        assert client.get("/backoffice/").status_code == 200
