from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from .roles import BACKOFFICE_ROLES, has_role
from .tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
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
        transaction.on_commit(lambda: send_email.delay(**payload))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if has_role(request.user, *BACKOFFICE_ROLES):
            return reverse("backoffice:home")
        return super().get_login_redirect_url(request)
