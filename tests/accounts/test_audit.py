import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from accounts import audit
from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role

pytestmark = pytest.mark.django_db


def test_record_captures_actor_object_ip_and_outcome(user_with_role):
    user = user_with_role(Role.COORDINATOR)
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.user = user

    entry = audit.record("association.update", request=request, obj=user, outcome="denied", field="name")

    entry.refresh_from_db()
    assert (entry.actor, entry.actor_label, entry.action) == (user, user.email, "association.update")
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(user.pk))
    assert (entry.ip_address, entry.outcome, entry.detail) == ("192.0.2.7", "denied", {"field": "name"})


def test_entries_cannot_be_changed_through_the_orm(user_with_role):
    entry = audit.record("x.y", actor=user_with_role(None))
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    assert AuditEntry.objects.get(pk=entry.pk).action == "x.y"


def test_entries_cannot_be_deleted_through_the_orm():
    entry = audit.record("x.y")
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_database_itself_refuses_updates():
    entry = audit.record("x.y")
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET action = 'tampered' WHERE id = %s", [entry.pk])
    assert "append-only" in str(excinfo.value)
    assert AuditEntry.objects.get(pk=entry.pk).action == "x.y"


def test_entries_outlive_the_user_they_name(user_with_role):
    user = user_with_role(None)
    entry = audit.record("x.y", actor=user)
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_label == user.email


def test_the_django_admin_offers_no_add_change_or_delete(user_with_role):
    request = RequestFactory().get("/admin/")
    request.user = user_with_role(ADMIN)
    model_admin = admin.site._registry[AuditEntry]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_admin_cannot_post_a_change_or_delete_through_the_django_admin(client, user_with_role):
    client.force_login(user_with_role(ADMIN))
    entry = audit.record("x.y")
    change = client.post(f"/admin/accounts/auditentry/{entry.pk}/change/", {"action": "tampered"})
    delete = client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert change.status_code == 403
    assert delete.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "x.y"


class TestBackOfficeAuditLog:
    url = "/backoffice/granskningslogg/"

    def test_admin_browses_and_filters(self, client, user_with_role):
        client.force_login(user_with_role(ADMIN))
        audit.record("auth.login", actor_label="a@example.org")
        audit.record("association.update", actor_label="b@example.org", outcome="denied")

        everything = client.get(self.url)
        denied = client.get(self.url, {"outcome": "denied"})
        by_action = client.get(self.url, {"action": "auth."})

        assert everything.status_code == 200
        assert [e.action for e in denied.context["page"]] == ["association.update"]
        assert "auth.login" in {e.action for e in by_action.context["page"]}
        assert "association.update" not in {e.action for e in by_action.context["page"]}

    def test_bad_filter_input_gets_a_form_error_not_a_500(self, client, user_with_role):
        client.force_login(user_with_role(ADMIN))
        response = client.get(self.url, {"date_from": "not-a-date", "outcome": "bogus"})
        assert response.status_code == 200
        assert response.context["filter"].errors

    def test_the_list_uses_a_constant_number_of_queries(
        self, client, user_with_role, django_assert_max_num_queries
    ):
        client.force_login(user_with_role(ADMIN))
        for i in range(3):
            audit.record(f"a.{i}")
        with django_assert_max_num_queries(12) as few:
            client.get(self.url)
        for i in range(60):
            audit.record(f"b.{i}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(self.url)

    def test_it_accepts_no_writes(self, client, user_with_role):
        client.force_login(user_with_role(ADMIN))
        assert client.post(self.url, {"action": "x"}).status_code == 405


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy trusted: the header could be forged
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # the client forged the first entry
        (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),
        (2, "203.0.113.9", "192.0.2.1"),  # shorter than the proxy chain: fall back
        (1, "not-an-address", None),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert audit.client_ip(request) == expected
