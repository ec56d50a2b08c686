import pytest

from welfaretech.models import EventBenefit, TechnologyType

pytestmark = pytest.mark.django_db


def test_the_migration_creates_the_eight_technologies_of_the_reference():
    assert set(TechnologyType.objects.values_list("code", flat=True)) == set(TechnologyType.Code.values)


def test_consent_is_required_for_cameras_and_gps_only():
    required = set(TechnologyType.objects.filter(consent_required=True).values_list("code", flat=True))
    assert required == {"digital_supervision", "gps_alarm"}


def test_a_night_camera_check_replaces_a_night_visit():
    benefit = EventBenefit.objects.get(technology__code="digital_supervision", kind="camera_check_ok")
    assert (benefit.staff_minutes_saved, benefit.travel_km_avoided) == (25, 12)
