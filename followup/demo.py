"""Demo population figures for Vingåker: about 2,600 inhabitants aged 65+ at the end of 2025, spread over
the central town and the six villages by sex and age band (invented but realistic), and 2024 slightly
lower. Idempotent: figures are set, not added. Also two yearly waves of the two survey indicators."""

from datetime import date
from decimal import Decimal

from portal.models import Locality

from .models import Indicator, ManualValue, PopulationFigure

# locality slug -> inhabitants 65+ at the end of 2025
TOTALS = {
    "vingaker": 1480,
    "baggetorp": 250,
    "marmorbyn": 210,
    "osteraker": 190,
    "hogsjo": 180,
    "viala": 150,
    "lappe": 140,
}
# age band -> (share of the 65+ population, women's share of the band)
BANDS = {
    "65_74": (Decimal("0.50"), Decimal("0.50")),
    "75_79": (Decimal("0.20"), Decimal("0.52")),
    "80_84": (Decimal("0.15"), Decimal("0.56")),
    "85_plus": (Decimal("0.15"), Decimal("0.64")),
}
YEARS = {2024: Decimal("0.98"), 2025: Decimal("1")}
SURVEY = [  # code, wave year, value, respondents, source
    ("SRV-01", 2025, Decimal("13.5"), 412, "Äldreenkät Vingåker 2025"),
    ("SRV-01", 2026, Decimal("12.8"), 398, "Äldreenkät Vingåker 2026"),
    ("SRV-02", 2025, Decimal("78.0"), 146, "Enkät till brukare med välfärdsteknik 2025"),
    ("SRV-02", 2026, Decimal("81.0"), 152, "Enkät till brukare med välfärdsteknik 2026"),
]


def figures() -> dict[tuple[int, str, str, str], int]:
    cells = {}
    for year, factor in YEARS.items():
        for slug, total in TOTALS.items():
            for band, (share, women) in BANDS.items():
                people = round(total * factor * share)
                cells[(year, slug, "K", band)] = round(people * women)
                cells[(year, slug, "M", band)] = people - round(people * women)
    return cells


def seed() -> list[str]:
    localities = {locality.slug: locality for locality in Locality.objects.filter(slug__in=TOTALS)}
    for (year, slug, sex, band), count in figures().items():
        if slug in localities:
            PopulationFigure.objects.update_or_create(
                year=year, locality=localities[slug], sex=sex, age_band=band, defaults={"count": count}
            )
    for code, year, value, sample, source in SURVEY:
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is not None:
            ManualValue.objects.update_or_create(
                indicator=indicator,
                period_start=date(year, 9, 1),
                period_end=date(year, 10, 31),
                locality=None,
                sex="",
                defaults={"value": value, "sample_size": sample, "source": source},
            )
    total = sum(count for (year, _s, _x, _b), count in figures().items() if year == 2025)
    return [
        f"Population figures 2024–2025 for {len(localities)} localities ({total} inhabitants 65+ in 2025)."
    ]
