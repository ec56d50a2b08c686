"""The case officers' pages for grant applications: the queue, an application with its history, attachments
and conversation, and the steps of the process — request completion, assess, decide, record payments, close
— plus the decision letter.

Coordinators handle cases; officials decide (above the delegation limit when they did not assess the case)
and read everything else. Views load through :func:`selectors.applications_for`, validate a form and call
one function of :mod:`associations.applications`, where every rule of the process lives.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role, has_role
from portal.paging import page_of, query_without

from . import applications, letters, selectors
from .applications import TRANSITIONS
from .calculation import Calculation, calculate_activity_grant
from .eligibility import for_programme
from .forms_casework import (
    AssessmentForm,
    CloseForm,
    CompletionRequestForm,
    DecisionForm,
    MessageForm,
    PaymentForm,
    QueueFilterForm,
)
from .models import GrantApplication, ProgrammeQuestion
from .uploads import serve_private_file

Status = GrantApplication.Status
Outcome = GrantApplication.Outcome
OFFICERS = (Role.COORDINATOR, Role.OFFICIAL)
PAGE_SIZE = 25
TEMPLATES = "associations/casework/"


def casework_applications(user):
    """What a case officer may open: every application but drafts, which are still the association's own."""
    return selectors.applications_for(user).exclude(status=Status.DRAFT)


def _application(request: HttpRequest, pk: int) -> GrantApplication:
    return get_object_or_404(casework_applications(request.user), pk=pk)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _posted(request: HttpRequest):
    """The submitted data, also when every field was left empty (``_posted(request)`` would lose it)."""
    return request.POST if request.method == "POST" else None


def actions_for(user, application: GrantApplication) -> dict[str, bool]:
    """Which steps to offer ``user`` now; the functions in ``applications`` decide whether they succeed."""
    coordinator = has_role(user, Role.COORDINATOR)
    next_states = TRANSITIONS[application.status]
    granted = application.outcome in (Outcome.APPROVED, Outcome.PARTLY)
    return {
        "request_completion": coordinator and Status.COMPLETION_REQUESTED in next_states,
        "assess": coordinator and Status.ASSESSED in next_states,
        "decide": has_role(user, *OFFICERS) and Status.DECIDED in next_states,
        "pay": coordinator and granted and application.status in (Status.DECIDED, Status.PAID),
        "close": coordinator and applications.can_close(application),
        "reply": coordinator,
        "letter": letters.has_decision_letter(application),
    }


def _unavailable(request: HttpRequest, application: GrantApplication) -> HttpResponse:
    messages.warning(
        request,
        _("That step is not possible while the application is “%(status)s”.")
        % {"status": application.get_status_display()},
    )
    return redirect("casework:application", application.pk)


def _answers(application: GrantApplication) -> list[tuple[ProgrammeQuestion, str]]:
    """The custom questions with the association's answers, as text to show."""
    answers = application.answers or {}
    rows = []
    for question in application.programme.questions.all():
        value = answers.get(str(question.pk))
        if value is None or value == "":
            text = "–"
        elif question.kind == ProgrammeQuestion.Kind.YES_NO:
            text = _("Yes") if value in (True, "yes") else _("No")
        else:
            text = str(value)
        rows.append((question, text))
    return rows


# --- Queue and application ---------------------------------------------------------------------------------


@require_GET
@role_required(*OFFICERS)
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    applications = form.apply(casework_applications(request.user))
    page = page_of(request, applications, PAGE_SIZE)
    return render(
        request, TEMPLATES + "queue.html", {"form": form, "page": page, "query": query_without(request)}
    )


@require_GET
@role_required(*OFFICERS)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    payments = list(application.payments.select_related("recorded_by"))
    return render(
        request,
        TEMPLATES + "application.html",
        {
            "application": application,
            "actions": actions_for(request.user, application),
            "answers": _answers(application),
            "attachments": application.attachments.all(),
            "missing_attachments": _missing_attachments(application),
            "eligibility": for_programme(application.programme, application.association),
            "conversation": application.messages.select_related("author"),
            "history": application.history.select_related("actor"),
            "payments": payments,
            "paid_total": sum((payment.amount for payment in payments), Decimal("0")),
            "report": getattr(application, "report", None),
            "message_form": MessageForm(),
        },
    )


def _missing_attachments(application: GrantApplication) -> list[str]:
    labels = {attachment.label for attachment in application.attachments.all()}
    return [label for label in application.programme.required_attachments if label not in labels]


@require_GET
@role_required(*OFFICERS)
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    application = _application(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    return serve_private_file(
        request,
        attachment.file,
        attachment.original_name,
        audit_action="grants.attachment.downloaded",
        obj=attachment,
        content_type=attachment.content_type,
    )


@require_POST
@role_required(Role.COORDINATOR)
def message_reply(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            applications.post_message(application, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your message is sent to the association."))
            return redirect("casework:application", application.pk)
    for error in form.errors.get("body", []) + form.non_field_errors():
        messages.error(request, error)
    return redirect("casework:application", application.pk)


# --- The steps of the process ------------------------------------------------------------------------------


@role_required(Role.COORDINATOR)
def request_completion(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not actions_for(request.user, application)["request_completion"]:
        return _unavailable(request, application)
    form = CompletionRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            applications.request_completion(
                application, actor=request.user, request_text=form.cleaned_data["request_text"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The association is asked to complete the application."))
            return redirect("casework:application", application.pk)
    return render(request, TEMPLATES + "request_completion.html", {"application": application, "form": form})


def _calculation(application: GrantApplication) -> Calculation | None:
    """The activity-grant rule applied to the association's attendance, when the programme has the rule."""
    if not (application.programme.uses_calculation and application.period_start and application.period_end):
        return None
    return calculate_activity_grant(
        application.programme, application.association, application.period_start, application.period_end
    )


@role_required(Role.COORDINATOR)
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not actions_for(request.user, application)["assess"]:
        return _unavailable(request, application)
    calculation = _calculation(application)
    calculated = calculation.amount if calculation else None
    initial = {"proposed_amount": calculated if calculated is not None else application.requested_amount}
    form = AssessmentForm(_posted(request), initial=initial, calculated_amount=calculated)
    if request.method == "POST" and form.is_valid():
        try:
            applications.assess(
                application,
                actor=request.user,
                assessment=form.cleaned_data["assessment"],
                proposed_amount=form.cleaned_data["proposed_amount"],
                adjustment_reason=form.cleaned_data.get("adjustment_reason", ""),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The assessment is saved. The application can now be decided."))
            return redirect("casework:application", application.pk)
    return render(
        request,
        TEMPLATES + "assess.html",
        {"application": application, "form": form, "calculation": calculation},
    )


@role_required(*OFFICERS)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    proposed = application.proposed_amount
    form = DecisionForm(
        _posted(request),
        initial={"approved_amount": proposed, "outcome": _suggested_outcome(application)},
    )
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["approved_amount"]
        try:
            applications.decide(
                application,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                approved_amount=amount,
                reasons=form.cleaned_data["reasons"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The decision is made. The association is told by e-mail."))
            return redirect("casework:application", application.pk)
    # Explain up front when the user may not decide the proposed amount, instead of after they tried.
    block_reason = applications.decision_block_reason(request.user, application, proposed)
    return render(
        request,
        TEMPLATES + "decide.html",
        {
            "application": application,
            "form": form,
            "block_reason": block_reason,
            "can_decide_now": actions_for(request.user, application)["decide"],
        },
    )


def _suggested_outcome(application: GrantApplication) -> str | None:
    proposed, requested = application.proposed_amount, application.requested_amount
    if proposed is None:
        return None
    if proposed == 0:
        return Outcome.REJECTED
    if requested is not None and proposed < requested:
        return Outcome.PARTLY
    return Outcome.APPROVED


@require_GET
@role_required(*OFFICERS)
def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not letters.has_decision_letter(application):
        raise Http404
    return letters.letter_response(request, application)


@role_required(Role.COORDINATOR)
def payments(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = PaymentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            applications.record_payment(application, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect("casework:application", application.pk)
    paid = application.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    approved = application.approved_amount or Decimal("0")
    if not form.is_bound:
        form.initial["amount"] = max(approved - paid, Decimal("0")) or None
    return render(
        request,
        TEMPLATES + "payments.html",
        {
            "application": application,
            "form": form,
            "payments": application.payments.select_related("recorded_by"),
            "paid_total": paid,
            "remaining": max(approved - paid, Decimal("0")),
            "can_pay": actions_for(request.user, application)["pay"],
        },
    )


@role_required(Role.COORDINATOR)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not actions_for(request.user, application)["close"]:
        return _unavailable(request, application)
    form = CloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            applications.close(application, actor=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The case is closed."))
            return redirect("casework:application", application.pk)
    return render(
        request,
        TEMPLATES + "close.html",
        {"application": application, "form": form, "report": getattr(application, "report", None)},
    )
