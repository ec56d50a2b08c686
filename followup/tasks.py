import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.models import OutboxMessage

from . import reports
from .models import ReportRun

logger = logging.getLogger(__name__)


@shared_task(bind=True)
def generate_report(self, run_id: int) -> str | None:
    """Make one report run's PDF. An error while making it is kept on the run (shown with a retry button);
    only infrastructure errors (such as a lost database connection) reach Celery's automatic retries.

    A run that another worker is making is left alone, but looked at again once its heartbeat could have
    gone stale: this delivery may be the redelivery of a task whose worker died in the middle of it."""
    run = reports.generate(run_id)
    if run is None and reports.still_running(run_id):
        raise self.retry(countdown=reports.STALE_AFTER.total_seconds() + 5)
    return run.status if run else None


@shared_task
def fail_stuck_report_runs() -> int:
    """Every few minutes: runs queued or running longer than FOLLOWUP_REPORT_STUCK_MINUTES without a sign
    of life (a worker died and no other took the run over, the task was lost) are marked failed with the
    reason, so the person sees it and can retry."""
    limit = timedelta(minutes=settings.FOLLOWUP_REPORT_STUCK_MINUTES)
    now = timezone.now()
    # A queued run has no start time and a retried one keeps its first created_at: the time it was queued
    # is that of its latest outbox message, so runs queued again within the limit are left alone.
    queued_lately = {
        message.args[0]
        for message in OutboxMessage.objects.filter(
            task_name=generate_report.name, created_at__gte=now - limit
        ).only("args")
        if message.args
    }
    stuck = ReportRun.objects.filter(
        reports.silent_since(now - limit)
        | Q(status=ReportRun.Status.QUEUED, created_at__lt=now - limit) & ~Q(pk__in=queued_lately)
    )
    minutes = settings.FOLLOWUP_REPORT_STUCK_MINUTES
    count = stuck.update(
        status=ReportRun.Status.FAILED,
        finished_at=now,
        error=_("The report was not finished within %(minutes)d minutes and was stopped. Try again.")
        % {"minutes": minutes},
    )
    if count:
        logger.error("Marked %s report run(s) stuck for over %s minutes as failed", count, minutes)
    return count


@shared_task
def send_subscribed_reports() -> int:
    """Daily: start each subscribed report for its last complete month or quarter, once per period."""
    return reports.send_subscribed_reports()
