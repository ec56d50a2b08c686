"""The decision letter an association receives for a decided grant application, as a PDF.

The letter states the decision, the amount, the reasons, who decided and when, and how to appeal
(laglighetsprövning under chapter 13 of the Local Government Act). It is written in Swedish, the language of
the municipality's decisions, unless another language is asked for.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts import audit
from portal.selectors import municipality

from .models import GrantApplication

DECIDED_STATES = frozenset(
    {
        GrantApplication.Status.DECIDED,
        GrantApplication.Status.PAID,
        GrantApplication.Status.REPORT_DUE,
        GrantApplication.Status.REPORT_RECEIVED,
        GrantApplication.Status.CLOSED,
    }
)


def has_decision_letter(application: GrantApplication) -> bool:
    """True once a decision has been made (a withdrawn or undecided application has no letter)."""
    return application.status in DECIDED_STATES and bool(application.outcome)


def letter_filename(application: GrantApplication) -> str:
    return f"beslut-{application.reference}.pdf"


def render_decision_letter(application: GrantApplication, *, language: str | None = None) -> bytes:
    """The decision letter for ``application`` as an A4 PDF; nothing is fetched from outside (system fonts).

    The caller has checked that the user may read the application and that it has a decision.
    """
    from weasyprint import HTML, URLFetcher  # heavy import, only where a PDF is actually made

    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            "associations/letters/decision.html",
            {
                "application": application,
                "association": application.association,
                "programme": application.programme,
                "municipality": municipality(),
                "decided_on": timezone.localdate(application.decided_at) if application.decided_at else None,
                "is_rejected": application.outcome == GrantApplication.Outcome.REJECTED,
                "LANGUAGE_CODE": language,
            },
        )
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def letter_response(request: HttpRequest, application: GrantApplication) -> HttpResponse:
    """The letter as a download, audited. The caller has checked that the user may read the application."""
    pdf = render_decision_letter(application)
    audit.record(
        "grants.letter.downloaded", request=request, obj=application, reference=application.reference
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter_filename(application)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
