"""Shift logging for home-care staff: my team's recipients, tonight's camera checks, one-tap logging.

The shift page lists the recipients compactly (code, team, technologies, tonight's checks), searchable and
one page at a time; each recipient's logging buttons are on that recipient's page, which the service
worker keeps for every recipient the list shows, so that logging also works offline.

Every button is a plain POST form that works without JavaScript (the server generates the event's UUID);
with JavaScript, ``shift.js`` queues the same fields in IndexedDB and sends them to the events API, so
logging keeps working without network. Both paths end in :func:`welfaretech.events.record_events`.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role
from portal.paging import page_of, query_without

from .events import CORRECTION_WINDOW, correct_event, record_events
from .models import Assignment, CareRecipient, Event, EventKind, TechnologyType
from .selectors import recipients_for

LOGGERS = (Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN)
CAMERA_KINDS = [
    EventKind.CAMERA_CHECK_OK,
    EventKind.CAMERA_CHECK_NOT_SEEN,
    EventKind.CAMERA_CHECK_RETRIED_OK,
    EventKind.CAMERA_CHECK_VISIT,
]
NIGHT_STARTS, NIGHT_ENDS = time(21, 0), time(7, 0)
# A check logged this long before or after a scheduled time counts for that slot.
SLOT_MARGIN = timedelta(minutes=90)
# Recipients per page of the shift list: a phone screen or two, and a small page on a weak connection.
PAGE_SIZE = 25
# The service worker's cache name; a new version drops the pages cached by the previous one.
SW_VERSION = "shift-v2"
# Sent by the service worker when it stores a recipient's page for offline use (see sw.js).
PRECACHE_HEADER = "X-Shift-Precache"


@dataclass
class Slot:
    at: datetime
    done: bool


def current_night(now: datetime) -> tuple[datetime, datetime]:
    """The night (21:00–07:00 local time) that ``now`` belongs to, or the coming one during the day."""
    local = timezone.localtime(now)
    start_day = local.date() if local.time() >= time(12, 0) else local.date() - timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, NIGHT_STARTS, tzinfo=tz)
    return start, datetime.combine(start_day + timedelta(days=1), NIGHT_ENDS, tzinfo=tz)


def night_slots(schedule: list[str], night: tuple[datetime, datetime], checks: list[datetime]) -> list[Slot]:
    start, end = night
    slots = []
    for value in schedule:
        try:
            hour, minute = (int(part) for part in str(value).split(":"))
            at_time = time(hour, minute)
        except ValueError:
            continue
        day = start.date() if at_time >= NIGHT_STARTS else end.date()
        if not (at_time >= NIGHT_STARTS or at_time <= NIGHT_ENDS):
            continue
        at = datetime.combine(day, at_time, tzinfo=start.tzinfo)
        slots.append(Slot(at=at, done=any(abs(check - at) <= SLOT_MARGIN for check in checks)))
    return sorted(slots, key=lambda slot: slot.at)


def _active_assignments():
    today = timezone.localdate()
    return Assignment.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today)


def _technology_prefetches(night: tuple[datetime, datetime]) -> list[Prefetch]:
    """Each recipient's active assignments and tonight's camera checks (``_annotate`` reads them)."""
    active = _active_assignments().select_related("technology").order_by("technology__code")
    checks = Event.objects.filter(
        kind__in=CAMERA_KINDS, superseded=False, occurred_at__range=(night[0] - SLOT_MARGIN, night[1])
    ).only("recipient_id", "occurred_at")
    return [
        Prefetch("assignments", queryset=active, to_attr="active_assignments"),
        Prefetch("events", queryset=checks, to_attr="night_checks"),
    ]


def _my_recipients(user):
    return recipients_for(user).filter(is_active=True).select_related("team").order_by("team__name", "code")


class ShiftSearchForm(forms.Form):
    """The shift list's search: part of a recipient's code or team name, optionally only camera checks."""

    q = forms.CharField(required=False, max_length=50, label=gettext_lazy("Code or team"))
    camera = forms.BooleanField(required=False, label=gettext_lazy("Only recipients with camera checks"))

    def apply(self, recipients):
        if not self.is_valid():
            return recipients
        if text := self.cleaned_data["q"].strip():
            recipients = recipients.filter(Q(code__icontains=text) | Q(team__name__icontains=text))
        if self.cleaned_data["camera"]:
            supervised = _active_assignments().filter(
                recipient=OuterRef("pk"), technology__code=TechnologyType.Code.DIGITAL_SUPERVISION
            )
            recipients = recipients.filter(Exists(supervised))
        return recipients

    @property
    def searching(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data["q"].strip() or self.cleaned_data["camera"])


def _annotate(recipient: CareRecipient, night) -> CareRecipient:
    recipient.technology_codes = {a.technology.code for a in recipient.active_assignments}
    checks = [event.occurred_at for event in recipient.night_checks]
    recipient.slots = [
        slot
        for assignment in recipient.active_assignments
        if assignment.technology.code == TechnologyType.Code.DIGITAL_SUPERVISION
        for slot in night_slots(assignment.night_schedule, night, checks)
    ]
    return recipient


def _my_events_today(user):
    since = timezone.now() - CORRECTION_WINDOW
    return (
        Event.objects.filter(recorded_by=user, received_at__gte=since)
        .select_related("recipient")
        .order_by("-occurred_at")[:50]
    )


def _shell_context() -> dict:
    return {
        "events_api": "/api/v1/welfaretech/events/",
        "causes": Event.Cause.choices,
        "note_hint": _("Never write names, personal identity numbers or health details."),
        # A callable: every form rendered gets a fresh id, so re-sending that form is a duplicate.
        "new_uuid": uuid.uuid4,
    }


@require_GET
@role_required(*LOGGERS)
def shift(request: HttpRequest) -> HttpResponse:
    """My team's recipients, one page at a time, with their technologies and tonight's camera checks.

    The list only links to each recipient's logging page; the page's recipients are read in one query
    and their assignments and checks are prefetched for that page only.
    """
    night = current_night(timezone.now())
    form = ShiftSearchForm(request.GET)
    page = page_of(request, form.apply(_my_recipients(request.user)), PAGE_SIZE)
    recipients = list(page.object_list)
    prefetch_related_objects(recipients, *_technology_prefetches(night))
    page.object_list = [_annotate(recipient, night) for recipient in recipients]
    audit.record(
        "welfaretech.shift.view",
        request=request,
        object_type="welfaretech.carerecipient",
        listed=[recipient.pk for recipient in recipients],
    )
    return render(
        request,
        "welfaretech/shift/shift.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request),
            "night": night,
            "my_events": _my_events_today(request.user),
            **_shell_context(),
        },
    )


@require_GET
@role_required(*LOGGERS)
def recipient(request: HttpRequest, pk: int) -> HttpResponse:
    """The logging buttons for one recipient, for the technologies they have."""
    night = current_night(timezone.now())
    recipients = _my_recipients(request.user).prefetch_related(*_technology_prefetches(night))
    found = get_object_or_404(recipients, pk=pk)
    if request.headers.get(PRECACHE_HEADER):
        # Stored on the device for offline logging, not opened by the user: say so in the audit log.
        audit.record("welfaretech.shift.view", request=request, obj=found, purpose="offline copy")
    else:
        audit.record("welfaretech.shift.view", request=request, obj=found)
    return render(
        request,
        "welfaretech/shift/recipient.html",
        {
            "recipient": _annotate(found, night),
            "devices": found.devices.select_related("technology"),
            "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            **_shell_context(),
        },
    )


def _item_from_post(request: HttpRequest) -> dict:
    item = {key: request.POST.get(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    for name in ("occurred_at", "arrived_at"):
        if item.get(name) and parse_datetime(item[name]) is None:
            item[name] = None
    if not item.get("client_uuid"):
        item["client_uuid"] = str(uuid.uuid4())
    if not item.get("occurred_at"):
        item["occurred_at"] = timezone.now()
    return item


def _show_result(request: HttpRequest, result) -> None:
    if result.status == "error":
        for messages_ in result.errors.values():
            for message in messages_:
                messages.error(request, message)
        return
    messages.success(request, _("Logged: %(kind)s") % {"kind": result.event.get_kind_display()})
    for warning in result.warnings:
        messages.warning(request, warning)


@require_POST
@role_required(*LOGGERS)
def log(request: HttpRequest) -> HttpResponse:
    """Log one event from a button's form (the no-JavaScript path)."""
    result = record_events(request.user, [_item_from_post(request)])[0]
    _show_result(request, result)
    recipient_id = request.POST.get("recipient", "")
    if result.status == "error" and recipient_id.isdigit():
        return redirect("welfaretech:shift-recipient", pk=int(recipient_id))
    return redirect("welfaretech:shift")


@require_http_methods(["GET", "POST"])
@role_required(*LOGGERS)
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one of my events within 24 hours; the original is kept, marked as corrected."""
    original = get_object_or_404(
        Event.objects.select_related("recipient"), pk=pk, recorded_by=request.user, superseded=False
    )
    audit.record("welfaretech.shift.view", request=request, obj=original.recipient)
    errors: dict = {}
    if request.method == "POST":
        changes = _item_from_post(request)
        changes.pop("recipient", None)
        try:
            result = correct_event(request.user, original, changes)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            _show_result(request, result)
            return redirect("welfaretech:shift")
    return render(
        request,
        "welfaretech/shift/correct.html",
        {
            "event": original,
            "errors": errors,
            "kinds": EventKind.choices,
            "occurred_local": timezone.localtime(original.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "too_late": timezone.now() - original.received_at > CORRECTION_WINDOW,
            **_shell_context(),
        },
    )


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /hemtjanst/ so that its scope covers the logging pages."""
    assets = [
        static("css/site.css"),
        static("welfaretech/shift.js"),
        static("welfaretech/manifest.webmanifest"),
        static("img/favicon.svg"),
    ]
    body = render_to_string(
        "welfaretech/shift/sw.js",
        {
            "assets": assets,
            "shell": reverse("welfaretech:shift"),
            "version": SW_VERSION,
            "precache_header": PRECACHE_HEADER,
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/hemtjanst/"
    return response
