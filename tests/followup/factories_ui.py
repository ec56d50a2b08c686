"""Small data sets for the follow-up pages and reports: held occurrences with attendance, in given months."""

from datetime import datetime
from zoneinfo import ZoneInfo

from activities.models import Attendance

from ..factories import ActivityFactory, LocalityFactory, MeetingPlaceFactory, OccurrenceFactory

LOCAL = ZoneInfo("Europe/Stockholm")


def held(count: int, *, year: int, month: int, locality=None, women: int = 0, men: int = 0) -> list:
    """``count`` occurrences held on days 1..count of the month at a place in ``locality``, each with the
    given number of women and men 65–74 attending."""
    locality = locality or LocalityFactory()
    activity = ActivityFactory(place=MeetingPlaceFactory(locality=locality))
    occurrences = []
    for day in range(1, count + 1):
        starts = datetime(year, month, day, 10, tzinfo=LOCAL)
        occurrence = OccurrenceFactory(activity=activity, starts_at=starts)
        if women or men:
            Attendance.objects.create(occurrence=occurrence, women_65_74=women, men_65_74=men)
        occurrences.append(occurrence)
    return occurrences
