"""Back-office pages for activities: list, authoring, dates, sign-ups, attendance and moderation.

Each view loads through a scope from :mod:`activities.authoring` (so other associations' activities are
404), validates a form, calls one authoring action and renders. Reference data (places, categories,
localities) lives in :mod:`activities.backoffice_places`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role
from portal.paging import page_of, query_without

from . import authoring, exports
from .forms_backoffice import (
    AcceptSuggestionForm,
    ActivityFilterForm,
    ActivityForm,
    AttendanceForm,
    OccurrenceForm,
    ReasonForm,
    RecurrenceFormSet,
    ReturnForm,
)
from .models import Activity, ActivitySuggestion, Attendance, Occurrence, Registration

ORGANISERS = (Role.ASSOCIATION_REP, Role.COORDINATOR)
PAGE_SIZE = 25
ACTIVE = [Registration.Status.CONFIRMED, Registration.Status.WAITING]
LIST_COLUMNS = (
    "title",
    "status",
    "organiser_unit",
    "organiser_association__name",
    "place__name",
    "place__locality__name",
)


def _show_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Activities --------------------------------------------------------------------------------------


@require_GET
@role_required(*ORGANISERS)
def activity_list(request: HttpRequest) -> HttpResponse:
    """The activities the user may manage, filtered, searched, sorted and paginated."""
    coordinator = authoring.is_coordinator(request.user)
    form = ActivityFilterForm(request.GET, coordinator=coordinator)
    activities = (
        authoring.manageable_activities(request.user)
        .select_related("organiser_association", "place__locality")
        # Only the columns the table shows: descriptions and the places' accessibility details are not read.
        .only(*LIST_COLUMNS)
        # A subquery per listed row (index on activity, start) rather than an aggregate over every
        # occurrence: the aggregate made each page, and its count, group all occurrences of all activities.
        .annotate(
            next_start=Subquery(
                Occurrence.objects.filter(
                    activity=OuterRef("pk"), starts_at__gte=timezone.now(), is_cancelled=False
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            )
        )
    )
    page = page_of(request, form.apply(activities), PAGE_SIZE)
    return render(
        request,
        "activities/backoffice/activity_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request),
            "coordinator": coordinator,
            "can_create": authoring.writable_associations(request.user).exists(),
        },
    )


def _save_activity(request: HttpRequest, form: ActivityForm, formset, activity: Activity | None):
    """Validate both forms and hand them to the authoring actions; returns the activity or None."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    try:
        # One transaction: a rule that fails validation leaves the activity unchanged too.
        with transaction.atomic():
            categories = form.cleaned_data["categories"]
            if activity is None:
                activity = authoring.create_activity(
                    user=request.user, fields=form.activity_fields(), categories=categories, request=request
                )
            else:
                authoring.update_activity(
                    activity,
                    user=request.user,
                    fields=form.activity_fields(),
                    categories=categories,
                    request=request,
                )
            formset.instance = activity
            rules = formset.save(commit=False)
            authoring.save_recurrence_rules(
                activity, user=request.user, rules=rules, deleted=formset.deleted_objects
            )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    return activity


@role_required(*ORGANISERS)
def activity_create(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None, user=request.user)
    formset = RecurrenceFormSet(request.POST or None, instance=Activity(), prefix="rules")
    if request.method == "POST":
        activity = _save_activity(request, form, formset, None)
        if activity is not None:
            messages.success(
                request, _("The activity is saved as a draft. Check the preview, then submit it.")
            )
            return redirect("activities_backoffice:preview", activity.pk)
    return render(request, "activities/backoffice/activity_form.html", {"form": form, "formset": formset})


@role_required(*ORGANISERS)
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(authoring.editable_activities(request.user), pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, user=request.user)
    formset = RecurrenceFormSet(request.POST or None, instance=activity, prefix="rules")
    if request.method == "POST" and _save_activity(request, form, formset, activity) is not None:
        messages.success(request, _("Your changes are saved."))
        return redirect("activities_backoffice:detail", activity.pk)
    return render(
        request,
        "activities/backoffice/activity_form.html",
        {"form": form, "formset": formset, "activity": activity},
    )


@require_GET
@role_required(*ORGANISERS)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Status, actions and the dates of one activity with their sign-up counts."""
    activity = get_object_or_404(
        authoring.manageable_activities(request.user).select_related("organiser_association", "place"), pk=pk
    )
    past = request.GET.get("past") == "1"
    now = timezone.now()
    occurrences = (
        activity.occurrences.filter(starts_at__lt=now)
        if past
        else activity.occurrences.filter(ends_at__gte=now)
    )
    occurrences = occurrences.select_related("place", "attendance").annotate(
        places_taken=Sum(
            "registrations__party_size", filter=Q(registrations__status=Registration.Status.CONFIRMED)
        ),
        waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
    )
    occurrences = occurrences.order_by("-starts_at" if past else "starts_at")
    return render(
        request,
        "activities/backoffice/activity_detail.html",
        {
            "activity": activity,
            "page": page_of(request, occurrences, PAGE_SIZE),
            "query": query_without(request),
            "past": past,
            "can_edit": authoring.editable_activities(request.user).filter(pk=pk).exists(),
            "coordinator": authoring.is_coordinator(request.user),
            "review_comment": authoring.latest_review_comment(activity),
            "occurrence_form": OccurrenceForm(),
        },
    )


@require_GET
@role_required(*ORGANISERS)
def activity_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The activity as visitors will see it, with the next generated dates."""
    activity = get_object_or_404(
        authoring.manageable_activities(request.user).select_related(
            "organiser_association", "place__locality"
        ),
        pk=pk,
    )
    upcoming = activity.occurrences.filter(ends_at__gte=timezone.now()).select_related("place")
    return render(
        request,
        "activities/backoffice/activity_preview.html",
        {
            "activity": activity,
            "categories": activity.categories.order_by("position"),
            "occurrences": upcoming[:20],
            "more": max(upcoming.count() - 20, 0),
            "can_edit": authoring.editable_activities(request.user).filter(pk=pk).exists(),
        },
    )


def _transition(request: HttpRequest, activity: Activity, action, success: str, **kwargs) -> HttpResponse:
    try:
        action(activity, user=request.user, request=request, **kwargs)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, success)
    return redirect("activities_backoffice:detail", activity.pk)


@require_POST
@role_required(*ORGANISERS)
def activity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(authoring.editable_activities(request.user), pk=pk)
    return _transition(
        request,
        activity,
        authoring.submit_for_review,
        _("Sent for review. A coordinator will look at it soon."),
    )


@require_POST
@role_required(Role.COORDINATOR)
def activity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    response = _transition(request, activity, authoring.publish, _("The activity is published."))
    return redirect("activities_backoffice:moderation") if request.POST.get("from") == "queue" else response


@role_required(Role.COORDINATOR)
def activity_return(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _transition(
            request,
            activity,
            authoring.return_to_draft,
            _("The activity is back with the organiser as a draft."),
            comment=form.cleaned_data["comment"],
        )
        return redirect("activities_backoffice:moderation")
    return render(request, "activities/backoffice/activity_return.html", {"activity": activity, "form": form})


@role_required(Role.COORDINATOR)
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _transition(
            request,
            activity,
            authoring.cancel_activity,
            _("The activity is cancelled. Everyone signed up is told by e-mail."),
            reason=form.cleaned_data["reason"],
        )
    upcoming = activity.occurrences.filter(is_cancelled=False, starts_at__gt=timezone.now())
    return render(
        request,
        "activities/backoffice/activity_cancel.html",
        {
            "activity": activity,
            "form": form,
            "upcoming": upcoming.count(),
            "signed_up": Registration.objects.filter(occurrence__in=upcoming, status__in=ACTIVE).count(),
        },
    )


@require_POST
@role_required(*ORGANISERS)
def occurrence_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(authoring.editable_activities(request.user), pk=pk)
    form = OccurrenceForm(request.POST)
    if form.is_valid():
        starts_at, ends_at = form.times()
        try:
            authoring.add_occurrence(
                activity,
                user=request.user,
                starts_at=starts_at,
                ends_at=ends_at,
                place=form.cleaned_data["place"],
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("The date is added."))
            return redirect("activities_backoffice:detail", activity.pk)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect("activities_backoffice:detail", activity.pk)


# --- One occasion: sign-ups, cancelling, attendance --------------------------------------------------


def _occurrence(request: HttpRequest, pk: int, *, editable: bool = False) -> Occurrence:
    scope = authoring.editable_activities if editable else authoring.manageable_activities
    return get_object_or_404(
        Occurrence.objects.select_related(
            "activity__organiser_association", "activity__place", "place"
        ).filter(activity__in=scope(request.user).values("pk")),
        pk=pk,
    )


def _registrations(occurrence: Occurrence):
    return occurrence.registrations.select_related("user").order_by("status", "created_at", "id")


@require_GET
@role_required(*ORGANISERS)
def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, pk)
    registrations = _registrations(occurrence)
    totals = registrations.aggregate(
        confirmed=Sum("party_size", filter=Q(status=Registration.Status.CONFIRMED)),
        waiting=Sum("party_size", filter=Q(status=Registration.Status.WAITING)),
    )
    return render(
        request,
        "activities/backoffice/occurrence_detail.html",
        {
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "page": page_of(request, registrations, PAGE_SIZE),
            "query": query_without(request),
            "totals": totals,
            "attendance": Attendance.objects.filter(occurrence=occurrence).first(),
            "started": occurrence.starts_at <= timezone.now(),
            "can_edit": authoring.editable_activities(request.user)
            .filter(pk=occurrence.activity_id)
            .exists(),
        },
    )


@require_GET
@role_required(*ORGANISERS)
def occurrence_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-ups as CSV (personal data: the download is audited)."""
    occurrence = _occurrence(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(occurrence)}"'
    rows = exports.write_registrations(_registrations(occurrence), response)
    audit.record("activities.registrations.export", request=request, obj=occurrence, rows=rows)
    return response


@require_GET
@role_required(*ORGANISERS)
def occurrence_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable attendance list: who signed up, with a box to tick."""
    occurrence = _occurrence(request, pk)
    registrations = _registrations(occurrence).filter(status__in=ACTIVE)
    audit.record("activities.registrations.print", request=request, obj=occurrence)
    return render(
        request,
        "activities/backoffice/occurrence_print.html",
        {"occurrence": occurrence, "activity": occurrence.activity, "registrations": registrations},
    )


@role_required(*ORGANISERS)
def occurrence_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, pk, editable=True)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            told = authoring.cancel_occurrence(
                occurrence, user=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(
                request, _("The occasion is cancelled. %(count)d sign-ups were told.") % {"count": told}
            )
        return redirect("activities_backoffice:occurrence", occurrence.pk)
    signed_up = occurrence.registrations.filter(status__in=ACTIVE).count()
    return render(
        request,
        "activities/backoffice/occurrence_cancel.html",
        {"occurrence": occurrence, "activity": occurrence.activity, "form": form, "signed_up": signed_up},
    )


@role_required(*ORGANISERS)
def occurrence_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _occurrence(request, pk)
    existing = Attendance.objects.filter(occurrence=occurrence).first()
    form = AttendanceForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.record_attendance(
                occurrence, user=request.user, counts=form.cleaned_data, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The attendance is saved. Thank you!"))
            return redirect("activities_backoffice:occurrence", occurrence.pk)
    return render(
        request,
        "activities/backoffice/occurrence_attendance.html",
        {"occurrence": occurrence, "activity": occurrence.activity, "form": form},
    )


# --- Moderation --------------------------------------------------------------------------------------


@require_GET
@role_required(Role.COORDINATOR)
def moderation(request: HttpRequest) -> HttpResponse:
    """Activities waiting for review and new suggestions from the public, oldest first."""
    pending = (
        Activity.objects.filter(status=Activity.Status.PENDING)
        .select_related("organiser_association", "place__locality")
        .order_by("updated_at", "pk")
    )
    suggestions = (
        ActivitySuggestion.objects.filter(status=ActivitySuggestion.Status.NEW)
        .select_related("locality")
        .order_by("created_at", "pk")
    )
    return render(
        request,
        "activities/backoffice/moderation.html",
        {
            "pending": page_of(request, pending, PAGE_SIZE),
            "suggestions": page_of(request, suggestions, PAGE_SIZE, "spage"),
            "pending_query": query_without(request),
            "suggestions_query": query_without(request, "spage"),
        },
    )


@role_required(Role.COORDINATOR)
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Read a suggestion and accept it as a draft activity (choosing organiser and place)."""
    suggestion = get_object_or_404(ActivitySuggestion.objects.select_related("locality", "activity"), pk=pk)
    form = AcceptSuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = authoring.accept_suggestion(
                suggestion, user=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("A draft activity is created from the suggestion. Complete it below.")
            )
            return redirect("activities_backoffice:edit", activity.pk)
    return render(
        request, "activities/backoffice/suggestion_detail.html", {"suggestion": suggestion, "form": form}
    )


@role_required(Role.COORDINATOR)
def suggestion_reject(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(ActivitySuggestion, pk=pk)
    if request.method == "POST":
        try:
            authoring.reject_suggestion(suggestion, user=request.user, request=request)
        except ValidationError as error:
            _show_errors(request, error)
        else:
            messages.success(request, _("The suggestion is declined."))
        return redirect("activities_backoffice:moderation")
    return render(request, "activities/backoffice/suggestion_reject.html", {"suggestion": suggestion})
