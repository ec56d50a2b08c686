import pytest
from django.contrib.auth.models import Group

from accounts.roles import ADMIN, BACKOFFICE_ROLES, STAFF_ROLES, Role, has_role, needs_mfa, roles_of

pytestmark = pytest.mark.django_db


def test_a_data_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_superusers_hold_the_admin_role_only_not_every_role(user_with_role):
    admin = user_with_role(ADMIN)
    assert roles_of(admin) == {ADMIN}
    assert not has_role(admin, Role.HOMECARE_STAFF, Role.COORDINATOR)


def test_anonymous_users_hold_no_role():
    from django.contrib.auth.models import AnonymousUser

    assert roles_of(AnonymousUser()) == frozenset()


@pytest.mark.parametrize("role", [*Role.values, ADMIN])
def test_staff_roles_need_mfa_seniors_and_representatives_do_not(user_with_role, role):
    assert needs_mfa(user_with_role(role)) is (role in STAFF_ROLES)


def test_back_office_roles_are_staff_plus_association_representatives():
    assert {Role.ASSOCIATION_REP} == BACKOFFICE_ROLES - STAFF_ROLES
    assert Role.SENIOR not in BACKOFFICE_ROLES


def test_roles_are_read_once_per_user_object(user_with_role, django_assert_num_queries):
    user = user_with_role(Role.COORDINATOR)
    with django_assert_num_queries(1):
        assert has_role(user, Role.COORDINATOR)
        assert not has_role(user, Role.OFFICIAL)


def test_create_admin_makes_a_verified_superuser(monkeypatch):
    from allauth.account.models import EmailAddress
    from django.core.management import call_command

    from accounts.models import AuditEntry, User

    monkeypatch.setenv("ADMIN_PASSWORD", "Ett-langt-losenord-2026")
    call_command("create_admin", email="Chef@Example.org", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.get(email="chef@example.org")
    assert user.is_superuser and user.check_password("Ett-langt-losenord-2026")
    assert EmailAddress.objects.get(user=user).verified
    assert AuditEntry.objects.filter(action="accounts.admin.create", object_id=str(user.pk)).exists()


def test_create_admin_refuses_a_weak_password_and_duplicates(monkeypatch, user_with_role):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("create_admin", email="chef@example.org")
    existing = user_with_role(None)
    monkeypatch.setenv("ADMIN_PASSWORD", "Ett-langt-losenord-2026")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_admin", email=existing.email.upper())
