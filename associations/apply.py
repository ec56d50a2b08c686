"""A representative's grant pages: open grants with the association's eligibility, the association's
applications with their next step, and everything an applicant does with one application — write it,
attach files, talk to the case officer, send it in, answer a completion request, withdraw it, read the
decision and report back afterwards.

Views load through ``selectors.applications_for`` (another association's application is simply not found),
validate a form and call one function of ``associations.applications``, where every rule lives.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role
from portal.models import Locality

from . import applications, eligibility, letters, selectors, uploads
from .forms_apply import (
    ApplicationForm,
    AttachmentForm,
    MessageForm,
    ReportForm,
    StartApplicationForm,
    WithdrawForm,
    add_service_errors,
    question_field_name,
)
from .models import AnnualDocument, ApplicationAttachment, GrantApplication, GrantProgramme, ProgrammeQuestion

REPRESENTATIVE = Role.ASSOCIATION_REP
PAGE_SIZE = 25
TEMPLATES = "associations/grants/"
Status = GrantApplication.Status
REPORTABLE = (Status.PAID, Status.REPORT_DUE)


def _application(request: HttpRequest, pk: int) -> GrantApplication:
    return get_object_or_404(selectors.applications_for(request.user), pk=pk)


def _own_application(request: HttpRequest, pk: int) -> GrantApplication:
    """The application, for a user who may act for its association (read-only members get 403)."""
    application = _application(request, pk)
    if not selectors.can_apply(request.user, application.association):
        raise PermissionDenied
    return application


def _editable_application(request: HttpRequest, pk: int) -> GrantApplication | None:
    application = _own_application(request, pk)
    if not application.is_editable_by_applicant:
        messages.error(request, _("The application has been sent in and can no longer be changed."))
        return None
    return application


def _may(application: GrantApplication, status: str) -> bool:
    return status in applications.TRANSITIONS.get(application.status, ())


def _eligibility_for(programme: GrantProgramme, association, cache: dict) -> eligibility.Eligibility:
    """The association's eligibility as the programme's rule counts it (cached per association and year)."""
    key = (
        association.pk,
        programme.pk if programme.eligibility == GrantProgramme.Eligibility.OPEN else None,
        programme.year,
    )
    if key not in cache:
        cache[key] = eligibility.for_programme(programme, association)
    return cache[key]


def next_step(application: GrantApplication) -> str:
    """What happens next, in one sentence, from the applicant's point of view."""
    if application.status == Status.DRAFT:
        return _("Finish the application and send it in by %(date)s.") % {
            "date": date_format(application.programme.closes_on, "j F Y")
        }
    if application.status == Status.COMPLETION_REQUESTED:
        return _("The case officer needs more information: complete the application and send it in again.")
    if application.status in (Status.SUBMITTED, Status.RESUBMITTED):
        return _("A case officer is looking at the application. You do not need to do anything.")
    if application.status == Status.ASSESSED:
        return _("The application is assessed and waiting for a decision.")
    if application.status == Status.DECIDED:
        if application.outcome == GrantApplication.Outcome.REJECTED:
            return _("The application was rejected. Read the decision to see why and how to appeal.")
        return _("The grant is approved and will be paid to the association's account.")
    if application.status in REPORTABLE:
        due = getattr(getattr(application, "report", None), "due_on", None)
        if due:
            return _("Send in the follow-up report by %(date)s.") % {"date": date_format(due, "j F Y")}
        return _("Send in the follow-up report.")
    if application.status == Status.REPORT_RECEIVED:
        return _("Thank you for the report. The coordinator will close the case.")
    return _("Nothing more to do.")


# --- Overview and a new application -----------------------------------------------------------------


@require_GET
@role_required(REPRESENTATIVE)
def index(request: HttpRequest) -> HttpResponse:
    """Grants open now or soon, with each association's eligibility, and the user's applications."""
    today = timezone.localdate()
    # Approved documents fetched once for every association (eligibility reads them), and the user's
    # rights in one query: the page's query count does not grow with the associations.
    associations = list(
        selectors.associations_for(request.user)
        .order_by("name")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=AnnualDocument.objects.filter(status=AnnualDocument.Status.APPROVED),
                to_attr="approved_documents",
            )
        )
    )
    may_apply = selectors.can_apply_for_each(request.user, associations)
    programmes = list(
        GrantProgramme.objects.filter(is_published=True, closes_on__gte=today).order_by("closes_on", "name")
    )
    mine = selectors.applications_for(request.user)
    started = {
        (application.programme_id, application.association_id): application
        for application in mine.filter(programme__in=programmes).exclude(status=Status.WITHDRAWN)
    }
    cache: dict = {}
    grants = [
        {
            "programme": programme,
            "is_open": programme.is_open_on(today),
            "rows": [
                {
                    "association": association,
                    "eligibility": _eligibility_for(programme, association, cache),
                    "may_apply": may_apply[association.pk],
                    "application": started.get((programme.pk, association.pk)),
                }
                for association in associations
            ],
        }
        for programme in programmes
    ]
    page = Paginator(mine.select_related("report").order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for application in page:
        application.next_step = next_step(application)
    return render(
        request,
        TEMPLATES + "index.html",
        {"grants": grants, "page": page, "query": "", "has_associations": bool(associations)},
    )


@role_required(REPRESENTATIVE)
def start(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    programmes = GrantProgramme.objects.filter(
        is_published=True, opens_on__lte=today, closes_on__gte=today
    ).order_by("closes_on", "name")
    applying = [
        association.pk
        for association in selectors.associations_for(request.user)
        if selectors.can_apply(request.user, association)
    ]
    associations = selectors.associations_for(request.user).filter(pk__in=applying).order_by("name")
    form = StartApplicationForm(
        request.POST or None,
        programmes=programmes,
        associations=associations,
        initial={"programme": request.GET.get("programme"), "association": request.GET.get("association")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = applications.create_application(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application is started. Fill it in and save it as you go."))
            return redirect("grants:edit", application.pk)
    return render(
        request,
        TEMPLATES + "start.html",
        {"form": form, "has_programmes": programmes.exists(), "has_associations": bool(applying)},
    )


# --- One application ----------------------------------------------------------------------------------


def _answers(application: GrantApplication, questions) -> list[tuple[ProgrammeQuestion, str]]:
    labels = {"yes": _("Yes"), "no": _("No")}
    answers = application.answers or {}
    rows = []
    for question in questions:
        answer = answers.get(str(question.pk), "")
        if question.kind == ProgrammeQuestion.Kind.YES_NO:
            answer = labels.get(str(answer), answer)
        rows.append((question, answer))
    return rows


def _detail_context(request: HttpRequest, application: GrantApplication, message_form=None) -> dict:
    questions = list(application.programme.questions.all())
    may_act = selectors.can_apply(request.user, application.association)
    required = [str(label) for label in application.programme.required_attachments]
    attachments = list(application.attachments.all())
    present = {attachment.label for attachment in attachments}
    report = getattr(application, "report", None)
    return {
        "application": application,
        "programme": application.programme,
        "answers": _answers(application, questions),
        "attachments": attachments,
        "missing_attachments": [label for label in required if label not in present],
        "conversation": list(application.messages.select_related("author")),
        "history": application.history.select_related("actor"),
        "message_form": message_form or MessageForm(),
        "may_act": may_act,
        "can_edit": may_act and application.is_editable_by_applicant,
        "can_submit": may_act
        and (_may(application, Status.SUBMITTED) or _may(application, Status.RESUBMITTED)),
        "can_withdraw": may_act and _may(application, Status.WITHDRAWN),
        "can_write": may_act and application.status not in (Status.CLOSED, Status.WITHDRAWN),
        "has_letter": letters.has_decision_letter(application),
        "report": report,
        "can_report": may_act and application.status in REPORTABLE and report and not report.submitted_at,
        "next_step": next_step(application),
        "eligibility": (
            _eligibility_for(application.programme, application.association, {})
            if application.is_editable_by_applicant
            else None
        ),
    }


@require_GET
@role_required(REPRESENTATIVE)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    return render(request, TEMPLATES + "detail.html", _detail_context(request, application))


@role_required(REPRESENTATIVE)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable_application(request, pk)
    if application is None:
        return redirect("grants:application", pk)
    questions = application.programme.questions.all()
    form = ApplicationForm(request.POST or None, application=application, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            applications.update_draft(application, actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            if request.POST.get("next") == "submit":
                return redirect("grants:submit", application.pk)
            return redirect("grants:application", application.pk)
    return render(request, TEMPLATES + "edit.html", {"application": application, "form": form})


@role_required(REPRESENTATIVE)
def attachments(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    existing = list(application.attachments.all())
    required = [str(label) for label in application.programme.required_attachments]
    present = {attachment.label for attachment in existing}
    missing = [label for label in required if label not in present]
    form = None
    if application.is_editable_by_applicant:
        form = AttachmentForm(
            request.POST or None, request.FILES or None, required_labels=required, missing_labels=missing
        )
        if request.method == "POST" and form.is_valid():
            try:
                applications.add_attachment(
                    application,
                    actor=request.user,
                    label=form.chosen_label,
                    uploaded_file=form.cleaned_data["file"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The file is attached."))
                return redirect("grants:attachments", application.pk)
    elif request.method == "POST":
        messages.error(request, _("The application has been sent in and can no longer be changed."))
        return redirect("grants:application", application.pk)
    return render(
        request,
        TEMPLATES + "attachments.html",
        {
            "application": application,
            "attachments": existing,
            "required": [(label, label in present) for label in required],
            "form": form,
        },
    )


def _attachment(request: HttpRequest, pk: int) -> ApplicationAttachment:
    return get_object_or_404(
        ApplicationAttachment.objects.select_related("application__association").filter(
            application__in=selectors.applications_for(request.user)
        ),
        pk=pk,
    )


@require_GET
@role_required(REPRESENTATIVE)
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment(request, pk)
    return uploads.serve_private_file(
        request,
        attachment.file,
        attachment.original_name,
        audit_action="associations.attachment.download",
        obj=attachment,
        content_type=attachment.content_type,
    )


@require_POST
@role_required(REPRESENTATIVE)
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment(request, pk)
    application = _editable_application(request, attachment.application_id)
    if application is not None:
        try:
            applications.remove_attachment(attachment, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The file “%(label)s” is removed.") % {"label": attachment.label})
    return redirect("grants:attachments", attachment.application_id)


@require_POST
@role_required(REPRESENTATIVE)
def message(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            applications.post_message(application, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your message is sent to the case officer."))
            return redirect(reverse("grants:application", args=[application.pk]) + "#conversation")
    return render(request, TEMPLATES + "detail.html", _detail_context(request, application, form), status=400)


def _problems(application: GrantApplication, reasons: list[str]) -> list[dict]:
    """The service's reasons for refusing, each linked to the page where the applicant can put it right.

    The reasons are plain sentences; they are matched to the question, attachment or eligibility rule
    they name by that data, never by their wording.
    """
    programme, association = application.programme, application.association
    edit_url = reverse("grants:edit", args=[application.pk])
    attachments_url = reverse("grants:attachments", args=[application.pk])
    status = _eligibility_for(programme, association, {})
    targets = [
        (f"“{question.text}”", f"{edit_url}#id_{question_field_name(question)}")
        for question in programme.questions.all()
    ] + [(f"“{label}”", attachments_url) for label in programme.required_attachments]
    problems = []
    for reason in reasons:
        if reason in status.reasons:
            url = _eligibility_url(association, status, reason)
        elif programme.opens_on.isoformat() in reason and programme.closes_on.isoformat() in reason:
            url = ""  # the application window: nothing the applicant can change
        else:
            url = next((target for needle, target in targets if needle in reason), edit_url)
        problems.append({"message": reason, "url": url})
    return problems


def _eligibility_url(association, status: eligibility.Eligibility, reason: str) -> str:
    documents = [str(AnnualDocument.Kind(kind).label) for _year, kind in status.missing_documents]
    if any(label in reason for label in documents):
        return reverse("register:documents", args=[association.pk])
    if not status.base_data_confirmed:
        return reverse("register:confirm", args=[association.pk])
    return ""


@role_required(REPRESENTATIVE)
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the application and send it in, or send it in again after a completion request."""
    application = _own_application(request, pk)
    resubmitting = application.status == Status.COMPLETION_REQUESTED
    if not _may(application, Status.RESUBMITTED if resubmitting else Status.SUBMITTED):
        messages.error(request, _("The application has already been sent in."))
        return redirect("grants:application", pk)
    failed = False
    if request.method == "POST":
        try:
            if resubmitting:
                applications.resubmit(application, actor=request.user)
            else:
                applications.submit(application, actor=request.user)
        except ValidationError as error:
            failed = True
            reasons = error.messages
        else:
            messages.success(
                request,
                _("The application is sent in again. The case officer has been told.")
                if resubmitting
                else _("The application is sent in. We have e-mailed the association a receipt."),
            )
            return redirect("grants:application", application.pk)
    else:
        reasons = [] if resubmitting else applications.missing_for_submission(application)
    context = _detail_context(request, application)
    context.update(
        {"problems": _problems(application, reasons), "resubmitting": resubmitting, "failed": failed}
    )
    return render(request, TEMPLATES + "submit.html", context, status=400 if failed else 200)


@role_required(REPRESENTATIVE)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    if not _may(application, Status.WITHDRAWN):
        messages.error(request, _("The application can no longer be withdrawn."))
        return redirect("grants:application", pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applications.withdraw(application, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application is withdrawn."))
            return redirect("grants:application", application.pk)
    return render(request, TEMPLATES + "withdraw.html", {"application": application, "form": form})


@require_GET
@role_required(REPRESENTATIVE)
def decision_letter(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    if not letters.has_decision_letter(application):
        raise Http404
    return letters.letter_response(request, application)


@role_required(REPRESENTATIVE)
def report(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    follow_up = getattr(application, "report", None)
    if follow_up is None or follow_up.submitted_at or application.status not in REPORTABLE:
        messages.error(request, _("There is no follow-up report to send in for this application."))
        return redirect("grants:application", pk)
    localities = application.association.localities.order_by("name")
    if not localities.exists():
        localities = Locality.objects.order_by("name")
    form = ReportForm(request.POST or None, localities=localities)
    if request.method == "POST" and form.is_valid():
        try:
            applications.submit_report(follow_up, actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you! The follow-up report is sent in."))
            return redirect("grants:application", application.pk)
    return render(
        request, TEMPLATES + "report.html", {"application": application, "report": follow_up, "form": form}
    )
