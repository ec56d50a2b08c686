"""ACT-* against hand-computed values on small data, with every split.

The data (2025):
* Vingåker (central): 6 occurrences in January–March; the first with women 65–74: 10, men 65–74: 4,
  women 85+: 2 and 3 others. One more occurrence of a Läppe activity held in Vingåker (place override) in
  April. A cancelled occurrence and one of a draft activity do not count.
* Läppe: 5 occurrences in April–May; the first with women 75–84: 6, men 75–84: 5, men 85+: 1.
* Viala: 2 occurrences in June; the first with women 65–74: 3, men 65–74: 1.
Population 2025: Vingåker 300, Läppe 100, Viala 100 (see ``population_2025``).
"""

from datetime import date
from decimal import Decimal

import pytest

from activities.models import Activity
from followup.indicators import evaluate

from ..factories import ActivityFactory, MeetingPlaceFactory, OccurrenceFactory, RegistrationFactory
from .factories import at, central, held, population, village

pytestmark = pytest.mark.django_db
YEAR = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}


@pytest.fixture
def places():
    return {"vingaker": central(), "lappe": village("lappe", "Läppe"), "viala": village("viala", "Viala")}


@pytest.fixture
def activity_data(places):
    vingaker, lappe, viala = places["vingaker"], places["lappe"], places["viala"]
    held(
        vingaker,
        *[at(2025, month, 10) for month in (1, 2, 3)],
        *[at(2025, month, 20) for month in (1, 2, 3)],
        women_65_74=10,
        men_65_74=4,
        women_85_plus=2,
        others=3,
    )
    lappe_occurrences = held(
        lappe,
        *[at(2025, 4, day) for day in (1, 8, 15)],
        *[at(2025, 5, day) for day in (6, 13)],
        women_75_84=6,
        men_75_84=5,
        men_85_plus=1,
    )
    # Held in Vingåker this time although the activity belongs to Läppe.
    OccurrenceFactory(
        activity=lappe_occurrences[0].activity,
        starts_at=at(2025, 4, 22),
        place=MeetingPlaceFactory(locality=vingaker),
    )
    held(viala, at(2025, 6, 3), at(2025, 6, 10), women_65_74=3, men_65_74=1)
    # Not held: cancelled, and a draft activity.
    OccurrenceFactory(
        activity=ActivityFactory(place=MeetingPlaceFactory(locality=vingaker)),
        starts_at=at(2025, 2, 2),
        is_cancelled=True,
    )
    OccurrenceFactory(
        activity=ActivityFactory(place=MeetingPlaceFactory(locality=vingaker), status=Activity.Status.DRAFT),
        starts_at=at(2025, 2, 3),
    )
    return places


@pytest.fixture
def population_2025(places):
    population(2025, places["vingaker"], K_65_74=100, M_65_74=100, K_75_79=50, K_80_84=25, M_85_plus=25)
    population(2025, places["lappe"], K_65_74=40, M_65_74=40, K_75_79=10, M_80_84=10)
    population(2025, places["viala"], K_65_74=50, M_65_74=50)
    # An older year is not used when 2025 exists.
    population(2024, places["viala"], K_65_74=5000)


def values(rows) -> dict[str, Decimal | None]:
    return {row.key: row.value.value for row in rows}


def suppressed(rows) -> set[str]:
    return {row.key for row in rows if row.value.suppressed}


def test_act01_occurrences_held_with_place_splits(activity_data):
    result = evaluate("ACT-01", **YEAR, split="locality")
    assert result.total.value == 14
    assert values(result.periods) == {"2025-Q1": 6, "2025-Q2": 8, "2025-Q3": None, "2025-Q4": None}
    assert suppressed(result.periods) == {"2025-Q3", "2025-Q4"}  # zero is below 5 too
    assert values(result.rows)["vingaker"] == 7
    assert values(result.rows)["lappe"] == 5
    assert suppressed(result.rows) == {"viala"}
    area = evaluate("ACT-01", **YEAR, split="area")
    assert values(area.rows) == {"central": 7, "countryside": 7}
    by_month = evaluate("ACT-01", date_from=date(2025, 1, 1), date_to=date(2025, 3, 31), granularity="month")
    assert [row.key for row in by_month.periods] == ["2025-01", "2025-02", "2025-03"]
    assert suppressed(by_month.periods) == {"2025-01", "2025-02", "2025-03"}  # 2 each


def test_act01_locality_filter(activity_data):
    result = evaluate("ACT-01", **YEAR, locality=activity_data["vingaker"])
    assert result.total.value == 7


def test_act02_countryside_share(activity_data):
    result = evaluate("ACT-02", **YEAR)
    assert result.total.value == Decimal("50.0")
    assert values(result.periods)["2025-Q2"] == Decimal("87.5")  # 7 of 8
    assert result.periods[0].value.suppressed  # Q1: no countryside occurrence (0 < 5)
    with pytest.raises(ValueError):
        evaluate("ACT-02", **YEAR, split="locality")


def test_act03_participant_sessions_with_all_splits(activity_data):
    result = evaluate("ACT-03", **YEAR, split="sex")
    assert result.total.value == 35  # everyone, including the 3 others
    assert values(result.rows) == {"K": 21, "M": 11}
    assert values(result.periods)["2025-Q1"] == 19
    assert values(result.periods)["2025-Q2"] == 16  # Läppe 12 + Viala 4
    by_age = evaluate("ACT-03", **YEAR, split="age_band")
    assert values(by_age.rows) == {"65_74": 18, "75_84": 11, "85_plus": None}
    assert suppressed(by_age.rows) == {"85_plus"}
    by_locality = evaluate("ACT-03", **YEAR, split="locality")
    assert values(by_locality.rows) == {"vingaker": 19, "lappe": 12, "viala": None}
    by_area = evaluate("ACT-03", **YEAR, split="area")
    assert values(by_area.rows) == {"central": 19, "countryside": 16}
    men = evaluate("ACT-03", **YEAR, sex="M", split="age_band")
    assert men.total.value == 11
    assert values(men.rows) == {"65_74": 5, "75_84": 5, "85_plus": None}


def test_act04_sessions_per_100_inhabitants(activity_data, population_2025):
    result = evaluate("ACT-04", **YEAR, split="locality")
    assert result.total.value == Decimal("6.4")  # 32 / 500 * 100
    assert values(result.rows)["vingaker"] == Decimal("5.3")  # 16 / 300
    assert values(result.rows)["lappe"] == Decimal("12.0")  # 12 / 100
    assert suppressed(result.rows) == {"viala"}  # 4 sessions
    by_sex = evaluate("ACT-04", **YEAR, split="sex")
    assert values(by_sex.rows) == {"K": Decimal("7.6"), "M": Decimal("4.9")}  # 21/275, 11/225
    by_age = evaluate("ACT-04", **YEAR, split="age_band")
    assert values(by_age.rows)["65_74"] == Decimal("4.7")  # 18 / 380
    assert values(by_age.rows)["75_84"] == Decimal("11.6")  # 11 / 95
    assert suppressed(by_age.rows) == {"85_plus"}
    by_area = evaluate("ACT-04", **YEAR, split="area")
    assert values(by_area.rows) == {"central": Decimal("5.3"), "countryside": Decimal("8.0")}  # 16/200


def test_act04_without_population_has_no_value(activity_data):
    result = evaluate("ACT-04", **YEAR)
    assert result.total.value is None and not result.total.suppressed
    assert result.total.display() == "–"


def test_act06_mens_share(activity_data):
    result = evaluate("ACT-06", **YEAR, split="locality")
    assert result.total.value == Decimal("34.4")  # 11 / 32
    assert values(result.rows)["lappe"] == Decimal("50.0")
    assert suppressed(result.rows) == {"vingaker", "viala"}  # 4 men in Vingåker, 1 in Viala
    by_age = evaluate("ACT-06", **YEAR, split="age_band")
    assert values(by_age.rows) == {"65_74": Decimal("27.8"), "75_84": Decimal("45.5"), "85_plus": None}
    by_area = evaluate("ACT-06", **YEAR, split="area")
    assert values(by_area.rows)["countryside"] == Decimal("43.8")  # 7 / 16


def test_act05_fill_rate_and_waiting_list(places):
    vingaker = places["vingaker"]
    activity = ActivityFactory(
        place=MeetingPlaceFactory(locality=vingaker), signup_required=True, capacity=10
    )
    first, second = held(vingaker, at(2025, 2, 4), at(2025, 2, 11), activity=activity)
    for _ in range(3):
        RegistrationFactory(occurrence=first, party_size=2)
    for _ in range(2):
        RegistrationFactory(occurrence=second)
    RegistrationFactory(occurrence=second, status="cancelled", party_size=4)
    for _ in range(6):
        RegistrationFactory(occurrence=second, status="waiting")
    # Without sign-up or capacity: not part of the fill rate.
    open_activity = ActivityFactory(place=MeetingPlaceFactory(locality=vingaker))
    (open_occurrence,) = held(vingaker, at(2025, 2, 5), activity=open_activity)
    RegistrationFactory(occurrence=open_occurrence, party_size=5)

    fill = evaluate("ACT-05", **YEAR, split="area")
    assert fill.total.value == Decimal("40.0")  # 8 confirmed of 20 places
    assert values(fill.rows)["central"] == Decimal("40.0")
    assert fill.rows[1].value.display() == "–"  # countryside: no places offered
    waiting = evaluate("ACT-05-WL", **YEAR, split="locality")
    assert waiting.total.value == 6
    assert values(waiting.rows)["vingaker"] == 6
