"""Bulk benchmark data for welfare technology (``manage.py seed_bulk``).

Scale 1: home-care teams in every locality (three in the central town), 150 home-care staff users (most
with a valid training record), 2,000 pseudonymous care recipients (mostly 80+, more women, spread like the
population), technologies assigned in the catalogue's typical shares (safety alarm 80 %, digital lock 40 %,
medication dispenser 12 %, camera supervision and passive sensor 10 %, video 6 %, GPS 4 %, tablet 3 %) with
a device each, consent where the catalogue requires it, and about 500,000 events in the year:

* camera supervision: every night at the recipient's three scheduled times; mostly seen and well,
  sometimes not seen → retried or a physical visit;
* medication dispenser: two doses a day, about 3 % missed;
* safety alarm: about one alarm in eight days per recipient; response times log-normal (median about
  18 minutes in the central town, 28 in the countryside); worry and mistakes often resolved remotely;
* digital lock, video visits, passive and GPS alarms and tablets at plausible daily rates;
* device faults (about 8 per 100 devices a year), most repaired within a day or two.

Rows are marked: team names ``Bulk …``, recipient codes and device serials ``BULK-…``, staff e-mails
``bulk-staff-…``; events, assignments, consents, history and faults go with them on ``delete()``.
"""

import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import Role

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
    EventKind,
    Fault,
    TechnologyType,
    TrainingRecord,
)

ORDER = 30  # seed_bulk runs the apps' bulkseed modules in this order
LOCAL = ZoneInfo("Europe/Stockholm")
TEAM_PREFIX = "Bulk "
CODE_PREFIX = "BULK-"
STAFF_PREFIX = "bulk-staff-"
STAFF_DOMAIN = "bulk.example.org"
UNUSABLE_PASSWORD = "!bulk-seed"  # noqa: S105  starts with "!": nobody can sign in as a bulk staff user
# Recipients per locality (like the population 65+) and teams in each at scale 1.
RECIPIENT_WEIGHTS = {
    "vingaker": 57,
    "baggetorp": 10,
    "marmorbyn": 8,
    "osteraker": 7,
    "hogsjo": 7,
    "viala": 6,
    "lappe": 5,
}
TEAMS_AT_SCALE_1 = {"vingaker": 3}  # one team in each village
SHARES = {
    "safety_alarm": 0.8,
    "passive_alarm": 0.1,
    "gps_alarm": 0.04,
    "medication_dispenser": 0.12,
    "digital_supervision": 0.1,
    "digital_lock": 0.4,
    "video_platform": 0.06,
    "tablet": 0.03,
}
NIGHT_SCHEDULES = [["22:30", "01:30", "04:30"], ["23:00", "02:00", "05:00"], ["23:30", "02:30", "05:30"]]
CAUSES = [
    (Event.Cause.FALL, 20),
    (Event.Cause.UNWELL, 20),
    (Event.Cause.ANXIETY, 20),
    (Event.Cause.ACCIDENTAL, 30),
    (Event.Cause.TECHNICAL, 3),
    (Event.Cause.OTHER, 7),
]
EVENT_FIELDS = (
    "client_uuid",
    "recipient_id",
    "team_id",
    "kind",
    "occurred_at",
    "received_at",
    "recorded_by_id",
    "arrived_at",
    "resolved_remotely",
    "cause",
    "replaces_visit",
    "action",
    "note",
    "device_id",
    "is_urgent",
    "corrects_id",
    "superseded",
)


def exists() -> bool:
    return CareRecipient.objects.filter(code__startswith=CODE_PREFIX).exists()


def _raw_delete(label: str, queryset) -> tuple[str, int, float]:
    started = time.perf_counter()
    rows = queryset._raw_delete(queryset.db)  # one DELETE … WHERE, no per-row collection
    return label, rows, time.perf_counter() - started


def delete() -> list[tuple[str, int, float]]:
    User = get_user_model()
    recipients = CareRecipient.objects.filter(code__startswith=CODE_PREFIX)
    devices = Device.objects.filter(serial__startswith=CODE_PREFIX)
    teams = CareTeam.objects.filter(name__startswith=TEAM_PREFIX)
    staff = User.objects.filter(email__startswith=STAFF_PREFIX, email__endswith=f"@{STAFF_DOMAIN}")
    return [
        _raw_delete("welfaretech_fault", Fault.objects.filter(device__in=devices)),
        _raw_delete("welfaretech_event", Event.objects.filter(recipient__in=recipients)),
        _raw_delete("welfaretech_devicehistory", DeviceHistory.objects.filter(device__in=devices)),
        _raw_delete("welfaretech_assignment", Assignment.objects.filter(recipient__in=recipients)),
        _raw_delete("welfaretech_consent", Consent.objects.filter(recipient__in=recipients)),
        _raw_delete("welfaretech_device", devices),
        _raw_delete("welfaretech_trainingrecord", TrainingRecord.objects.filter(user__in=staff)),
        _raw_delete(
            "welfaretech_careteam_members", CareTeam.members.through.objects.filter(careteam__in=teams)
        ),
        _raw_delete("welfaretech_carerecipient", recipients),
        _raw_delete("welfaretech_careteam", teams),
        _raw_delete("accounts_user_groups", User.groups.through.objects.filter(user__in=staff)),
        _raw_delete("accounts_user", staff),
    ]


def _at(day: date, hh_mm: str | clock) -> datetime:
    moment = clock.fromisoformat(hh_mm) if isinstance(hh_mm, str) else hh_mm
    return datetime.combine(day, moment, tzinfo=LOCAL)


def seed(ctx) -> None:
    rng = ctx.rng("welfaretech")
    year = ctx.year
    first_day, last_day = date(year, 1, 1), date(year, 12, 31)
    localities = ctx.localities
    install(TechnologyType, EventBenefit)
    technologies = {technology.code: technology for technology in TechnologyType.objects.all()}

    # Teams and their staff.
    teams, team_home = [], {}
    for slug, locality in localities.items():
        for number in range(ctx.n(TEAMS_AT_SCALE_1.get(slug, 1))):
            team = CareTeam(name=f"{TEAM_PREFIX}hemtjänst {locality.name} {number + 1}", locality=locality)
            teams.append(team)
    ctx.insert(CareTeam, teams)
    teams_by_locality: dict[int, list[CareTeam]] = {}
    for team in teams:
        teams_by_locality.setdefault(team.locality_id, []).append(team)
        team_home[team.pk] = team.locality_id
    User = get_user_model()
    joined = datetime.combine(date(year - 3, 1, 2), clock(8), tzinfo=LOCAL)
    staff = [
        User(
            email=f"{STAFF_PREFIX}{number + 1:05d}@{STAFF_DOMAIN}",
            full_name=f"Personal {number + 1}",
            password=UNUSABLE_PASSWORD,
            date_joined=joined,
        )
        for number in range(ctx.n(150, minimum=len(teams)))
    ]
    ctx.insert(User, staff, "accounts_user (home-care staff)")
    group, _created = Group.objects.get_or_create(name=Role.HOMECARE_STAFF)
    ctx.insert(
        User.groups.through,
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in staff],
        "accounts_user_groups",
    )
    staff_by_team: dict[int, list[int]] = {team.pk: [] for team in teams}
    members = []
    for number, user in enumerate(staff):
        team = teams[number % len(teams)]
        staff_by_team[team.pk].append(user.pk)
        members.append(CareTeam.members.through(careteam_id=team.pk, user_id=user.pk))
    ctx.insert(CareTeam.members.through, members, "welfaretech_careteam_members")
    training = []
    for user in staff:
        roll = rng.random()
        if roll < 0.9:
            completed = date(year - 1, 1, 15) + timedelta(days=rng.randint(0, 300))
            valid = 2 if roll < 0.8 else 1  # some expire during the year
            training.append(
                TrainingRecord(
                    user=user,
                    course="Välfärdsteknik i hemtjänsten – grundkurs",
                    technology=technologies["digital_supervision"] if rng.random() < 0.5 else None,
                    completed_on=completed,
                    valid_until=completed + timedelta(days=365 * valid),
                )
            )
    ctx.insert(TrainingRecord, training)

    # Care recipients: mostly 80+, more women, a few in residential care.
    slugs = list(RECIPIENT_WEIGHTS)
    recipients = []
    for number in range(ctx.n(2000, minimum=len(slugs))):
        slug = (
            slugs[number]
            if number < len(slugs)
            else rng.choices(slugs, [RECIPIENT_WEIGHTS[s] for s in slugs])[0]
        )
        locality = localities[slug]
        age = rng.choices([rng.randint(65, 74), rng.randint(75, 84), rng.randint(85, 99)], [15, 40, 45])[0]
        active = rng.random() < 0.93
        recipients.append(
            CareRecipient(
                code=f"{CODE_PREFIX}{number + 1:06d}",
                birth_year=year - age,
                sex="K" if rng.random() < 0.63 else "M",
                locality=locality,
                housing=CareRecipient.Housing.RESIDENTIAL
                if rng.random() < 0.12
                else CareRecipient.Housing.OWN_HOME,
                team=rng.choice(teams_by_locality[locality.pk]),
                is_active=active,
                last_active_on=last_day if active else first_day + timedelta(days=rng.randint(30, 330)),
            )
        )
    ctx.insert(CareRecipient, recipients)

    # Assignments with a device each, consents where required, device history.
    assignments, devices, plans = [], [], []
    for recipient in recipients:
        for code, share in SHARES.items():
            if rng.random() >= share:
                continue
            if rng.random() < 0.85:
                starts_on = first_day - timedelta(days=rng.randint(30, 1500))
            else:
                starts_on = first_day + timedelta(days=rng.randint(0, 330))
            ends_on = None
            if not recipient.is_active:
                ends_on = max(starts_on, recipient.last_active_on)
            elif rng.random() < 0.05:
                ends_on = starts_on + timedelta(days=rng.randint(20, 300))
            technology = technologies[code]
            device = Device(
                technology=technology,
                product=technology.product,
                serial=f"{CODE_PREFIX}{code.upper()}-{len(devices) + 1:07d}",
                status=Device.Status.INSTALLED if ends_on is None else Device.Status.IN_STOCK,
                recipient=recipient if ends_on is None else None,
                installed_on=starts_on,
                next_service_on=last_day + timedelta(days=rng.randint(1, 365)),
            )
            devices.append(device)
            schedule = rng.choice(NIGHT_SCHEDULES) if code == "digital_supervision" else []
            plans.append((recipient, code, device, starts_on, ends_on, schedule))
    spares = ctx.n(len(devices) * 0.03)
    for number in range(spares):
        code = list(SHARES)[number % len(SHARES)]
        devices.append(
            Device(
                technology=technologies[code],
                serial=f"{CODE_PREFIX}{code.upper()}-S{number + 1:06d}",
                status=Device.Status.RETIRED if number % 5 == 0 else Device.Status.IN_STOCK,
            )
        )
    ctx.insert(Device, devices)
    for recipient, code, device, starts_on, ends_on, schedule in plans:
        assignments.append(
            Assignment(
                recipient=recipient,
                technology=technologies[code],
                device=device,
                decision_date=starts_on - timedelta(days=rng.randint(5, 40)),
                starts_on=starts_on,
                ends_on=ends_on,
                night_schedule=schedule,
                end_reason="Flyttat till särskilt boende" if ends_on else "",
            )
        )
    ctx.insert(Assignment, assignments)
    consents = [
        Consent(
            recipient=recipient,
            technology=technologies[code],
            given=True,
            date=starts_on - timedelta(days=3),
            method=Consent.Method.WRITTEN,
            recorded_at=_at(starts_on - timedelta(days=3), "10:00"),
        )
        for recipient, code, _device, starts_on, _ends_on, _schedule in plans
        if technologies[code].consent_required
    ]
    ctx.insert(Consent, consents)
    history = []
    for recipient, _code, device, starts_on, ends_on, _schedule in plans:
        history.append(
            DeviceHistory(device=device, action="received", at=_at(starts_on - timedelta(days=14), "09:00"))
        )
        history.append(
            DeviceHistory(device=device, action="installed", at=_at(starts_on, "11:00"), recipient=recipient)
        )
        if ends_on:
            history.append(
                DeviceHistory(device=device, action="returned", at=_at(ends_on, "11:00"), recipient=recipient)
            )

    # Faults: about 8 per 100 devices a year, most repaired within a day or two.
    faults = []
    installed = [plan for plan in plans if plan[4] is None]
    for _ in range(ctx.n(len(plans) * 0.08) if installed else 0):
        recipient, _code, device, _starts_on, _ends_on, _schedule = rng.choice(installed)
        reported = _at(
            first_day + timedelta(days=rng.randint(0, 364)), clock(rng.randint(7, 20), rng.randint(0, 59))
        )
        repaired = reported + timedelta(hours=rng.lognormvariate(3.0, 0.8)) if rng.random() < 0.93 else None
        faults.append(
            Fault(
                device=device,
                description=rng.choice(
                    ["Batteriet tar slut", "Ingen uppkoppling", "Larmknappen fungerar inte"]
                ),
                is_urgent=rng.random() < 0.1,
                reported_at=reported,
                repaired_at=repaired,
            )
        )
        history.append(DeviceHistory(device=device, action="fault", at=reported, recipient=recipient))
        if repaired:
            history.append(DeviceHistory(device=device, action="repaired", at=repaired, recipient=recipient))
    ctx.insert(DeviceHistory, history)
    ctx.insert(Fault, faults)

    rural = {locality.pk: locality.is_rural for locality in localities.values()}
    ctx.copy(Event, EVENT_FIELDS, _events(rng, plans, staff_by_team, rural, first_day, last_day))


def _events(rng, plans, staff_by_team, rural, first_day: date, last_day: date):
    """The year's events as tuples of :data:`EVENT_FIELDS`, generated lazily (half a million at scale 1)."""
    random = rng.random
    randint = rng.randint
    choice = rng.choice
    cause_values = [cause for cause, _w in CAUSES]
    cause_weights = [weight for _c, weight in CAUSES]
    one_minute = timedelta(minutes=1)

    def event(recipient, device, kind, when, staff, **extra):
        delay = timedelta(hours=randint(1, 10)) if random() < 0.02 else one_minute * randint(0, 3)
        return (
            uuid.UUID(int=rng.getrandbits(128), version=4),
            recipient.pk,
            recipient.team_id,
            str(kind),
            when,
            when + delay,
            staff,
            extra.get("arrived_at"),
            extra.get("resolved_remotely", False),
            str(extra.get("cause", "")),
            extra.get("replaces_visit", False),
            extra.get("action", ""),
            "",
            device.pk,
            extra.get("is_urgent", False),
            None,
            False,
        )

    for recipient, code, device, starts_on, ends_on, schedule in plans:
        team_staff = staff_by_team[recipient.team_id]
        begin = max(starts_on, first_day)
        end = min(ends_on or last_day, last_day)
        if begin > end:
            continue
        days = [begin + timedelta(days=offset) for offset in range((end - begin).days + 1)]
        is_rural = rural[recipient.locality_id]
        if code == "digital_supervision":
            times = [clock.fromisoformat(moment) for moment in schedule]
            for day in days:
                for moment in times:
                    when = datetime.combine(
                        day if moment.hour >= 12 else day + timedelta(days=1), moment, tzinfo=LOCAL
                    )
                    when += one_minute * randint(0, 8)
                    staff = choice(team_staff)
                    roll = random()
                    if roll < 0.955:
                        yield event(
                            recipient, device, EventKind.CAMERA_CHECK_OK, when, staff, replaces_visit=True
                        )
                    elif roll < 0.99:
                        yield event(recipient, device, EventKind.CAMERA_CHECK_NOT_SEEN, when, staff)
                        yield event(
                            recipient,
                            device,
                            EventKind.CAMERA_CHECK_RETRIED_OK,
                            when + one_minute * 10,
                            staff,
                            replaces_visit=True,
                        )
                    else:
                        yield event(recipient, device, EventKind.CAMERA_CHECK_NOT_SEEN, when, staff)
                        yield event(
                            recipient,
                            device,
                            EventKind.CAMERA_CHECK_VISIT,
                            when + one_minute * 35,
                            staff,
                            action="Besök gjort",
                        )
        elif code == "medication_dispenser":
            for day in days:
                for hour in (8, 20):
                    when = datetime.combine(day, clock(hour, randint(0, 14)), tzinfo=LOCAL)
                    if random() < 0.03:
                        yield event(
                            recipient,
                            device,
                            EventKind.DOSE_MISSED,
                            when,
                            choice(team_staff),
                            action="Ringt upp",
                        )
                    else:
                        yield event(
                            recipient,
                            device,
                            EventKind.DOSE_TAKEN,
                            when,
                            choice(team_staff),
                            replaces_visit=True,
                        )
        elif code == "safety_alarm":
            median = 28 if is_rural else 18
            for day in days:
                if random() >= 0.12:
                    continue
                when = datetime.combine(day, clock(randint(0, 23), randint(0, 59)), tzinfo=LOCAL)
                cause = rng.choices(cause_values, cause_weights)[0]
                staff = choice(team_staff)
                if cause in (Event.Cause.ACCIDENTAL, Event.Cause.ANXIETY) and random() < 0.7:
                    yield event(
                        recipient, device, EventKind.ALARM, when, staff, cause=cause, resolved_remotely=True
                    )
                else:
                    minutes = median * rng.lognormvariate(0, 0.45)
                    yield event(
                        recipient,
                        device,
                        EventKind.ALARM,
                        when,
                        staff,
                        cause=cause,
                        arrived_at=when + timedelta(minutes=minutes),
                        is_urgent=cause == Event.Cause.FALL,
                    )
        elif code == "digital_lock":
            for day in days:
                if random() < 0.35:
                    when = datetime.combine(day, clock(choice((7, 12, 17, 21)), randint(0, 59)), tzinfo=LOCAL)
                    yield event(recipient, device, EventKind.LOCK_OPENED, when, choice(team_staff))
                elif random() < 0.0005:
                    when = datetime.combine(day, clock(randint(7, 21), randint(0, 59)), tzinfo=LOCAL)
                    yield event(recipient, device, EventKind.LOCK_FAULT, when, choice(team_staff))
        elif code == "video_platform":
            for day in days:
                roll = random()
                when = datetime.combine(day, clock(randint(9, 15), randint(0, 59)), tzinfo=LOCAL)
                if roll < 0.5:
                    yield event(
                        recipient,
                        device,
                        EventKind.DIGITAL_VISIT,
                        when,
                        choice(team_staff),
                        replaces_visit=True,
                    )
                elif roll < 0.55:
                    yield event(recipient, device, EventKind.SOCIAL_CALL, when, choice(team_staff))
                elif roll < 0.57:
                    yield event(recipient, device, EventKind.CONNECTION_FAILED, when, choice(team_staff))
        elif code == "passive_alarm":
            for day in days:
                if random() < 0.02:
                    when = datetime.combine(day, clock(randint(0, 23), randint(0, 59)), tzinfo=LOCAL)
                    kind = EventKind.PASSIVE_ALARM_FALSE if random() < 0.6 else EventKind.PASSIVE_ALARM
                    yield event(recipient, device, kind, when, choice(team_staff))
        elif code == "gps_alarm":
            for day in days:
                if random() < 0.02:
                    when = datetime.combine(day, clock(randint(8, 20), randint(0, 59)), tzinfo=LOCAL)
                    yield event(recipient, device, EventKind.GPS_GEOFENCE_EXIT, when, choice(team_staff))
                    if random() < 0.3:
                        yield event(
                            recipient, device, EventKind.GPS_ALARM, when + one_minute * 5, choice(team_staff)
                        )
                        yield event(
                            recipient,
                            device,
                            EventKind.GPS_LOCATED,
                            when + one_minute * randint(20, 90),
                            choice(team_staff),
                            replaces_visit=True,
                        )
        elif code == "tablet":
            if starts_on >= first_day:
                yield event(
                    recipient, device, EventKind.TABLET_LENT, _at(starts_on, "11:00"), choice(team_staff)
                )
            for day in days:
                if random() < 0.01:
                    when = datetime.combine(day, clock(randint(9, 15), randint(0, 59)), tzinfo=LOCAL)
                    yield event(recipient, device, EventKind.TABLET_SUPPORT, when, choice(team_staff))
            if ends_on and ends_on <= last_day:
                yield event(
                    recipient, device, EventKind.TABLET_RETURNED, _at(ends_on, "11:00"), choice(team_staff)
                )
