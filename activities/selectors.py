"""Reads shared by the portal pages, the open-data API, feeds and printed programmes.

Every list is built from one of these querysets so that related rows are fetched once
(``select_related``/``prefetch_related`` here) and a page's query count does not grow with the data.
"""

import re
import time as time_module
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Activity, Category, MeetingPlace, Occurrence, Registration

TIME_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the municipality's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def published_activities() -> QuerySet[Activity]:
    return (
        Activity.objects.filter(status=Activity.Status.PUBLISHED)
        .select_related("place__locality", "organiser_association")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("position")))
    )


def public_occurrences() -> QuerySet[Occurrence]:
    """Occurrences of published activities, with everything a listing shows."""
    return (
        Occurrence.objects.filter(activity__status=Activity.Status.PUBLISHED)
        .select_related("activity__place__locality", "activity__organiser_association", "place__locality")
        .prefetch_related(Prefetch("activity__categories", queryset=Category.objects.order_by("position")))
    )


def active_places() -> QuerySet[MeetingPlace]:
    return MeetingPlace.objects.filter(is_active=True).select_related("locality")


def _venue_q(**lookups) -> Q:
    """Match on the occurrence's own place, or on the activity's place when it has none."""
    own = Q(**{f"place__{key}": value for key, value in lookups.items()})
    inherited = Q(place__isnull=True) & Q(
        **{f"activity__place__{key}": value for key, value in lookups.items()}
    )
    return own | inherited


def text_matching_activities(text: str) -> QuerySet[Activity]:
    """Published activities matching ``text``, best first.

    PostgreSQL: full-text search with the Swedish configuration (stemming, so "promenader" finds
    "promenad") weighted title > description > place and organiser, ranked. SQLite: every word must
    appear in one of the same fields (case-insensitive), which is enough for the embedded demo mode.
    """
    activities = Activity.objects.filter(status=Activity.Status.PUBLISHED)
    words = [w for w in (re.sub(r"[^\w]", "", part) for part in text.split()) if w]
    if not words:
        return activities.none()
    if connection.vendor == "postgresql":
        vector = (
            SearchVector("title", weight="A", config="swedish")
            + SearchVector("description", weight="B", config="swedish")
            + SearchVector(
                "place__name", "organiser_association__name", "organiser_unit", weight="C", config="swedish"
            )
        )
        # Every word as a prefix, so "promenad" also finds the compound "promenadgrupp".
        query = SearchQuery(" & ".join(f"{word}:*" for word in words), config="swedish", search_type="raw")
        return (
            activities.annotate(document=vector, rank=SearchRank(vector, query))
            .filter(document=query)
            .order_by("-rank", "title")
        )
    for word in words:
        activities = activities.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(place__name__icontains=word)
            | Q(organiser_association__name__icontains=word)
            | Q(organiser_unit__icontains=word)
        )
    return activities.order_by("title")


@dataclass
class OccurrenceSearch:
    """What a visitor can filter the activity list by. Empty values mean "any"."""

    text: str = ""
    localities: list[str] = field(default_factory=list)  # slugs
    categories: list[str] = field(default_factory=list)  # slugs
    date_from: date | None = None
    date_to: date | None = None
    weekdays: list[int] = field(default_factory=list)  # ISO: Monday 1 … Sunday 7
    time_of_day: str = ""
    free: bool = False
    no_signup: bool = False
    accessible: bool = False
    online: bool = False


def search_occurrences(search: OccurrenceSearch) -> QuerySet[Occurrence]:
    """Upcoming (or, with dates, those in the range) occurrences matching ``search``, by start time."""
    occurrences = public_occurrences().filter(is_cancelled=False)
    if search.date_from:
        occurrences = occurrences.filter(starts_at__gte=start_of_day(search.date_from))
    else:
        occurrences = occurrences.filter(ends_at__gte=timezone.now())
    if search.date_to:
        occurrences = occurrences.filter(starts_at__lt=start_of_day(search.date_to + timedelta(days=1)))
    if search.localities:
        occurrences = occurrences.filter(_venue_q(locality__slug__in=search.localities))
    if search.categories:
        occurrences = occurrences.filter(
            Exists(Category.activities.through.objects.filter(
                activity_id=OuterRef("activity_id"), category__slug__in=search.categories
            ))
        )  # fmt: skip
    if search.weekdays:
        occurrences = occurrences.filter(starts_at__iso_week_day__in=search.weekdays)
    if search.time_of_day in TIME_OF_DAY:
        first_hour, end_hour = TIME_OF_DAY[search.time_of_day]
        occurrences = occurrences.filter(starts_at__hour__gte=first_hour, starts_at__hour__lt=end_hour)
    if search.free:
        occurrences = occurrences.filter(activity__price_sek=0)
    if search.no_signup:
        occurrences = occurrences.filter(activity__signup_required=False)
    if search.accessible:
        occurrences = occurrences.filter(_venue_q(step_free_entrance=True, accessible_toilet=True))
    if search.online:
        occurrences = occurrences.exclude(activity__online_url="")
    if search.text.strip():
        occurrences = occurrences.filter(
            activity__in=text_matching_activities(search.text.strip()).values("pk")
        )
    return occurrences.order_by("starts_at", "activity__title")


def occurrences_of(activity: Activity, *, upcoming_only: bool = True) -> QuerySet[Occurrence]:
    occurrences = activity.occurrences.select_related("place__locality").order_by("starts_at")
    if upcoming_only:
        occurrences = occurrences.filter(ends_at__gte=timezone.now())
    return occurrences


def registrations_for_user(user) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .select_related("occurrence__activity__place", "occurrence__place")
        .order_by("-occurrence__starts_at")
    )


def order_by_relevance(occurrences: QuerySet[Occurrence], text: str) -> QuerySet[Occurrence]:
    """``occurrences`` (already filtered by ``text``) with the best-matching activities first, then by time.

    PostgreSQL ranks with the same full-text vector as :func:`text_matching_activities`; SQLite counts
    words found in the title (worth more) and description.
    """
    words = [w for w in (re.sub(r"[^\w]", "", part) for part in text.split()) if w]
    if not words:
        return occurrences
    if connection.vendor == "postgresql":
        rank = Subquery(
            text_matching_activities(text).filter(pk=OuterRef("activity_id")).values("rank")[:1],
            output_field=FloatField(),
        )
    else:
        rank = Value(0, output_field=IntegerField())
        for word in words:
            rank = (
                rank
                + Case(When(activity__title__icontains=word, then=2), default=0)
                + Case(When(activity__description__icontains=word, then=1), default=0)
            )
    return occurrences.annotate(relevance=rank).order_by(F("relevance").desc(nulls_last=True), "starts_at")


def bookable_occurrences_of(activity: Activity) -> QuerySet[Occurrence]:
    """Upcoming occurrences of ``activity`` with ``confirmed`` (people with a place) and, when the activity
    has a capacity, ``places_left`` annotated in the same query."""
    confirmed = Coalesce(
        Sum("registrations__party_size", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
        0,
    )
    occurrences = occurrences_of(activity).annotate(confirmed=confirmed)
    if activity.capacity is not None:
        occurrences = occurrences.annotate(
            places_left=Value(activity.capacity, output_field=IntegerField()) - confirmed
        )
    return occurrences


def occurrences_at_place(place: MeetingPlace) -> QuerySet[Occurrence]:
    """Upcoming, not cancelled occurrences of published activities held at ``place``."""
    return (
        public_occurrences()
        .filter(_venue_q(pk=place.pk), is_cancelled=False, ends_at__gte=timezone.now())
        .order_by("starts_at", "activity__title")
    )


def occurrences_this_week(locality_slug: str = "") -> QuerySet[Occurrence]:
    """What happens from today and six days on, in one locality or (empty slug) the whole municipality."""
    today = timezone.localdate()
    search = OccurrenceSearch(
        localities=[locality_slug] if locality_slug else [],
        date_from=today,
        date_to=today + timedelta(days=6),
    )
    return search_occurrences(search).filter(ends_at__gte=timezone.now())


def upcoming_and_past_registrations(user) -> tuple[QuerySet[Registration], QuerySet[Registration]]:
    """A user's sign-ups split at now: upcoming soonest first, past latest first."""
    now = timezone.now()
    registrations = registrations_for_user(user).select_related("occurrence__activity__place__locality")
    upcoming = registrations.filter(occurrence__ends_at__gte=now).order_by("occurrence__starts_at")
    past = registrations.filter(occurrence__ends_at__lt=now)
    return upcoming, past


DATA_VERSION_KEY = "activities:data-version"


def data_version() -> int:
    """A number that changes whenever public activity data changes (see :mod:`activities.signals`).

    ETags of the API and feeds and the cache keys of printed programmes are built from it. When the key is
    missing (fresh or cleared cache) it starts from the current time in milliseconds, so a number handed
    out before the cache was lost is never handed out again for different data.
    """
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        from portal import localpages

        cache.add(DATA_VERSION_KEY, int(time_module.time() * 1000), timeout=None)
        version = cache.get(DATA_VERSION_KEY)
        localpages.announce()  # a new series: copies of pages made from the lost one are stale
    return version


def bump_data_version() -> None:
    from portal import localpages

    try:
        cache.incr(DATA_VERSION_KEY)
    except ValueError:  # missing key: the next read starts a new, higher series
        cache.add(DATA_VERSION_KEY, int(time_module.time() * 1000), timeout=None)
    localpages.announce()  # web processes drop their copies of pages made from the old version
