from accounts.demo import demo_user
from portal.models import Locality

from .models import CareRecipient, CareTeam

# code, birth year, sex, locality slug, housing, team
RECIPIENTS = [
    ("VG-1001", 1938, "K", "vingaker", "own_home", "Hemtjänst Vingåker centrum"),
    ("VG-1002", 1941, "M", "vingaker", "own_home", "Hemtjänst Vingåker centrum"),
    ("VG-1003", 1935, "K", "marmorbyn", "own_home", "Hemtjänst Vingåker centrum"),
    ("VG-2001", 1944, "K", "hogsjo", "own_home", "Hemtjänst landsbygd väst"),
    ("VG-2002", 1939, "M", "lappe", "own_home", "Hemtjänst landsbygd väst"),
]


def seed() -> list[str]:
    centre, _ = CareTeam.objects.get_or_create(
        name="Hemtjänst Vingåker centrum", defaults={"locality": Locality.objects.get(slug="vingaker")}
    )
    CareTeam.objects.get_or_create(
        name="Hemtjänst landsbygd väst", defaults={"locality": Locality.objects.get(slug="hogsjo")}
    )
    centre.members.add(demo_user("hemtjanst@example.org"))
    for code, birth_year, sex, locality, housing, team in RECIPIENTS:
        CareRecipient.objects.update_or_create(
            code=code,
            defaults={
                "birth_year": birth_year,
                "sex": sex,
                "locality": Locality.objects.get(slug=locality),
                "housing": housing,
                "team": CareTeam.objects.get(name=team),
            },
        )
    return ["Home-care teams: Hemtjänst Vingåker centrum (hemtjanst@example.org), Hemtjänst landsbygd väst"]
