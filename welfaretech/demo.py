"""Demo welfare-technology data: three home-care teams, about 200 pseudonymous recipients, devices of
every type, consents, assignments (camera supervision with night schedules) and twelve months of events.

Deterministic (fixed seed, UUIDs derived from it) and idempotent: rows are found by natural keys and the
events are bulk-inserted once, skipped when the first demo event already exists.
"""

import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.demo import demo_user
from portal.models import Locality

from .catalogue import install
from .models import (
    Assignment,
    CareRecipient,
    CareTeam,
    Consent,
    Device,
    DeviceHistory,
    Event,
    EventBenefit,
    Fault,
    TechnologyType,
    TrainingRecord,
)

LOCAL = ZoneInfo("Europe/Stockholm")
SEED = 428
NAMESPACE = uuid.UUID("6f1c1f3e-0428-4a8b-9d0e-5e1f7a2b0428")
NIGHT = ["23:00", "02:00", "05:00"]
START = date(2025, 12, 1)  # twelve months of events up to the end of November 2026
DAYS = 365

# code, birth year, sex, locality slug, housing, team
RECIPIENTS = [
    ("VG-1001", 1938, "K", "vingaker", "own_home", "Hemtjänst Vingåker centrum"),
    ("VG-1002", 1941, "M", "vingaker", "own_home", "Hemtjänst Vingåker centrum"),
    ("VG-1003", 1935, "K", "marmorbyn", "own_home", "Hemtjänst Vingåker centrum"),
    ("VG-2001", 1944, "K", "hogsjo", "own_home", "Hemtjänst landsbygd väst"),
    ("VG-2002", 1939, "M", "lappe", "own_home", "Hemtjänst landsbygd väst"),
]
TEAMS = {
    "Hemtjänst Vingåker centrum": ("vingaker", ["vingaker", "marmorbyn"]),
    "Hemtjänst landsbygd väst": ("hogsjo", ["hogsjo", "lappe", "viala"]),
    "Hemtjänst landsbygd öst": ("baggetorp", ["baggetorp", "osteraker"]),
}
# Share of recipients with each technology.
SHARES = {
    "safety_alarm": 0.8,
    "passive_alarm": 0.15,
    "gps_alarm": 0.06,
    "medication_dispenser": 0.15,
    "digital_supervision": 0.12,
    "digital_lock": 0.5,
    "video_platform": 0.1,
    "tablet": 0.05,
}


def _recipients(rng: random.Random) -> list[CareRecipient]:
    rows = list(RECIPIENTS)
    teams = list(TEAMS)
    for number in range(195):
        team = teams[number % 3]
        rows.append(
            (
                f"VG-{3001 + number}",
                rng.randint(1925, 1958),
                rng.choice("KKKM"),
                rng.choice(TEAMS[team][1]),
                "residential" if rng.random() < 0.15 else "own_home",
                team,
            )
        )
    localities = {locality.slug: locality for locality in Locality.objects.all()}
    team_objects = {team.name: team for team in CareTeam.objects.all()}
    existing = set(CareRecipient.objects.values_list("code", flat=True))
    CareRecipient.objects.bulk_create(
        CareRecipient(
            code=code,
            birth_year=year,
            sex=sex,
            locality=localities[slug],
            housing=housing,
            team=team_objects[team],
            last_active_on=START + timedelta(days=DAYS),
        )
        for code, year, sex, slug, housing, team in rows
        if code not in existing
    )
    return list(CareRecipient.objects.filter(code__in=[row[0] for row in rows]).order_by("code"))


def _technology_plan(rng: random.Random, recipients: list[CareRecipient]) -> dict[str, list[CareRecipient]]:
    return {code: [r for r in recipients if rng.random() < share] for code, share in SHARES.items()}


def _devices_and_assignments(plan, technologies, admin) -> None:
    if Device.objects.filter(serial__startswith="DEMO-").exists():
        return
    start = datetime.combine(START, time(9), tzinfo=LOCAL)
    for code, recipients in plan.items():
        technology = technologies[code]
        for number, recipient in enumerate(recipients):
            device = Device.objects.create(
                technology=technology,
                serial=f"DEMO-{code.upper()}-{number:04d}",
                product=technology.product,
                status=Device.Status.INSTALLED,
                recipient=recipient,
                installed_on=START,
                next_service_on=START + timedelta(days=330 + number % 60),
            )
            DeviceHistory.objects.bulk_create(
                [
                    DeviceHistory(
                        device=device, action="received", at=start - timedelta(days=14), recorded_by=admin
                    ),
                    DeviceHistory(
                        device=device, action="installed", at=start, recipient=recipient, recorded_by=admin
                    ),
                ]
            )
            if technology.consent_required:
                Consent.objects.create(
                    recipient=recipient,
                    technology=technology,
                    given=True,
                    date=START - timedelta(days=10),
                    method=Consent.Method.WRITTEN,
                    recorded_by=admin,
                )
            Assignment.objects.create(
                recipient=recipient,
                technology=technology,
                device=device,
                decision_date=START - timedelta(days=20),
                starts_on=START,
                night_schedule=NIGHT if code == "digital_supervision" else [],
            )
        for number in range(3):  # spare devices in stock
            spare = Device.objects.create(technology=technology, serial=f"DEMO-{code.upper()}-S{number}")
            DeviceHistory.objects.create(device=spare, action="received", at=start, recorded_by=admin)


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour % 24, minute), tzinfo=LOCAL) + timedelta(days=hour // 24)


def _events(rng: random.Random, plan, staff) -> list[Event]:
    counter = iter(range(10**9))
    events: list[Event] = []

    def add(recipient, kind, when, **fields) -> None:
        events.append(
            Event(
                client_uuid=uuid.uuid5(NAMESPACE, str(next(counter))),
                recipient=recipient,
                team_id=recipient.team_id,
                kind=kind,
                occurred_at=when,
                recorded_by=staff,
                **fields,
            )
        )

    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        for recipient in plan["digital_supervision"]:
            for hour in (23, 26, 29):  # 23:00, 02:00 and 05:00 the next morning
                roll = rng.random()
                when = _at(day, hour, rng.randint(0, 10))
                if roll < 0.94:
                    add(recipient, "camera_check_ok", when, replaces_visit=True)
                elif roll < 0.985:
                    add(recipient, "camera_check_not_seen", when)
                    add(
                        recipient,
                        "camera_check_retried_ok",
                        when + timedelta(minutes=10),
                        replaces_visit=True,
                    )
                else:
                    add(recipient, "camera_check_not_seen", when)
                    add(recipient, "camera_check_visit", when + timedelta(minutes=35), action="Besök gjort")
        for recipient in plan["medication_dispenser"]:
            for hour in (8, 20):
                kind = "dose_missed" if rng.random() < 0.03 else "dose_taken"
                add(recipient, kind, _at(day, hour, 0), action="Ringt upp" if kind == "dose_missed" else "")
        for recipient in plan["safety_alarm"]:
            if rng.random() < 0.12:
                when = _at(day, rng.randint(0, 23), rng.randint(0, 59))
                cause = rng.choice(["fall", "unwell", "anxiety", "accidental", "accidental", "other"])
                if cause in ("accidental", "anxiety") and rng.random() < 0.7:
                    add(recipient, "alarm", when, resolved_remotely=True, cause=cause)
                else:
                    minutes = rng.lognormvariate(3.0, 0.45)  # median ~20 minutes, long rural tail
                    add(recipient, "alarm", when, arrived_at=when + timedelta(minutes=minutes), cause=cause)
        for recipient in plan["digital_lock"]:
            if rng.random() < 0.6:
                add(recipient, "lock_opened", _at(day, rng.choice([7, 12, 17, 21]), rng.randint(0, 59)))
        for recipient in plan["video_platform"]:
            if rng.random() < 0.5:
                add(recipient, "digital_visit", _at(day, 10, rng.randint(0, 59)), replaces_visit=True)
            elif rng.random() < 0.05:
                add(recipient, "connection_failed", _at(day, 10, rng.randint(0, 59)))
        for recipient in plan["passive_alarm"] + plan["gps_alarm"]:
            if rng.random() < 0.02:
                kind = "passive_alarm_false" if recipient in plan["passive_alarm"] else "gps_geofence_exit"
                add(recipient, kind, _at(day, rng.randint(0, 23), rng.randint(0, 59)))
    return events


def _faults(rng: random.Random) -> None:
    if Fault.objects.filter(device__serial__startswith="DEMO-").exists():
        return
    devices = list(Device.objects.filter(serial__startswith="DEMO-", status=Device.Status.INSTALLED))
    faults, history = [], []
    for device in rng.sample(devices, min(len(devices), 40)):
        reported = _at(START + timedelta(days=rng.randint(0, DAYS - 10)), rng.randint(7, 20), 0)
        repaired = reported + timedelta(hours=rng.uniform(2, 72))
        faults.append(
            Fault(
                device=device,
                description="Batteri eller uppkoppling",
                reported_at=reported,
                repaired_at=repaired,
            )
        )
        history += [
            DeviceHistory(device=device, action="fault", at=reported, recipient=device.recipient),
            DeviceHistory(device=device, action="repaired", at=repaired, recipient=device.recipient),
        ]
    Fault.objects.bulk_create(faults)
    DeviceHistory.objects.bulk_create(history)


def seed() -> list[str]:
    install(TechnologyType, EventBenefit)
    for name, (home, _localities) in TEAMS.items():
        CareTeam.objects.get_or_create(name=name, defaults={"locality": Locality.objects.get(slug=home)})
    staff = demo_user("hemtjanst@example.org")
    admin = demo_user("valfardsteknik@example.org")
    CareTeam.objects.get(name="Hemtjänst Vingåker centrum").members.add(staff)
    rng = random.Random(SEED)
    recipients = _recipients(rng)
    plan = _technology_plan(rng, recipients)
    technologies = {t.code: t for t in TechnologyType.objects.all()}
    _devices_and_assignments(plan, technologies, admin)
    if not Event.objects.filter(client_uuid=uuid.uuid5(NAMESPACE, "0")).exists():
        Event.objects.bulk_create(_events(rng, plan, staff), batch_size=2000, ignore_conflicts=True)
    _faults(rng)
    TrainingRecord.objects.get_or_create(
        user=staff,
        course="Digital tillsyn – nattkamera",
        defaults={
            "technology": technologies["digital_supervision"],
            "completed_on": date(2025, 1, 15),
            "valid_until": date(2027, 1, 15),
        },
    )
    TrainingRecord.objects.get_or_create(
        user=admin,
        course="Läkemedelsautomat – grundkurs",
        defaults={"completed_on": date(2024, 12, 1), "valid_until": date(2026, 12, 1)},
    )
    return [
        "Home-care teams: Hemtjänst Vingåker centrum (hemtjanst@example.org), Hemtjänst landsbygd väst, "
        "Hemtjänst landsbygd öst",
        f"Welfare technology: {len(recipients)} care recipients, {Device.objects.count()} devices, "
        f"{Event.objects.count()} events (valfardsteknik@example.org)",
    ]
