"""Recording shift events: the one write path for the logging page, the offline queue and the API.

Every event carries a client-generated UUID. The unique constraint on ``Event.client_uuid`` is what makes
retries safe: each item is inserted in its own savepoint, and a repeat (or a concurrent twin) answers the
stored event as a duplicate instead of storing it twice. Items are independent: one bad item never
aborts the rest of a batch.

Kinds are not restricted to the recipient's current assignments (a device may have been moved or the
assignment ended minutes earlier while the staff member was offline); the kind-specific fields are
validated instead: an alarm needs ``arrived_at`` or ``resolved_remotely``, a device fault needs a note or
a device.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.roles import Role

from .models import CareRecipient, Device, Event, EventKind, Fault
from .selectors import recipients_for

CORRECTION_WINDOW = timedelta(hours=24)
NOTE_MAX_LENGTH = 200
# Swedish personal identity numbers (and co-ordination numbers): [YY]YYMMDD-XXXX or without the dash.
PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
# Words that suggest a health detail. A soft check: the event is stored and flagged to the user.
HEALTH_WORDS = re.compile(
    r"\b(diagnos\w*|demens\w*|alzheimer\w*|parkinson\w*|diabet\w*|cancer\w*|stroke|hjärtinfarkt|"
    r"depression\w*|psykos\w*|schizofren\w*|epilepsi\w*|kol|hiv|missbruk\w*|dementia|diabetes)\b",
    re.IGNORECASE,
)
FAULT_KINDS = {EventKind.DEVICE_FAULT, EventKind.LOCK_FAULT}
FIELDS = (
    "arrived_at",
    "resolved_remotely",
    "cause",
    "replaces_visit",
    "action",
    "note",
    "device",
    "is_urgent",
)


@dataclass
class ItemResult:
    """What became of one submitted item: ``created``, ``duplicate`` or ``error``."""

    client_uuid: str
    status: str
    event: Event | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def check_note(note: str) -> list[str]:
    """Refuse a personal identity number; return warnings for words that look like health details."""
    if PERSONNUMMER.search(note):
        raise ValidationError(
            _("Remove the personal identity number. Notes must never identify the person."), code="pnr"
        )
    if HEALTH_WORDS.search(note):
        return [_("The note may contain a health detail. Write only what is needed to follow up.")]
    return []


def _parse_time(value: Any, name: str, errors: dict) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    except ValueError:  # well-formed but impossible, e.g. month 13
        parsed = None
    if parsed is None:
        errors.setdefault(name, []).append(_("Enter a date and time in ISO 8601 format."))
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _clean(item: dict, recipients: dict[int, CareRecipient], devices: dict[int, Device]) -> tuple[dict, dict]:
    """Validate one item; return (model fields, errors by field)."""
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    recipient = recipients.get(_pk(item.get("recipient")))
    if recipient is None:
        errors["recipient"] = [_("Unknown recipient, or not one of your team's.")]
    data["recipient"] = recipient
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in EventKind.values:
        errors["kind"] = [_("Unknown event kind.")]
        kind = ""  # JSON may send an object or a list here; the checks below compare kinds in sets
    data["kind"] = kind
    occurred_at = _parse_time(item.get("occurred_at"), "occurred_at", errors)
    if occurred_at is None and "occurred_at" not in errors:
        errors["occurred_at"] = [_("This field is required.")]
    elif occurred_at and occurred_at > timezone.now() + timedelta(minutes=10):
        errors["occurred_at"] = [_("The time is in the future.")]
    data["occurred_at"] = occurred_at
    data["arrived_at"] = _parse_time(item.get("arrived_at"), "arrived_at", errors)
    for flag in ("resolved_remotely", "replaces_visit", "is_urgent"):
        data[flag] = item.get(flag) in (True, "true", "on", "1", 1)
    cause = item.get("cause") or ""
    if cause and cause not in Event.Cause.values:
        errors["cause"] = [_("Unknown cause.")]
    data["cause"] = cause
    data["action"] = str(item.get("action") or "")[:200]
    note = str(item.get("note") or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = [_("Keep the note to at most 200 characters.")]
    data["note"] = note
    device = None
    if item.get("device") not in (None, ""):
        device = devices.get(_pk(item["device"]))
        if device is None or (recipient is not None and device.recipient_id != recipient.pk):
            errors["device"] = [_("Unknown device for this recipient.")]
    data["device"] = device
    if kind == EventKind.ALARM and not (data["arrived_at"] or data["resolved_remotely"]):
        errors.setdefault("arrived_at", []).append(_("Give the arrival time or mark it resolved remotely."))
    if kind in FAULT_KINDS and not (note or device):
        errors.setdefault("note", []).append(_("Describe the fault or choose the device."))
    if kind != EventKind.DEVICE_FAULT:
        data["is_urgent"] = False
    return data, errors


def _pk(value: Any) -> int | None:
    """A primary key sent as JSON: digits that fit a 64-bit column (a longer number would make the query
    itself fail), else None. ``isdecimal`` rather than ``isdigit``, which lets "²" through to ``int``."""
    text = str(value).strip()
    return int(text) if text.isdecimal() and len(text) <= 18 else None


def record_events(user, items: list[dict]) -> list[ItemResult]:
    """Store each item once per ``client_uuid``, for recipients of the user's teams; one result per item.

    Valid new events are written with one multi-row INSERT; urgent faults (which open a fault and send
    e-mail) are stored one by one, and so is the whole batch if a twin arrived concurrently."""
    ids = {_pk(item.get("recipient")) for item in items if isinstance(item, dict)} - {None}
    recipients = {r.pk: r for r in recipients_for(user).filter(pk__in=ids, is_active=True)}
    device_ids = {_pk(i.get("device")) for i in items if isinstance(i, dict)} - {None}
    devices = {d.pk: d for d in Device.objects.filter(pk__in=device_ids)} if device_ids else {}
    uuids = []
    for item in items:
        try:
            uuids.append(uuid.UUID(str(item.get("client_uuid"))))
        except (AttributeError, TypeError, ValueError):
            continue
    # One query for the repeats; a twin arriving concurrently is caught by the unique constraint below.
    stored = {event.client_uuid: event for event in Event.objects.filter(client_uuid__in=uuids)}
    results: list[ItemResult | None] = [None] * len(items)
    fresh: dict[uuid.UUID, Pending] = {}
    repeats: list[tuple[int, uuid.UUID]] = []  # the same UUID twice in one batch is stored once
    for index, item in enumerate(items):
        outcome = _prepare(user, item, recipients, devices, stored)
        if isinstance(outcome, ItemResult):
            results[index] = outcome
        elif outcome.event.client_uuid in fresh:
            repeats.append((index, outcome.event.client_uuid))
        else:
            fresh[outcome.event.client_uuid] = Pending(index, outcome.event, outcome.warnings)
    _store(user, list(fresh.values()), results)
    for index, client_uuid in repeats:
        first = results[fresh[client_uuid].index]
        results[index] = _duplicate(user, first.event) if first.event is not None else first
    _mark_active({result.event.recipient_id for result in results if result.status == "created"})
    return results


@dataclass
class Pending:
    """A valid, new event not saved yet, and where its result goes."""

    index: int
    event: Event
    warnings: list[str]


def _store(user, pending: list[Pending], results: list) -> None:
    def urgent(p: Pending) -> bool:
        return p.event.kind == EventKind.DEVICE_FAULT and p.event.is_urgent

    one_by_one = [p for p in pending if urgent(p)]
    together = [p for p in pending if not urgent(p)]
    if together:
        try:
            with transaction.atomic():
                Event.objects.bulk_create([p.event for p in together])
        except IntegrityError:  # a concurrent request stored one of these UUIDs: find it one by one
            for p in together:
                p.event.pk = None
            one_by_one, together = pending, []
    for p in together:
        results[p.index] = ItemResult(str(p.event.client_uuid), "created", event=p.event, warnings=p.warnings)
    for p in one_by_one:
        results[p.index] = _insert_one(user, p)


def _insert_one(user, pending: Pending) -> ItemResult:
    event = pending.event
    try:
        with transaction.atomic():
            event.save(force_insert=True)
            if event.kind == EventKind.DEVICE_FAULT and event.is_urgent:
                _report_urgent_fault(event)
    except IntegrityError:
        # A concurrent request stored the same UUID between our check and our insert.
        event.pk = None
        return _duplicate(user, Event.objects.get(client_uuid=event.client_uuid))
    return ItemResult(str(event.client_uuid), "created", event=event, warnings=pending.warnings)


def _mark_active(recipient_ids: set[int]) -> None:
    """Logged care is what keeps a recipient "active" for the anonymisation rule (one UPDATE per batch)."""
    if recipient_ids:
        today = timezone.localdate()
        CareRecipient.objects.filter(pk__in=recipient_ids).exclude(last_active_on__gte=today).update(
            last_active_on=today
        )


def _prepare(user, item: Any, recipients: dict, devices: dict, stored: dict) -> ItemResult | Pending:
    """The item's result if it is an error or a repeat, else the unsaved event (as a Pending)."""
    if not isinstance(item, dict):
        return ItemResult("", "error", errors={"": [_("Each event must be an object.")]})
    raw_uuid = item.get("client_uuid")
    try:
        client_uuid = uuid.UUID(str(raw_uuid))
    except (TypeError, ValueError):
        return ItemResult(str(raw_uuid or ""), "error", errors={"client_uuid": [_("Enter a valid UUID.")]})
    if client_uuid in stored:
        return _duplicate(user, stored[client_uuid])
    data, errors = _clean(item, recipients, devices)
    warnings: list[str] = []
    if not errors:
        try:
            warnings = check_note(data["note"])
        except ValidationError as error:
            errors["note"] = error.messages
    if errors:
        return ItemResult(str(client_uuid), "error", errors=errors)
    event = Event(client_uuid=client_uuid, team_id=data["recipient"].team_id, recorded_by=user, **data)
    return Pending(-1, event, warnings)


def _duplicate(user, event: Event) -> ItemResult:
    if event.recorded_by_id != user.pk:
        # Never reveal someone else's event through a guessed UUID.
        return ItemResult(
            str(event.client_uuid), "error", errors={"client_uuid": [_("This id is already in use.")]}
        )
    return ItemResult(str(event.client_uuid), "duplicate", event=event)


def _report_urgent_fault(event: Event) -> None:
    """Open a fault (when the device is known) and e-mail every welfare-tech administrator at once."""
    from accounts.models import User
    from accounts.tasks import send_email
    from outbox import enqueue

    if event.device is not None:
        Fault.objects.create(
            device=event.device,
            event=event,
            description=event.note or event.get_kind_display(),
            is_urgent=True,
            reported_at=event.occurred_at,
        )
    recipients = list(
        User.objects.filter(groups__name=Role.WELFARETECH_ADMIN, is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return
    subject = _("Urgent device fault for %(code)s") % {"code": event.recipient.code}
    body = _(
        "An urgent device fault was logged at %(time)s by team %(team)s.\nDevice: %(device)s\nNote: %(note)s"
    ) % {
        "time": timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M"),
        "team": event.recipient.team.name if event.recipient else "",
        "device": event.device or "-",
        "note": event.note or "-",
    }
    enqueue(send_email, subject, body, recipients)


def correct_event(user, original: Event, changes: dict) -> ItemResult:
    """Log a correction of ``original``: a new event pointing at it; the original is kept, superseded.

    Only the person who logged the event may correct it, and only within 24 hours of logging it.
    """
    if original.recorded_by_id != user.pk:
        raise ValidationError(_("You can only correct events you logged yourself."), code="not_owner")
    if timezone.now() - original.received_at > CORRECTION_WINDOW:
        raise ValidationError(_("Events can only be corrected within 24 hours."), code="too_late")
    if original.superseded:
        raise ValidationError(_("This event has already been corrected."), code="superseded")
    item = {
        "recipient": original.recipient_id,
        "kind": original.kind,
        "occurred_at": original.occurred_at,
        **{name: getattr(original, name) for name in FIELDS if name != "device"},
        "device": original.device_id,
        **changes,
        "client_uuid": changes.get("client_uuid") or uuid.uuid4(),
    }
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=original.pk)
        if locked.superseded:
            raise ValidationError(_("This event has already been corrected."), code="superseded")
        recipients = {r.pk: r for r in recipients_for(user).filter(pk=original.recipient_id)}
        devices = {d.pk: d for d in Device.objects.filter(pk=item["device"])} if item["device"] else {}
        data, errors = _clean(item, recipients, devices)
        if not errors:
            try:
                warnings = check_note(data["note"])
            except ValidationError as error:
                errors["note"] = error.messages
        if errors:
            raise ValidationError(errors)
        event = Event.objects.create(
            client_uuid=item["client_uuid"],
            team_id=data["recipient"].team_id,
            recorded_by=user,
            corrects=locked,
            **data,
        )
        locked.superseded = True
        locked.save(update_fields=["superseded"])
    return ItemResult(str(event.client_uuid), "created", event=event, warnings=warnings)
