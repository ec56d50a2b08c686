"""Reads of the association register and grants, scoped to what a user may reach."""

from django.db.models import QuerySet

from accounts.roles import Role, has_role

from .models import Association, GrantApplication, Representative


def associations_for(user) -> QuerySet[Association]:
    """The associations ``user`` may manage: all for coordinators, their own for representatives."""
    if has_role(user, Role.COORDINATOR):
        return Association.objects.all()
    if has_role(user, Role.ASSOCIATION_REP):
        return Association.objects.filter(memberships__user=user)
    return Association.objects.none()


def applications_for(user) -> QuerySet[GrantApplication]:
    """Applications ``user`` may read: all for coordinators and officials, representatives' own."""
    applications = GrantApplication.objects.select_related("programme", "association")
    if has_role(user, Role.COORDINATOR, Role.OFFICIAL):
        return applications
    if has_role(user, Role.ASSOCIATION_REP):
        return applications.filter(association__memberships__user=user)
    return applications.none()


def representative_role(user, association: Association) -> str | None:
    """The user's ``Representative.Role`` for ``association``, or None when they do not represent it."""
    if not getattr(user, "is_authenticated", False) or not has_role(user, Role.ASSOCIATION_REP):
        return None
    memberships = Representative.objects.filter(association=association, user=user)
    return memberships.values_list("role", flat=True).first()


def can_manage_association(user, association: Association) -> bool:
    """Coordinators, and the association's own administrators, may change its register data."""
    if has_role(user, Role.COORDINATOR):
        return True
    return representative_role(user, association) == Representative.Role.ADMIN


def can_apply_for_each(user, associations) -> dict[int, bool]:
    """:func:`can_apply` for each of ``associations`` (pk -> bool), in at most one query."""
    if has_role(user, Role.COORDINATOR):
        return {association.pk: True for association in associations}
    roles: dict[int, str] = {}
    if getattr(user, "is_authenticated", False) and has_role(user, Role.ASSOCIATION_REP):
        roles = dict(
            Representative.objects.filter(user=user, association__in=associations).values_list(
                "association_id", "role"
            )
        )
    allowed = (Representative.Role.ADMIN, Representative.Role.GRANTS)
    return {association.pk: roles.get(association.pk) in allowed for association in associations}


def can_apply(user, association: Association) -> bool:
    """Coordinators (on an association's behalf) and its administrators and grant representatives."""
    if has_role(user, Role.COORDINATOR):
        return True
    return representative_role(user, association) in (Representative.Role.ADMIN, Representative.Role.GRANTS)
