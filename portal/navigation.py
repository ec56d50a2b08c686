"""Back-office navigation. An item is shown to a user exactly when the view behind it would let them in:
visibility is read from the view's own ``required_roles`` declaration, never declared twice."""

from dataclasses import dataclass
from functools import cache

from django.http import HttpRequest
from django.urls import resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import user_passes_roles


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def required_roles(self) -> frozenset[str]:
        return _required_roles(self.url_name)

    def visible_to(self, user) -> bool:
        return user_passes_roles(user, self.required_roles())


BACKOFFICE_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("Overview"), "backoffice:home"),
    NavItem(_("Activities"), "activities_backoffice:list"),
    NavItem(_("Review"), "activities_backoffice:moderation"),
    NavItem(_("Meeting places"), "activities_backoffice:places"),
    NavItem(_("Categories"), "activities_backoffice:categories"),
    NavItem(_("Localities"), "activities_backoffice:localities"),
    NavItem(_("Associations"), "register:list"),
    NavItem(_("My association"), "register:mine"),
    NavItem(_("Annual documents to review"), "register:review-queue"),
    NavItem(_("Grants"), "grants:index"),
    NavItem(_("Grant coordination"), "coordinator:dashboard"),
    NavItem(_("Grant applications"), "casework:queue"),
    NavItem(_("Grant programmes"), "coordinator:programmes"),
    NavItem(_("Messages to associations"), "coordinator:bulk"),
    NavItem(_("Grant exports"), "coordinator:exports"),
    NavItem(_("Questions from the public"), "portal_backoffice:inbox"),
    NavItem(_("Shift logging"), "welfaretech:shift"),
    NavItem(_("Care recipients"), "welfaretech_backoffice:recipients"),
    NavItem(_("Devices"), "welfaretech_backoffice:devices"),
    NavItem(_("Technology catalogue"), "welfaretech_backoffice:technologies"),
    NavItem(_("Device faults"), "welfaretech_backoffice:faults"),
    NavItem(_("Training records"), "welfaretech_backoffice:training"),
    NavItem(_("Technology benefits"), "welfaretech_backoffice:benefits"),
    NavItem(_("Follow-up"), "followup:dashboard"),
    NavItem(_("Reports"), "followup:reports"),
    NavItem(_("Follow-up data and exports"), "followup_data:index"),
    NavItem(_("Audit log"), "backoffice:audit-log"),
)


@cache
def _required_roles(url_name: str) -> frozenset[str]:
    """The roles the view behind ``url_name`` requires. Looked up once per process: the URL
    configuration does not change while it runs, and every back-office page asks for all items."""
    match = resolve(reverse(url_name))
    roles = getattr(match.func, "required_roles", None)
    if roles is None:
        view_class = getattr(match.func, "view_class", None)
        roles = getattr(view_class, "required_roles", None)
    if roles is None:
        raise LookupError(f"Back-office view {url_name!r} declares no required_roles.")
    return roles


def backoffice_navigation(request: HttpRequest) -> list[dict]:
    """The items ``request.user`` may open, with the current one marked."""
    items = [
        {"label": item.label, "url": item.url, "current": False}
        for item in BACKOFFICE_ITEMS
        if item.visible_to(request.user)
    ]
    # The longest matching address wins, so "Review" under "Activities" marks only "Review".
    matching = [
        item
        for item in items
        if (
            request.path == item["url"]
            if item["url"].rstrip("/") == "/backoffice"
            else request.path.startswith(item["url"])
        )
    ]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    return items
