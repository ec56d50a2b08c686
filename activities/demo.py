"""Demo data for the senior portal: meeting places in every locality, about 120 recurring activities by
demo associations and municipal units, a year of past occasions with attendance, three months ahead,
and sign-ups. Deterministic (fixed random seed) and idempotent."""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from associations.models import Association
from portal.models import Locality

from . import services
from .models import Activity, Attendance, Category, MeetingPlace, Occurrence, RecurrenceRule, Registration

# (locality slug, street) per place kind; names are built from the locality.
PLACE_KINDS = [
    ("traffpunkt", "Träffpunkten {}"),
    ("bygdegard", "{} bygdegård"),
    ("kyrka", "{} kyrka"),
    ("bibliotek", "Biblioteket i {}"),
    ("idrottshall", "{} idrottshall"),
    ("skola", "{} skola, matsalen"),
]
STREETS = ["Storgatan", "Skolvägen", "Kyrkvägen", "Bygdevägen", "Parkvägen", "Södra vägen", "Ängsvägen"]

ASSOCIATIONS = [
    ("PRO Vingåker", "pensionarsforening", ["vingaker", "marmorbyn"]),
    ("SPF Seniorerna Högsjö", "pensionarsforening", ["hogsjo"]),
    ("SKPF avd Vingåker", "pensionarsforening", ["vingaker"]),
    ("PRO Läppe", "pensionarsforening", ["lappe"]),
    ("Studieförbundet Vuxenskolan Vingåker", "studieforbund", ["vingaker", "viala", "baggetorp"]),
    ("ABF Vingåker", "studieforbund", ["vingaker", "osteraker"]),
    ("Svenska kyrkan Vingåker", "trossamfund", ["vingaker", "hogsjo", "osteraker"]),
    ("Röda korset Vingåker", "hjalporganisation", ["vingaker"]),
    ("Österåkers IF", "idrottsforening", ["osteraker"]),
    ("Marmorbyns hembygdsförening", "hembygdsforening", ["marmorbyn"]),
    ("Baggetorps byalag", "lokal_utvecklingsgrupp", ["baggetorp"]),
    ("Viala bygdegårdsförening", "lokal_utvecklingsgrupp", ["viala"]),
    ("Anhörigföreningen i Vingåker", "anhorigforening", ["vingaker"]),
]
MUNICIPAL_UNITS = [
    "Vingåkers kommun, Träffpunkten",
    "Vingåkers kommun, Biblioteket",
    "Vingåkers kommun, Fixarservice",
]

# title, categories, minutes, sign-up needed, capacity, price
ACTIVITY_TYPES = [
    ("Sittgymnastik", ["fysisk-aktivitet"], 60, False, None, 0),
    ("Promenadgrupp", ["fysisk-aktivitet", "social-gemenskap"], 90, False, None, 0),
    ("Stavgång", ["fysisk-aktivitet"], 60, False, None, 0),
    ("Seniordans", ["fysisk-aktivitet", "social-gemenskap"], 120, True, 30, 40),
    ("Qigong", ["fysisk-aktivitet", "halsa"], 60, True, 15, 0),
    ("Boule", ["fysisk-aktivitet", "social-gemenskap"], 120, False, None, 0),
    ("Bingo", ["social-gemenskap"], 120, False, None, 20),
    ("Frågesport", ["kognitiv-traning", "social-gemenskap"], 90, False, None, 0),
    ("Allsång", ["meningsfullhet", "social-gemenskap"], 60, False, None, 0),
    ("Seniorfika", ["social-gemenskap", "mat-och-maltider"], 90, False, None, 20),
    ("Lunch på träffpunkten", ["mat-och-maltider", "social-gemenskap"], 60, True, 24, 75),
    ("Studiecirkel: släktforskning", ["kognitiv-traning", "meningsfullhet"], 120, True, 10, 0),
    ("Bokcirkel", ["kognitiv-traning", "meningsfullhet"], 90, True, 12, 0),
    ("Digital fika – videomöte", ["digital-hjalp", "social-gemenskap"], 60, False, None, 0),
    ("Mobil- och surfplattehjälp", ["digital-hjalp"], 120, True, 8, 0),
    ("Stark och säker – balansträning", ["fysisk-aktivitet", "halsa"], 60, True, 12, 0),
    ("Hälsoträff: blodtryck och samtal", ["halsa"], 90, True, 20, 0),
    ("Föreläsning om fallprevention", ["forelasning", "halsa"], 90, True, 40, 0),
    ("Prova välfärdsteknik", ["valfardsteknik-prova", "digital-hjalp"], 120, False, None, 0),
    ("Handarbetscafé", ["meningsfullhet", "social-gemenskap"], 120, False, None, 0),
]
START_TIMES = [time(9, 30), time(10, 0), time(13, 0), time(14, 0), time(18, 0)]
FIRST_NAMES = [
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
LAST_NAMES = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson"]


def _places(rng: random.Random) -> list[MeetingPlace]:
    places = []
    for locality in Locality.objects.all():
        kinds = PLACE_KINDS if not locality.is_rural else PLACE_KINDS[:5]
        for kind, pattern in kinds:
            name = pattern.format(locality.name)
            place, _ = MeetingPlace.objects.update_or_create(
                slug=slugify(name),
                defaults={
                    "name": name,
                    "kind": kind,
                    "locality": locality,
                    "address": f"{rng.choice(STREETS)} {rng.randint(1, 40)}",
                    "latitude": locality.latitude + Decimal(rng.randint(-90, 90)) / 10000,
                    "longitude": locality.longitude + Decimal(rng.randint(-90, 90)) / 10000,
                    "contact_phone": f"0151-{rng.randint(100, 999)} {rng.randint(10, 99)}",
                    "opening_hours": "Måndag–fredag 9–16" if kind == "traffpunkt" else "",
                    "description": f"{name} i {locality.name}.",
                    "step_free_entrance": rng.random() < 0.7,
                    "accessible_toilet": rng.random() < 0.6,
                    "hearing_loop": rng.random() < 0.4,
                    "parking": rng.random() < 0.8,
                    "bus_stop_nearby": rng.random() < 0.5,
                    "seating": True,
                    "lift": kind in ("bibliotek", "skola") and rng.random() < 0.5,
                },
            )
            places.append(place)
    MeetingPlace.objects.update_or_create(
        slug="digitala-traffpunkten",
        defaults={
            "name": "Digitala träffpunkten",
            "kind": "digital",
            "locality": Locality.objects.get(is_rural=False),
            "description": "Videomöten som du deltar i hemifrån med dator, surfplatta eller mobil.",
        },
    )
    return places


def _associations() -> list[Association]:
    result = []
    for name, kind, locality_slugs in ASSOCIATIONS:
        association, _ = Association.objects.update_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "kind": kind,
                "show_in_directory": True,
                "email": f"info@{slugify(name)}.example.org",
                "purpose": f"{name} ordnar aktiviteter för seniorer.",
            },
        )
        association.localities.set(Locality.objects.filter(slug__in=locality_slugs))
        result.append(association)
    return result


def _activities(
    rng: random.Random, places: list[MeetingPlace], associations: list[Association]
) -> list[Activity]:
    categories = {c.slug: c for c in Category.objects.all()}
    today = timezone.localdate()
    activities = []
    for index in range(120):
        title, category_slugs, minutes, signup, capacity, price = ACTIVITY_TYPES[index % len(ACTIVITY_TYPES)]
        place = places[(index * 7) % len(places)]
        organiser = associations[index % len(associations)] if index % 5 else None
        online = title.startswith("Digital fika")
        activity, created = Activity.objects.update_or_create(
            slug=f"{slugify(title)}-{slugify(place.locality.name)}-{index}",
            defaults={
                "title": f"{title} i {place.locality.name}",
                "description": f"{title} för dig som är senior. Alla är välkomna, ingen förkunskap behövs.",
                "organiser_association": organiser,
                "organiser_unit": "" if organiser else MUNICIPAL_UNITS[index % len(MUNICIPAL_UNITS)],
                "place": None if online else place,
                "online_url": "https://video.example.org/digital-fika" if online else "",
                "signup_required": signup,
                "capacity": capacity,
                "waiting_list": True,
                "price_sek": Decimal(price),
                "languages": ["sv"] if index % 9 else ["sv", "ar"],
                "status": Activity.Status.PUBLISHED,
                "published_at": timezone.now(),
                "contact_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "contact_phone": f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "contact_email": f"kontakt{index}@example.org",
            },
        )
        activity.categories.set([categories[slug] for slug in category_slugs])
        if created or not activity.recurrence_rules.exists():
            start_time = START_TIMES[index % len(START_TIMES)]
            end_hour = start_time.hour * 60 + start_time.minute + minutes
            frequency = ["weekly", "weekly", "biweekly", "monthly"][index % 4]
            activity.recurrence_rules.all().delete()
            RecurrenceRule.objects.create(
                activity=activity,
                frequency=frequency,
                weekdays=[index % 5],
                week_of_month=(index % 4) + 1 if frequency == "monthly" else None,
                start_date=today - timedelta(days=365),
                end_date=today + timedelta(days=90),
                start_time=start_time,
                end_time=time(end_hour // 60, end_hour % 60),
            )
        for rule in activity.recurrence_rules.all():
            services.generate_occurrences(rule)
        activities.append(activity)
    return activities


def _attendance(rng: random.Random) -> int:
    past = Occurrence.objects.filter(
        starts_at__lt=timezone.now(), attendance__isnull=True, activity__slug__regex=r"-\d+$"
    ).only("id")
    rows = []
    for occurrence in past:
        women, men = rng.randint(3, 16), rng.randint(0, 8)
        rows.append(
            Attendance(
                occurrence=occurrence,
                women_65_74=women // 2,
                women_75_84=women - women // 2 - women // 5,
                women_85_plus=women // 5,
                men_65_74=men // 2,
                men_75_84=men - men // 2,
                others=rng.randint(0, 2),
            )
        )
    Attendance.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _registrations(rng: random.Random) -> int:
    upcoming = (
        Occurrence.objects.filter(
            starts_at__gt=timezone.now(),
            starts_at__lt=timezone.now() + timedelta(days=21),
            activity__signup_required=True,
            is_cancelled=False,
        )
        .annotate(n=Count("registrations"))
        .filter(n=0)
        .select_related("activity")
    )
    rows = []
    for occurrence in upcoming:
        capacity = occurrence.activity.capacity or 10
        for number in range(rng.randint(1, capacity + 2)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            # Created directly: demo sign-ups must not send e-mail to invented people.
            rows.append(
                Registration(
                    occurrence=occurrence,
                    guest_name=f"{first} {last}",
                    guest_phone=f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    status=Registration.Status.CONFIRMED
                    if number < capacity
                    else Registration.Status.WAITING,
                )
            )
    Registration.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def seed() -> list[str]:
    rng = random.Random(428)
    places = _places(rng)
    associations = _associations()
    activities = _activities(rng, places, associations)
    attendance = _attendance(rng)
    registrations = _registrations(rng)
    return [
        f"Meeting places: {MeetingPlace.objects.count()}, activities: {len(activities)}, "
        f"occurrences: {Occurrence.objects.count()} (attendance added for {attendance}, "
        f"sign-ups added: {registrations}, total {Registration.objects.count()})"
    ]
