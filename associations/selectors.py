from django.db.models import QuerySet

from accounts.roles import Role, has_role

from .models import Association


def associations_for(user) -> QuerySet[Association]:
    """The associations ``user`` may manage: all for coordinators, their own for representatives."""
    if has_role(user, Role.COORDINATOR):
        return Association.objects.all()
    if has_role(user, Role.ASSOCIATION_REP):
        return Association.objects.filter(memberships__user=user)
    return Association.objects.none()
