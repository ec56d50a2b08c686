"""The coordinators' inbox for questions sent through "Fråga kommunen" (``/backoffice/fragor/``)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role
from portal.paging import page_of, query_without

from .models import ContactMessage

PAGE_SIZE = 25


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *ContactMessage.Status.choices],
    )


class HandleMessageForm(forms.ModelForm):
    class Meta:
        model = ContactMessage
        fields = ["status", "note"]
        widgets = {"status": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"note": gettext_lazy("Only coordinators see the note.")}


def handle_message(message: ContactMessage, *, user, status: str, note: str, request=None) -> ContactMessage:
    """Set the status and internal note of a question; who handled it and when are kept, and audited."""
    with transaction.atomic():
        message.status = status
        message.note = note
        message.handled_by, message.handled_at = user, timezone.now()
        message.save(update_fields=["status", "note", "handled_by", "handled_at"])
        audit.record("portal.contact_message.handle", request=request, actor=user, obj=message, status=status)
    return message


@require_GET
@role_required(Role.COORDINATOR)
def inbox(request: HttpRequest) -> HttpResponse:
    """Questions, newest first, optionally by status."""
    form = InboxFilterForm(request.GET)
    questions = ContactMessage.objects.select_related("locality").order_by("-created_at", "-pk")
    if form.is_valid() and form.cleaned_data["status"]:
        questions = questions.filter(status=form.cleaned_data["status"])
    page = page_of(request, questions, PAGE_SIZE)
    return render(
        request,
        "portal/backoffice/inbox.html",
        {"form": form, "page": page, "query": query_without(request)},
    )


@role_required(Role.COORDINATOR)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(ContactMessage.objects.select_related("locality", "handled_by"), pk=pk)
    form = HandleMessageForm(request.POST or None, instance=message)
    if request.method == "POST" and form.is_valid():
        handle_message(
            message,
            user=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, _("Saved."))
        return redirect("portal_backoffice:inbox")
    return render(request, "portal/backoffice/message_detail.html", {"message": message, "form": form})
