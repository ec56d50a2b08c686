"""Who may use the grant pages: only representatives, only for their own associations' applications and files.

Another association's application or attachment is not found (404) on every page, by any ID; a member
without grant rights may read but not act (403); other roles never get in.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ADMIN, Role
from associations import applications
from associations.models import ApplicationAttachment, GrantApplication, Representative

from ..factories import UserFactory
from .factories import PDF_BYTES, GrantProgrammeFactory, eligible_association, representative

Status = GrantApplication.Status
pytestmark = pytest.mark.django_db

WRITE_PAGES = ["grants:edit", "grants:attachments", "grants:submit", "grants:withdraw", "grants:report"]
READ_PAGES = ["grants:application", "grants:decision-letter", *WRITE_PAGES]


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }


@pytest.fixture
def theirs():
    """Another association's decided and paid application, with an attachment and a report due."""
    association = eligible_association(name="Grannföreningen")
    rep = representative(association)
    application = applications.create_application(
        programme=GrantProgrammeFactory(), association=association, actor=rep, title="Hemligt"
    )
    attachment = applications.add_attachment(
        application,
        actor=rep,
        label="Budget",
        uploaded_file=SimpleUploadedFile("budget.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    GrantApplication.objects.filter(pk=application.pk).update(
        status=Status.DECIDED,
        outcome=GrantApplication.Outcome.APPROVED,
        approved_amount=Decimal("1000"),
        decided_at=timezone.now(),
    )
    applications.record_payment(
        application,
        actor=UserFactory(role=Role.COORDINATOR),
        paid_on=timezone.localdate(),
        amount=Decimal("1000"),
        reference="UB-9",
    )
    return {"application": application, "attachment": attachment}


@pytest.fixture
def outsider(client):
    """An administrator of a different association."""
    rep = representative(eligible_association(name="Egen förening"))
    client.force_login(rep)
    return rep


@pytest.mark.parametrize(
    ("method", "name"),
    [("get", name) for name in READ_PAGES] + [("post", name) for name in [*WRITE_PAGES, "grants:message"]],
)
def test_another_associations_application_is_not_found(client, outsider, theirs, method, name):
    application = theirs["application"]
    response = getattr(client, method)(reverse(name, args=[application.pk]), {"body": "x", "reason": ""})
    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert not application.messages.exists()


def test_another_associations_attachment_is_not_found_nor_removed(client, outsider, theirs):
    attachment = theirs["attachment"]
    assert client.get(reverse("grants:attachment", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("grants:attachment-remove", args=[attachment.pk])).status_code == 404
    assert ApplicationAttachment.objects.filter(pk=attachment.pk).exists()


def test_guessing_ids_reveals_nothing(client, outsider, theirs):
    own = applications.create_application(
        programme=GrantProgrammeFactory(),
        association=outsider.represented_associations.get(),
        actor=outsider,
        title="Vår egen",
    )
    highest = max(own.pk, theirs["application"].pk, theirs["attachment"].pk) + 3
    for pk in range(1, highest):
        expected = 200 if pk == own.pk else 404
        assert client.get(reverse("grants:application", args=[pk])).status_code == expected
        assert client.get(reverse("grants:attachment", args=[pk])).status_code == 404


def test_the_overview_lists_no_other_associations_applications(client, outsider, theirs):
    body = client.get(reverse("grants:index")).content.decode()
    assert "Hemligt" not in body
    assert "Grannföreningen" not in body


def test_nobody_can_start_an_application_for_another_association(client, outsider, theirs):
    programme = GrantProgrammeFactory()
    response = client.post(
        reverse("grants:start"),
        {"programme": programme.pk, "association": theirs["application"].association_id, "title": "Kapat"},
    )
    assert response.status_code == 200
    assert "association" in response.context["form"].errors
    assert not GrantApplication.objects.filter(title="Kapat").exists()


def test_a_member_without_grant_rights_may_read_but_not_act(client):
    association = eligible_association()
    admin = representative(association)
    application = applications.create_application(
        programme=GrantProgrammeFactory(), association=association, actor=admin, title="Boule"
    )
    member = representative(association, role=Representative.Role.ACTIVITIES)
    client.force_login(member)
    assert client.get(reverse("grants:application", args=[application.pk])).status_code == 200
    for name in ["grants:edit", "grants:attachments", "grants:submit", "grants:withdraw", "grants:message"]:
        assert client.post(reverse(name, args=[application.pk]), {"body": "x"}).status_code == 403, name
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert not application.messages.exists()


@pytest.mark.parametrize(
    "role", [Role.SENIOR, Role.COORDINATOR, Role.OFFICIAL, Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN, ADMIN]
)
def test_other_roles_are_refused(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("grants:index")).status_code == 403
    assert client.get(reverse("grants:start")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, theirs):
    for url in [reverse("grants:index"), reverse("grants:application", args=[theirs["application"].pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    response = client.get(reverse("grants:attachment", args=[theirs["attachment"].pk]))
    assert response.status_code == 302
