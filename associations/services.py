"""Every write the association register performs: base data, board, member counts, the payment account,
representatives and their invitations, and annual documents. Views and the demo call these and nothing else.

Each function is one business action: it checks who may do it, writes in a transaction, records an audit
entry and, where the association should know, e-mails it once the transaction has committed.
"""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import audit
from accounts.roles import Role, has_role
from accounts.tasks import send_email
from outbox import enqueue

from .models import (
    AnnualDocument,
    Association,
    BoardMember,
    Invitation,
    MemberCount,
    PaymentAccountChange,
    Representative,
)
from .selectors import can_apply, can_manage_association
from .uploads import validate_upload
from .validators import normalise_giro, normalise_org_number, validate_bankgiro, validate_plusgiro

INVITATION_VALIDITY = timedelta(days=14)
EMAIL_TEMPLATES = "associations/register/email/"

# Fields a representative may change; coordinators may also change ``is_active``.
BASE_DATA_FIELDS = (
    "name",
    "org_number",
    "kind",
    "purpose",
    "street_address",
    "postal_code",
    "city",
    "email",
    "phone",
    "website",
    "logo",
    "logo_alt",
    "show_in_directory",
)
COORDINATOR_FIELDS = ("is_active",)


# --- Helpers ----------------------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_coordinator(actor) -> None:
    _require(has_role(actor, Role.COORDINATOR))


def association_recipients(association: Association) -> list[str]:
    """The association's own address and its administrators' addresses, each once."""
    addresses = [association.email] if association.email else []
    admins = association.memberships.filter(role=Representative.Role.ADMIN).values_list(
        "user__email", flat=True
    )
    for address in admins:
        if address and address.lower() not in {known.lower() for known in addresses}:
            addresses.append(address)
    return addresses


def _mail_on_commit(template: str, to: list[str], context: dict) -> None:
    """Render ``template`` in the site language now and send it by Celery once the transaction commits."""
    if not to:
        return
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"{EMAIL_TEMPLATES}{template}_subject.txt", context).strip()
        body = render_to_string(f"{EMAIL_TEMPLATES}{template}_message.txt", context)
    enqueue(send_email, subject=subject, body=body, to=to)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "forening"
    slug, number = base, 2
    while Association.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


# --- Base data --------------------------------------------------------------------------------------


@transaction.atomic
def create_association(*, actor, localities=(), **fields) -> Association:
    """A coordinator adds an association to the register."""
    _require_coordinator(actor)
    allowed = set(BASE_DATA_FIELDS) | set(COORDINATOR_FIELDS)
    data = {name: value for name, value in fields.items() if name in allowed}
    if data.get("org_number"):
        data["org_number"] = normalise_org_number(data["org_number"])
    association = Association(slug=_unique_slug(data.get("name", "")), **data)
    association.full_clean()
    association.save()
    association.localities.set(localities)
    audit.record("associations.association.create", actor=actor, obj=association, name=association.name)
    return association


@transaction.atomic
def update_base_data(association: Association, *, actor, localities=None, **fields) -> Association:
    """Change the association's details; only ``is_active`` is reserved for coordinators."""
    _require(can_manage_association(actor, association))
    allowed = set(BASE_DATA_FIELDS)
    if has_role(actor, Role.COORDINATOR):
        allowed |= set(COORDINATOR_FIELDS)
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise PermissionDenied
        if name == "org_number" and value:
            value = normalise_org_number(value)
        if getattr(association, name) != value:
            setattr(association, name, value)
            changed.append(name)
    association.full_clean()
    association.save()
    if localities is not None:
        before = set(association.localities.values_list("pk", flat=True))
        association.localities.set(localities)
        if before != {locality.pk for locality in localities}:
            changed.append("localities")
    audit.record("associations.association.update", actor=actor, obj=association, fields=sorted(changed))
    return association


@transaction.atomic
def confirm_base_data(association: Association, *, actor) -> Association:
    """Record that the association's details are correct, as required once a year for grants."""
    _require(can_manage_association(actor, association))
    association.base_data_confirmed_at = timezone.now()
    association.save(update_fields=["base_data_confirmed_at", "updated_at"])
    audit.record("associations.association.confirm", actor=actor, obj=association)
    return association


# --- Board and members ------------------------------------------------------------------------------


def _check_period(period_start: date, period_end: date | None) -> None:
    if period_end and period_end < period_start:
        raise ValidationError(
            {"period_end": _("The end of the period cannot be before its start.")}, code="period"
        )


@transaction.atomic
def add_board_member(
    association: Association,
    *,
    actor,
    name: str,
    role: str,
    period_start: date,
    period_end: date | None = None,
    email: str = "",
    phone: str = "",
) -> BoardMember:
    _require(can_manage_association(actor, association))
    _check_period(period_start, period_end)
    member = BoardMember.objects.create(
        association=association,
        name=name,
        role=role,
        email=email,
        phone=phone,
        period_start=period_start,
        period_end=period_end,
    )
    audit.record("associations.board.add", actor=actor, obj=member, association=association.pk, role=role)
    return member


@transaction.atomic
def update_board_member(member: BoardMember, *, actor, **fields) -> BoardMember:
    _require(can_manage_association(actor, member.association))
    allowed = {"name", "role", "email", "phone", "period_start", "period_end"}
    for name, value in fields.items():
        if name not in allowed:
            raise PermissionDenied
        setattr(member, name, value)
    _check_period(member.period_start, member.period_end)
    member.save()
    audit.record("associations.board.update", actor=actor, obj=member, association=member.association_id)
    return member


@transaction.atomic
def remove_board_member(member: BoardMember, *, actor) -> None:
    _require(can_manage_association(actor, member.association))
    audit.record("associations.board.remove", actor=actor, obj=member, association=member.association_id)
    member.delete()


def check_member_count(*, total: int, women: int, men: int, aged_65_plus: int) -> None:
    """The counts must fit together: women and men together, and members 65+, are at most the total."""
    errors = {}
    if women + men > total:
        errors["total"] = _(
            "Women and men together (%(sum)s) are more than the members in total (%(total)s)."
        ) % {"sum": women + men, "total": total}
    if aged_65_plus > total:
        errors["aged_65_plus"] = _(
            "Members aged 65 or over (%(seniors)s) cannot be more than the members in total (%(total)s)."
        ) % {"seniors": aged_65_plus, "total": total}
    if errors:
        raise ValidationError(errors, code="inconsistent")


@transaction.atomic
def save_member_count(
    association: Association, *, actor, year: int, total: int, women: int, men: int, aged_65_plus: int
) -> MemberCount:
    """Record (or correct) the members on 31 December of ``year``."""
    _require(can_manage_association(actor, association))
    check_member_count(total=total, women=women, men=men, aged_65_plus=aged_65_plus)
    count, created = MemberCount.objects.update_or_create(
        association=association,
        year=year,
        defaults={"total": total, "women": women, "men": men, "aged_65_plus": aged_65_plus},
    )
    audit.record(
        "associations.members.create" if created else "associations.members.update",
        actor=actor,
        obj=count,
        association=association.pk,
        year=year,
        total=total,
    )
    return count


# --- Payment account --------------------------------------------------------------------------------


def clean_payment_account(method: str, account: str) -> str:
    """The account as digits only, after checking it is a valid bankgiro or plusgiro number."""
    if method == Association.PaymentMethod.BANKGIRO:
        validate_bankgiro(account)
    elif method == Association.PaymentMethod.PLUSGIRO:
        validate_plusgiro(account)
    else:
        raise ValidationError({"method": _("Choose bankgiro or plusgiro.")}, code="method")
    return normalise_giro(account)


@transaction.atomic
def request_payment_account_change(
    association: Association, *, actor, method: str, account: str
) -> PaymentAccountChange:
    """A representative asks for grants to be paid to another account; a coordinator must approve it."""
    _require(can_manage_association(actor, association))
    account = clean_payment_account(method, account)
    association = Association.objects.select_for_update().get(pk=association.pk)
    if association.payment_account_changes.filter(status=PaymentAccountChange.Status.PENDING).exists():
        raise ValidationError(
            _("A change of account is already waiting for approval. Wait for the coordinator's answer."),
            code="pending",
        )
    change = PaymentAccountChange.objects.create(
        association=association,
        method=method,
        account=account,
        previous_method=association.payment_method,
        previous_account=association.payment_account,
        requested_by=actor,
    )
    audit.record(
        "associations.payment_account.request",
        actor=actor,
        obj=change,
        association=association.pk,
        method=method,
        account=change.account_display,
    )
    return change


def _decide_payment_change(change: PaymentAccountChange, *, actor, status: str, comment: str):
    _require_coordinator(actor)
    change = PaymentAccountChange.objects.select_for_update().select_related("association").get(pk=change.pk)
    if change.status != PaymentAccountChange.Status.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    change.status = status
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.comment = comment
    change.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return change


@transaction.atomic
def approve_payment_account_change(
    change: PaymentAccountChange, *, actor, comment: str = ""
) -> PaymentAccountChange:
    """A coordinator approves the request: from now on grants are paid to the new account."""
    change = _decide_payment_change(
        change, actor=actor, status=PaymentAccountChange.Status.APPROVED, comment=comment
    )
    association = change.association
    previous = association.payment_account_display
    association.payment_method = change.method
    association.payment_account = change.account
    association.save(update_fields=["payment_method", "payment_account", "updated_at"])
    audit.record(
        "associations.payment_account.approve",
        actor=actor,
        obj=change,
        association=association.pk,
        previous=previous,
        account=change.account_display,
    )
    _mail_on_commit(
        "payment_account_approved",
        association_recipients(association),
        {"association": association, "change": change},
    )
    return change


@transaction.atomic
def reject_payment_account_change(
    change: PaymentAccountChange, *, actor, comment: str
) -> PaymentAccountChange:
    """A coordinator refuses the request, saying why; the account stays as it was."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say why the change is rejected.")}, code="comment")
    change = _decide_payment_change(
        change, actor=actor, status=PaymentAccountChange.Status.REJECTED, comment=comment
    )
    association = change.association
    audit.record("associations.payment_account.reject", actor=actor, obj=change, association=association.pk)
    _mail_on_commit(
        "payment_account_rejected",
        association_recipients(association),
        {"association": association, "change": change},
    )
    return change


@transaction.atomic
def set_payment_account(association: Association, *, actor, method: str, account: str) -> Association:
    """A coordinator sets the account directly (e.g. from a signed form); a pending request is superseded."""
    _require_coordinator(actor)
    account = clean_payment_account(method, account)
    association = Association.objects.select_for_update().get(pk=association.pk)
    previous = association.payment_account_display
    association.payment_method = method
    association.payment_account = account
    association.save(update_fields=["payment_method", "payment_account", "updated_at"])
    association.payment_account_changes.filter(status=PaymentAccountChange.Status.PENDING).update(
        status=PaymentAccountChange.Status.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        comment=_("Replaced by an account the coordinator entered."),
    )
    audit.record(
        "associations.payment_account.set",
        actor=actor,
        obj=association,
        previous=previous,
        account=association.payment_account_display,
    )
    return association


# --- Representatives and invitations ----------------------------------------------------------------


@transaction.atomic
def invite_representative(association: Association, *, actor, email: str, role: str) -> Invitation:
    """Invite a person by e-mail; the link in the e-mail is valid for 14 days."""
    _require(can_manage_association(actor, association))
    if role not in Representative.Role.values:
        raise ValidationError({"role": _("Choose what the person may do.")}, code="role")
    email = email.strip()
    # Lock the association so two administrators cannot invite the same person at the same moment.
    association = Association.objects.select_for_update().get(pk=association.pk)
    if association.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("This person already represents the association.")}, code="already_member"
        )
    now = timezone.now()
    open_invitations = association.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
    )
    if open_invitations.exists():
        raise ValidationError(
            {"email": _("This person has already been invited. Withdraw that invitation to send a new one.")},
            code="already_invited",
        )
    invitation = Invitation.objects.create(
        association=association,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + INVITATION_VALIDITY,
    )
    audit.record(
        "associations.invitation.send", actor=actor, obj=invitation, association=association.pk, role=role
    )
    _mail_on_commit(
        "invitation",
        [email],
        {
            "association": association,
            "invitation": invitation,
            "inviter": actor,
            "accept_path": reverse("register:invitation", args=[invitation.token]),
        },
    )
    return invitation


def invitation_matches(invitation: Invitation, user) -> bool:
    """True when ``user`` signed in with the address the invitation was sent to."""
    if user.email and user.email.lower() == invitation.email.lower():
        return True
    return user.emailaddress_set.filter(email__iexact=invitation.email, verified=True).exists()


@transaction.atomic
def accept_invitation(invitation: Invitation, *, user) -> Representative:
    """The invited person, signed in with the invited address, becomes a representative."""
    invitation = Invitation.objects.select_for_update().select_related("association").get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(
            _("This invitation can no longer be used. Ask the association for a new one."), code="closed"
        )
    if not invitation_matches(invitation, user):
        raise ValidationError(
            _("The invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email},
            code="wrong_email",
        )
    representative, created = Representative.objects.get_or_create(
        association=invitation.association, user=user, defaults={"role": invitation.role}
    )
    user.groups.add(Group.objects.get_or_create(name=Role.ASSOCIATION_REP)[0])
    user.__dict__.pop("_role_cache", None)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        "associations.invitation.accept",
        actor=user,
        obj=invitation,
        association=invitation.association_id,
        role=representative.role,
        new_representative=created,
    )
    return representative


@transaction.atomic
def cancel_invitation(invitation: Invitation, *, actor) -> Invitation:
    _require(can_manage_association(actor, invitation.association))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.cancelled_at:
        raise ValidationError(_("This invitation has already been accepted or withdrawn."), code="closed")
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    audit.record(
        "associations.invitation.cancel", actor=actor, obj=invitation, association=invitation.association_id
    )
    return invitation


@transaction.atomic
def remove_representative(representative: Representative, *, actor) -> None:
    """Remove a person from the association; the last administrator cannot be removed."""
    association = representative.association
    _require(can_manage_association(actor, association))
    admins = list(
        Representative.objects.select_for_update()
        .filter(association=association, role=Representative.Role.ADMIN)
        .values_list("pk", flat=True)
    )
    if representative.role == Representative.Role.ADMIN and admins == [representative.pk]:
        raise ValidationError(
            _("%(name)s is the association's only administrator. Invite another administrator first.")
            % {"name": representative.user.get_full_name() or representative.user.email},
            code="last_admin",
        )
    user = representative.user
    audit.record(
        "associations.representative.remove",
        actor=actor,
        obj=representative,
        association=association.pk,
        user=user.pk,
    )
    representative.delete()
    if not user.association_memberships.exists():
        user.groups.remove(*Group.objects.filter(name=Role.ASSOCIATION_REP))


# --- Annual documents -------------------------------------------------------------------------------


@transaction.atomic
def upload_document(
    association: Association, *, actor, year: int, kind: str, uploaded_file: UploadedFile
) -> AnnualDocument:
    """File an annual document for review; the file is checked and kept in private storage."""
    _require(can_apply(actor, association))
    content_type, size = validate_upload(uploaded_file)
    document = AnnualDocument(
        association=association,
        year=year,
        kind=kind,
        original_name=(uploaded_file.name or "document")[-200:],
        content_type=content_type,
        size=size,
        uploaded_by=actor,
    )
    document.file.save(uploaded_file.name or "document", uploaded_file, save=False)
    document.save()
    audit.record(
        "associations.document.upload",
        actor=actor,
        obj=document,
        association=association.pk,
        year=year,
        kind=kind,
        size=size,
    )
    return document


def _review(document: AnnualDocument, *, actor, status: str, comment: str) -> AnnualDocument:
    _require_coordinator(actor)
    document = AnnualDocument.objects.select_for_update().select_related("association").get(pk=document.pk)
    if document.status != AnnualDocument.Status.SUBMITTED:
        raise ValidationError(_("This document has already been reviewed."), code="reviewed")
    document.status = status
    document.reviewed_by = actor
    document.reviewed_at = timezone.now()
    document.review_comment = comment
    document.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    audit.record(
        f"associations.document.{'approve' if status == AnnualDocument.Status.APPROVED else 'return'}",
        actor=actor,
        obj=document,
        association=document.association_id,
    )
    template = "document_approved" if status == AnnualDocument.Status.APPROVED else "document_returned"
    _mail_on_commit(
        template,
        association_recipients(document.association),
        {"association": document.association, "document": document},
    )
    return document


@transaction.atomic
def approve_document(document: AnnualDocument, *, actor, comment: str = "") -> AnnualDocument:
    return _review(document, actor=actor, status=AnnualDocument.Status.APPROVED, comment=comment)


@transaction.atomic
def return_document(document: AnnualDocument, *, actor, comment: str) -> AnnualDocument:
    """Send the document back to the association, saying what must be corrected."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the association must correct.")}, code="comment")
    return _review(document, actor=actor, status=AnnualDocument.Status.RETURNED, comment=comment)
