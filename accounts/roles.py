"""The roles of the platform. Each is a Django group created by a data migration; superusers are the
system administrators and hold only the capabilities DESIGN.md gives the admin, not every role's."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SENIOR = "senior", _("Senior")
    ASSOCIATION_REP = "association_rep", _("Association representative")
    COORDINATOR = "coordinator", _("Coordinator")
    HOMECARE_STAFF = "homecare_staff", _("Home-care staff")
    WELFARETECH_ADMIN = "welfaretech_admin", _("Welfare-tech administrator")
    OFFICIAL = "official", _("Official")


# Not a group: stands for ``user.is_superuser`` wherever roles are listed.
ADMIN = "admin"

# Municipal staff: must use multi-factor authentication when REQUIRE_STAFF_MFA is on.
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN, Role.OFFICIAL, ADMIN})
# Everyone who has a reason to enter the back office.
BACKOFFICE_ROLES = STAFF_ROLES | {Role.ASSOCIATION_REP}


def roles_of(user) -> frozenset[str]:
    """The role names held by ``user`` (group names plus ``ADMIN`` for superusers), cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        cached = frozenset(names)
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """True when ``user`` holds at least one of ``roles``."""
    return not roles_of(user).isdisjoint(roles)


def needs_mfa(user) -> bool:
    return has_role(user, *STAFF_ROLES)
