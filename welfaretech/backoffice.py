"""Back-office pages of the welfare-technology administrator: catalogue, devices, recipients with their
consents and assignments, faults, training records, device import and the benefits view.

Every view loads, validates a form, calls one service and renders. Only the administrator role gets in;
officials see the benefits as aggregates in follow-up, never individual recipients.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role
from portal.paging import page_of, query_without

from . import benefits, selectors, services
from .forms import (
    AssignmentForm,
    BenefitFormSet,
    BenefitsFilterForm,
    CloseFaultForm,
    ConsentForm,
    DeviceActionForm,
    DeviceFilterForm,
    DeviceForm,
    EndAssignmentForm,
    FaultForm,
    ImportForm,
    RecipientFilterForm,
    TechnologyForm,
    TrainingForm,
)
from .models import Assignment, CareRecipient, Device, Fault, TechnologyType, TrainingRecord

ADMIN = Role.WELFARETECH_ADMIN
PAGE_SIZE = 25
TEMPLATES = "welfaretech/backoffice/"


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Catalogue --------------------------------------------------------------------------------------


@require_GET
@role_required(ADMIN)
def technology_list(request: HttpRequest) -> HttpResponse:
    technologies = TechnologyType.objects.all()
    return render(request, TEMPLATES + "technology_list.html", {"technologies": technologies})


@role_required(ADMIN)
def technology_edit(request: HttpRequest, pk: int) -> HttpResponse:
    technology = get_object_or_404(TechnologyType, pk=pk)
    form = TechnologyForm(request.POST or None, instance=technology)
    formset = BenefitFormSet(request.POST or None, instance=technology, prefix="benefits")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        form.save()
        formset.save()
        audit.record("welfaretech.technology.update", request=request, obj=technology)
        messages.success(request, _("Your changes are saved."))
        return redirect("welfaretech_backoffice:technologies")
    return render(
        request,
        TEMPLATES + "technology_form.html",
        {"technology": technology, "form": form, "formset": formset},
    )


# --- Devices ----------------------------------------------------------------------------------------


@require_GET
@role_required(ADMIN)
def device_list(request: HttpRequest) -> HttpResponse:
    form = DeviceFilterForm(request.GET)
    devices = form.apply(Device.objects.select_related("technology", "recipient"))
    return render(
        request,
        TEMPLATES + "device_list.html",
        {"form": form, "page": page_of(request, devices, PAGE_SIZE), "query": query_without(request)},
    )


@require_GET
@role_required(ADMIN)
def device_due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        TEMPLATES + "device_due.html",
        {
            "page": page_of(request, selectors.devices_due_for_service(today), PAGE_SIZE),
            "retrieve": page_of(request, selectors.devices_to_retrieve(), PAGE_SIZE, "retrieve"),
            "today": today,
            "query": query_without(request),
        },
    )


@role_required(ADMIN)
def device_create(request: HttpRequest) -> HttpResponse:
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.create_device(user=request.user, **form.cleaned_data)
        messages.success(request, _("The device is received into stock."))
        return redirect("welfaretech_backoffice:device", device.pk)
    return render(request, TEMPLATES + "device_form.html", {"form": form})


@role_required(ADMIN)
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(Device.objects.select_related("technology", "recipient"), pk=pk)
    form = DeviceActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_device_action(device, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The device history is updated."))
            return redirect("welfaretech_backoffice:device", device.pk)
    history = device.history.select_related("recipient", "recorded_by").order_by("-at", "-id")
    return render(
        request,
        TEMPLATES + "device_detail.html",
        {"device": device, "form": form, "page": page_of(request, history, PAGE_SIZE), "query": ""},
    )


@role_required(ADMIN)
def device_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.import_devices(form.cleaned_data["file"].read(), user=request.user)
    return render(request, TEMPLATES + "device_import.html", {"form": form, "report": report})


# --- Recipients, consents and assignments -----------------------------------------------------------


@require_GET
@role_required(ADMIN)
def recipient_list(request: HttpRequest) -> HttpResponse:
    form = RecipientFilterForm(request.GET)
    recipients = form.apply(
        selectors.recipients_for(request.user)
        .filter(anonymised_at__isnull=True)
        .select_related("team", "locality")
    )
    return render(
        request,
        TEMPLATES + "recipient_list.html",
        {"form": form, "page": page_of(request, recipients, PAGE_SIZE), "query": query_without(request)},
    )


def _recipient(request: HttpRequest, pk: int) -> CareRecipient:
    recipient = get_object_or_404(
        selectors.recipients_for(request.user).select_related("team", "locality"), pk=pk
    )
    audit.record("welfaretech.recipient.read", request=request, obj=recipient)
    return recipient


@require_GET
@role_required(ADMIN)
def recipient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _recipient(request, pk)
    return render(
        request,
        TEMPLATES + "recipient_detail.html",
        {
            "recipient": recipient,
            "assignments": recipient.assignments.select_related("technology", "device"),
            "consents": recipient.consents.select_related("technology", "recorded_by"),
            "devices": recipient.devices.select_related("technology"),
        },
    )


@role_required(ADMIN)
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _recipient(request, pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                recipient=recipient,
                technology=data["technology"],
                given=data["given"],
                on=data["date"],
                method=data["method"],
                witness=data["witness"],
                user=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("welfaretech_backoffice:recipient", recipient.pk)
    return render(request, TEMPLATES + "consent_form.html", {"recipient": recipient, "form": form})


@role_required(ADMIN)
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    recipient = _recipient(request, pk)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_technology(recipient=recipient, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The technology is assigned."))
            return redirect("welfaretech_backoffice:recipient", recipient.pk)
    return render(request, TEMPLATES + "assignment_form.html", {"recipient": recipient, "form": form})


@role_required(ADMIN)
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("recipient", "technology").filter(ends_on__isnull=True), pk=pk
    )
    form = EndAssignmentForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.end_assignment(
            assignment,
            ends_on=form.cleaned_data["ends_on"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        )
        messages.success(request, _("The assignment is ended."))
        return redirect("welfaretech_backoffice:recipient", assignment.recipient_id)
    return render(request, TEMPLATES + "assignment_end.html", {"assignment": assignment, "form": form})


# --- Faults and training ----------------------------------------------------------------------------


@role_required(ADMIN)
def fault_list(request: HttpRequest) -> HttpResponse:
    show = "closed" if request.GET.get("show") == "closed" else "open"
    faults = Fault.objects.select_related("device__technology").filter(repaired_at__isnull=show == "open")
    form = FaultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_fault(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The fault is recorded."))
            return redirect("welfaretech_backoffice:faults")
    return render(
        request,
        TEMPLATES + "fault_list.html",
        {
            "form": form,
            "show": show,
            "page": page_of(request, faults, PAGE_SIZE),
            "query": query_without(request),
        },
    )


@role_required(ADMIN)
def fault_close(request: HttpRequest, pk: int) -> HttpResponse:
    fault = get_object_or_404(
        Fault.objects.select_related("device__technology"), pk=pk, repaired_at__isnull=True
    )
    form = CloseFaultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.close_fault(fault, note=form.cleaned_data["note"], user=request.user)
        messages.success(request, _("The fault is closed."))
        return redirect("welfaretech_backoffice:faults")
    return render(request, TEMPLATES + "fault_close.html", {"fault": fault, "form": form})


@role_required(ADMIN)
def training_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_training(**form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The training is recorded."))
            return redirect("welfaretech_backoffice:training")
    records = TrainingRecord.objects.select_related("user", "technology")
    return render(
        request,
        TEMPLATES + "training_list.html",
        {
            "form": form,
            "today": today,
            "expiring": page_of(request, selectors.training_expiring(today), PAGE_SIZE, "expiring"),
            "page": page_of(request, records, PAGE_SIZE),
            "query": query_without(request),
        },
    )


# --- Benefits -------------------------------------------------------------------------------------


@require_GET
@role_required(ADMIN)
def benefits_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = BenefitsFilterForm(request.GET or {"date_from": today - timedelta(days=365), "date_to": today})
    result = (
        benefits.compute(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        if form.is_valid()
        else None
    )
    return render(request, TEMPLATES + "benefits.html", {"form": form, "result": result})
