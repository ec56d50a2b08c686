"""Data protection for the people who use the site: their data as JSON (registerutdrag) and erasure.

Erasing an account deletes the user row. Sign-ups are kept for statistics but no longer point at the
person: coming ones are cancelled first through the activities service (so the waiting list moves up),
then every sign-up loses its link to the user and gets a neutral name. The audit log is append-only and is
not touched: ``AuditEntry.actor`` is declared ``DO_NOTHING`` without a database constraint, so deleting the
user issues no UPDATE on the log; its entries keep the former user id and the ``actor_label`` written at
the time (the e-mail address) until the audit log's own retention period ends.
"""

from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import services as activity_services
from activities.models import ActivitySuggestion, Registration, new_cancel_token
from activities.retention import ANONYMISED_NAME, ANONYMISED_PHONE
from associations.models import Representative
from portal.models import ContactMessage

from . import audit
from .models import AuditEntry, User
from .roles import STAFF_ROLES, has_role, roles_of

DELETED_ACTOR_LABEL = "deleted user"


class AccountDeletionRefused(Exception):
    """The account cannot be deleted yet; ``reasons`` are shown to the person."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _addresses(user: User) -> set[str]:
    addresses = {user.email.lower()}
    others = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    addresses.update(address.lower() for address in others)
    return addresses


def _email_match(field: str, addresses: set[str]) -> Q:
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(**{f"{field}__iexact": address})
    return query


def export_data(user: User) -> dict[str, Any]:
    """Everything the site stores about ``user``, as plain JSON-ready data."""
    addresses = _addresses(user)
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("occurrence__activity")
        .order_by("occurrence__starts_at", "id")
    )
    memberships = Representative.objects.filter(user=user).select_related("association").order_by("id")
    messages = (
        ContactMessage.objects.filter(_email_match("email", addresses))
        .select_related("locality")
        .order_by("created_at", "id")
    )
    suggestions = ActivitySuggestion.objects.filter(_email_match("contact_email", addresses)).order_by(
        "created_at", "id"
    )
    entries = AuditEntry.objects.filter(actor=user).order_by("at", "id")
    return {
        "generated_at": _iso(timezone.now()),
        "user": {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "preferred_language": user.preferred_language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
            "roles": sorted(roles_of(user)),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("id")
        ],
        "registrations": [
            {
                "activity": r.occurrence.activity.title,
                "occurrence_id": r.occurrence_id,
                "starts_at": _iso(r.occurrence.starts_at),
                "ends_at": _iso(r.occurrence.ends_at),
                "status": r.status,
                "party_size": r.party_size,
                "language": r.language,
                "signed_up_at": _iso(r.created_at),
                "cancelled_at": _iso(r.cancelled_at),
            }
            for r in registrations
        ],
        "association_memberships": [{"association": m.association.name, "role": m.role} for m in memberships],
        "contact_messages": [
            {
                "sent_at": _iso(m.created_at),
                "name": m.name,
                "email": m.email,
                "phone": m.phone,
                "locality": m.locality.name if m.locality_id else None,
                "message": m.message,
                "status": m.status,
            }
            for m in messages
        ],
        "activity_suggestions": [
            {
                "sent_at": _iso(s.created_at),
                "title": s.title,
                "description": s.description,
                "contact_name": s.contact_name,
                "contact_email": s.contact_email,
                "contact_phone": s.contact_phone,
                "status": s.status,
            }
            for s in suggestions
        ],
        "audit_entries": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "outcome": e.outcome,
                "ip_address": e.ip_address,
                "detail": e.detail,
            }
            for e in entries
        ],
    }


def record_export(user: User, *, request=None) -> None:
    audit.record("accounts.privacy.export", request=request, actor=user, obj=user)


def deletion_blockers(user: User) -> list[str]:
    """Why ``user`` may not delete their own account now; empty when they may."""
    reasons = []
    if user.is_staff or has_role(user, *STAFF_ROLES):
        reasons.append(
            _(
                "Accounts for municipal staff are closed by the system administrator, because what you "
                "did in the back office is part of the municipality's records. Ask your manager."
            )
        )
    admin_of = Representative.objects.filter(user=user, role=Representative.Role.ADMIN).select_related(
        "association"
    )
    for membership in admin_of:
        others = (
            Representative.objects.filter(association_id=membership.association_id, role=membership.role)
            .exclude(user=user)
            .exists()
        )
        if not others:
            reasons.append(
                _(
                    "You are the only administrator of %(association)s. Make another representative an "
                    "administrator first, or ask the municipality to close the association's account."
                )
                % {"association": membership.association.name}
            )
    return reasons


def delete_account(user: User) -> dict[str, int]:
    """Erase ``user``: cancel coming sign-ups, anonymise all sign-ups, remove memberships, delete the user.

    Raises :class:`AccountDeletionRefused` when :func:`deletion_blockers` finds a reason. Returns counts.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        reasons = deletion_blockers(user)
        if reasons:
            raise AccountDeletionRefused(reasons)
        user_id = user.pk
        cancelled = 0
        coming = Registration.objects.filter(user=user, occurrence__starts_at__gt=timezone.now()).exclude(
            status=Registration.Status.CANCELLED
        )
        for registration in coming:
            try:
                # No request: the log entry must not name the person who is being erased.
                activity_services.cancel_registration(registration)
                cancelled += 1
            except activity_services.SignupError:
                pass  # started meanwhile: kept as a past sign-up below
        anonymised = 0
        for registration in Registration.objects.filter(user=user).select_for_update():
            registration.user = None
            registration.guest_name = ANONYMISED_NAME
            registration.guest_phone = ANONYMISED_PHONE
            registration.guest_email = ""
            registration.cancel_token = new_cancel_token()  # links in old e-mails stop working
            registration.save(
                update_fields=["user", "guest_name", "guest_phone", "guest_email", "cancel_token"]
            )
            anonymised += 1
        memberships, _deleted = Representative.objects.filter(user=user).delete()
        user.delete()
        audit.record(
            "accounts.account.delete",
            actor_label=DELETED_ACTOR_LABEL,
            object_type=User._meta.label_lower,
            object_id=user_id,
            cancelled=cancelled,
            anonymised=anonymised,
            memberships=memberships,
        )
    return {"cancelled": cancelled, "anonymised": anonymised, "memberships": memberships}
