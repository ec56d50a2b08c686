from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.factories import CareRecipientFactory, DeviceFactory, technology
from welfaretech import selectors, services
from welfaretech.models import Consent, Device

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 1)


def assign(recipient, tech, **kwargs):
    return services.assign_technology(
        recipient=recipient, technology=tech, decision_date=DAY, starts_on=DAY, **kwargs
    )


def consent(recipient, tech, given=True, on=DAY, **kwargs):
    kwargs.setdefault("method", Consent.Method.WRITTEN)
    return services.record_consent(recipient=recipient, technology=tech, given=given, on=on, **kwargs)


def test_a_camera_without_consent_is_refused():
    with pytest.raises(ValidationError) as error:
        assign(CareRecipientFactory(), technology("digital_supervision"), night_schedule=["23:00"])
    assert error.value.code == "consent_missing"


def test_a_camera_with_consent_in_force_is_assigned_with_its_night_schedule():
    recipient, camera = CareRecipientFactory(), technology("digital_supervision")
    consent(recipient, camera)
    assignment = assign(recipient, camera, night_schedule=["23:00", "02:00", "05:00"])
    assert assignment.night_schedule == ["23:00", "02:00", "05:00"]


def test_the_latest_consent_row_is_the_one_in_force():
    recipient, gps = CareRecipientFactory(), technology("gps_alarm")
    consent(recipient, gps, given=True, on=date(2026, 1, 1))
    consent(recipient, gps, given=False, on=date(2026, 2, 1))
    with pytest.raises(ValidationError):
        assign(recipient, gps)


def test_technology_without_consent_requirement_needs_no_consent():
    assert assign(CareRecipientFactory(), technology("safety_alarm")).pk


def test_verbal_consent_needs_a_witness():
    with pytest.raises(ValidationError):
        consent(CareRecipientFactory(), technology("gps_alarm"), method=Consent.Method.VERBAL)
    assert consent(
        CareRecipientFactory(), technology("gps_alarm"), method="verbal", witness="Undersköterska A"
    ).pk


def test_withdrawal_ends_the_assignment_and_schedules_device_retrieval():
    recipient, camera = CareRecipientFactory(), technology("digital_supervision")
    device = DeviceFactory(technology=camera)
    services.record_device_action(device, "received")
    consent(recipient, camera)
    assignment = assign(recipient, camera, device=device, night_schedule=["23:00"])
    device.refresh_from_db()
    assert device.status == Device.Status.INSTALLED

    consent(recipient, camera, given=False, on=date(2026, 4, 1))

    assignment.refresh_from_db()
    assert assignment.ends_on == date(2026, 4, 1)
    assert list(selectors.devices_to_retrieve()) == [device]
    services.record_device_action(device, "returned")
    assert not selectors.devices_to_retrieve().exists()


def test_a_device_of_another_technology_is_refused():
    with pytest.raises(ValidationError):
        assign(
            CareRecipientFactory(),
            technology("safety_alarm"),
            device=DeviceFactory(technology=technology("tablet")),
        )
