"""How the portal writes times and structured data for activities."""

import json
from datetime import datetime

from django import template
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _clock(moment: datetime, swedish: bool) -> str:
    return moment.strftime("%H.%M" if swedish else "%H:%M")


def when(starts_at: datetime, ends_at: datetime | None = None, *, language: str | None = None) -> str:
    """A date and time range the way people say it: "tisdag 3 mars kl. 10.00–11.30" in Swedish,
    "Tuesday 3 March, 10:00–11:30" in English. The year is added when it is not the current one."""
    language = language or translation.get_language() or "sv"
    swedish = not language.startswith("en")
    start = timezone.localtime(starts_at)
    pattern = "l j F" if start.year == timezone.localdate().year else "l j F Y"
    with translation.override("sv" if swedish else "en"):
        day = formats.date_format(start, pattern)
    times = _clock(start, swedish)
    if ends_at is not None:
        times += "–" + _clock(timezone.localtime(ends_at), swedish)
    return f"{day} kl. {times}" if swedish else f"{day}, {times}"


@register.simple_tag
def occurrence_when(occurrence) -> str:
    return when(occurrence.starts_at, occurrence.ends_at)


@register.filter
def when_starts(moment: datetime) -> str:
    return when(moment)


def _escape_json(data) -> str:
    """JSON safe to place inside a <script> element: no "<", ">" or "&" can close it early."""
    text = json.dumps(data, ensure_ascii=False, cls=_Encoder)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Encoder(json.JSONEncoder):
    def default(self, value):
        if isinstance(value, datetime):
            return timezone.localtime(value).isoformat()
        return str(value)


def event_data(activity, occurrences, base_url: str) -> list[dict]:
    """schema.org ``Event`` objects for the given occurrences of ``activity``."""
    events = []
    for occurrence in occurrences:
        venue = occurrence.venue
        event = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": activity.title,
            "description": activity.description[:500],
            "startDate": occurrence.starts_at,
            "endDate": occurrence.ends_at,
            "url": f"{base_url}/aktiviteter/{activity.slug}/",
            "eventStatus": "https://schema.org/EventCancelled"
            if occurrence.is_cancelled
            else "https://schema.org/EventScheduled",
            "organizer": {"@type": "Organization", "name": activity.organiser_name},
            "isAccessibleForFree": activity.is_free,
        }
        if venue is not None:
            event["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
            event["location"] = {
                "@type": "Place",
                "name": venue.name,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": venue.address,
                    "postalCode": venue.postal_code,
                    "addressLocality": venue.locality.name,
                    "addressCountry": "SE",
                },
            }
        else:
            event["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
            event["location"] = {"@type": "VirtualLocation", "url": activity.online_url}
        if not activity.is_free:
            event["offers"] = {"@type": "Offer", "price": str(activity.price_sek), "priceCurrency": "SEK"}
        events.append(event)
    return events


@register.simple_tag(takes_context=True)
def event_json_ld(context, activity, occurrences) -> SafeString:
    request = context.get("request")
    base_url = f"{request.scheme}://{request.get_host()}" if request else ""
    data = event_data(activity, occurrences, base_url)
    return mark_safe(f'<script type="application/ld+json">{_escape_json(data)}</script>')


@register.simple_tag
def accessibility_facts(place) -> list[tuple[str, str, bool]]:
    """``(field name, label, present)`` for each accessibility fact of a meeting place."""
    meta = type(place)._meta
    return [
        (name, meta.get_field(name).verbose_name, getattr(place, name)) for name in place.ACCESSIBILITY_FIELDS
    ]
