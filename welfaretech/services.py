"""Every write the welfare-technology domain performs: consent, assignments, device lifecycle, faults,
training, device import and anonymisation. Views, tasks and commands call these and nothing else."""

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit

from .models import (
    Assignment,
    CareRecipient,
    Consent,
    Device,
    DeviceHistory,
    Fault,
    TechnologyType,
    TrainingRecord,
)

Action = DeviceHistory.Action
Status = Device.Status

# What each history action does to the device: (new status, keeps/sets recipient?).
# None as recipient rule means "take the entry's recipient", False means "clear it", True "keep it".
_TRANSITIONS: dict[str, tuple[str | None, bool | None]] = {
    Action.RECEIVED: (Status.IN_STOCK, False),
    Action.INSTALLED: (Status.INSTALLED, None),
    Action.MOVED: (Status.INSTALLED, None),
    Action.SERVICED: (None, True),
    Action.REPLACED: (Status.IN_STOCK, False),
    Action.RETURNED: (Status.IN_STOCK, False),
    Action.FAULT: (Status.OUT_OF_ORDER, True),
    Action.REPAIRED: (None, True),
    Action.RETIRED: (Status.RETIRED, False),
}
SERVICE_INTERVAL = timedelta(days=365)


# --- Consent and assignments ------------------------------------------------------------------------


def consent_in_force(recipient: CareRecipient, technology: TechnologyType) -> bool:
    """True when the latest consent row for recipient × technology records consent given."""
    latest = (
        Consent.objects.filter(recipient=recipient, technology=technology)
        .order_by("-date", "-id")
        .values_list("given", flat=True)
        .first()
    )
    return bool(latest)


@transaction.atomic
def assign_technology(
    *,
    recipient: CareRecipient,
    technology: TechnologyType,
    decision_date: date,
    starts_on: date,
    device: Device | None = None,
    night_schedule: list[str] | None = None,
    user=None,
) -> Assignment:
    """Grant ``technology`` to ``recipient``; refused without consent in force where it is required.

    A device given with the assignment is installed at the recipient (a history entry)."""
    if technology.consent_required and not consent_in_force(recipient, technology):
        raise ValidationError(
            _("%(technology)s requires the recipient's consent. Record the consent first.")
            % {"technology": technology},
            code="consent_missing",
        )
    if device is not None and device.technology_id != technology.pk:
        raise ValidationError(_("The device is of another technology."), code="wrong_device")
    if technology.code != TechnologyType.Code.DIGITAL_SUPERVISION:
        night_schedule = []
    assignment = Assignment.objects.create(
        recipient=recipient,
        technology=technology,
        device=device,
        decision_date=decision_date,
        starts_on=starts_on,
        night_schedule=night_schedule or [],
    )
    if device is not None:
        record_device_action(device, Action.INSTALLED, recipient=recipient, user=user, note=_("Assignment"))
    audit.record("welfaretech.assignment.create", actor=user, obj=assignment)
    return assignment


@transaction.atomic
def end_assignment(assignment: Assignment, *, ends_on: date, reason: str, user=None) -> Assignment:
    """End an assignment; its device, if any, is flagged for retrieval (a 'returned' entry is due)."""
    assignment.ends_on = ends_on
    assignment.end_reason = reason[:200]
    assignment.save(update_fields=["ends_on", "end_reason"])
    audit.record("welfaretech.assignment.end", actor=user, obj=assignment, reason=reason[:200])
    return assignment


def active_assignments(recipient: CareRecipient, technology: TechnologyType, on: date):
    return Assignment.objects.filter(recipient=recipient, technology=technology, starts_on__lte=on).exclude(
        ends_on__lt=on
    )


@transaction.atomic
def record_consent(
    *,
    recipient: CareRecipient,
    technology: TechnologyType,
    given: bool,
    on: date,
    method: str,
    witness: str = "",
    user=None,
) -> Consent:
    """Append a consent row. A withdrawal ends the active assignments of that technology; their devices
    stay installed (nobody has fetched them yet) and so appear in ``selectors.devices_to_retrieve()``,
    the administrator's retrieval list, until a 'returned' history entry is recorded."""
    if method == Consent.Method.VERBAL and not witness.strip():
        raise ValidationError({"witness": _("Verbal consent needs a witness.")}, code="witness_missing")
    consent = Consent.objects.create(
        recipient=recipient,
        technology=technology,
        given=given,
        date=on,
        method=method,
        witness=witness.strip(),
        recorded_by=user,
    )
    audit.record("welfaretech.consent.record", actor=user, obj=consent, given=given)
    if not given and technology.consent_required:
        for assignment in active_assignments(recipient, technology, on):
            end_assignment(assignment, ends_on=on, reason=_("Consent withdrawn"), user=user)
    return consent


# --- Devices ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceState:
    status: str
    recipient_id: int | None
    installed_on: date | None
    last_serviced_on: date | None


def replay(entries) -> DeviceState:
    """Fold history entries (oldest first) into the device's state. Pure: no database access."""
    status, recipient_id, installed_on, serviced_on = Status.IN_STOCK, None, None, None
    for entry in entries:
        new_status, keep = _TRANSITIONS[entry.action]
        on = timezone.localtime(entry.at).date()
        if entry.action == Action.REPAIRED:
            new_status = Status.INSTALLED if recipient_id else Status.IN_STOCK
        if entry.action == Action.SERVICED:
            serviced_on = on
        if keep is None:
            recipient_id = entry.recipient_id
            installed_on = on
        elif keep is False:
            recipient_id, installed_on = None, None
        if new_status is not None:
            status = new_status
    return DeviceState(status, recipient_id, installed_on, serviced_on)


def device_state_from_history(device: Device) -> DeviceState:
    """The device's state replayed from its full history."""
    return replay(device.history.order_by("at", "id"))


def _apply_state(device: Device) -> Device:
    state = device_state_from_history(device)
    device.status = state.status
    device.recipient_id = state.recipient_id
    device.installed_on = state.installed_on
    if state.last_serviced_on:
        device.next_service_on = state.last_serviced_on + SERVICE_INTERVAL
    device.save(update_fields=["status", "recipient", "installed_on", "next_service_on"])
    return device


@transaction.atomic
def record_device_action(
    device: Device,
    action: str,
    *,
    recipient: CareRecipient | None = None,
    at: datetime | None = None,
    user=None,
    note: str = "",
) -> DeviceHistory:
    """Append one history entry and update the device from the replayed history."""
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.status == Status.RETIRED:
        raise ValidationError(_("A retired device cannot change."), code="retired")
    if action in (Action.INSTALLED, Action.MOVED) and recipient is None:
        raise ValidationError({"recipient": _("Choose the recipient the device goes to.")})
    entry = DeviceHistory.objects.create(
        device=device,
        action=action,
        at=at or timezone.now(),
        recipient=recipient if action in (Action.INSTALLED, Action.MOVED) else device.recipient,
        recorded_by=user,
        note=note[:300],
    )
    _apply_state(device)
    return entry


def create_device(
    *, technology: TechnologyType, serial: str, product: str = "", user=None, **dates
) -> Device:
    """A new device, received into stock (its first history entry)."""
    device = Device.objects.create(technology=technology, serial=serial, product=product, **dates)
    DeviceHistory.objects.create(device=device, action=Action.RECEIVED, recorded_by=user)
    return device


# --- Faults -----------------------------------------------------------------------------------------


@transaction.atomic
def open_fault(*, device: Device, description: str, is_urgent: bool = False, user=None, event=None) -> Fault:
    fault = Fault.objects.create(device=device, description=description, is_urgent=is_urgent, event=event)
    record_device_action(device, Action.FAULT, user=user, note=description)
    return fault


@transaction.atomic
def close_fault(fault: Fault, *, note: str = "", user=None, at: datetime | None = None) -> Fault:
    if fault.repaired_at is not None:
        raise ValidationError(_("The fault is already closed."), code="closed")
    fault.repaired_at = at or timezone.now()
    fault.repair_note = note[:300]
    fault.save(update_fields=["repaired_at", "repair_note"])
    record_device_action(fault.device, Action.REPAIRED, user=user, note=note, at=fault.repaired_at)
    return fault


def time_to_repair(fault: Fault) -> timedelta | None:
    return fault.repaired_at - fault.reported_at if fault.repaired_at else None


# --- Training ---------------------------------------------------------------------------------------


def record_training(*, user, course: str, completed_on: date, valid_until: date, technology=None):
    if valid_until < completed_on:
        raise ValidationError({"valid_until": _("Valid until must be after the completion date.")})
    return TrainingRecord.objects.create(
        user=user, course=course, completed_on=completed_on, valid_until=valid_until, technology=technology
    )


# --- CSV import -------------------------------------------------------------------------------------

IMPORT_COLUMNS = ("technology", "serial", "product", "next_service_on", "battery_change_on")


@dataclass
class ImportReport:
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _parse_date(value: str) -> date | None:
    value = (value or "").strip()
    return date.fromisoformat(value) if value else None


def import_devices(data: bytes, *, user=None) -> ImportReport:
    """Create devices from CSV (header: technology;serial;product;next_service_on;battery_change_on,
    comma or semicolon separated). Valid rows are created; every invalid row is reported with its line."""
    report = ImportReport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append((0, _("The file is not UTF-8 text.")))
        return report
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;")
    except csv.Error:  # no separator in the first line: read it as comma-separated and report columns
        dialect = csv.excel
    try:
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        fieldnames, rows = reader.fieldnames, list(reader)
    except csv.Error:
        report.errors.append((0, _("The file is not a readable CSV file.")))
        return report
    missing = {"technology", "serial"} - set(fieldnames or [])
    if missing:
        report.errors.append((1, _("Missing columns: %(columns)s") % {"columns": ", ".join(sorted(missing))}))
        return report
    technologies = {t.code: t for t in TechnologyType.objects.all()}
    existing = set(Device.objects.values_list("serial", flat=True))
    for line, row in enumerate(rows, start=2):
        code = (row.get("technology") or "").strip()
        serial = (row.get("serial") or "").strip()
        if code not in technologies:
            report.errors.append((line, _("Unknown technology “%(code)s”.") % {"code": code}))
            continue
        if not serial:
            report.errors.append((line, _("The serial number is missing.")))
            continue
        if serial in existing:
            report.errors.append((line, _("Serial number %(serial)s already exists.") % {"serial": serial}))
            continue
        try:
            dates = {
                "next_service_on": _parse_date(row.get("next_service_on", "")),
                "battery_change_on": _parse_date(row.get("battery_change_on", "")),
            }
        except ValueError:
            report.errors.append((line, _("Dates must be written YYYY-MM-DD.")))
            continue
        create_device(
            technology=technologies[code],
            serial=serial,
            product=(row.get("product") or "").strip()[:150],
            user=user,
            **dates,
        )
        existing.add(serial)
        report.created += 1
    audit.record("welfaretech.devices.import", actor=user, created=report.created, errors=len(report.errors))
    return report


# --- Anonymisation ----------------------------------------------------------------------------------


def anonymise_inactive_recipients(period: timedelta, *, today: date | None = None) -> int:
    """Anonymise recipients inactive for longer than ``period``: the code becomes a random token, the
    recipient is made inactive and marked. Events and aggregates stay; only the link to the code goes."""
    cutoff = (today or timezone.localdate()) - period
    due = CareRecipient.objects.filter(anonymised_at__isnull=True, last_active_on__lt=cutoff)
    count = 0
    for recipient in due.only("pk"):
        CareRecipient.objects.filter(pk=recipient.pk).update(
            code=f"ANON-{secrets.token_hex(6)}", is_active=False, anonymised_at=timezone.now()
        )
        count += 1
    if count:
        audit.record("welfaretech.recipients.anonymise", actor_label="system", count=count)
    return count
