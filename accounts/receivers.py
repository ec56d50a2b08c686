"""Signal receivers that write sign-in events to the audit log and give new sign-ups the senior role."""

from allauth.account.signals import user_signed_up
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .models import AuditEntry
from .roles import Role


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    audit.record("auth.login", request=request, actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record("auth.logout", request=request, actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit.record(
        "auth.login_failed",
        request=request,
        outcome=AuditEntry.Outcome.FAILURE,
        actor_label=str(credentials.get("email") or credentials.get("username") or ""),
    )


@receiver(user_signed_up)
def _signed_up(sender, request, user, **kwargs) -> None:
    """Self-registered people are seniors (or relatives); staff roles are only given by an administrator."""
    group, _ = Group.objects.get_or_create(name=Role.SENIOR)
    user.groups.add(group)
    audit.record("auth.signup", request=request, actor=user, obj=user)
