"""Mina uppgifter: downloading one's data as JSON and deleting one's account without orphaning sign-ups."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import privacy
from accounts.models import AuditEntry, User
from accounts.roles import Role
from activities import services
from activities.models import Registration
from activities.retention import ANONYMISED_NAME
from associations.models import Representative
from portal.models import ContactMessage

from ..browser.fixtures import assert_accessible, login
from ..factories import (
    PASSWORD,
    ActivityFactory,
    AssociationFactory,
    OccurrenceFactory,
    RegistrationFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def full_occurrence(**kwargs):
    """An occasion with one place, so that a second sign-up waits."""
    return OccurrenceFactory(activity=ActivityFactory(signup_required=True, capacity=1), **kwargs)


def past(occurrence_kwargs=None):
    start = timezone.now() - timedelta(days=5)
    return OccurrenceFactory(starts_at=start, ends_at=start + timedelta(hours=1), **(occurrence_kwargs or {}))


# --- the page and the download --------------------------------------------------------------------------


def test_page_needs_sign_in(client):
    response = client.get(reverse("privacy:overview"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_page_explains_and_offers_download_and_deletion(client, user_with_role, english):
    response = signed_in(client, user_with_role(Role.SENIOR)).get(reverse("privacy:overview"))
    assert response.status_code == 200
    assert b"What we store about you" in response.content
    assert reverse("privacy:download").encode() in response.content
    assert reverse("privacy:delete").encode() in response.content


def test_download_needs_post(client, user_with_role):
    client = signed_in(client, user_with_role(Role.SENIOR))
    assert client.get(reverse("privacy:download")).status_code == 405


def test_download_contains_the_persons_data_and_is_audited(client, user_with_role):
    user = user_with_role(Role.SENIOR, phone="070-111 22 33")
    occurrence = OccurrenceFactory(activity=ActivityFactory(signup_required=True, title="Boule"))
    services.register(occurrence, user=user)
    RepresentativeFactory(user=user, association=AssociationFactory(name="PRO Vingåker"))
    ContactMessage.objects.create(name="Anna", email=user.email.upper(), message="Hej, när öppnar fiket?")
    ContactMessage.objects.create(name="Någon annan", email="annan@example.org", message="Inte min fråga")
    someone_else = UserFactory()
    services.register(occurrence, user=someone_else)

    response = signed_in(client, user).post(reverse("privacy:download"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["user"]["email"] == user.email
    assert data["user"]["phone"] == "070-111 22 33"
    assert Role.SENIOR in data["user"]["roles"]
    assert [e["email"] for e in data["email_addresses"]] == [user.email]
    assert len(data["registrations"]) == 1
    registration = data["registrations"][0]
    assert registration["activity"] == "Boule"
    assert registration["status"] == "confirmed"
    assert registration["starts_at"] == occurrence.starts_at.isoformat()
    assert data["association_memberships"] == [{"association": "PRO Vingåker", "role": "admin"}]
    assert [m["message"] for m in data["contact_messages"]] == ["Hej, när öppnar fiket?"]
    assert "auth.login" in {e["action"] for e in data["audit_entries"]}
    assert someone_else.email not in response.content.decode()
    assert AuditEntry.objects.filter(
        action="accounts.privacy.export", actor=user, object_id=str(user.pk)
    ).exists()


# --- deletion -------------------------------------------------------------------------------------------


def test_deletion_needs_the_password(client, user_with_role, english):
    user = user_with_role(Role.SENIOR)
    response = signed_in(client, user).post(reverse("privacy:delete"), {"password": "wrong"})
    assert response.status_code == 200
    assert b"The password is not right." in response.content
    assert User.objects.filter(pk=user.pk).exists()


def test_passwordless_account_confirms_with_its_email(client, user_with_role, english):
    user = user_with_role(Role.SENIOR)
    user.set_unusable_password()
    user.save()
    client = signed_in(client, user)
    page = client.get(reverse("privacy:delete"))
    assert b'name="password"' not in page.content
    wrong = client.post(reverse("privacy:delete"), {"email": "someone@example.org"})
    assert b"That is not the address you sign in with." in wrong.content
    assert User.objects.filter(pk=user.pk).exists()

    response = client.post(reverse("privacy:delete"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()


def test_deletion_cancels_coming_signups_promotes_the_waiting_and_anonymises_the_past(
    client, user_with_role, on_commit
):
    user = user_with_role(Role.SENIOR)
    coming = full_occurrence()
    mine = services.register(coming, user=user)
    waiting = services.register(coming, guest_name="Greta", guest_email="greta@example.org")
    assert waiting.status == Registration.Status.WAITING
    earlier = RegistrationFactory(occurrence=past(), user=user, guest_name="", guest_email="", guest_phone="")
    old_token = earlier.cancel_token
    entries_before = AuditEntry.objects.filter(actor_id=user.pk).count()

    with on_commit(execute=True):
        response = signed_in(client, user).post(reverse("privacy:delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:deleted")
    assert not User.objects.filter(pk=user.pk).exists()
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CANCELLED
    assert mine.user_id is None and mine.guest_name == ANONYMISED_NAME and mine.guest_email == ""
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    earlier.refresh_from_db()
    assert earlier.user_id is None
    assert earlier.status == Registration.Status.CONFIRMED  # kept for statistics
    assert earlier.guest_name == ANONYMISED_NAME
    assert earlier.cancel_token != old_token
    # Counts for statistics are unchanged: both rows are still there.
    assert Registration.objects.filter(pk__in=[mine.pk, earlier.pk]).count() == 2
    # The append-only log is not rewritten: earlier entries stay, and the deletion is logged without a name.
    assert AuditEntry.objects.filter(actor_id=user.pk).count() >= entries_before
    deletion = AuditEntry.objects.get(action="accounts.account.delete")
    assert deletion.actor_id is None
    assert deletion.actor_label == "deleted user"
    assert deletion.object_id == str(user.pk)
    assert user.email not in json.dumps(deletion.detail)
    # Signed out.
    assert "_auth_user_id" not in client.session


def test_deletion_leaves_the_audit_log_untouched(user_with_role):
    """The log is append-only (a trigger refuses UPDATE): deletion must succeed without rewriting it, so
    the entry keeps its former actor id and label."""
    user = user_with_role(Role.SENIOR)
    entry = AuditEntry.objects.create(actor=user, actor_label=user.email, action="x.y")
    privacy.delete_account(user)
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.actor_id, kept.actor_label, kept.action) == (user.pk, user.email, "x.y")


def test_memberships_are_removed(user_with_role):
    user = user_with_role(Role.ASSOCIATION_REP)
    association = AssociationFactory()
    RepresentativeFactory(user=user, association=association, role=Representative.Role.ACTIVITIES)
    RepresentativeFactory(association=association, role=Representative.Role.ADMIN)
    counts = privacy.delete_account(user)
    assert counts["memberships"] == 1
    assert Representative.objects.filter(association=association).count() == 1


def test_last_admin_of_an_association_is_refused(client, user_with_role, english):
    user = user_with_role(Role.ASSOCIATION_REP)
    RepresentativeFactory(user=user, association=AssociationFactory(name="SPF Seniorerna"))
    client = signed_in(client, user)
    overview = client.get(reverse("privacy:overview"))
    assert b"You are the only administrator of SPF Seniorerna" in overview.content
    response = client.post(reverse("privacy:delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert b"You are the only administrator of SPF Seniorerna" in response.content
    assert User.objects.filter(pk=user.pk).exists()
    with pytest.raises(privacy.AccountDeletionRefused):
        privacy.delete_account(user)


def test_another_admin_lets_the_admin_leave(user_with_role):
    user = user_with_role(Role.ASSOCIATION_REP)
    association = AssociationFactory()
    RepresentativeFactory(user=user, association=association)
    RepresentativeFactory(association=association)
    privacy.delete_account(user)
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.HOMECARE_STAFF, Role.OFFICIAL])
def test_staff_accounts_are_closed_by_the_administrator(user_with_role, role, english):
    user = user_with_role(role)
    with pytest.raises(privacy.AccountDeletionRefused) as refused:
        privacy.delete_account(user)
    assert "system administrator" in refused.value.reasons[0]
    assert User.objects.filter(pk=user.pk).exists()


def test_deleted_page_is_public(client, english):
    response = client.get(reverse("privacy:deleted"))
    assert response.status_code == 200
    assert b"Your account is deleted" in response.content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_journey_download_then_delete(page, municipality):
    """A senior opens My data from the footer, downloads the file and deletes the account; pages pass axe."""
    user = UserFactory()
    login(page, user.email, PASSWORD)
    page.goto("/")
    page.locator(f"footer a[href='{reverse('privacy:overview')}']").click()
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator(f"form[action='{reverse('privacy:download')}'] button").click()
    assert json.loads(download.value.path().read_text(encoding="utf-8"))["user"]["email"] == user.email
    page.locator(f"a[href='{reverse('privacy:delete')}']").click()
    assert_accessible(page)
    page.locator("main button[type=submit]").click()  # no password: the error summary shows
    assert_accessible(page)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{reverse('privacy:deleted')}")
    assert_accessible(page)
    assert not User.objects.filter(pk=user.pk).exists()
