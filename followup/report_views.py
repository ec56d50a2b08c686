"""Report pages: choose a template and period, follow a run's progress, download the PDF, subscribe.

A run is reachable by the person who asked for it and by officials; to anyone else it does not exist (404).
Every download is written to the audit log.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import audit
from accounts.access import role_required
from accounts.roles import Role, has_role
from portal.models import Locality
from portal.storage import private_storage

from . import reports
from .dashboard import DASHBOARD_ROLES, SEXES
from .models import ReportRun, ReportSubscription

TEMPLATES = "followup/reports/"
MAX_PERIOD = timedelta(days=3 * 366)
RECENT_RUNS = 20


class ReportForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        label=gettext_lazy("To and including"), widget=forms.DateInput(attrs={"type": "date"})
    )
    locality = forms.ModelChoiceField(
        label=gettext_lazy("Locality"),
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("The whole municipality"),
        to_field_name="slug",
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=SEXES, required=False)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", _("The end date must be on or after the start date."))
            elif date_to - date_from > MAX_PERIOD:
                self.add_error("date_to", _("A report can cover at most three years."))
        return cleaned


class SubscriptionForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("Send by e-mail"),
        choices=[("", gettext_lazy("Not at all")), *ReportSubscription.Frequency.choices],
        required=False,
    )


def _template(request: HttpRequest, slug: str) -> reports.ReportTemplate:
    template = reports.TEMPLATES.get(slug)
    if template is None or template not in reports.templates_for(request.user):
        raise Http404
    return template


def _runs_for(user):
    """The runs ``user`` may open: their own, or every run for officials."""
    runs = ReportRun.objects.select_related("requested_by")
    return runs if has_role(user, Role.OFFICIAL) else runs.filter(requested_by=user)


@require_GET
@role_required(*DASHBOARD_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    subscriptions = {
        subscription.template: subscription.frequency
        for subscription in ReportSubscription.objects.filter(user=request.user)
    }
    templates = []
    for template in reports.templates_for(request.user):
        form = SubscriptionForm(
            initial={"frequency": subscriptions.get(template.slug, "")}, auto_id=f"id_{template.slug}_%s"
        )
        form.fields["frequency"].label = _("Send “%(title)s” by e-mail") % {"title": template.title}
        templates.append({"template": template, "subscription": form})
    runs = [(run, reports.title_of(run)) for run in _runs_for(request.user)[:RECENT_RUNS]]
    return render(request, TEMPLATES + "list.html", {"templates": templates, "runs": runs})


@role_required(*DASHBOARD_ROLES)
def report_create(request: HttpRequest, slug: str) -> HttpResponse:
    template = _template(request, slug)
    date_from, date_to = template.default_range(timezone.localdate())
    form = ReportForm(request.POST or None, initial={"date_from": date_from, "date_to": date_to})
    if request.method == "POST" and form.is_valid():
        run = reports.start_report(template, user=request.user, **form.cleaned_data)
        audit.record("followup.report.create", request=request, obj=run, template=template.slug)
        return redirect("followup:run", run.pk)
    return render(request, TEMPLATES + "create.html", {"template": template, "form": form})


def _status(run: ReportRun) -> dict:
    finished = run.status in (ReportRun.Status.DONE, ReportRun.Status.FAILED)
    return {
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "progress": run.progress,
        "finished": finished,
        "download_url": reverse("followup:run-download", args=[run.pk])
        if run.status == ReportRun.Status.DONE
        else "",
        "error": run.error,
    }


@require_GET
@role_required(*DASHBOARD_ROLES)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(_runs_for(request.user), pk=pk)
    return render(
        request,
        TEMPLATES + "run.html",
        {
            "run": run,
            "title": reports.title_of(run),
            "status": _status(run),
            "can_retry": run.status == ReportRun.Status.FAILED,
        },
    )


@require_GET
@role_required(*DASHBOARD_ROLES)
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = get_object_or_404(_runs_for(request.user), pk=pk)
    response = JsonResponse(_status(run))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required(*DASHBOARD_ROLES)
def run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(_runs_for(request.user), pk=pk)
    if reports.retry_report(run):
        audit.record("followup.report.retry", request=request, obj=run)
        messages.success(request, _("The report is being made again."))
    return redirect("followup:run", run.pk)


@require_GET
@role_required(*DASHBOARD_ROLES)
def run_download(request: HttpRequest, pk: int) -> FileResponse:
    run = get_object_or_404(_runs_for(request.user).filter(status=ReportRun.Status.DONE), pk=pk)
    if not run.file.name:
        raise Http404
    try:
        handle = private_storage().open(run.file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    audit.record("followup.report.download", request=request, obj=run, sha256=run.sha256)
    filename = reports.title_of(run).replace(" ", "-").replace("/", "-") + ".pdf"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")


@require_POST
@role_required(*DASHBOARD_ROLES)
def subscription_edit(request: HttpRequest, slug: str) -> HttpResponse:
    template = _template(request, slug)
    form = SubscriptionForm(request.POST)
    if form.is_valid():
        subscription = reports.subscribe(request.user, template, form.cleaned_data["frequency"])
        audit.record(
            "followup.report.subscribe",
            request=request,
            template=template.slug,
            frequency=subscription.frequency if subscription else "",
        )
        if subscription:
            messages.success(
                request,
                _("You will receive “%(title)s” by e-mail %(frequency)s.")
                % {"title": template.title, "frequency": subscription.get_frequency_display().lower()},
            )
        else:
            messages.success(
                request, _("You will no longer receive “%(title)s”.") % {"title": template.title}
            )
    return redirect("followup:reports")
