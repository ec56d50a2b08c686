from celery import shared_task

from . import reports


@shared_task
def generate_report(run_id: int) -> str | None:
    """Make one report run's PDF. An error while making it is kept on the run (shown with a retry button);
    only infrastructure errors (such as a lost database connection) reach Celery's automatic retries."""
    run = reports.generate(run_id)
    return run.status if run else None


@shared_task
def send_subscribed_reports() -> int:
    """Daily: start each subscribed report for its last complete month or quarter, once per period."""
    return reports.send_subscribed_reports()
