"""Population figures: the Statistics Sweden CSV import (good files, bad rows) and the demo figures."""

from decimal import Decimal

import pytest

from followup import demo
from followup.models import Indicator, ManualValue, PopulationFigure
from followup.population import age_band, import_csv

from .factories import central, village

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return {"vingaker": central(), "lappe": village("lappe", "Läppe"), "viala": village("viala", "Viala")}


def figures() -> dict[tuple, int]:
    return {
        (f.year, f.locality.slug, f.sex, f.age_band): f.count
        for f in PopulationFigure.objects.select_related("locality")
    }


GOOD = """Folkmängd efter region, ålder, kön och år
region;ålder;kön;2024;2025
Läppe;60-64 år;kvinnor;40;41
Läppe;65-69 år;kvinnor;31;29
Läppe;70-74 år;kvinnor;20;22
Läppe;65-69 år;män;28;30
Läppe;80-84 år;män;9;10
Läppe;85-89 år;kvinnor;7;8
Läppe;90-94 år;kvinnor;3;3
Läppe;100+ år;kvinnor;1;0
0428 Vingåker;75-79 år;män;1 204;1 230
Vingåker;totalt;män;5000;5100
"""


def test_good_file_with_bom_and_semicolons(places):
    result = import_csv(("\ufeff" + GOOD).encode("utf-8"))
    assert result.ok and result.saved
    assert result.created == 10  # 5 cells × 2 years
    assert result.skipped == 2  # ages under 65 and the total row
    data = figures()
    assert data[(2025, "lappe", "K", "65_74")] == 51  # 29 + 22
    assert data[(2024, "lappe", "K", "85_plus")] == 11  # 7 + 3 + 1
    assert data[(2025, "lappe", "M", "80_84")] == 10
    assert data[(2025, "vingaker", "M", "75_79")] == 1230


def test_comma_separated_long_layout_in_windows_encoding_updates(places):
    PopulationFigure.objects.create(year=2025, locality=places["viala"], sex="M", age_band="65_74", count=1)
    text = "ort,ålder,kön,år,antal\nViala,67 år,M,2025,12\nViala,65-69,M,2025,3\nViala,85+,K,2025,9\n"
    result = import_csv(text.encode("cp1252"))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    assert figures()[(2025, "viala", "M", "65_74")] == 15


def test_bad_rows_are_reported_and_nothing_is_saved(places):
    text = (
        "region;ålder;kön;2025\n"
        "Läppe;65-69 år;kvinnor;31\n"
        "Atlantis;65-69 år;kvinnor;12\n"
        "Läppe;70-79 år;män;12\n"
        "Läppe;65-69 år;okänt;12\n"
        "Läppe;75-79 år;män;tolv\n"
        "Läppe;75-79 år\n"
    )
    result = import_csv(text.encode("utf-8"))
    assert not result.saved
    assert [error.line for error in result.errors] == [3, 4, 5, 6, 7]
    messages = " ".join(error.message for error in result.errors)
    assert "Atlantis" in messages and "70-79" in messages and "okänt" in messages and "tolv" in messages
    assert PopulationFigure.objects.count() == 0


def test_file_without_the_needed_columns(places, english):
    assert import_csv(b"namn;antal\nx;1\n").errors[0].line == 0
    no_sex = import_csv("region;ålder;2025\nLäppe;65-69 år;3\n".encode())
    assert not no_sex.saved and "sex" in no_sex.errors[0].message.lower()


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("65-69 år", "65_74"),
        ("70–74 år", "65_74"),
        ("75-79 år", "75_79"),
        ("82 år", "80_84"),
        ("85+ år", "85_plus"),
        ("95-99 år", "85_plus"),
        ("100+ år", "85_plus"),
        ("60-64 år", None),
    ],
)
def test_age_bands(text, band):
    assert age_band(text) == band


@pytest.mark.parametrize("text", ["65+", "60-69", "70-79 år", "gammal"])
def test_unreadable_age_bands(text):
    with pytest.raises(ValueError):
        age_band(text)


def test_demo_figures_are_realistic_and_idempotent():
    from portal import demo as portal_demo

    portal_demo.seed()
    demo.seed()
    demo.seed()
    total_2025 = sum(PopulationFigure.objects.filter(year=2025).values_list("count", flat=True))
    assert 2500 <= total_2025 <= 2700
    assert PopulationFigure.objects.filter(year=2025).count() == 7 * 2 * 4
    assert ManualValue.objects.filter(indicator__code="SRV-01", period_end__year=2025).get().value == Decimal(
        "13.5"
    )
    assert Indicator.objects.get(code="WT-09").target_value == Decimal("2")
