"""Factories and small builders for the follow-up core tests (population, manual values, held
occurrences with attendance, grants)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from activities.models import Attendance
from followup.models import Indicator, ManualValue, PopulationFigure

from ..factories import ActivityFactory, LocalityFactory, MeetingPlaceFactory, OccurrenceFactory

LOCAL = ZoneInfo("Europe/Stockholm")


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL)


def central(slug: str = "vingaker", name: str = "Vingåker"):
    return LocalityFactory(slug=slug, name=name, is_rural=False)


def village(slug: str, name: str | None = None):
    return LocalityFactory(slug=slug, name=name or slug.capitalize(), is_rural=True)


class PopulationFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationFigure

    year = 2025
    locality = factory.SubFactory(LocalityFactory)
    sex = "K"
    age_band = "65_74"
    count = 100


def population(year: int, locality, **cells: int) -> None:
    """``population(2025, place, K_65_74=100, M_85_plus=20)``."""
    for name, count in cells.items():
        sex, band = name.split("_", 1)
        PopulationFigure.objects.create(year=year, locality=locality, sex=sex, age_band=band, count=count)


class ManualValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManualValue

    indicator = factory.LazyFunction(lambda: Indicator.objects.get(code="SRV-01"))
    period_start = date(2025, 9, 1)
    period_end = date(2025, 10, 31)
    value = Decimal("12.5")
    sample_size = 300
    source = "Äldreenkät 2025"


def held(locality, *starts: datetime, activity=None, **attendance: int) -> list:
    """Occurrences of one activity at a place in ``locality`` starting at ``starts``; the first gets the
    ``attendance`` counts (e.g. ``women_65_74=10``)."""
    activity = activity or ActivityFactory(place=MeetingPlaceFactory(locality=locality))
    occurrences = [OccurrenceFactory(activity=activity, starts_at=start) for start in starts]
    if attendance and occurrences:
        Attendance.objects.create(occurrence=occurrences[0], **attendance)
    return occurrences
