"""Back-office pages of the association register: the coordinators' list and review queue, and each
association's pages, which its own representatives use as their self-service.

Every association-bound view fetches through ``associations_for(user)``, so another association's pages,
documents and files are simply not found (404), whatever ID is typed. Changes also need
``can_manage_association`` (coordinators and the association's administrators) or, for documents,
``can_apply`` (administrators and grant representatives).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.roles import Role, has_role
from portal.paging import page_of, query_without

from . import services
from .eligibility import eligibility, eligible_associations
from .forms_register import (
    AssociationFilterForm,
    AssociationForm,
    BoardMemberForm,
    CoordinatorAssociationForm,
    DocumentReviewForm,
    DocumentUploadForm,
    InvitationForm,
    MemberCountForm,
    PaymentAccountForm,
    PaymentDecisionForm,
)
from .models import AnnualDocument, Association, Invitation, PaymentAccountChange, Representative
from .selectors import associations_for, can_apply, can_manage_association
from .uploads import serve_private_file
from .validators import format_giro

COORDINATOR = Role.COORDINATOR
REPRESENTATIVE = Role.ASSOCIATION_REP
PAGE_SIZE = 25
TEMPLATES = "associations/register/"


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _association(request: HttpRequest, pk: int) -> Association:
    """The association, if the user may see it at all; 404 otherwise."""
    return get_object_or_404(associations_for(request.user), pk=pk)


def _managed(request: HttpRequest, pk: int) -> Association:
    """The association, if the user may change it: 404 outside their scope, 403 without the right role."""
    association = _association(request, pk)
    if not can_manage_association(request.user, association):
        raise PermissionDenied
    return association


def _context(request: HttpRequest, association: Association, section: str, **extra) -> dict:
    return {
        "association": association,
        "section": section,
        "can_manage": can_manage_association(request.user, association),
        "can_upload": can_apply(request.user, association),
        "is_coordinator": has_role(request.user, COORDINATOR),
        **extra,
    }


def _documents(association: Association):
    return association.documents.select_related("uploaded_by", "reviewed_by").order_by(
        "-year", "kind", "-uploaded_at"
    )


def _recent_changes(association: Association) -> list[PaymentAccountChange]:
    """The latest payment-account requests, each with its previous account formatted for display."""
    changes = list(association.payment_account_changes.select_related("requested_by", "decided_by")[:20])
    for change in changes:
        change.previous_display = format_giro(change.previous_method, change.previous_account)
    return changes


# --- Lists ------------------------------------------------------------------------------------------


@require_GET
@role_required(COORDINATOR)
def association_list(request: HttpRequest) -> HttpResponse:
    form = AssociationFilterForm(request.GET)
    year = timezone.localdate().year
    associations = form.apply(
        Association.objects.prefetch_related("localities").annotate(
            documents_waiting=Count("documents", filter=Q(documents__status=AnnualDocument.Status.SUBMITTED)),
            eligible_now=Exists(eligible_associations(year).filter(pk=OuterRef("pk"))),
        )
    )
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "form": form,
            "page": page_of(request, associations, PAGE_SIZE),
            "query": query_without(request),
            "sort_query": query_without(request, "sort"),
            "year": year,
        },
    )


@require_GET
@role_required(REPRESENTATIVE)
def my_associations(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Representative.objects.filter(user=request.user)
        .select_related("association")
        .order_by("association__name")
    )
    if len(memberships) == 1:
        return redirect("register:detail", memberships[0].association_id)
    return render(request, TEMPLATES + "mine.html", {"memberships": memberships})


@role_required(COORDINATOR)
def association_create(request: HttpRequest) -> HttpResponse:
    form = CoordinatorAssociationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            association = services.create_association(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The association is added to the register."))
            return redirect("register:detail", association.pk)
    return render(request, TEMPLATES + "association_form.html", {"form": form, "association": None})


# --- One association --------------------------------------------------------------------------------


@require_GET
@role_required(COORDINATOR, REPRESENTATIVE)
def association_detail(request: HttpRequest, pk: int) -> HttpResponse:
    association = get_object_or_404(associations_for(request.user).prefetch_related("localities"), pk=pk)
    year = timezone.localdate().year
    return render(
        request,
        TEMPLATES + "detail.html",
        _context(
            request,
            association,
            "overview",
            eligibility=[eligibility(association, year), eligibility(association, year + 1)],
            confirmed_this_year=association.base_data_confirmed_in(year),
            board=association.board_members.all(),
            latest_count=association.member_counts.order_by("-year").first(),
            pending_change=association.payment_account_changes.filter(
                status=PaymentAccountChange.Status.PENDING
            ).first(),
            documents_waiting=association.documents.filter(status=AnnualDocument.Status.SUBMITTED).count(),
        ),
    )


@role_required(COORDINATOR, REPRESENTATIVE)
def association_edit(request: HttpRequest, pk: int) -> HttpResponse:
    association = _managed(request, pk)
    form_class = CoordinatorAssociationForm if has_role(request.user, COORDINATOR) else AssociationForm
    form = form_class(request.POST or None, request.FILES or None, instance=association)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_base_data(
                Association.objects.get(pk=association.pk), actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("register:detail", association.pk)
    return render(
        request, TEMPLATES + "association_form.html", _context(request, association, "edit", form=form)
    )


@require_POST
@role_required(COORDINATOR, REPRESENTATIVE)
def association_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    association = _managed(request, pk)
    services.confirm_base_data(association, actor=request.user)
    messages.success(request, _("Thank you. The association's details are confirmed for this year."))
    return redirect("register:detail", association.pk)


# --- Board and members ------------------------------------------------------------------------------


@role_required(COORDINATOR, REPRESENTATIVE)
def board(request: HttpRequest, pk: int) -> HttpResponse:
    association = _association(request, pk)
    form = BoardMemberForm(request.POST or None)
    if request.method == "POST":
        if not can_manage_association(request.user, association):
            raise PermissionDenied
        if form.is_valid():
            services.add_board_member(association, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The board member is added."))
            return redirect("register:board", association.pk)
    return render(
        request,
        TEMPLATES + "board.html",
        _context(request, association, "board", form=form, members=association.board_members.all()),
    )


@role_required(COORDINATOR, REPRESENTATIVE)
def board_member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    association = _managed(request, pk)
    member = get_object_or_404(association.board_members, pk=member_pk)
    form = BoardMemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        services.update_board_member(member, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your changes are saved."))
        return redirect("register:board", association.pk)
    return render(
        request,
        TEMPLATES + "board_member_form.html",
        _context(request, association, "board", form=form, member=member),
    )


@require_POST
@role_required(COORDINATOR, REPRESENTATIVE)
def board_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    association = _managed(request, pk)
    member = get_object_or_404(association.board_members, pk=member_pk)
    services.remove_board_member(member, actor=request.user)
    messages.success(request, _("%(name)s is removed from the board list.") % {"name": member.name})
    return redirect("register:board", association.pk)


@role_required(COORDINATOR, REPRESENTATIVE)
def member_counts(request: HttpRequest, pk: int) -> HttpResponse:
    association = _association(request, pk)
    form = MemberCountForm(request.POST or None)
    if request.method == "POST":
        if not can_manage_association(request.user, association):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_member_count(association, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The member count is saved."))
                return redirect("register:members", association.pk)
    return render(
        request,
        TEMPLATES + "members.html",
        _context(
            request, association, "members", form=form, counts=association.member_counts.order_by("-year")
        ),
    )


# --- Payment account --------------------------------------------------------------------------------


@role_required(COORDINATOR, REPRESENTATIVE)
def payment_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Coordinators set the account directly; the association's administrators request a change."""
    association = _association(request, pk)
    is_coordinator = has_role(request.user, COORDINATOR)
    form = PaymentAccountForm(request.POST or None)
    if request.method == "POST":
        if not can_manage_association(request.user, association):
            raise PermissionDenied
        if form.is_valid():
            action = (
                services.set_payment_account if is_coordinator else services.request_payment_account_change
            )
            try:
                action(association, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The account is changed.")
                    if is_coordinator
                    else _("Your request is sent. A coordinator checks it before the account is changed."),
                )
                return redirect("register:payment", association.pk)
    changes = _recent_changes(association)
    pending = next(
        (change for change in changes if change.status == PaymentAccountChange.Status.PENDING), None
    )
    return render(
        request,
        TEMPLATES + "payment.html",
        _context(
            request,
            association,
            "payment",
            form=form,
            changes=changes,
            pending=pending,
            decision_form=PaymentDecisionForm() if is_coordinator and pending else None,
            coordinator_view=is_coordinator,
        ),
    )


@require_POST
@role_required(COORDINATOR)
def payment_change_decide(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    association = _association(request, pk)
    change = get_object_or_404(association.payment_account_changes, pk=change_pk)
    form = PaymentDecisionForm(request.POST)
    if form.is_valid():
        decide = (
            services.approve_payment_account_change
            if form.cleaned_data["decision"] == PaymentDecisionForm.APPROVE
            else services.reject_payment_account_change
        )
        try:
            decide(change, actor=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The decision is saved and the association is told."))
            return redirect("register:payment", association.pk)
    changes = _recent_changes(association)
    return render(
        request,
        TEMPLATES + "payment.html",
        _context(
            request,
            association,
            "payment",
            form=PaymentAccountForm(),
            changes=changes,
            pending=change if change.status == PaymentAccountChange.Status.PENDING else None,
            decision_form=form,
            coordinator_view=True,
        ),
        status=400,
    )


# --- People -----------------------------------------------------------------------------------------


@role_required(COORDINATOR, REPRESENTATIVE)
def people(request: HttpRequest, pk: int) -> HttpResponse:
    association = _managed(request, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_representative(association, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("register:people", association.pk)
    now = timezone.now()
    return render(
        request,
        TEMPLATES + "people.html",
        _context(
            request,
            association,
            "people",
            form=form,
            representatives=association.memberships.select_related("user").order_by("role", "user__email"),
            invitations=association.invitations.filter(
                accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
            ).select_related("invited_by"),
        ),
    )


@require_POST
@role_required(COORDINATOR, REPRESENTATIVE)
def representative_remove(request: HttpRequest, pk: int, rep_pk: int) -> HttpResponse:
    association = _managed(request, pk)
    representative = get_object_or_404(association.memberships.select_related("user"), pk=rep_pk)
    try:
        services.remove_representative(representative, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(person)s no longer represents the association.")
            % {"person": representative.user.get_full_name() or representative.user.email},
        )
    if representative.user_id == request.user.pk and not can_manage_association(request.user, association):
        return redirect("backoffice:home")
    return redirect("register:people", association.pk)


@require_POST
@role_required(COORDINATOR, REPRESENTATIVE)
def invitation_cancel(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    association = _managed(request, pk)
    invitation = get_object_or_404(association.invitations, pk=invitation_pk)
    try:
        services.cancel_invitation(invitation, actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email}
        )
    return redirect("register:people", association.pk)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail. Anyone holding it may look; accepting needs the invited address.

    Not behind ``role_required``: the person has no role yet, and may not even have an account.
    """
    invitation = get_object_or_404(
        Invitation.objects.select_related("association", "invited_by"), token=token
    )
    context = {"invitation": invitation, "association": invitation.association}
    if not invitation.is_open:
        return render(request, TEMPLATES + "invitation_closed.html", context, status=410)
    if not request.user.is_authenticated:
        if request.method == "POST":
            raise PermissionDenied
        next_query = urlencode({"next": request.get_full_path()})
        context.update(
            sign_in_url=f"{reverse('account_login')}?{next_query}",
            sign_up_url=f"{reverse('account_signup')}?{next_query}",
        )
        return render(request, TEMPLATES + "invitation_signin.html", context)
    matches = services.invitation_matches(invitation, request.user)
    if request.method == "POST" and matches:
        services.accept_invitation(invitation, user=request.user)
        messages.success(
            request,
            _("Welcome! You now represent %(association)s.") % {"association": invitation.association},
        )
        return redirect("register:detail", invitation.association_id)
    return render(request, TEMPLATES + "invitation.html", {**context, "matches": matches})


# --- Documents --------------------------------------------------------------------------------------


@role_required(COORDINATOR, REPRESENTATIVE)
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    association = _association(request, pk)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_apply(request.user, association):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.upload_document(
                    association,
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    kind=form.cleaned_data["kind"],
                    uploaded_file=form.cleaned_data["file"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The document is uploaded. A coordinator reviews it."))
                return redirect("register:documents", association.pk)
    year = timezone.localdate().year
    return render(
        request,
        TEMPLATES + "documents.html",
        _context(
            request,
            association,
            "documents",
            form=form,
            page=page_of(request, _documents(association), PAGE_SIZE),
            query="",
            eligibility=eligibility(association, year),
        ),
        status=400 if form.errors else 200,
    )


@require_GET
@role_required(COORDINATOR, REPRESENTATIVE)
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(
        AnnualDocument.objects.filter(association__in=associations_for(request.user)), pk=pk
    )
    return serve_private_file(
        request,
        document.file,
        document.original_name,
        audit_action="associations.document.download",
        obj=document,
        content_type=document.content_type,
    )


@require_GET
@role_required(COORDINATOR)
def review_queue(request: HttpRequest) -> HttpResponse:
    waiting = (
        AnnualDocument.objects.filter(status=AnnualDocument.Status.SUBMITTED)
        .select_related("association", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    return render(
        request, TEMPLATES + "review_queue.html", {"page": page_of(request, waiting, PAGE_SIZE), "query": ""}
    )


@role_required(COORDINATOR)
def document_review(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(
        AnnualDocument.objects.select_related("association", "uploaded_by", "reviewed_by"), pk=pk
    )
    form = DocumentReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = (
            services.approve_document
            if form.cleaned_data["decision"] == DocumentReviewForm.APPROVE
            else services.return_document
        )
        try:
            review(document, actor=request.user, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The review is saved and the association is told."))
            return redirect("register:review-queue")
    earlier = (
        document.association.documents.filter(year=document.year, kind=document.kind)
        .exclude(pk=document.pk)
        .select_related("reviewed_by")
        .order_by("-uploaded_at")
    )
    return render(
        request,
        TEMPLATES + "document_review.html",
        {
            "document": document,
            "association": document.association,
            "form": form,
            "earlier": earlier,
        },
    )
