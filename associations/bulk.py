"""Bulk e-mail from a coordinator to the contacts of many associations: choose the associations by kind,
locality and grant eligibility, see the recipient list and the message as it will be sent, then send.
Every message is kept with its recipients (``BulkMessage``), the sent log.

An association's contacts are its own e-mail address and the e-mail addresses of its representatives;
each address gets one e-mail per association, with the association's name at the top.
"""

import hashlib
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role
from accounts.tasks import send_email
from outbox import enqueue
from portal.models import Locality

from .eligibility import eligible_associations
from .forms_coordinator import BulkMessageForm
from .models import Association, BulkMessage, BulkMessageRecipient, Representative

TEMPLATES = "associations/coordinator/"
PAGE_SIZE = 25


@dataclass(frozen=True)
class Recipient:
    association: Association
    email: str


def chosen_associations(filters: dict) -> QuerySet[Association]:
    """Active associations matching the stored filter dict (``RecipientFilterForm.as_filters``)."""
    associations = Association.objects.filter(is_active=True)
    if filters.get("kind"):
        associations = associations.filter(kind__in=filters["kind"])
    if filters.get("locality"):
        served = Association.localities.through.objects.filter(locality__slug__in=filters["locality"])
        associations = associations.filter(pk__in=served.values("association_id"))
    if filters.get("eligibility"):
        eligible = eligible_associations(filters["year"]).values("pk")
        if filters["eligibility"] == "eligible":
            associations = associations.filter(pk__in=eligible)
        else:
            associations = associations.exclude(pk__in=eligible)
    return associations.order_by("name", "pk")


def recipients(filters: dict) -> list[Recipient]:
    """One entry per distinct contact address of each chosen association (two queries)."""
    associations = chosen_associations(filters).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Representative.objects.select_related("user").only("association_id", "user__email"),
        )
    )
    result = []
    for association in associations:
        addresses = [association.email, *(m.user.email for m in association.memberships.all())]
        seen = set()
        for address in addresses:
            if address and address.lower() not in seen:
                seen.add(address.lower())
                result.append(Recipient(association, address))
    return result


def digest(found: list[Recipient]) -> str:
    """A fingerprint of the recipient list, so a send can tell the list changed after the preview."""
    text = "\n".join(f"{r.association.pk}:{r.email.lower()}" for r in found)
    return hashlib.sha256(text.encode()).hexdigest()


def render_body(body: str, association: Association, sender) -> str:
    return render_to_string(
        TEMPLATES + "bulk_email.txt", {"body": body, "association": association, "sender": sender}
    )


def send_bulk_message(*, subject: str, body: str, filters: dict, actor, request=None) -> BulkMessage:
    """Store the message with its recipients and queue one e-mail per recipient once the transaction
    commits (so nothing is sent for a message that was not saved)."""
    found = recipients(filters)
    with transaction.atomic():
        message = BulkMessage.objects.create(subject=subject, body=body, filters=filters, sent_by=actor)
        BulkMessageRecipient.objects.bulk_create(
            BulkMessageRecipient(message=message, association=r.association, email=r.email) for r in found
        )
        audit.record(
            "associations.bulk_message.send",
            request=request,
            actor=actor,
            obj=message,
            recipients=len(found),
            filters=filters,
        )
        for r in found:
            enqueue(send_email, subject=subject, body=render_body(body, r.association, actor), to=[r.email])
    return message


# --- Views ------------------------------------------------------------------------------------------


@role_required(Role.COORDINATOR)
def compose(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the preview (recipients and the message as sent), or with ``send`` the send."""
    if request.method != "POST":
        return render(request, TEMPLATES + "bulk_compose.html", {"form": BulkMessageForm()})
    form = BulkMessageForm(request.POST)
    if not form.is_valid() or "edit" in request.POST:
        return render(request, TEMPLATES + "bulk_compose.html", {"form": form})
    filters = form.as_filters()
    found = recipients(filters)
    fingerprint = digest(found)
    if "send" in request.POST and found and form.cleaned_data["recipients_digest"] == fingerprint:
        message = send_bulk_message(
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            filters=filters,
            actor=request.user,
            request=request,
        )
        messages.success(
            request, _("The message is on its way to %(count)d recipients.") % {"count": len(found)}
        )
        return redirect("coordinator:bulk-detail", message.pk)
    changed = "send" in request.POST and bool(found)
    data = request.POST.copy()
    data["recipients_digest"] = fingerprint
    return render(
        request,
        TEMPLATES + "bulk_preview.html",
        {
            "form": BulkMessageForm(data),
            "recipients": found,
            "association_count": len({r.association.pk for r in found}),
            "example": render_body(form.cleaned_data["body"], found[0].association, request.user)
            if found
            else "",
            "subject": form.cleaned_data["subject"],
            "changed": changed,
        },
    )


@require_GET
@role_required(Role.COORDINATOR)
def sent_list(request: HttpRequest) -> HttpResponse:
    sent = (
        BulkMessage.objects.select_related("sent_by")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-sent_at", "-pk")
    )
    page = Paginator(sent, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, TEMPLATES + "bulk_list.html", {"page": page, "query": ""})


@require_GET
@role_required(Role.COORDINATOR)
def sent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(BulkMessage.objects.select_related("sent_by"), pk=pk)
    found = message.recipients.select_related("association").order_by("association__name", "email")
    filters = message.filters or {}
    kinds = dict(Association.Kind.choices)
    return render(
        request,
        TEMPLATES + "bulk_detail.html",
        {
            "message": message,
            "kinds": [str(kinds.get(kind, kind)) for kind in filters.get("kind", [])],
            "localities": list(
                Locality.objects.filter(slug__in=filters.get("locality", [])).values_list("name", flat=True)
            ),
            "page": Paginator(found, 100).get_page(request.GET.get("page")),
            "query": "",
        },
    )
