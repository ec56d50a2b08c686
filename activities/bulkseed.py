"""Bulk benchmark data for meeting places and activities (``manage.py seed_bulk``).

Scale 1: 60 meeting places and 300 recurring activities of the demo's kinds (45 % in the central town,
every village some, a few online only), one recurrence rule each and about 15,000 occurrences in the
year (weekly, twice a week, every second week or monthly; about 3 % cancelled), about 85,000 sign-ups for
the activities that need one (filled to about 80 % of the places, waiting lists where full, some
cancelled) and one attendance row per occurrence held: fewer men than women (varying with the kind of
activity), most participants 65–84, a few under 65.

Rows are marked with slugs ``bulk-…`` (places, activities) and cancel tokens ``bulk-…`` (sign-ups);
occurrences, rules and attendance go with their activity on ``delete()``.
"""

import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.text import slugify

from .demo import ACTIVITY_TYPES, MUNICIPAL_UNITS, START_TIMES
from .models import Activity, Attendance, Category, MeetingPlace, Occurrence, RecurrenceRule, Registration

ORDER = 20  # seed_bulk runs the apps' bulkseed modules in this order (activities need associations)
LOCAL = ZoneInfo("Europe/Stockholm")
PREFIX = "bulk-"
# Share of places and activities per locality: the central town has the most, every village some.
PLACE_WEIGHTS = {
    "vingaker": 30,
    "baggetorp": 12,
    "marmorbyn": 12,
    "osteraker": 12,
    "hogsjo": 12,
    "viala": 11,
    "lappe": 11,
}
ACTIVITY_WEIGHTS = {
    "vingaker": 45,
    "baggetorp": 10,
    "marmorbyn": 10,
    "osteraker": 9,
    "hogsjo": 9,
    "viala": 9,
    "lappe": 8,
}
PLACE_KINDS = [
    (MeetingPlace.Kind.DROP_IN, "Träffpunkten {place}"),
    (MeetingPlace.Kind.VILLAGE_HALL, "{place} bygdegård"),
    (MeetingPlace.Kind.CHURCH, "{place} församlingshem"),
    (MeetingPlace.Kind.LIBRARY, "Biblioteket i {place}"),
    (MeetingPlace.Kind.SPORTS_HALL, "{place} idrottshall"),
    (MeetingPlace.Kind.SCHOOL, "{place} skola, matsalen"),
    (MeetingPlace.Kind.RESTAURANT, "Restaurang {place}"),
]
# Men's share of participants 65+ by the first word of the activity title (default 0.3).
MENS_SHARE = {
    "Boule": 0.48,
    "Stavgång": 0.35,
    "Promenadgrupp": 0.38,
    "Frågesport": 0.42,
    "Handarbetscafé": 0.08,
}
# frequency, weekdays per week, weight
FREQUENCIES = [
    (RecurrenceRule.Frequency.WEEKLY, 1, 50),
    (RecurrenceRule.Frequency.WEEKLY, 2, 28),
    (RecurrenceRule.Frequency.BIWEEKLY, 1, 12),
    (RecurrenceRule.Frequency.MONTHLY, 1, 10),
]
GUEST_NAMES = [
    "Anna",
    "Birgitta",
    "Karin",
    "Margareta",
    "Elisabeth",
    "Lars",
    "Karl",
    "Bengt",
    "Sven",
    "Kjell",
]
SURNAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]
REGISTRATION_FIELDS = (
    "occurrence_id",
    "user_id",
    "guest_name",
    "guest_phone",
    "guest_email",
    "party_size",
    "status",
    "language",
    "cancel_token",
    "created_at",
    "cancelled_at",
    "reminder_sent_at",
)
ATTENDANCE_FIELDS = ("occurrence_id", *Attendance.COUNT_FIELDS, "entered_by_id", "entered_at")


def exists() -> bool:
    return Activity.objects.filter(slug__startswith=PREFIX).exists()


def _raw_delete(label: str, queryset) -> tuple[str, int, float]:
    started = time.perf_counter()
    rows = queryset._raw_delete(queryset.db)  # one DELETE … WHERE, no per-row collection
    return label, rows, time.perf_counter() - started


def delete() -> list[tuple[str, int, float]]:
    activities = Activity.objects.filter(slug__startswith=PREFIX)
    occurrences = Occurrence.objects.filter(activity__in=activities)
    return [
        _raw_delete("activities_registration", Registration.objects.filter(occurrence__in=occurrences)),
        _raw_delete("activities_attendance", Attendance.objects.filter(occurrence__in=occurrences)),
        _raw_delete("activities_occurrence", occurrences),
        _raw_delete("activities_recurrencerule", RecurrenceRule.objects.filter(activity__in=activities)),
        _raw_delete(
            "activities_activity_categories",
            Activity.categories.through.objects.filter(activity__in=activities),
        ),
        _raw_delete("activities_activity", activities),
        _raw_delete("activities_meetingplace", MeetingPlace.objects.filter(slug__startswith=PREFIX)),
    ]


def _spread(count: int, weights: dict[str, int], rng) -> list[str]:
    """``count`` locality slugs in proportion to ``weights`` (largest remainder), at least one each so that
    every village gets some, shuffled."""
    total = sum(weights.values())
    quotas = {slug: count * weight / total for slug, weight in weights.items()}
    shares = {slug: max(1, int(quota)) for slug, quota in quotas.items()}
    while sum(shares.values()) < count:
        shares[max(shares, key=lambda slug: quotas[slug] - shares[slug])] += 1
    while sum(shares.values()) > count and max(shares.values()) > 1:
        shares[min((s for s in shares if shares[s] > 1), key=lambda slug: quotas[slug] - shares[slug])] -= 1
    slugs = [slug for slug in weights for _ in range(shares[slug])]
    rng.shuffle(slugs)
    return slugs


def _dates(rng, frequency: str, per_week: int, year: int) -> tuple[list[date], list[int], date, date]:
    """The dates of one activity's sessions in ``year``, with a summer break for most."""
    start = date(year, 1, 8) + timedelta(days=rng.randint(0, 14))
    end = date(year, 12, 18) - timedelta(days=rng.randint(0, 10))
    weekdays = sorted(rng.sample(range(5), per_week))
    summer_break = rng.random() < 0.4
    days = []
    day = start
    week = 0
    while day <= end:
        monday = day - timedelta(days=day.weekday())
        if frequency == RecurrenceRule.Frequency.MONTHLY:
            take = monday.day <= 7  # the first week of the month
        elif frequency == RecurrenceRule.Frequency.BIWEEKLY:
            take = week % 2 == 0
        else:
            take = True
        if take and not (summer_break and 26 <= monday.isocalendar().week <= 31):
            days += [d for d in (monday + timedelta(days=w) for w in weekdays) if start <= d <= end]
        day = monday + timedelta(days=7)
        week += 1
    return days, weekdays, start, end


def _split(total: int, shares: list[float], rng) -> list[int]:
    """``total`` people into parts by ``shares`` (rounded, remainder to a random part)."""
    parts = [int(total * share) for share in shares]
    for _ in range(total - sum(parts)):
        parts[rng.choices(range(len(shares)), shares)[0]] += 1
    return parts


def seed(ctx) -> None:
    rng = ctx.rng("activities")
    year = ctx.year
    localities = ctx.localities

    # Meeting places.
    places_by_locality: dict[str, list[MeetingPlace]] = {slug: [] for slug in localities}
    places = []
    for number, slug in enumerate(_spread(ctx.n(60, minimum=len(localities)), PLACE_WEIGHTS, rng)):
        kind, pattern = PLACE_KINDS[len(places_by_locality[slug]) % len(PLACE_KINDS)]
        locality = localities[slug]
        name = f"{pattern.format(place=locality.name)} ({number + 1})"
        place = MeetingPlace(
            name=name,
            slug=f"{PREFIX}p{number + 1:05d}-{slugify(name)}"[:160],
            kind=kind,
            locality=locality,
            address=f"Storgatan {number % 50 + 1}",
            postal_code="643 30",
            latitude=locality.latitude + Decimal(rng.randint(-300, 300)) / 100000,
            longitude=locality.longitude + Decimal(rng.randint(-300, 300)) / 100000,
            opening_hours="Måndag–fredag 9–16",
            description="Lokal för träffar och aktiviteter.",
            step_free_entrance=rng.random() < 0.8,
            accessible_toilet=rng.random() < 0.7,
            hearing_loop=rng.random() < 0.4,
            parking=rng.random() < 0.8,
            bus_stop_nearby=rng.random() < (0.8 if not locality.is_rural else 0.4),
            seating=True,
            lift=rng.random() < 0.3,
        )
        places.append(place)
        places_by_locality[slug].append(place)
    ctx.insert(MeetingPlace, places)

    # Activities: organised by an association of the locality where there is one, else a municipal unit.
    associations_by_home: dict[str, list] = {}
    for association, home in ctx.shared.get("associations", []):
        associations_by_home.setdefault(home, []).append(association)
    categories = {category.slug: category for category in Category.objects.all()}
    created = datetime.combine(date(year - 1, 12, 1), clock(9), tzinfo=LOCAL)
    activities, plans = [], []
    statuses = [
        Activity.Status.PUBLISHED,
        Activity.Status.CANCELLED,
        Activity.Status.DRAFT,
        Activity.Status.PENDING,
    ]
    for number, slug in enumerate(_spread(ctx.n(300, minimum=len(localities)), ACTIVITY_WEIGHTS, rng)):
        title, type_categories, minutes, signup, capacity, price = rng.choice(ACTIVITY_TYPES)
        online = title.startswith("Digital fika") and rng.random() < 0.5
        locality = localities[slug]
        place = None if online else rng.choice(places_by_locality[slug])
        local_associations = associations_by_home.get(slug) or []
        association = rng.choice(local_associations) if local_associations and rng.random() < 0.75 else None
        status = rng.choices(statuses, [94, 3, 2, 1])[0]
        name = f"{title} i {locality.name}"
        activities.append(
            Activity(
                title=name,
                slug=f"{PREFIX}{number + 1:05d}-{slugify(name)}"[:170],
                description=f"{title} för dig som är 65 år eller äldre. Välkommen!",
                organiser_association=association,
                organiser_unit="" if association else rng.choice(MUNICIPAL_UNITS),
                place=place,
                online_url="https://video.example.org/fika" if online else "",
                audience_note="Seniorer 65+",
                price_sek=Decimal(price),
                languages=["sv"],
                signup_required=signup,
                capacity=capacity,
                waiting_list=True,
                status=status,
                contact_name=f"{rng.choice(GUEST_NAMES)} {rng.choice(SURNAMES)}",
                contact_phone="0151-191 00",
                created_at=created,
                updated_at=created,
                published_at=created
                if status in (Activity.Status.PUBLISHED, Activity.Status.CANCELLED)
                else None,
            )
        )
        base = "".join(title.split()[:1])
        plans.append((type_categories, minutes, locality.is_rural, MENS_SHARE.get(base, 0.3)))
    ctx.insert(Activity, activities)
    through = Activity.categories.through
    links = [
        through(activity_id=activity.pk, category_id=categories[slug].pk)
        for activity, (type_categories, *_rest) in zip(activities, plans, strict=True)
        for slug in type_categories
        if slug in categories
    ]
    ctx.insert(through, links, "activities_activity_categories")

    # Recurrence rules and the occurrences they give.
    rules, schedules = [], []
    frequency_weights = [weight for *_f, weight in FREQUENCIES]
    for activity, (_categories, minutes, _rural, _men) in zip(activities, plans, strict=True):
        frequency, per_week, _weight = rng.choices(FREQUENCIES, frequency_weights)[0]
        days, weekdays, start, end = _dates(rng, frequency, per_week, year)
        starts = rng.choice(START_TIMES)
        ends = (datetime.combine(start, starts) + timedelta(minutes=minutes)).time()
        rules.append(
            RecurrenceRule(
                activity=activity,
                frequency=frequency,
                weekdays=weekdays[:1] if frequency == RecurrenceRule.Frequency.MONTHLY else weekdays,
                week_of_month=1 if frequency == RecurrenceRule.Frequency.MONTHLY else None,
                start_date=start,
                end_date=end,
                start_time=starts,
                end_time=ends,
            )
        )
        schedules.append((days, starts, minutes))
    ctx.insert(RecurrenceRule, rules)
    occurrences = []
    for activity, rule, (days, starts, minutes) in zip(activities, rules, schedules, strict=True):
        for day in days:
            begins = datetime.combine(day, starts, tzinfo=LOCAL)
            cancelled = activity.status == Activity.Status.CANCELLED or rng.random() < 0.03
            occurrences.append(
                Occurrence(
                    activity=activity,
                    rule=rule,
                    starts_at=begins,
                    ends_at=begins + timedelta(minutes=minutes),
                    is_cancelled=cancelled,
                    cancel_reason="Ledaren är sjuk." if cancelled else "",
                )
            )
    ctx.insert(Occurrence, occurrences)

    # Sign-ups and attendance: one pass over the occurrences, rows streamed to the database.
    plan_of = {activity.pk: plan for activity, plan in zip(activities, plans, strict=True)}
    activity_of = {activity.pk: activity for activity in activities}
    fill_of = {activity.pk: rng.uniform(0.5, 1.2) for activity in activities}
    registrations: list[tuple] = []
    attendance: list[tuple] = []
    counter = 0
    for occurrence in occurrences:
        activity = activity_of[occurrence.activity_id]
        _categories, _minutes, rural, mens_share = plan_of[activity.pk]
        confirmed_people = 0
        if activity.signup_required and activity.capacity:
            wanted = round(activity.capacity * fill_of[activity.pk] * rng.uniform(0.8, 1.15))
            people = 0
            while people < wanted:
                counter += 1
                party = 2 if rng.random() < 0.12 else 1
                people += party
                if confirmed_people + party <= activity.capacity:
                    status, confirmed_people = Registration.Status.CONFIRMED, confirmed_people + party
                else:
                    status = Registration.Status.WAITING
                signed_up = occurrence.starts_at - timedelta(
                    days=rng.randint(1, 21), minutes=rng.randint(0, 600)
                )
                cancelled_at = None
                if rng.random() < 0.06:
                    if status == Registration.Status.CONFIRMED:
                        confirmed_people -= party
                    status = Registration.Status.CANCELLED
                    cancelled_at = signed_up + timedelta(hours=rng.randint(1, 24))
                registrations.append(
                    (
                        occurrence.pk,
                        None,
                        f"{rng.choice(GUEST_NAMES)} {rng.choice(SURNAMES)}",
                        f"070-{counter % 1000000:06d}",
                        "",
                        party,
                        str(status),
                        "sv",
                        f"{PREFIX}{ctx.seed}-{counter:09d}",
                        signed_up,
                        cancelled_at,
                        occurrence.starts_at - timedelta(days=1)
                        if status == Registration.Status.CONFIRMED
                        else None,
                    )
                )
        if occurrence.is_cancelled or activity.status != Activity.Status.PUBLISHED:
            continue
        if activity.signup_required and activity.capacity:
            present = max(1, round(confirmed_people * rng.uniform(0.8, 1.0)))
        else:
            present = max(2, round(rng.gauss(8 if rural else 14, 3 if rural else 5)))
        others = _split(present, [0.95, 0.05], rng)[1]
        men_share = min(0.9, max(0.02, rng.gauss(mens_share, 0.06)))
        women, men = _split(present - others, [1 - men_share, men_share], rng)
        bands = [0.45, 0.4, 0.15]
        attendance.append(
            (
                occurrence.pk,
                *_split(women, bands, rng),
                *_split(men, bands, rng),
                others,
                None,
                occurrence.ends_at + timedelta(hours=2),
            )
        )
    ctx.copy(Registration, REGISTRATION_FIELDS, registrations)
    ctx.copy(Attendance, ATTENDANCE_FIELDS, attendance)
