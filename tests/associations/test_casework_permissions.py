"""Who may open the case officers' pages: coordinators handle, officials decide and read, nobody else."""

import pytest
from django.core.files.base import ContentFile

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from associations.models import ApplicationAttachment, GrantApplication

from ..factories import UserFactory
from .factories import PDF_BYTES, representative
from .factories_casework import application_in

pytestmark = pytest.mark.django_db
Status = GrantApplication.Status
BASE = "/backoffice/handlaggning/"

# (path, the state the application is in, who gets the page)
READ = {Role.COORDINATOR, Role.OFFICIAL}
HANDLE = {Role.COORDINATOR}
PAGES = [
    ("", Status.SUBMITTED, READ),
    ("{pk}/", Status.SUBMITTED, READ),
    ("{pk}/bilagor/{attachment}/", Status.SUBMITTED, READ),
    ("{pk}/komplettering/", Status.SUBMITTED, HANDLE),
    ("{pk}/bedomning/", Status.RESUBMITTED, HANDLE),
    ("{pk}/beslut/", Status.ASSESSED, READ),
    ("{pk}/beslut/brev.pdf", Status.DECIDED, READ),
    ("{pk}/utbetalningar/", Status.DECIDED, HANDLE),
    ("{pk}/avsluta/", Status.REPORT_RECEIVED, HANDLE),
]
OTHER_ROLES = [Role.SENIOR, Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN, ADMIN, None]


def _setup(status):
    application = application_in(status)
    attachment = ApplicationAttachment(
        application=application,
        label="Budget",
        original_name="budget.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    attachment.file.save("budget.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return application, attachment


def _url(path, application, attachment):
    return BASE + path.format(pk=application.pk, attachment=attachment.pk)


@pytest.mark.parametrize(("path", "status", "allowed"), PAGES)
@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OFFICIAL])
def test_officers_get_the_pages_their_role_allows(client, municipality, path, status, allowed, role):
    application, attachment = _setup(status)
    client.force_login(UserFactory(role=role))
    response = client.get(_url(path, application, attachment))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(("path", "status", "allowed"), PAGES)
def test_the_associations_own_representative_is_refused(client, path, status, allowed):
    application, attachment = _setup(status)
    client.force_login(representative(application.association))
    assert client.get(_url(path, application, attachment)).status_code == 403
    assert AuditEntry.objects.filter(action="access.denied").exists()


@pytest.mark.parametrize(("path", "status", "allowed"), PAGES)
@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused(client, path, status, allowed, role):
    application, attachment = _setup(status)
    client.force_login(UserFactory(role=role))
    assert client.get(_url(path, application, attachment)).status_code == 403


@pytest.mark.parametrize(("path", "status", "allowed"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path, status, allowed):
    application, attachment = _setup(status)
    response = client.get(_url(path, application, attachment))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path", ["{pk}/", "{pk}/bilagor/{attachment}/", "{pk}/komplettering/", "{pk}/bedomning/", "{pk}/beslut/"]
)
def test_drafts_are_not_case_officers_business(client, path):
    application, attachment = _setup(Status.DRAFT)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.get(_url(path, application, attachment)).status_code == 404


def test_an_attachment_of_another_application_is_not_found(client):
    application, _attachment = _setup(Status.SUBMITTED)
    _other, foreign = _setup(Status.SUBMITTED)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.get(f"{BASE}{application.pk}/bilagor/{foreign.pk}/").status_code == 404


def test_attachment_download_is_private_and_audited(client):
    application, attachment = _setup(Status.SUBMITTED)
    official = UserFactory(role=Role.OFFICIAL)
    client.force_login(official)
    response = client.get(f"{BASE}{application.pk}/bilagor/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="budget.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="grants.attachment.downloaded", actor=official).exists()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("{pk}/meddelande/", {"body": "Hej"}),
        ("{pk}/komplettering/", {"request_text": "Bifoga budget."}),
        ("{pk}/bedomning/", {"assessment": "Bra.", "proposed_amount": "100"}),
        ("{pk}/utbetalningar/", {"paid_on": "2026-01-01", "amount": "100", "reference": "X"}),
        ("{pk}/avsluta/", {"comment": ""}),
    ],
)
def test_officials_cannot_handle_cases(client, path, data):
    application, attachment = _setup(Status.SUBMITTED)
    client.force_login(UserFactory(role=Role.OFFICIAL))
    assert client.post(_url(path, application, attachment), data).status_code == 403
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert not application.messages.exists()
