"""iCalendar feeds to subscribe to in a phone's calendar: one activity, one locality or one category.

Each feed holds the occasions of the coming six months. A cancelled occasion stays in the feed with
``STATUS:CANCELLED`` (and a higher ``SEQUENCE``), so calendars that already hold it mark it cancelled
instead of keeping a meeting that will not happen. Times are in UTC, which every client understands.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET

from portal import pagecache
from portal.models import Locality

from .models import Activity, Category, Occurrence
from .selectors import _venue_q, public_occurrences, published_activities

FEED_DAYS = 183


def activity_page_url(activity: Activity) -> str:
    return f"{settings.SITE_URL}/aktiviteter/{activity.slug}/"


def _coming(occurrences: QuerySet[Occurrence]) -> QuerySet[Occurrence]:
    now = timezone.now()
    return occurrences.filter(ends_at__gte=now, starts_at__lt=now + timedelta(days=FEED_DAYS)).order_by(
        "starts_at", "pk"
    )


def _location(occurrence: Occurrence) -> str:
    place = occurrence.venue
    if place is None:
        return _("Online")
    town = " ".join(part for part in (place.postal_code, place.locality.name) if part)
    return ", ".join(part for part in (place.name, place.address, town) if part)


def _description(occurrence: Occurrence) -> str:
    activity = occurrence.activity
    lines = [activity.description.strip(), "", _("Organiser: %s") % activity.organiser_name]
    if activity.contact_phone:
        lines.append(_("Phone: %s") % activity.contact_phone)
    lines.append(_("Free of charge") if activity.is_free else _("Price: %s SEK") % activity.price_sek)
    if activity.signup_required:
        lines.append(_("Sign-up needed"))
    if activity.online_url:
        lines.append(_("Join online: %s") % activity.online_url)
    if occurrence.is_cancelled:
        lines[:0] = [_("Cancelled: %s") % occurrence.cancel_reason, ""]
    return "\n".join(lines)


def build_calendar(name: str, occurrences: QuerySet[Occurrence]) -> bytes:
    """The feed as iCalendar bytes; one VEVENT per occasion, its UID stable for the occasion's lifetime."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Åldersvänlig bygd//Kalender//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(UTC)
    for occurrence in occurrences:
        activity = occurrence.activity
        event = icalendar.Event()
        event.add("uid", f"occurrence-{occurrence.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", occurrence.starts_at.astimezone(UTC))
        event.add("dtend", occurrence.ends_at.astimezone(UTC))
        summary = activity.title
        if occurrence.is_cancelled:
            summary = _("CANCELLED: %s") % summary
        event.add("summary", summary)
        event.add("status", "CANCELLED" if occurrence.is_cancelled else "CONFIRMED")
        event.add("sequence", 1 if occurrence.is_cancelled else 0)
        event.add("location", _location(occurrence))
        place = occurrence.venue
        if place is not None and place.latitude is not None and place.longitude is not None:
            event.add("geo", (float(place.latitude), float(place.longitude)))
        event.add("url", activity_page_url(activity))
        event.add("description", _description(occurrence))
        event.add("categories", [category.name for category in activity.categories.all()] or [_("Activity")])
        calendar.add_component(event)
    return calendar.to_ical()


def _etag(request: HttpRequest, *args, **kwargs) -> str | None:
    """Changes with the public data version; ``None`` (no conditional answer) when the cache is down."""
    version = pagecache.safe_data_version()
    if version is None:
        return None
    key = f"{version}|{request.path}|{translation.get_language()}"
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def _last_modified(request: HttpRequest, *args, **kwargs) -> datetime | None:
    """When the current public data version was first seen, for calendar apps that send only
    ``If-Modified-Since`` (the ETag decides when both are sent)."""
    version = pagecache.safe_data_version()
    seen_at = pagecache.version_seen_at(version) if version is not None else None
    return datetime.fromtimestamp(seen_at, tz=UTC) if seen_at is not None else None


def _ics_response(name: str, slug: str, occurrences: QuerySet[Occurrence]) -> HttpResponse:
    response = HttpResponse(
        build_calendar(name, _coming(occurrences)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{slug}.ics"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
@condition(etag_func=_etag, last_modified_func=_last_modified)
def activity_ics(request: HttpRequest, slug: str) -> HttpResponse:
    activity = get_object_or_404(published_activities(), slug=slug)
    return _ics_response(activity.title, slug, public_occurrences().filter(activity=activity))


@require_GET
@condition(etag_func=_etag, last_modified_func=_last_modified)
def locality_ics(request: HttpRequest, slug: str) -> HttpResponse:
    locality = get_object_or_404(Locality, slug=slug)
    name = _("Activities in %s") % locality.name
    return _ics_response(name, slug, public_occurrences().filter(_venue_q(locality=locality)))


@require_GET
@condition(etag_func=_etag, last_modified_func=_last_modified)
def category_ics(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    tagged = Activity.categories.through.objects.filter(
        activity_id=OuterRef("activity_id"), category=category
    )
    name = _("Activities: %s") % category.name
    return _ics_response(name, slug, public_occurrences().filter(Exists(tagged)))
