"""Annual documents through the pages: upload checks, permission-checked downloads, the review queue."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from associations.eligibility import eligibility
from associations.models import AnnualDocument
from tests.factories import UserFactory

from .factories_register import (
    PDF_BYTES,
    AnnualDocumentFactory,
    AssociationFactory,
    coordinator,
    private_storage,  # noqa: F401 - fixture
    representative,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

LAST_YEAR = timezone.localdate().year - 1
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def documents_url(association) -> str:
    return reverse("register:documents", args=[association.pk])


def download_url(document) -> str:
    return reverse("register:document-download", args=[document.pk])


def upload(client, association, name="bokslut.pdf", content=PDF_BYTES, kind="financial_statement"):
    return client.post(
        documents_url(association),
        {"year": LAST_YEAR, "kind": kind, "file": SimpleUploadedFile(name, content)},
    )


# --- Upload -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "grants"])
def test_admins_and_grant_representatives_upload_documents(client, role):
    association = AssociationFactory()
    client.force_login(representative(association, role=role))
    response = upload(client, association)
    assert response.status_code == 302
    document = association.documents.get()
    assert (document.year, document.kind, document.status) == (LAST_YEAR, "financial_statement", "submitted")
    assert document.file.read() == PDF_BYTES


def test_activity_representatives_see_documents_but_cannot_upload(client):
    association = AssociationFactory()
    client.force_login(representative(association, role="activities"))
    assert "form" in client.get(documents_url(association)).context
    assert 'enctype="multipart/form-data"' not in client.get(documents_url(association)).content.decode()
    assert upload(client, association).status_code == 403
    assert not AnnualDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", EXECUTABLE, "Files of this type cannot be uploaded"),
        ("bokslut.pdf", EXECUTABLE, "is not a real PDF file"),  # a renamed executable
        ("bokslut.docx", b"PK\x03\x04" + b"\x00" * 32, "Files of this type cannot be uploaded"),
        ("bild.png", PDF_BYTES, "is not a real PNG file"),
    ],
)
def test_wrong_files_are_refused_with_a_clear_message(client, english, name, content, message):
    association = AssociationFactory()
    client.force_login(representative(association))
    response = upload(client, association, name=name, content=content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not AnnualDocument.objects.exists()


def test_too_large_files_are_refused(client, english, settings):
    settings.ASSOCIATIONS_MAX_UPLOAD_BYTES = 1024
    association = AssociationFactory()
    client.force_login(representative(association))
    response = upload(client, association, content=PDF_BYTES + b"0" * 2048)
    assert response.status_code == 400
    assert "files may be at most 1.0" in response.content.decode()
    assert not AnnualDocument.objects.exists()


def test_a_representative_cannot_upload_to_another_association(client):
    mine, theirs = AssociationFactory(), AssociationFactory()
    client.force_login(representative(mine))
    assert upload(client, theirs).status_code == 404
    assert not AnnualDocument.objects.exists()


# --- Download ---------------------------------------------------------------------------------------


def test_own_representative_downloads_with_safe_headers_and_an_audit_entry(client):
    document = AnnualDocumentFactory(original_name="Årsredovisning 2025.pdf")
    user = representative(document.association, role="activities")
    client.force_login(user)
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2025.pdf" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="associations.document.download")
    assert (entry.actor, entry.object_id) == (user, str(document.pk))


def test_coordinators_download_any_associations_document(client):
    document = AnnualDocumentFactory()
    client.force_login(coordinator())
    assert client.get(download_url(document)).status_code == 200


def test_another_associations_representative_gets_404_for_every_file_id(client):
    mine = AssociationFactory()
    own = AnnualDocumentFactory(association=mine)
    others = AnnualDocumentFactory.create_batch(3)
    client.force_login(representative(mine))
    assert client.get(download_url(own)).status_code == 200
    for document in others:
        assert client.get(download_url(document)).status_code == 404
    for guess in range(own.pk + 1, own.pk + 10):
        assert client.get(reverse("register:document-download", args=[guess])).status_code == 404
    assert AuditEntry.objects.filter(action="associations.document.download").count() == 1


def test_a_former_representative_loses_access_to_the_files(client):
    document = AnnualDocumentFactory()
    user = representative(document.association, role="grants")
    client.force_login(user)
    assert client.get(download_url(document)).status_code == 200
    document.association.memberships.filter(user=user).delete()
    assert client.get(download_url(document)).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.SENIOR, Role.OFFICIAL, Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN, ADMIN, None]
)
def test_other_roles_cannot_download(client, role):
    document = AnnualDocumentFactory()
    client.force_login(UserFactory(role=role))
    assert client.get(download_url(document)).status_code == 403


def test_anonymous_visitors_cannot_download(client):
    response = client.get(download_url(AnnualDocumentFactory()))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_private_files_have_no_public_address(client, settings):
    document = AnnualDocumentFactory()
    assert client.get(settings.MEDIA_URL + document.file.name).status_code == 404


# --- Review -----------------------------------------------------------------------------------------


def test_queue_lists_waiting_documents_oldest_first(client, english):
    first = AnnualDocumentFactory()
    second = AnnualDocumentFactory()
    AnnualDocumentFactory(status=AnnualDocument.Status.APPROVED)
    client.force_login(coordinator())
    response = client.get(reverse("register:review-queue"))
    assert list(response.context["page"]) == [first, second]
    assert "2 documents waiting" in response.content.decode()


def test_empty_queue_says_so(client, english):
    client.force_login(coordinator())
    assert (
        "No documents are waiting for review."
        in client.get(reverse("register:review-queue")).content.decode()
    )


def test_approving_from_the_queue_makes_the_association_eligible(client, on_commit):
    year = timezone.localdate().year
    association = AssociationFactory(base_data_confirmed_at=timezone.now(), email="pro@example.org")
    for kind in AnnualDocument.Kind.values:
        AnnualDocumentFactory(
            association=association,
            kind=kind,
            year=year - 1,
            status="submitted" if kind == "audit_report" else "approved",
        )
    waiting = association.documents.get(status="submitted")
    assert not eligibility(association, year).eligible
    client.force_login(coordinator())
    with on_commit(execute=True):
        response = client.post(
            reverse("register:document-review", args=[waiting.pk]), {"decision": "approve"}
        )
    assert response["Location"] == reverse("register:review-queue")
    assert eligibility(association, year).eligible
    assert mail.outbox[0].to == ["pro@example.org"]


def test_returning_needs_a_comment_which_reaches_the_association(client, on_commit, english):
    document = AnnualDocumentFactory()
    document.association.email = "pro@example.org"
    document.association.save()
    client.force_login(coordinator())
    review_url = reverse("register:document-review", args=[document.pk])
    response = client.post(review_url, {"decision": "return", "comment": ""})
    assert "Say what the association must correct." in response.content.decode()
    with on_commit(execute=True):
        client.post(review_url, {"decision": "return", "comment": "Revisorns underskrift saknas."})
    document.refresh_from_db()
    assert document.status == AnnualDocument.Status.RETURNED
    assert "Revisorns underskrift saknas." in mail.outbox[0].body

    client.force_login(representative(document.association))
    page = client.get(documents_url(document.association)).content.decode()
    assert "Revisorns underskrift saknas." in page


def test_representatives_cannot_review_even_their_own_documents(client):
    document = AnnualDocumentFactory()
    client.force_login(representative(document.association))
    review_url = reverse("register:document-review", args=[document.pk])
    assert client.get(review_url).status_code == 403
    assert client.post(review_url, {"decision": "approve"}).status_code == 403
    document.refresh_from_db()
    assert document.status == AnnualDocument.Status.SUBMITTED
