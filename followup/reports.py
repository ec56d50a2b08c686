"""Report templates and report runs: which indicators a report holds, and how a run becomes a PDF.

A template is a Python :class:`ReportTemplate` in :data:`TEMPLATES` (not a model): its indicators, the
length of its period, the trend buckets and the splits. Running one creates a
:class:`~followup.models.ReportRun`; the Celery task :func:`followup.tasks.generate_report` calls
:func:`generate`, which evaluates the indicators (updating the run's progress), renders HTML and turns it
into a tagged PDF (PDF/UA-1) with WeasyPrint. The file goes to the private storage, served only by a view
that checks who asks. A failed run keeps its error and can be retried; subscriptions regenerate a template
each month or quarter and e-mail a link.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from outbox import enqueue
from portal.models import Locality
from portal.selectors import municipality
from portal.storage import private_storage

from . import charts
from .dashboard import Change, compare, last_complete_quarter, progress, quarter_range
from .indicators import (
    SPLIT_LABELS,
    Value,
    evaluate,
    previous_range,
    shared_evaluation,
    supported_splits,
    visible_indicators,
)
from .models import Indicator, ReportRun, ReportSubscription

logger = logging.getLogger(__name__)

# A run "running" without a heartbeat for this long lost its worker; a redelivered task may take it over.
# Well below the broker's visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS), after which a task whose
# worker died is delivered again, and well above the longest step without progress (the PDF layout).
STALE_AFTER = timedelta(minutes=5)
SUMMARY_SIZE = 5
PDF_STYLESHEET = Path(__file__).resolve().parent / "static" / "followup" / "report-pdf.css"


@dataclass(frozen=True)
class ReportTemplate:
    slug: str
    title: str | Promise
    description: str | Promise
    indicators: tuple[str, ...]
    period: str  # "quarter" or "year": the length of the default period
    granularity: str  # the trend buckets inside the period
    splits: tuple[str, ...] = ()

    def default_range(self, today: date) -> tuple[date, date]:
        """The last complete period of the template's length before ``today``."""
        if self.period == "year":
            return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
        return quarter_range(*last_complete_quarter(today))


TEMPLATES: dict[str, ReportTemplate] = {
    template.slug: template
    for template in (
        ReportTemplate(
            slug="kvartalsrapport",
            title=gettext_lazy("Quarterly report: age-friendly countryside"),
            description=gettext_lazy(
                "Activities, participation, grants and welfare technology in the last quarter, by central "
                "town and countryside and by sex."
            ),
            indicators=(
                "ACT-01",
                "ACT-02",
                "ACT-03",
                "ACT-04",
                "ACT-05",
                "ACT-06",
                "ASC-02",
                "WT-01",
                "WT-02",
                "WT-05",
                "WT-09",
            ),
            period="quarter",
            granularity="month",
            splits=("area", "sex"),
        ),
        ReportTemplate(
            slug="arsrapport",
            title=pgettext_lazy("report template", "Annual report"),
            description=gettext_lazy("Every indicator for the last year, per quarter, by locality and sex."),
            indicators=(
                "ACT-01",
                "ACT-02",
                "ACT-03",
                "ACT-04",
                "ACT-05",
                "ACT-05-WL",
                "ACT-06",
                "ASC-01",
                "ASC-02",
                "ASC-02-PAID",
                "ASC-03",
                "ASC-04",
                "WT-01",
                "WT-02",
                "WT-03",
                "WT-04",
                "WT-04-KM",
                "WT-05",
                "WT-05-P90",
                "WT-06",
                "WT-07",
                "WT-07-MTTR",
                "WT-08",
                "WT-09",
                "SRV-01",
                "SRV-02",
            ),
            period="year",
            granularity="quarter",
            splits=("locality", "sex"),
        ),
        ReportTemplate(
            slug="valfardsteknik-nyttorealisering",
            title=gettext_lazy("Welfare technology: benefits realised"),
            description=gettext_lazy(
                "Use of welfare technology, staff time and travel saved, response times and faults in the "
                "last year, by technology and sex."
            ),
            indicators=(
                "WT-01",
                "WT-02",
                "WT-03",
                "WT-04",
                "WT-04-KM",
                "WT-05",
                "WT-05-P90",
                "WT-06",
                "WT-07",
                "WT-07-MTTR",
                "WT-08",
                "WT-09",
            ),
            period="year",
            granularity="quarter",
            splits=("technology", "sex"),
        ),
        ReportTemplate(
            slug="foreningsbidrag-utfall",
            title=gettext_lazy("Association grants: outcome"),
            description=gettext_lazy(
                "Active associations, grants decided and paid, grant per inhabitant 65+ and follow-up "
                "reports in the last year, by programme and locality."
            ),
            indicators=("ASC-01", "ASC-02", "ASC-02-PAID", "ASC-03", "ASC-04"),
            period="year",
            granularity="quarter",
            splits=("programme", "locality"),
        ),
    )
}


def templates_for(user) -> list[ReportTemplate]:
    """The templates whose indicators ``user`` may all see (officials: every template)."""
    visible = set(visible_indicators(user).values_list("code", flat=True))
    existing = set(Indicator.objects.values_list("code", flat=True))
    return [
        template
        for template in TEMPLATES.values()
        if (set(template.indicators) & existing) and (set(template.indicators) & existing) <= visible
    ]


def range_key(date_from: date, date_to: date) -> str:
    """A short name of a range: "2026-Q1", "2026-03", "2026" or "2026-01-15–2026-02-14"."""
    if date_from.day == 1 and (date_to + timedelta(days=1)).day == 1:
        months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
        if months == 1:
            return f"{date_from:%Y-%m}"
        if months == 3 and date_from.month % 3 == 1:
            return f"{date_from.year}-Q{date_from.month // 3 + 1}"
        if months == 12 and date_from.month == 1:
            return str(date_from.year)
    return f"{date_from.isoformat()}–{date_to.isoformat()}"


# --- Building the report ---------------------------------------------------------------------------------


@dataclass
class Section:
    indicator: Indicator
    current: object
    previous: object
    change: Change | None
    progress: object
    trend: charts.Chart
    splits: list[charts.Chart]


def summary_sentence(change: Change) -> str:
    """One plain-language sentence about a change, judged by the indicator's direction."""
    values = {
        "name": change.indicator.name,
        "amount": change.amount,
        "previous": _display(change.indicator, change.previous),
        "current": _display(change.indicator, change.current),
    }
    if change.direction == "up":
        sentence = _("%(name)s rose by %(amount)s, from %(previous)s to %(current)s.") % values
    else:
        sentence = _("%(name)s fell by %(amount)s, from %(previous)s to %(current)s.") % values
    return (
        sentence
        + " "
        + (_("That is an improvement.") if change.verdict == "better" else _("That is a setback."))
    )


def _display(indicator: Indicator, number) -> str:
    return Value(number, unit=indicator.unit).display()


def largest_changes(sections: list[Section], size: int = SUMMARY_SIZE) -> list[Change]:
    """The ``size`` largest changes against the previous period; suppressed or missing values never count."""
    changes = [
        section.change for section in sections if section.change and section.change.direction != "same"
    ]
    return sorted(changes, key=lambda change: change.size, reverse=True)[:size]


def parameters_for(run: ReportRun) -> dict:
    params = run.parameters
    locality = Locality.objects.filter(slug=params["locality"]).first() if params.get("locality") else None
    return {
        "date_from": date.fromisoformat(params["date_from"]),
        "date_to": date.fromisoformat(params["date_to"]),
        "locality": locality,
        "sex": params.get("sex") or None,
    }


def build_context(run: ReportRun, on_progress: Callable[[int], None]) -> dict:
    """Evaluate every indicator of the run's template; ``on_progress`` hears 5–90 % as sections finish.
    The evaluations share one scope: each base set (a period's events, attendance...) is read once for
    the total, the trend and every split of every indicator that uses it."""
    with shared_evaluation():
        return _build_context(run, on_progress)


def _build_context(run: ReportRun, on_progress: Callable[[int], None]) -> dict:
    template = TEMPLATES[run.template]
    params = parameters_for(run)
    order = {code: position for position, code in enumerate(template.indicators)}
    indicators = sorted(Indicator.objects.filter(code__in=template.indicators), key=lambda i: order[i.code])
    previous_from, previous_to = previous_range(params["date_from"], params["date_to"])
    filters = {"granularity": template.granularity, "locality": params["locality"], "sex": params["sex"]}
    sections = []
    for position, indicator in enumerate(indicators, start=1):
        current = evaluate(indicator, date_from=params["date_from"], date_to=params["date_to"], **filters)
        previous = evaluate(indicator, date_from=previous_from, date_to=previous_to, **filters)
        split_charts = []
        for split in template.splits:
            if split not in supported_splits(indicator):
                continue
            result = evaluate(
                indicator, date_from=params["date_from"], date_to=params["date_to"], split=split, **filters
            )
            split_charts.append(
                charts.split_chart(
                    result, title=indicator.name, split_label=str(SPLIT_LABELS[split]), for_print=True
                )
            )
        sections.append(
            Section(
                indicator=indicator,
                current=current.total,
                previous=previous.total,
                change=compare(indicator, current.total, previous.total),
                progress=progress(indicator, current.total),
                trend=charts.trend_chart(current, title=indicator.name, for_print=True),
                splits=split_charts,
            )
        )
        on_progress(5 + 85 * position // len(indicators))
    changes = largest_changes(sections)
    scope = [params["locality"].name if params["locality"] else _("The whole municipality")]
    if params["sex"]:
        scope.append(_("Women") if params["sex"] == "K" else _("Men"))
    return {
        "run": run,
        "template": template,
        "municipality": municipality(),
        "date_from": params["date_from"],
        "date_to": params["date_to"],
        "previous_from": previous_from,
        "previous_to": previous_to,
        "scope": ", ".join(str(part) for part in scope),
        "sections": sections,
        "summary": [summary_sentence(change) for change in changes],
        "created": timezone.localtime(),
        "LANGUAGE_CODE": translation.get_language(),
    }


def render_pdf(context: dict) -> bytes:
    """The report as a tagged A4 PDF; nothing is fetched from outside (the charts are SVG images in
    ``data:`` URLs, the only URLs allowed)."""
    from weasyprint import CSS, HTML, URLFetcher  # heavy import, only where a PDF is actually made

    html = render_to_string("followup/reports/pdf.html", context)
    stylesheet = CSS(filename=PDF_STYLESHEET)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf(
        stylesheets=[stylesheet], pdf_variant="pdf/ua-1"
    )


# --- Runs ------------------------------------------------------------------------------------------------


def start_report(
    template: ReportTemplate,
    *,
    user,
    date_from: date,
    date_to: date,
    locality: Locality | None = None,
    sex: str | None = None,
    notify: bool = False,
    language: str | None = None,
) -> ReportRun:
    """Queue a run of ``template``; the PDF is made by a Celery task once the run is committed."""
    from .tasks import generate_report

    parameters = {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "locality": locality.slug if locality else "",
        "sex": sex or "",
        "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        "notify": notify,
    }
    with transaction.atomic():
        run = ReportRun.objects.create(template=template.slug, parameters=parameters, requested_by=user)
        enqueue(generate_report, run.pk)
    return run


def retry_report(run: ReportRun) -> bool:
    """Queue a failed run again (a new attempt); False when the run had not failed."""
    from .tasks import generate_report

    with transaction.atomic():
        queued = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.FAILED).update(
            status=ReportRun.Status.QUEUED, progress=0, error="", started_at=None, finished_at=None
        )
        if queued:
            enqueue(generate_report, run.pk)
    return bool(queued)


def _set(run_id: int, **fields) -> None:
    ReportRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now(), **fields)


def silent_since(moment) -> Q:
    """Running runs whose worker has shown no sign of life since ``moment`` (runs from before heartbeats
    were kept: started before it)."""
    return Q(status=ReportRun.Status.RUNNING) & (
        Q(heartbeat_at__lt=moment) | Q(heartbeat_at__isnull=True, started_at__lt=moment)
    )


def still_running(run_id: int) -> bool:
    """Whether a worker is making this run's PDF now: it is running and its heartbeat is fresh."""
    runs = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING)
    return runs.exists() and not runs.filter(silent_since(timezone.now() - STALE_AFTER)).exists()


def generate(run_id: int) -> ReportRun | None:
    """Make the PDF of a queued run. Runs outside any transaction so that progress is seen at once.

    The run is claimed by a conditional update, so a task delivered twice makes one PDF. Any error ends
    the run as failed with the error kept for the page that shows it; the person can retry it.
    """
    now = timezone.now()
    claimed = ReportRun.objects.filter(
        Q(status=ReportRun.Status.QUEUED) | silent_since(now - STALE_AFTER), pk=run_id
    ).update(
        status=ReportRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        progress=1,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        if run.template not in TEMPLATES:
            raise LookupError(_("The report template “%(slug)s” no longer exists.") % {"slug": run.template})
        with translation.override(run.parameters.get("language") or settings.LANGUAGE_CODE):
            context = build_context(run, lambda percent: _set(run_id, progress=percent))
            pdf = render_pdf(context)
        _set(run_id, progress=95)
        period = range_key(context["date_from"], context["date_to"])
        name = private_storage().save(
            f"reports/{now:%Y/%m}/{run.template}-{period}-{run.pk}.pdf", ContentFile(pdf)
        )
    except Exception as error:
        logger.exception("Report run %s failed", run_id)
        _set(
            run_id,
            status=ReportRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        _notify(run)
        return run
    _set(
        run_id,
        status=ReportRun.Status.DONE,
        progress=100,
        file=name,
        sha256=hashlib.sha256(pdf).hexdigest(),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    _notify(run)
    return run


def title_of(run: ReportRun) -> str:
    template = TEMPLATES.get(run.template)
    title = str(template.title) if template else run.template
    params = run.parameters
    if params.get("date_from") and params.get("date_to"):
        title += " " + range_key(
            date.fromisoformat(params["date_from"]), date.fromisoformat(params["date_to"])
        )
    return title


def _notify(run: ReportRun) -> None:
    """E-mail the requester of a subscribed run a link to it, whether it succeeded or failed."""
    from accounts.tasks import send_email

    user = run.requested_by
    if not run.parameters.get("notify") or user is None or not user.email:
        return
    link = settings.SITE_URL + reverse("followup:run", args=[run.pk])
    with translation.override(run.parameters.get("language") or settings.LANGUAGE_CODE):
        values = {"title": title_of(run), "link": link}
        if run.status == ReportRun.Status.DONE:
            subject = _("Your report is ready: %(title)s") % values
            body = _("The report “%(title)s” is ready. Sign in and download it here:\n\n%(link)s\n") % values
        else:
            subject = _("Your report could not be made: %(title)s") % values
            body = (
                _("The report “%(title)s” could not be made. Open it to see why and try again:\n\n%(link)s\n")
                % values
            )
    enqueue(send_email, subject=subject, body=body, to=[user.email])


# --- Subscriptions ---------------------------------------------------------------------------------------


def last_complete_period(frequency: str, today: date) -> tuple[date, date]:
    if frequency == ReportSubscription.Frequency.MONTHLY:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    return quarter_range(*last_complete_quarter(today))


def subscribe(user, template: ReportTemplate, frequency: str | None) -> ReportSubscription | None:
    """Subscribe ``user`` to ``template`` at ``frequency``; no frequency ends the subscription."""
    if not frequency:
        ReportSubscription.objects.filter(user=user, template=template.slug).delete()
        return None
    subscription, _created = ReportSubscription.objects.update_or_create(
        user=user, template=template.slug, defaults={"frequency": frequency}
    )
    return subscription


def send_subscribed_reports(today: date | None = None) -> int:
    """Start one run per subscription for its last complete period, once: the period is claimed on the
    subscription (``last_sent_period``) by a conditional update, so running this again starts nothing."""
    today = today or timezone.localdate()
    started = 0
    for subscription in ReportSubscription.objects.select_related("user").filter(user__is_active=True):
        template = TEMPLATES.get(subscription.template)
        if template is None or template not in templates_for(subscription.user):
            continue
        date_from, date_to = last_complete_period(subscription.frequency, today)
        key = range_key(date_from, date_to)
        claimed = (
            ReportSubscription.objects.filter(pk=subscription.pk)
            .exclude(last_sent_period=key)
            .update(last_sent_period=key)
        )
        if claimed:
            start_report(
                template,
                user=subscription.user,
                date_from=date_from,
                date_to=date_to,
                notify=True,
                language=subscription.user.preferred_language,
            )
            started += 1
    return started
