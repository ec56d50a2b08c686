"""Demo data for the portal: the demo municipality (Vingåker, 0428) and its localities."""

from decimal import Decimal

from .models import Locality, MunicipalityProfile

# Coordinates are invented but plausible, around the central town.
LOCALITIES = [
    ("Vingåker", "vingaker", False, "59.04300", "15.87200"),
    ("Läppe", "lappe", True, "59.15200", "15.64100"),
    ("Österåker", "osteraker", True, "59.00900", "15.94800"),
    ("Marmorbyn", "marmorbyn", True, "59.06800", "15.96100"),
    ("Högsjö", "hogsjo", True, "59.05400", "15.72900"),
    ("Viala", "viala", True, "59.01500", "15.80600"),
    ("Baggetorp", "baggetorp", True, "59.12900", "15.83400"),
]


def seed() -> list[str]:
    MunicipalityProfile.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Vingåkers kommun",
            "code": "0428",
            "contact_phone": "0151-191 00",
            "contact_email": "kontaktcenter@vingaker.example.org",
            "contact_hours_sv": "Måndag–fredag kl. 8.00–16.30",
            "contact_hours_en": "Monday–Friday 8.00–16.30",
            "address": "Parkvägen 1, 643 30 Vingåker",
        },
    )
    for name, slug, is_rural, lat, lon in LOCALITIES:
        Locality.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "is_rural": is_rural,
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
            },
        )
    return [f"Municipality Vingåker (0428) with {len(LOCALITIES)} localities"]
