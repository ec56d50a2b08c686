"""Celery signals: a task's retries and final failure are written on its outbox row (shown in the admin),
and a worker relays what is pending as soon as it starts (the broker may just have come back)."""

import logging

from celery.signals import task_failure, task_retry, worker_ready

from . import services

logger = logging.getLogger(__name__)


@task_retry.connect
def _task_retried(sender=None, request=None, reason=None, **kwargs) -> None:
    pk = services.outbox_id(request)
    if pk is None:
        return
    error = getattr(reason, "exc", None) or reason
    try:
        services.record_retry(pk, error if isinstance(error, BaseException) else Exception(str(error)))
    except Exception:
        logger.exception("Could not record the retry of outbox message %s", pk)


@task_failure.connect
def _task_failed(sender=None, task_id=None, exception=None, **kwargs) -> None:
    request = getattr(sender, "request", None)
    pk = services.outbox_id(request)
    tries = (getattr(request, "retries", 0) or 0) + 1
    logger.error(
        "Task %s (%s, outbox message %s) failed for good after %s tries: %r",
        getattr(sender, "name", "?"),
        task_id,
        pk,
        tries,
        exception,
    )
    if pk is None:
        return
    try:
        services.mark_failed(pk, exception)
    except Exception:
        logger.exception("Could not mark outbox message %s as failed", pk)


@worker_ready.connect
def _relay_at_start(**kwargs) -> None:
    try:
        services.relay()
    except Exception:
        logger.exception("Outbox relay at worker start failed")
