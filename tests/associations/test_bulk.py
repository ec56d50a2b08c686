"""Bulk e-mail to association contacts: filter, preview, send once per contact, sent log."""

import re
from html import unescape

import pytest
from django.core import mail

from accounts.models import AuditEntry
from accounts.roles import Role
from associations import bulk
from associations.models import Association, BulkMessage

from ..factories import LocalityFactory, UserFactory
from .factories import AssociationFactory, eligible_association, representative

pytestmark = pytest.mark.django_db
URL = "/backoffice/samordning/utskick/nytt/"


@pytest.fixture
def coordinator(client):
    user = UserFactory(role=Role.COORDINATOR, full_name="Sara Samordnare")
    client.force_login(user)
    return user


@pytest.fixture
def register():
    lappe, hogsjo = LocalityFactory(slug="lappe", name="Läppe"), LocalityFactory(slug="hogsjo", name="Högsjö")
    pro = eligible_association(name="PRO Läppe", email="pro@example.org", kind=Association.Kind.PENSIONERS)
    pro.localities.set([lappe])
    representative(pro, email="ordf@example.org")
    representative(pro, email="PRO@example.org")  # the same address as the association's: once
    choir = AssociationFactory(name="Kören", email="kor@example.org", kind=Association.Kind.CULTURE)
    choir.localities.set([lappe, hogsjo])
    AssociationFactory(name="Utan adress", kind=Association.Kind.CULTURE, email="")
    AssociationFactory(name="Vilande", email="vilande@example.org", is_active=False)
    return {"pro": pro, "choir": choir}


def _emails(found) -> list[tuple[str, str]]:
    return [(r.association.name, r.email) for r in found]


def test_recipients_are_each_contact_of_each_active_association_once(register):
    assert _emails(bulk.recipients({})) == [
        ("Kören", "kor@example.org"),
        ("PRO Läppe", "pro@example.org"),
        ("PRO Läppe", "ordf@example.org"),
    ]


def test_filter_by_kind_locality_and_eligibility(register):
    assert _emails(bulk.recipients({"kind": [Association.Kind.CULTURE]})) == [("Kören", "kor@example.org")]
    assert {a for a, _ in _emails(bulk.recipients({"locality": ["hogsjo"]}))} == {"Kören"}
    assert {a for a, _ in _emails(bulk.recipients({"locality": ["lappe"]}))} == {"Kören", "PRO Läppe"}
    year = register["pro"].base_data_confirmed_at.year
    eligible = bulk.recipients({"eligibility": "eligible", "year": year})
    assert {a for a, _ in _emails(eligible)} == {"PRO Läppe"}
    not_eligible = bulk.recipients({"eligibility": "not_eligible", "year": year})
    assert {a for a, _ in _emails(not_eligible)} == {"Kören"}


@pytest.mark.parametrize("role", [Role.ASSOCIATION_REP, Role.OFFICIAL])
def test_only_coordinators_send(client, role, register):
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"subject": "Hej", "body": "Text", "send": "1"}).status_code == 403
    assert client.get("/backoffice/samordning/utskick/").status_code == 403


def test_preview_shows_recipients_and_rendered_message_and_sends_nothing(
    coordinator, client, register, english
):
    response = client.post(
        URL, {"subject": "Årsmöte", "body": "Välkomna!", "kind": [Association.Kind.CULTURE]}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "kor@example.org" in content and "pro@example.org" not in content
    assert "To Kören" in content and "Välkomna!" in content and "Sara Samordnare" in content
    assert not BulkMessage.objects.exists() and not mail.outbox
    assert response.context["form"]["recipients_digest"].value()


def _preview_then_send(client, data: dict):
    preview = client.post(URL, data)
    digest = preview.context["form"]["recipients_digest"].value()
    return client.post(URL, {**data, "recipients_digest": digest, "send": "1"})


def test_send_stores_the_log_and_mails_each_contact_once_after_commit(
    coordinator, client, register, on_commit
):
    with on_commit(execute=True):
        response = _preview_then_send(
            client, {"subject": "Bidrag 2026", "body": "Nu kan ni söka.", "locality": ["lappe"]}
        )

    message = BulkMessage.objects.get()
    assert response.status_code == 302 and response.url == f"/backoffice/samordning/utskick/{message.pk}/"
    assert message.sent_by == coordinator and message.filters["locality"] == ["lappe"]
    assert sorted(message.recipients.values_list("email", flat=True)) == [
        "kor@example.org",
        "ordf@example.org",
        "pro@example.org",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["kor@example.org", "ordf@example.org", "pro@example.org"]
    assert all(m.subject == "Bidrag 2026" and len(m.to) == 1 for m in mail.outbox)
    to_choir = next(m for m in mail.outbox if m.to == ["kor@example.org"])
    assert "Kören" in to_choir.body and "Nu kan ni söka." in to_choir.body
    entry = AuditEntry.objects.get(action="associations.bulk_message.send")
    assert entry.detail["recipients"] == 3


def test_the_preview_page_carries_everything_needed_to_send(coordinator, client, register, on_commit):
    preview = client.post(
        URL, {"subject": "Hej", "body": "Rad ett\nRad två", "kind": ["kulturforening", "pensionarsforening"]}
    )
    html = preview.content.decode()
    hidden = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html)
    data: dict[str, list[str]] = {}
    for name, value in hidden:
        data.setdefault(name, []).append(unescape(value))
    assert data["kind"] == ["kulturforening", "pensionarsforening"]
    with on_commit(execute=True):
        response = client.post(URL, {**data, "send": "1"})
    assert response.status_code == 302
    assert BulkMessage.objects.get().body == "Rad ett\nRad två"
    assert len(mail.outbox) == 3


def test_changed_recipients_are_shown_again_before_sending(coordinator, client, register, on_commit):
    data = {"subject": "Hej", "body": "Text", "kind": [Association.Kind.CULTURE]}
    preview = client.post(URL, data)
    digest = preview.context["form"]["recipients_digest"].value()
    AssociationFactory(name="Ny kulturförening", email="ny@example.org", kind=Association.Kind.CULTURE)

    with on_commit(execute=True):
        response = client.post(URL, {**data, "recipients_digest": digest, "send": "1"})

    assert response.status_code == 200 and response.context["changed"]
    assert "ny@example.org" in response.content.decode()
    assert not BulkMessage.objects.exists() and not mail.outbox


def test_send_without_a_preview_is_a_preview(coordinator, client, register):
    response = client.post(URL, {"subject": "Hej", "body": "Text", "send": "1"})
    assert response.status_code == 200
    assert not BulkMessage.objects.exists()


def test_sent_log_and_detail(coordinator, client, register, django_assert_max_num_queries):
    for n in range(3):
        bulk.send_bulk_message(subject=f"Utskick {n}", body="Text", filters={}, actor=coordinator)
    with django_assert_max_num_queries(12):
        content = client.get("/backoffice/samordning/utskick/").content.decode()
    assert "Utskick 2" in content
    message = BulkMessage.objects.get(subject="Utskick 1")
    with django_assert_max_num_queries(12):
        content = client.get(f"/backoffice/samordning/utskick/{message.pk}/").content.decode()
    assert "ordf@example.org" in content and "Kören" in content


def test_preview_query_count_is_constant(coordinator, client, register, django_assert_max_num_queries):
    data = {"subject": "Hej", "body": "Text", "eligibility": "not_eligible"}
    with django_assert_max_num_queries(15) as first:
        client.post(URL, data)
    for n in range(6):
        association = AssociationFactory(email=f"forening{n}@example.org")
        representative(association)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.post(URL, data)
    assert len(response.context["recipients"]) == 1 + 12  # Kören and two contacts per new association
