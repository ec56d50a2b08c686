"""Business actions of the back office: writing activities, their dates, moderation and head counts.

Who may do what is decided here, not in the views:

* Representatives write the activities of associations where their membership role is *admin* or
  *activities*; coordinators write all. Reaching an activity goes through :func:`manageable_activities`
  (reading sign-ups) or :func:`editable_activities` (changing it), so anything else is simply not found.
* Status flow: a representative submits a draft for review (draft → pending); a coordinator publishes
  (draft/pending → published), returns a pending activity to draft with a comment, or cancels a published
  activity with a reason (every future occasion is cancelled and everyone signed up is told).
* The organiser (creator and contact address) is e-mailed when the activity is published or returned.
* Editing never changes the status. A representative may keep a published activity current (times,
  contact details) without a new review; such edits are audited so coordinators can follow up.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import AuditEntry
from accounts.roles import Role, has_role
from accounts.tasks import send_email
from associations.models import Association, Representative
from associations.selectors import associations_for
from outbox import enqueue
from portal.models import Locality

from . import recurrence, services
from .models import (
    Activity,
    ActivitySuggestion,
    Attendance,
    Category,
    MeetingPlace,
    Occurrence,
    RecurrenceRule,
    Registration,
)

WRITING_ROLES = (Representative.Role.ADMIN, Representative.Role.ACTIVITIES)
RETURN_ACTION = "activities.activity.return"


class AuthoringError(ValidationError):
    """An action the rules do not allow in the activity's current state; the message is shown as is."""


# --- Scopes: what a user may reach -------------------------------------------------------------------


def is_coordinator(user) -> bool:
    return has_role(user, Role.COORDINATOR)


def writable_associations(user) -> QuerySet[Association]:
    """Associations whose activities ``user`` may write."""
    if is_coordinator(user):
        return Association.objects.all()
    return associations_for(user).filter(memberships__user=user, memberships__role__in=WRITING_ROLES)


def manageable_activities(user) -> QuerySet[Activity]:
    """Activities whose back-office pages (sign-ups, attendance) ``user`` may open."""
    if is_coordinator(user):
        return Activity.objects.all()
    return Activity.objects.filter(organiser_association__in=associations_for(user).values("pk"))


def editable_activities(user) -> QuerySet[Activity]:
    """Activities ``user`` may change."""
    if is_coordinator(user):
        return Activity.objects.all()
    return Activity.objects.filter(organiser_association__in=writable_associations(user).values("pk"))


def _require_coordinator(user) -> None:
    if not is_coordinator(user):
        raise PermissionDenied


def _require_editable(activity: Activity, user) -> None:
    if not editable_activities(user).filter(pk=activity.pk).exists():
        raise PermissionDenied


# --- Writing an activity -----------------------------------------------------------------------------


def unique_slug(model, text: str, *, exclude_pk: int | None = None) -> str:
    """A slug for ``text`` not used by another row of ``model`` (``-2``, ``-3`` … appended as needed)."""
    max_length = model._meta.get_field("slug").max_length
    base = (slugify(text) or "x")[: max_length - 5].strip("-") or "x"
    taken = set(
        model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_organiser(user, fields: dict) -> None:
    association = fields.get("organiser_association")
    if association is None:
        if not is_coordinator(user):
            raise AuthoringError(_("Choose the association that organises the activity."))
    elif not writable_associations(user).filter(pk=association.pk).exists():
        raise PermissionDenied


def create_activity(*, user, fields: dict, categories=(), request=None) -> Activity:
    """Create a draft activity from form data; the slug is made unique from the title."""
    _check_organiser(user, fields)
    with transaction.atomic():
        activity = Activity(**fields, status=Activity.Status.DRAFT, created_by=user)
        activity.slug = unique_slug(Activity, activity.title)
        activity.full_clean()
        activity.save()
        activity.categories.set(categories)
        audit.record("activities.activity.create", request=request, actor=user, obj=activity)
    return activity


def update_activity(activity: Activity, *, user, fields: dict, categories=(), request=None) -> Activity:
    """Save changes; the status stays as it is (see the module docstring). Cancelled activities are closed."""
    _require_editable(activity, user)
    if activity.status == Activity.Status.CANCELLED:
        raise AuthoringError(_("A cancelled activity cannot be changed."))
    _check_organiser(user, fields)
    with transaction.atomic():
        # A bound ModelForm has already copied its values onto ``activity``: compare with the stored row.
        stored = Activity.objects.get(pk=activity.pk)
        changed = sorted(name for name, value in fields.items() if getattr(stored, name) != value)
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.full_clean()
        activity.save()
        activity.categories.set(categories)
        audit.record(
            "activities.activity.update",
            request=request,
            actor=user,
            obj=activity,
            status=activity.status,
            changed=changed,
        )
    return activity


def save_recurrence_rules(
    activity: Activity, *, user, rules: list[RecurrenceRule], deleted: list[RecurrenceRule] = ()
) -> int:
    """Save changed rules, remove deleted ones and bring the future dates in line; returns dates created.

    Future occasions a rule no longer produces are removed unless someone is signed up for them (those stay,
    for the organiser to cancel with a reason). Past occasions are history and never touched.
    """
    _require_editable(activity, user)
    created = 0
    with transaction.atomic():
        for rule in deleted:
            _remove_future_dates(rule, keep=set())
            rule.delete()
        for rule in rules:
            rule.activity = activity
            rule.full_clean()
            rule.save()
            wanted = {
                datetime.combine(day, rule.start_time, tzinfo=services.LOCAL)
                for day in recurrence.dates(
                    rule.frequency,
                    rule.start_date,
                    rule.end_date,
                    rule.weekdays,
                    rule.week_of_month,
                    rule.exceptions,
                )
            }
            _remove_future_dates(rule, keep=wanted)
            _align_future_end_times(rule)
            created += services.generate_occurrences(rule)
    return created


def _remove_future_dates(rule: RecurrenceRule, *, keep: set[datetime]) -> None:
    stale = rule.occurrences.filter(starts_at__gt=timezone.now()).exclude(starts_at__in=keep)
    stale.exclude(
        registrations__status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING]
    ).delete()


def _align_future_end_times(rule: RecurrenceRule) -> None:
    kept = list(rule.occurrences.filter(starts_at__gt=timezone.now()))
    for occurrence in kept:
        day = timezone.localtime(occurrence.starts_at, services.LOCAL).date()
        occurrence.ends_at = datetime.combine(day, rule.end_time, tzinfo=services.LOCAL)
    Occurrence.objects.bulk_update(kept, ["ends_at"])


def add_occurrence(
    activity: Activity, *, user, starts_at: datetime, ends_at: datetime, place: MeetingPlace | None = None
) -> Occurrence:
    """Add one extra occasion outside the rules."""
    _require_editable(activity, user)
    if activity.status == Activity.Status.CANCELLED:
        raise AuthoringError(_("A cancelled activity cannot get new dates."))
    if ends_at <= starts_at:
        raise AuthoringError(_("The end time must be after the start time."))
    if activity.occurrences.filter(starts_at=starts_at).exists():
        raise AuthoringError(_("There is already an occasion at that time."))
    return Occurrence.objects.create(activity=activity, starts_at=starts_at, ends_at=ends_at, place=place)


# --- Status flow -------------------------------------------------------------------------------------


def _require_status(activity: Activity, *allowed: str) -> None:
    if activity.status not in allowed:
        raise AuthoringError(
            _("This cannot be done while the activity is “%(status)s”.")
            % {"status": activity.get_status_display()}
        )


def _require_dates(activity: Activity) -> None:
    if not activity.occurrences.filter(is_cancelled=False).exists():
        raise AuthoringError(_("Add at least one date before the activity is reviewed or published."))


def _set_status(activity: Activity, status: str) -> None:
    activity.status = status
    fields = ["status", "updated_at"]
    if status == Activity.Status.PUBLISHED:
        activity.published_at = timezone.now()
        fields.append("published_at")
    activity.save(update_fields=fields)


def _tell_organiser(activity: Activity, template: str, **context) -> None:
    """E-mail the activity's creator and contact address (once each) after the transaction commits."""
    to = sorted(
        {email for email in (activity.contact_email, getattr(activity.created_by, "email", "")) if email}
    )
    if not to:
        return
    context = {"activity": activity, "site_url": settings.SITE_URL, **context}
    with translation.override("sv"):
        subject = render_to_string(f"activities/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"activities/email/{template}_message.txt", context)
    enqueue(send_email, subject=subject, body=body, to=to)


def submit_for_review(activity: Activity, *, user, request=None) -> None:
    """draft → pending, for a coordinator to review."""
    _require_editable(activity, user)
    _require_status(activity, Activity.Status.DRAFT)
    _require_dates(activity)
    with transaction.atomic():
        _set_status(activity, Activity.Status.PENDING)
        audit.record("activities.activity.submit", request=request, actor=user, obj=activity)


def publish(activity: Activity, *, user, request=None) -> None:
    """draft or pending → published (coordinators only)."""
    _require_coordinator(user)
    _require_status(activity, Activity.Status.DRAFT, Activity.Status.PENDING)
    _require_dates(activity)
    with transaction.atomic():
        _set_status(activity, Activity.Status.PUBLISHED)
        audit.record("activities.activity.publish", request=request, actor=user, obj=activity)
        _tell_organiser(activity, "activity_published")


def return_to_draft(activity: Activity, *, user, comment: str, request=None) -> None:
    """pending → draft with a comment for the organiser (coordinators only)."""
    _require_coordinator(user)
    _require_status(activity, Activity.Status.PENDING)
    if not comment.strip():
        raise AuthoringError(_("Write a comment so the organiser knows what to change."))
    with transaction.atomic():
        _set_status(activity, Activity.Status.DRAFT)
        audit.record(RETURN_ACTION, request=request, actor=user, obj=activity, comment=comment.strip())
        _tell_organiser(activity, "activity_returned", comment=comment.strip())


def latest_review_comment(activity: Activity) -> str:
    """The comment of the last return to draft, shown to the organiser while the activity is a draft."""
    if activity.status != Activity.Status.DRAFT:
        return ""
    entry = (
        AuditEntry.objects.filter(
            action=RETURN_ACTION, object_type="activities.activity", object_id=str(activity.pk)
        )
        .order_by("-at")
        .first()
    )
    return entry.detail.get("comment", "") if entry else ""


def cancel_activity(activity: Activity, *, user, reason: str, request=None) -> int:
    """published → cancelled (coordinators only): every future occasion is cancelled and everyone signed up
    is told. Returns how many people were told."""
    _require_coordinator(user)
    _require_status(activity, Activity.Status.PUBLISHED)
    if not reason.strip():
        raise AuthoringError(_("Give a reason so that participants know why."))
    told = 0
    with transaction.atomic():
        _set_status(activity, Activity.Status.CANCELLED)
        for occurrence in activity.occurrences.filter(is_cancelled=False, starts_at__gt=timezone.now()):
            told += services.cancel_occurrence(occurrence, reason=reason, request=request)
        audit.record(
            "activities.activity.cancel", request=request, actor=user, obj=activity, reason=reason.strip()
        )
    return told


def cancel_occurrence(occurrence: Occurrence, *, user, reason: str, request=None) -> int:
    """Cancel one future occasion with a reason; returns how many people were told."""
    _require_editable(occurrence.activity, user)
    if occurrence.is_cancelled:
        raise AuthoringError(_("This occasion is already cancelled."))
    if occurrence.starts_at <= timezone.now():
        raise AuthoringError(_("An occasion that has started cannot be cancelled."))
    if not reason.strip():
        raise AuthoringError(_("Give a reason so that participants know why."))
    return services.cancel_occurrence(occurrence, reason=reason, request=request)


# --- Attendance --------------------------------------------------------------------------------------


def record_attendance(occurrence: Occurrence, *, user, counts: dict[str, int], request=None) -> Attendance:
    """Store the head count of an occasion that has started (replacing an earlier count)."""
    if not manageable_activities(user).filter(pk=occurrence.activity_id).exists():
        raise PermissionDenied
    if occurrence.is_cancelled:
        raise AuthoringError(_("A cancelled occasion has no attendance."))
    if occurrence.starts_at > timezone.now():
        raise AuthoringError(_("Attendance can be recorded once the occasion has started."))
    unknown = set(counts) - set(Attendance.COUNT_FIELDS)
    if unknown:
        raise AuthoringError(_("Unknown count: %(names)s") % {"names": ", ".join(sorted(unknown))})
    for value in counts.values():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise AuthoringError(_("Counts must be whole numbers, zero or more."))
    with transaction.atomic():
        attendance, _created = Attendance.objects.update_or_create(
            occurrence=occurrence, defaults={**counts, "entered_by": user}
        )
        audit.record(
            "activities.attendance.record",
            request=request,
            actor=user,
            obj=occurrence,
            total=attendance.total,
        )
    return attendance


# --- Moderation of suggestions -----------------------------------------------------------------------


def _tell_suggester(suggestion: ActivitySuggestion, template: str) -> None:
    if not suggestion.contact_email:
        return
    with translation.override("sv"):
        context = {"suggestion": suggestion}
        subject = render_to_string(f"activities/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"activities/email/{template}_message.txt", context)
    to = [suggestion.contact_email]
    enqueue(send_email, subject=subject, body=body, to=to)


def _require_new(suggestion: ActivitySuggestion) -> None:
    if suggestion.status != ActivitySuggestion.Status.NEW:
        raise AuthoringError(_("This suggestion has already been handled."))


def accept_suggestion(
    suggestion: ActivitySuggestion,
    *,
    user,
    place: MeetingPlace | None = None,
    online_url: str = "",
    organiser_association: Association | None = None,
    organiser_unit: str = "",
    request=None,
) -> Activity:
    """Create a draft activity from a suggestion (coordinators only) and tell the suggester."""
    _require_coordinator(user)
    _require_new(suggestion)
    details = "\n".join(
        text for text in (suggestion.when_text, suggestion.where_text, suggestion.organiser_text) if text
    )
    description = suggestion.description + (f"\n\n{details}" if details else "")
    fields = {
        "title": suggestion.title,
        "description": description,
        "organiser_association": organiser_association,
        "organiser_unit": "" if organiser_association else organiser_unit.strip(),
        "place": place,
        "online_url": online_url,
        "contact_name": suggestion.contact_name,
        "contact_phone": suggestion.contact_phone,
        "contact_email": suggestion.contact_email,
    }
    with transaction.atomic():
        activity = create_activity(user=user, fields=fields, request=request)
        suggestion.status = ActivitySuggestion.Status.ACCEPTED
        suggestion.activity = activity
        suggestion.handled_by, suggestion.handled_at = user, timezone.now()
        suggestion.save(update_fields=["status", "activity", "handled_by", "handled_at"])
        audit.record("activities.suggestion.accept", request=request, actor=user, obj=suggestion)
        _tell_suggester(suggestion, "suggestion_accepted")
    return activity


def reject_suggestion(suggestion: ActivitySuggestion, *, user, request=None) -> None:
    """Decline a suggestion (coordinators only) and tell the suggester."""
    _require_coordinator(user)
    _require_new(suggestion)
    with transaction.atomic():
        suggestion.status = ActivitySuggestion.Status.REJECTED
        suggestion.handled_by, suggestion.handled_at = user, timezone.now()
        suggestion.save(update_fields=["status", "handled_by", "handled_at"])
        audit.record("activities.suggestion.reject", request=request, actor=user, obj=suggestion)
        _tell_suggester(suggestion, "suggestion_rejected")


# --- Reference data: places, categories, localities --------------------------------------------------


def save_meeting_place(place: MeetingPlace, *, user, request=None) -> MeetingPlace:
    """Create or update a meeting place (coordinators only); a new place gets a unique slug."""
    _require_coordinator(user)
    if not place.slug:
        place.slug = unique_slug(MeetingPlace, place.name)
    place.full_clean()
    with transaction.atomic():
        place.save()
        audit.record("activities.place.save", request=request, actor=user, obj=place)
    return place


def save_category(category: Category, *, user, request=None) -> Category:
    _require_coordinator(user)
    if not category.slug:
        category.slug = unique_slug(Category, category.name_sv)
    category.full_clean()
    category.save()
    return category


def save_locality(locality: Locality, *, user, request=None) -> Locality:
    _require_coordinator(user)
    if not locality.slug:
        locality.slug = unique_slug(Locality, locality.name)
    locality.full_clean()
    locality.save()
    return locality


def delete_meeting_place(place: MeetingPlace, *, user, request=None) -> None:
    """Remove a place nothing refers to; a place in use is deactivated instead (coordinators only)."""
    _require_coordinator(user)
    if place.activities.exists() or place.occurrences.exists():
        raise AuthoringError(
            _("Activities use this place, so it cannot be removed. Mark it as not active instead.")
        )
    with transaction.atomic():
        audit.record("activities.place.delete", request=request, actor=user, obj=place, name=place.name)
        place.delete()
