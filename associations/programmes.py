"""Grant programmes for coordinators: list, create, edit (with the calculation rule, delegation limit and
required attachments), custom questions (add, edit, reorder, remove) and publishing.

The writes are the small business actions at the top (each audited); the views below only load, check
and render. A published programme is what representatives can apply to while its window is open.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role

from .forms_coordinator import ProgrammeForm, QuestionForm, YearForm
from .models import GrantApplication, GrantProgramme, ProgrammeQuestion

TEMPLATES = "associations/coordinator/"
COORDINATOR = Role.COORDINATOR


# --- Business actions -------------------------------------------------------------------------------


def _submitted_applications(programme: GrantProgramme):
    return programme.applications.exclude(status=GrantApplication.Status.DRAFT)


def save_programme(form: ProgrammeForm, *, actor, request=None) -> GrantProgramme:
    """Create or update the programme from a valid form; audited with the fields that changed."""
    creating = form.instance.pk is None
    with transaction.atomic():
        programme = form.save()
        audit.record(
            "associations.programme.create" if creating else "associations.programme.update",
            request=request,
            actor=actor,
            obj=programme,
            changed=sorted(form.changed_data),
        )
    return programme


def set_published(programme: GrantProgramme, published: bool, *, actor, request=None) -> GrantProgramme:
    """Publish (representatives may apply while the window is open) or withdraw a programme.

    A programme that has received applications stays published: withdrawing it would hide those
    applications' programme from the associations that applied."""
    with transaction.atomic():
        programme = GrantProgramme.objects.select_for_update().get(pk=programme.pk)
        if programme.is_published == published:
            return programme
        if not published and programme.applications.exists():
            raise ValidationError(
                _("The programme has applications, so it cannot be unpublished. Close the window instead.")
            )
        programme.is_published = published
        programme.save(update_fields=["is_published"])
        audit.record(
            "associations.programme.publish" if published else "associations.programme.unpublish",
            request=request,
            actor=actor,
            obj=programme,
        )
    return programme


def save_question(form: QuestionForm, programme: GrantProgramme, *, actor, request=None) -> ProgrammeQuestion:
    """Add a question (last in order) or update one; the answer type cannot change once applications
    were submitted, because their answers were given to the old question."""
    question = form.instance
    creating = question.pk is None
    with transaction.atomic():
        if not creating and "kind" in form.changed_data and _submitted_applications(programme).exists():
            raise ValidationError(
                {"kind": _("Applications have answered this question, so its answer type cannot change.")}
            )
        question.programme = programme
        if creating:
            last = programme.questions.aggregate(last=Max("order"))["last"]
            question.order = 0 if last is None else last + 1
        form.save()
        audit.record(
            "associations.question.create" if creating else "associations.question.update",
            request=request,
            actor=actor,
            obj=question,
            programme=programme.pk,
        )
    return question


def move_question(question: ProgrammeQuestion, direction: str, *, actor, request=None) -> None:
    """Swap the question with its neighbour above (``up``) or below (``down``); renumbers 0..n-1."""
    with transaction.atomic():
        questions = list(
            ProgrammeQuestion.objects.select_for_update().filter(programme_id=question.programme_id)
        )
        questions.sort(key=lambda q: (q.order, q.pk))
        index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(questions):
            return
        questions[index], questions[other] = questions[other], questions[index]
        for order, item in enumerate(questions):
            item.order = order
        ProgrammeQuestion.objects.bulk_update(questions, ["order"])
        audit.record(
            "associations.question.move", request=request, actor=actor, obj=question, direction=direction
        )


def remove_question(question: ProgrammeQuestion, *, actor, request=None) -> None:
    """Remove a question nobody has answered in a submitted application."""
    with transaction.atomic():
        if _submitted_applications(question.programme).exists():
            raise ValidationError(
                _("Applications have been submitted with answers to this question, so it cannot be removed.")
            )
        audit.record(
            "associations.question.delete",
            request=request,
            actor=actor,
            obj=question,
            programme=question.programme_id,
            text=question.text,
        )
        question.delete()


# --- Views ------------------------------------------------------------------------------------------


@require_GET
@role_required(COORDINATOR)
def programme_list(request: HttpRequest) -> HttpResponse:
    form = YearForm(request.GET)
    year = form.selected_year()
    programmes = GrantProgramme.objects.filter(year=year).annotate(
        application_count=Count("applications", filter=~Q(applications__status=GrantApplication.Status.DRAFT))
    )
    return render(
        request, TEMPLATES + "programme_list.html", {"form": form, "year": year, "programmes": programmes}
    )


@role_required(COORDINATOR)
def programme_create(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = save_programme(form, actor=request.user, request=request)
        messages.success(request, _("The programme is saved. Add questions, then publish it."))
        return redirect("coordinator:programme", programme.pk)
    return render(request, TEMPLATES + "programme_form.html", {"form": form})


@require_GET
@role_required(COORDINATOR)
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(GrantProgramme, pk=pk)
    return render(
        request,
        TEMPLATES + "programme_detail.html",
        {
            "programme": programme,
            "questions": list(programme.questions.all()),
            "has_applications": programme.applications.exists(),
            "has_submitted": _submitted_applications(programme).exists(),
            "question_form": QuestionForm(),
        },
    )


@role_required(COORDINATOR)
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(GrantProgramme, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        save_programme(form, actor=request.user, request=request)
        messages.success(request, _("Your changes are saved."))
        return redirect("coordinator:programme", programme.pk)
    return render(request, TEMPLATES + "programme_form.html", {"form": form, "programme": programme})


@require_POST
@role_required(COORDINATOR)
def programme_publish(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(GrantProgramme, pk=pk)
    publish = request.POST.get("publish") == "1"
    try:
        set_published(programme, publish, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The programme is published.") if publish else _("The programme is no longer published."),
        )
    return redirect("coordinator:programme", programme.pk)


def _question_form_page(request, programme, form, question=None) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "question_form.html",
        {"programme": programme, "form": form, "question": question},
    )


@role_required(COORDINATOR)
def question_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_object_or_404(GrantProgramme, pk=pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        save_question(form, programme, actor=request.user, request=request)
        messages.success(request, _("The question is added."))
        return redirect("coordinator:programme", programme.pk)
    return _question_form_page(request, programme, form)


@role_required(COORDINATOR)
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    programme = get_object_or_404(GrantProgramme, pk=pk)
    question = get_object_or_404(programme.questions, pk=question_pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            save_question(form, programme, actor=request.user, request=request)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("coordinator:programme", programme.pk)
    return _question_form_page(request, programme, form, question)


@require_POST
@role_required(COORDINATOR)
def question_move(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_object_or_404(ProgrammeQuestion, programme_id=pk, pk=question_pk)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        move_question(question, direction, actor=request.user, request=request)
    return redirect("coordinator:programme", pk)


@role_required(COORDINATOR)
def question_delete(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_object_or_404(
        ProgrammeQuestion.objects.select_related("programme"), programme_id=pk, pk=question_pk
    )
    error = None
    if request.method == "POST":
        try:
            remove_question(question, actor=request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The question is removed."))
            return redirect("coordinator:programme", pk)
    return render(
        request,
        TEMPLATES + "question_delete.html",
        {"programme": question.programme, "question": question, "error": error},
    )
