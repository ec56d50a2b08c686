"""WT-* against hand-computed values on small data, with splits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from accounts.roles import Role
from followup.indicators import evaluate
from welfaretech.models import Event, Fault, TrainingRecord

from ..factories import (
    AssignmentFactory,
    CareRecipientFactory,
    CareTeamFactory,
    DeviceFactory,
    EventFactory,
    UserFactory,
    technology,
)
from .factories import at, central, population, village

pytestmark = pytest.mark.django_db
YEAR = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}


def values(rows) -> dict:
    return {row.key: row.value.value for row in rows}


def suppressed(rows) -> set[str]:
    return {row.key for row in rows if row.value.suppressed}


@pytest.fixture
def places():
    return {"vingaker": central(), "lappe": village("lappe", "Läppe")}


@pytest.fixture
def people(places):
    team = CareTeamFactory(locality=places["vingaker"])
    return {
        # 85 in 2025, woman, central
        "anna": CareRecipientFactory(birth_year=1940, sex="K", locality=places["vingaker"], team=team),
        # 90 in 2025, man, countryside
        "bo": CareRecipientFactory(birth_year=1935, sex="M", locality=places["lappe"], team=team),
    }


def log(recipient, kind: str, when, n: int = 1, **fields) -> None:
    Event.objects.bulk_create(
        [
            EventFactory.build(
                recipient=recipient, team=recipient.team, kind=kind, occurred_at=when, **fields
            )
            for _ in range(n)
        ]
    )


@pytest.fixture
def night_checks(people):
    technology("digital_supervision")  # the catalogue's benefit values: 25 min/12 km, retried 20 min/12 km
    anna, bo = people["anna"], people["bo"]
    log(anna, "camera_check_ok", at(2025, 2, 1, 23), 4)
    log(anna, "camera_check_not_seen", at(2025, 2, 2, 2), 2)
    log(anna, "camera_check_retried_ok", at(2025, 2, 2, 2, 10))
    log(anna, "camera_check_visit", at(2025, 2, 3, 2, 30))
    log(anna, "camera_check_ok", at(2025, 2, 4, 23), superseded=True)  # corrected later: left out
    log(bo, "camera_check_ok", at(2025, 5, 1, 23), 3)
    log(bo, "camera_check_not_seen", at(2025, 5, 2, 2))
    log(bo, "camera_check_retried_ok", at(2025, 5, 2, 2, 10))
    return people


def test_wt02_night_checks(night_checks):
    result = evaluate("WT-02", **YEAR, split="locality")
    assert result.total.value == 10  # first attempts: 4 + 2 + 3 + 1
    assert values(result.rows)["vingaker"] == 6
    assert suppressed(result.rows) == {"lappe"}
    assert values(result.periods)["2025-Q1"] == 6
    by_sex = evaluate("WT-02", **YEAR, split="sex")
    assert values(by_sex.rows)["K"] == 6 and suppressed(by_sex.rows) == {"M"}
    by_age = evaluate("WT-02", **YEAR, split="age_band")
    assert values(by_age.rows)["85_plus"] == 10
    assert suppressed(by_age.rows) == {"65_74", "75_84"}
    assert evaluate("WT-02", **YEAR, sex="K").total.value == 6
    area = evaluate("WT-02", **YEAR, split="area")
    assert values(area.rows)["central"] == 6


def test_wt03_share_done_digitally(night_checks):
    result = evaluate("WT-03", **YEAR, split="locality")
    assert result.total.value == Decimal("90.0")  # 9 of 10
    assert values(result.rows)["vingaker"] == Decimal("83.3")  # 5 of 6
    assert suppressed(result.rows) == {"lappe"}


def test_wt04_hours_and_km_saved(night_checks):
    hours = evaluate("WT-04", **YEAR, split="sex")
    assert hours.total.value == Decimal("3.6")  # 7 × 25 + 2 × 20 = 215 minutes
    assert values(hours.rows)["K"] == Decimal("2.0")  # 4 × 25 + 20 = 120 minutes, 5 events
    assert suppressed(hours.rows) == {"M"}  # 4 events behind it
    km = evaluate("WT-04-KM", **YEAR)
    assert km.total.value == Decimal("108")  # 9 × 12


def test_wt05_alarm_response_median_and_p90(people):
    anna, bo = people["anna"], people["bo"]
    for minutes in (10, 20, 30, 40, 50, 60):
        start = at(2025, 3, 1, 12)
        log(anna, "alarm", start, arrived_at=start + timedelta(minutes=minutes))
        start = start + timedelta(days=1)
    for minutes in (5, 15):
        start = at(2025, 3, 9, 12)
        log(bo, "alarm", start, arrived_at=start + timedelta(minutes=minutes))
    log(bo, "alarm", at(2025, 3, 10, 12), resolved_remotely=True)  # no arrival: not timed

    median = evaluate("WT-05", **YEAR, split="sex")
    assert median.total.value == Decimal("25.0")  # 5,10,15,20 | 30,40,50,60
    assert values(median.rows)["K"] == Decimal("35.0")
    assert suppressed(median.rows) == {"M"}
    p90 = evaluate("WT-05-P90", **YEAR, split="locality")
    assert p90.total.value == Decimal("53.0")  # 50 + 0.3 × (60 − 50)
    assert values(p90.rows)["vingaker"] == Decimal("55.0")


def test_wt06_missed_doses_per_1000(people):
    log(people["anna"], "dose_taken", at(2025, 4, 1, 8), 95)
    log(people["anna"], "dose_missed", at(2025, 4, 2, 8), 5)
    log(people["bo"], "dose_taken", at(2025, 4, 1, 8), 10)
    result = evaluate("WT-06", **YEAR, split="locality")
    assert result.total.value == Decimal("45.5")  # 5 / 110 × 1000
    assert values(result.rows)["vingaker"] == Decimal("50.0")
    assert suppressed(result.rows) == {"lappe"}  # 0 missed


@pytest.fixture
def assignments(places):
    safety, gps, lock = technology("safety_alarm"), technology("gps_alarm"), technology("digital_lock")
    team = CareTeamFactory(locality=places["vingaker"])
    for index in range(6):  # 4 women and 2 men in Vingåker, all with a safety alarm since 2024
        recipient = CareRecipientFactory(
            birth_year=1940, sex="K" if index < 4 else "M", locality=places["vingaker"], team=team
        )
        AssignmentFactory(recipient=recipient, technology=safety, starts_on=date(2024, 6, 1))
    for _ in range(5):  # 5 women 95 years old in Läppe with a GPS alarm from March
        recipient = CareRecipientFactory(birth_year=1930, sex="K", locality=places["lappe"], team=team)
        AssignmentFactory(
            recipient=recipient, technology=gps, starts_on=date(2025, 3, 1), ends_on=date(2025, 12, 31)
        )
    # Not counted for WT-09: residential care, and too young. Both count for WT-01 (technology holders).
    residential = CareRecipientFactory(
        birth_year=1930, locality=places["lappe"], team=team, housing="residential"
    )
    AssignmentFactory(recipient=residential, technology=gps, starts_on=date(2025, 1, 1))
    young = CareRecipientFactory(birth_year=1950, locality=places["lappe"], team=team)
    AssignmentFactory(recipient=young, technology=gps, starts_on=date(2025, 1, 1))
    # Ended before 2025: not counted anywhere.
    ended = CareRecipientFactory(birth_year=1930, locality=places["lappe"], team=team)
    AssignmentFactory(
        recipient=ended, technology=lock, starts_on=date(2023, 1, 1), ends_on=date(2024, 12, 31)
    )
    population(2025, places["vingaker"], K_80_84=30, K_85_plus=50, M_85_plus=20)
    population(2025, places["lappe"], K_80_84=50, M_85_plus=50)
    return places


def test_wt01_recipients_per_1000_inhabitants_80_plus(assignments):
    result = evaluate("WT-01", **YEAR, split="locality")
    assert result.total.value == Decimal("65.0")  # 13 recipients / 200 × 1000
    assert values(result.rows) == {"vingaker": Decimal("60.0"), "lappe": Decimal("70.0")}  # 6/100, 7/100
    by_tech = evaluate("WT-01", **YEAR, split="technology")
    assert values(by_tech.rows)["safety_alarm"] == Decimal("30.0")
    assert values(by_tech.rows)["gps_alarm"] == Decimal("35.0")
    assert by_tech.rows and "digital_lock" in suppressed(by_tech.rows)
    by_sex = evaluate("WT-01", **YEAR, split="sex")
    assert values(by_sex.rows)["K"] == Decimal("84.6")  # 11 / 130
    assert suppressed(by_sex.rows) == {"M"}  # 2 men
    q1 = evaluate("WT-01", date_from=date(2025, 1, 1), date_to=date(2025, 2, 28), granularity="month")
    assert values(q1.periods) == {
        "2025-01": Decimal("40.0"),
        "2025-02": Decimal("40.0"),
    }  # 6 + 2 before March


def test_wt09_gps_alarm_share_of_80_plus_at_home(assignments):
    result = evaluate("WT-09", **YEAR, split="locality")
    assert result.total.value == Decimal("2.5")  # 5 / 200 × 100
    assert values(result.rows)["lappe"] == Decimal("5.0")
    assert suppressed(result.rows) == {"vingaker"}
    by_month = evaluate("WT-09", date_from=date(2025, 1, 1), date_to=date(2025, 3, 31), granularity="month")
    assert by_month.periods[0].value.suppressed  # January: none yet
    assert values(by_month.periods)["2025-03"] == Decimal("2.5")


def test_wt07_faults_per_100_devices_and_repair_time(places):
    safety = technology("safety_alarm")
    devices = [DeviceFactory(technology=safety) for _ in range(10)]
    DeviceFactory(technology=safety, status="retired")
    for index, hours in enumerate((2, 4, 6, 8, 10)):
        reported = at(2025, 2, index + 1, 9)
        Fault.objects.create(
            device=devices[index],
            description="Larmknappen svarar inte",
            reported_at=reported,
            repaired_at=reported + timedelta(hours=hours),
        )
    Fault.objects.create(device=devices[5], description="Ej lagat", reported_at=at(2025, 2, 9))
    rate = evaluate("WT-07", **YEAR, split="technology")
    assert rate.total.value == Decimal("60.0")  # 6 faults / 10 devices in use
    assert values(rate.rows)["safety_alarm"] == Decimal("60.0")
    mttr = evaluate("WT-07-MTTR", **YEAR)
    assert mttr.total.value == Decimal("6.0")


def test_wt08_staff_with_valid_training():
    staff = [UserFactory(role=Role.HOMECARE_STAFF) for _ in range(6)]
    for user in staff[:5]:
        TrainingRecord.objects.create(
            user=user, course="Nattkamera", completed_on=date(2025, 1, 10), valid_until=date(2026, 1, 10)
        )
    TrainingRecord.objects.create(
        user=staff[5], course="Nattkamera", completed_on=date(2023, 1, 10), valid_until=date(2024, 1, 10)
    )
    admin = UserFactory(role=Role.WELFARETECH_ADMIN)  # not home-care staff: not counted
    TrainingRecord.objects.create(
        user=admin, course="Nattkamera", completed_on=date(2025, 1, 10), valid_until=date(2026, 1, 10)
    )
    result = evaluate("WT-08", **YEAR)
    assert result.total.value == Decimal("83.3")  # 5 of 6
    # Before anyone was trained (end of 2024's first quarter of 2025 view): 0 of 6 → suppressed.
    early = evaluate("WT-08", date_from=date(2024, 10, 1), date_to=date(2025, 3, 31), granularity="quarter")
    assert early.periods[0].value.suppressed
    assert early.periods[1].value.value == Decimal("83.3")
