from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outbox import enqueue

from . import audit
from .models import AuditEntry
from .roles import BACKOFFICE_ROLES, has_role
from .tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed attempts to log in to this account. Wait five minutes and try again, or log "
            "in with a code sent by e-mail."
        ),
    }

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """Audit a login refused because the account is locked out: allauth refuses it before Django's
        authentication runs, so no login-failed signal reports it."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit.record(
                "auth.login_locked",
                request=request,
                outcome=AuditEntry.Outcome.DENIED,
                actor_label=str(credentials.get("email") or credentials.get("username") or ""),
            )
            raise

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's e-mails here, send them from a Celery task so SMTP trouble is retried."""
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            None,
        )
        payload = {
            "subject": message.subject,
            "body": message.body,
            "to": list(message.to),
            "from_email": message.from_email,
            "html": html,
        }
        # In the caller's transaction (if any): sent once it commits, relayed later if the broker is down.
        enqueue(send_email, **payload)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if has_role(request.user, *BACKOFFICE_ROLES):
            return reverse("backoffice:home")
        return super().get_login_redirect_url(request)
