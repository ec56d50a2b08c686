import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from tests.factories import CareRecipientFactory, DeviceFactory, EventFactory, UserFactory, technology
from welfaretech import services
from welfaretech.models import Assignment, Consent, Fault

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LISTS = [
    "technologies",
    "devices",
    "devices-due",
    "recipients",
    "faults",
    "training",
    "benefits",
    "device-import",
]


@pytest.fixture
def admin_client(client):
    user = UserFactory(role=Role.WELFARETECH_ADMIN)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize("role", [None, *[r for r in Role.values if r != Role.WELFARETECH_ADMIN], ADMIN])
@pytest.mark.parametrize("name", LISTS)
def test_only_the_welfare_tech_administrator_gets_in(client, role, name):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse(f"welfaretech_backoffice:{name}")).status_code == 403


@pytest.mark.parametrize("name", LISTS)
def test_every_page_renders_for_the_administrator(admin_client, name):
    assert admin_client.get(reverse(f"welfaretech_backoffice:{name}")).status_code == 200


def test_officials_cannot_open_a_recipient(client):
    client.force_login(UserFactory(role=Role.OFFICIAL))
    recipient = CareRecipientFactory()
    assert client.get(reverse("welfaretech_backoffice:recipient", args=[recipient.pk])).status_code == 403


def test_every_recipient_page_view_is_audited(admin_client):
    recipient = CareRecipientFactory()
    response = admin_client.get(reverse("welfaretech_backoffice:recipient", args=[recipient.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="welfaretech.recipient.read")
    assert (entry.actor, entry.object_id) == (admin_client.user, str(recipient.pk))


def test_camera_without_consent_is_refused_with_a_form_error_then_accepted(admin_client):
    recipient = CareRecipientFactory()
    camera = technology("digital_supervision")
    url = reverse("welfaretech_backoffice:assignment-create", args=[recipient.pk])
    data = {
        "technology": camera.pk,
        "decision_date": "2026-03-01",
        "starts_on": "2026-03-02",
        "night_schedule": "23:00, 02:00, 05:00",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "requires the recipient" in response.content.decode()
    assert not Assignment.objects.exists()

    consent_url = reverse("welfaretech_backoffice:consent-create", args=[recipient.pk])
    response = admin_client.post(
        consent_url, {"technology": camera.pk, "given": "1", "date": "2026-02-28", "method": "verbal"}
    )
    assert response.status_code == 200 and not Consent.objects.exists()
    admin_client.post(
        consent_url,
        {"technology": camera.pk, "given": "1", "date": "2026-02-28", "method": "verbal", "witness": "Anna"},
    )
    assert admin_client.post(url, data).status_code == 302
    assert Assignment.objects.get().night_schedule == ["23:00", "02:00", "05:00"]


def test_device_action_and_fault_close_through_the_pages(admin_client):
    device = services.create_device(technology=technology(), serial="X-1")
    recipient = CareRecipientFactory()
    url = reverse("welfaretech_backoffice:device", args=[device.pk])
    assert admin_client.post(url, {"action": "installed", "recipient": recipient.code}).status_code == 302
    admin_client.post(reverse("welfaretech_backoffice:faults"), {"device": "X-1", "description": "Trasig"})
    fault = Fault.objects.get()
    admin_client.post(reverse("welfaretech_backoffice:fault-close", args=[fault.pk]), {"note": "Lagad"})
    fault.refresh_from_db()
    assert fault.repaired_at is not None


def test_csv_import_page_reports_per_row(admin_client):
    upload = SimpleUploadedFile("d.csv", b"technology,serial\nsafety_alarm,C-1\nnope,C-2\n", "text/csv")
    response = admin_client.post(reverse("welfaretech_backoffice:device-import"), {"file": upload})
    content = response.content.decode()
    assert "1 device created" in content and "nope" in content


@pytest.mark.parametrize("name", ["devices", "devices-due", "recipients", "faults", "training", "benefits"])
def test_list_query_counts_do_not_grow_with_data(admin_client, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"welfaretech_backoffice:{name}")

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(url).status_code == 200
        return len(context.captured_queries)

    def add(n: int) -> None:
        for _ in range(n):
            recipient = CareRecipientFactory()
            device = DeviceFactory(technology=technology(), next_service_on="2000-01-01", recipient=recipient)
            services.open_fault(device=device, description="fel")
            EventFactory(recipient=recipient, kind="dose_taken")
            services.record_training(
                user=UserFactory(), course="Kamera", completed_on="2020-01-01", valid_until="2021-01-01"
            )

    add(2)
    few = count()
    add(30)
    assert count() == few
