"""Business actions of the public portal."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.tasks import send_email
from outbox import enqueue

from .models import ContactMessage, Locality


def ask_the_municipality(
    *,
    name: str,
    message: str,
    email: str = "",
    phone: str = "",
    locality: Locality | None = None,
    language: str = "sv",
) -> ContactMessage:
    """Store a question for the coordinators' inbox; the sender gets a receipt when they gave an e-mail."""
    with transaction.atomic():
        question = ContactMessage.objects.create(
            name=name.strip(),
            email=email.strip().lower(),
            phone=phone.strip(),
            locality=locality,
            message=message.strip(),
            language=language,
        )
        if question.email:
            with translation.override(language):
                context = {"question": question, "site_url": settings.SITE_URL}
                subject = render_to_string("portal/email/contact_receipt_subject.txt", context).strip()
                body = render_to_string("portal/email/contact_receipt_message.txt", context)
            enqueue(send_email, subject=subject, body=body, to=[question.email])
    return question
