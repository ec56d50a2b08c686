from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tests.factories import CareRecipientFactory, DeviceFactory, technology
from welfaretech import selectors, services
from welfaretech.models import Device, DeviceHistory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")


def at(day: int) -> datetime:
    """``day`` days after the device was received (entries are replayed in time order)."""
    return datetime.now(TZ) + timedelta(days=day)


def test_state_is_replayed_from_history():
    device = services.create_device(technology=technology(), serial="A-1")
    first, second = CareRecipientFactory(), CareRecipientFactory()
    services.record_device_action(device, "installed", recipient=first, at=at(2))
    services.record_device_action(device, "fault", at=at(3))
    device.refresh_from_db()
    assert (device.status, device.recipient) == (Device.Status.OUT_OF_ORDER, first)
    services.record_device_action(device, "repaired", at=at(4))
    services.record_device_action(device, "moved", recipient=second, at=at(5))
    services.record_device_action(device, "serviced", at=at(6))
    device.refresh_from_db()
    state = services.device_state_from_history(device)
    assert (device.status, device.recipient, device.installed_on) == (
        Device.Status.INSTALLED,
        second,
        at(5).date(),
    )
    assert (state.status, state.recipient_id) == (device.status, device.recipient_id)
    assert device.next_service_on == at(6).date() + timedelta(days=365)
    services.record_device_action(device, "returned", at=at(7))
    services.record_device_action(device, "retired", at=at(8))
    device.refresh_from_db()
    assert (device.status, device.recipient) == (Device.Status.RETIRED, None)
    assert device.history.count() == 8


def test_history_is_append_only_and_a_retired_device_cannot_change():
    device = services.create_device(technology=technology(), serial="A-2")
    services.record_device_action(device, "retired")
    with pytest.raises(ValidationError):
        services.record_device_action(device, "installed", recipient=CareRecipientFactory())
    assert DeviceHistory.objects.filter(device=device).count() == 2


def test_installing_needs_a_recipient():
    with pytest.raises(ValidationError):
        services.record_device_action(
            services.create_device(technology=technology(), serial="A-3"), "installed"
        )


def test_fault_open_and_close_gives_time_to_repair():
    device = services.create_device(technology=technology(), serial="A-4")
    fault = services.open_fault(device=device, description="Larmknappen svarar inte")
    device.refresh_from_db()
    assert device.status == Device.Status.OUT_OF_ORDER
    services.close_fault(fault, note="Bytt batteri", at=fault.reported_at + timedelta(hours=5))
    device.refresh_from_db()
    assert device.status == Device.Status.IN_STOCK
    assert services.time_to_repair(fault) == timedelta(hours=5)
    with pytest.raises(ValidationError):
        services.close_fault(fault)


def test_due_for_service_lists_past_and_next_30_days():
    today = date(2026, 5, 1)
    due = DeviceFactory(next_service_on=today + timedelta(days=30))
    late = DeviceFactory(next_service_on=today - timedelta(days=3))
    DeviceFactory(next_service_on=today + timedelta(days=31))
    DeviceFactory(next_service_on=None)
    assert list(selectors.devices_due_for_service(today)) == [late, due]


def test_csv_import_creates_valid_rows_and_reports_each_invalid_one():
    DeviceFactory(serial="DUP-1")
    data = (
        b"technology;serial;product;next_service_on;battery_change_on\n"
        b"safety_alarm;NEW-1;Neat NOVO;2027-01-01;\n"
        b"unknown;NEW-2;;;\n"
        b"safety_alarm;DUP-1;;;\n"
        b"tablet;NEW-3;;1 jan;\n"
        b"tablet;;;;\n"
        b"tablet;NEW-4;iPad;;2026-12-01\n"
    )
    report = services.import_devices(data)
    assert report.created == 2
    assert [line for line, _ in report.errors] == [3, 4, 5, 6]
    assert Device.objects.get(serial="NEW-1").history.get().action == "received"


def test_csv_import_without_required_columns_is_refused():
    report = services.import_devices(b"serienummer,typ\n1,2\n")
    assert report.created == 0 and report.errors[0][0] == 1
