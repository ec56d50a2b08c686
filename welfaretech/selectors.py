from django.db.models import QuerySet

from accounts.roles import Role, has_role

from .models import CareRecipient


def recipients_for(user) -> QuerySet[CareRecipient]:
    """Recipients ``user`` may see: all for the welfare-tech administrator, own teams' for home care."""
    if has_role(user, Role.WELFARETECH_ADMIN):
        return CareRecipient.objects.all()
    if has_role(user, Role.HOMECARE_STAFF):
        return CareRecipient.objects.filter(team__members=user)
    return CareRecipient.objects.none()
