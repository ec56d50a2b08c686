"""Access control used by every app: declare the roles once per view, scope objects through querysets.

* ``role_required(*roles)`` / ``RoleRequiredMixin`` guard pages; anonymous users are sent to login,
  signed-in users without the role get 403 and an audit entry.
* ``HasRole.of(*roles)`` is the same check for the API.
* Object rules live in each app's selectors as *scope* functions, ``scope(user) -> QuerySet``: the set of
  objects the user may reach. Views fetch through the scope (``get_object_or_404(scope(user), pk=...)``
  or ``ScopedQuerysetMixin``), so an object outside it is simply not found (404) — IDs cannot be probed.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from . import audit
from .models import AuditEntry
from .roles import has_role

ViewFunc = Callable[..., HttpResponse]


def user_passes_roles(user, roles: Iterable[str]) -> bool:
    """True when the user may use a view that requires ``roles`` (an empty set means any signed-in user)."""
    roles = tuple(roles)
    return bool(user.is_authenticated) and (not roles or has_role(user, *roles))


def _deny(request: HttpRequest) -> None:
    audit.record(
        "access.denied",
        request=request,
        outcome=AuditEntry.Outcome.DENIED,
        path=request.path,
        method=request.method,
    )
    raise PermissionDenied


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Allow the view to users holding any of ``roles``; with no roles, to any signed-in user.

    The roles are kept on the view as ``required_roles`` so navigation can show exactly what a user may
    open, from the same declaration that guards it.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_passes_roles(request.user, roles):
                _deny(request)
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based counterpart of :func:`role_required`; set ``required_roles`` on the view."""

    required_roles: frozenset[str] = frozenset()

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_passes_roles(request.user, self.required_roles):
            _deny(request)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ScopedQuerysetMixin:
    """Fetch objects only through ``scope(user)``, for class-based views and DRF viewsets alike."""

    scope: Callable[..., QuerySet]

    def get_queryset(self) -> QuerySet:
        return type(self).scope(self.request.user)  # type: ignore[attr-defined]


class HasRole(BasePermission):
    """DRF permission: the caller is signed in and holds one of ``roles``."""

    roles: frozenset[str] = frozenset()
    message = "You do not have a role that allows this."

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(sorted(roles))}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request, view) -> bool:
        allowed = user_passes_roles(request.user, self.roles)
        if request.user.is_authenticated and not allowed:
            audit.record(
                "access.denied",
                request=request,
                outcome=AuditEntry.Outcome.DENIED,
                path=request.path,
                method=request.method,
            )
        return allowed
