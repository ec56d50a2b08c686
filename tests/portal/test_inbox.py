"""The coordinators' inbox for questions from the public."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from portal.models import ContactMessage
from tests.factories import ContactMessageFactory, UserFactory

pytestmark = pytest.mark.django_db

INBOX = "/backoffice/fragor/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.SENIOR, 403),
        (Role.ASSOCIATION_REP, 403),
        (Role.COORDINATOR, 200),
        (Role.HOMECARE_STAFF, 403),
        (Role.WELFARETECH_ADMIN, 403),
        (Role.OFFICIAL, 403),
        (ADMIN, 403),
    ],
)
def test_only_coordinators_open_the_inbox(client, role, expected):
    question = ContactMessageFactory()
    client.force_login(UserFactory(role=role))
    assert client.get(INBOX).status_code == expected
    assert client.get(f"{INBOX}{question.pk}/").status_code == expected


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(INBOX)["Location"] == f"/accounts/login/?next={INBOX}"


def test_newest_first_filtered_by_status_and_paginated(client):
    old = ContactMessageFactory(message="Gammal fråga")
    ContactMessageFactory.create_batch(25)
    closed = ContactMessageFactory(status=ContactMessage.Status.CLOSED)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    first_page = client.get(INBOX).context["page"]
    assert (first_page.paginator.count, first_page[0]) == (27, closed)
    assert old in client.get(f"{INBOX}?page=2").context["page"].object_list
    assert list(client.get(f"{INBOX}?status=closed").context["page"]) == [closed]
    assert 'class="table__empty"' in client.get(f"{INBOX}?status=answered").content.decode()


def test_marking_answered_with_a_note_is_recorded_and_audited(client):
    question = ContactMessageFactory()
    coordinator = UserFactory(role=Role.COORDINATOR)
    client.force_login(coordinator)
    response = client.post(f"{INBOX}{question.pk}/", {"status": "answered", "note": "Ringde upp henne."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.note, question.handled_by) == (
        "answered",
        "Ringde upp henne.",
        coordinator,
    )
    entry = AuditEntry.objects.get(action="portal.contact_message.handle")
    assert (entry.actor, entry.object_id, entry.detail) == (
        coordinator,
        str(question.pk),
        {"status": "answered"},
    )


def test_an_unknown_status_is_refused(client):
    question = ContactMessageFactory()
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.post(f"{INBOX}{question.pk}/", {"status": "deleted", "note": ""})
    assert "status" in response.context["form"].errors


def test_the_inbox_query_count_does_not_grow(client, django_assert_max_num_queries):
    ContactMessageFactory.create_batch(2)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    with CaptureQueriesContext(connection) as small:
        client.get(INBOX)
    ContactMessageFactory.create_batch(40)
    with django_assert_max_num_queries(len(small)):
        client.get(INBOX)
