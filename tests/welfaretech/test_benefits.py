from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.factories import CareRecipientFactory, EventFactory, technology
from welfaretech import benefits, services

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Europe/Stockholm")
WHEN = datetime(2026, 3, 10, 2, tzinfo=TZ)


def test_benefits_per_technology_and_split():
    technology("digital_supervision")
    woman = CareRecipientFactory(sex="K")
    man = CareRecipientFactory(sex="M")
    for _ in range(4):
        EventFactory(recipient=woman, kind="camera_check_ok", occurred_at=WHEN)
    EventFactory(recipient=man, kind="camera_check_ok", occurred_at=WHEN, superseded=True)
    EventFactory(recipient=man, kind="dose_taken", occurred_at=WHEN)
    EventFactory(recipient=man, kind="dose_taken", occurred_at=WHEN)
    EventFactory(recipient=man, kind="dose_taken", occurred_at=WHEN)
    EventFactory(recipient=man, kind="dose_missed", occurred_at=WHEN)
    EventFactory(recipient=man, kind="camera_check_ok", occurred_at=WHEN - timedelta(days=90))

    result = benefits.compute(date(2026, 3, 1), date(2026, 3, 31))

    camera = next(row for row in result.technologies if row.label == "Digital tillsyn (kamera)")
    assert (camera.events, camera.visits_avoided, camera.km) == (4, 4, 48)
    assert camera.staff_hours == Decimal("1.7")
    assert result.total.missed_per_1000 == 250
    by_sex = {row.label: row.events for row in result.splits["sex"]}
    assert by_sex == {"K": 4, "M": 4}


def test_alarm_response_median_and_p90():
    for minutes in [5, 10, 15, 20, 100]:
        EventFactory(kind="alarm", occurred_at=WHEN, arrived_at=WHEN + timedelta(minutes=minutes))
    EventFactory(kind="alarm", occurred_at=WHEN, resolved_remotely=True)
    result = benefits.compute(date(2026, 3, 1), date(2026, 3, 31))
    assert result.alarm_count == 5
    assert result.alarm_median_minutes == 15
    assert result.alarm_p90_minutes == 68  # 20 + 0.6 × 80, as percentile_cont interpolates


def test_faults_per_100_devices_and_mean_time_to_repair():
    devices = [services.create_device(technology=technology(), serial=f"F-{n}") for n in range(4)]
    fault = services.open_fault(device=devices[0], description="Trasig")
    fault.reported_at = WHEN
    fault.save()
    services.close_fault(fault, at=WHEN + timedelta(hours=6))
    result = benefits.compute(date(2026, 3, 1), date(2026, 3, 31))
    assert (result.faults_per_100_devices, result.mean_repair_hours) == (25.0, 6.0)


def test_the_query_count_does_not_grow_with_events(django_assert_max_num_queries):
    for _ in range(30):
        EventFactory(kind="dose_taken", occurred_at=WHEN)
    with django_assert_max_num_queries(12):
        benefits.compute(date(2026, 3, 1), date(2026, 3, 31))
