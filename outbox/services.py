"""Writing, publishing and relaying outbox messages (see the package docstring)."""

import json
import logging
from datetime import timedelta

from celery import Task
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.celery import app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# The message header that carries the outbox row's id to the task (and to its retries).
HEADER = "outbox_id"
# A broker that is down should not hold the request that committed the change for long.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def enqueue(task: Task | str, *args, **kwargs) -> OutboxMessage:
    name = task if isinstance(task, str) else task.name
    # Stored exactly as Celery will serialise it (lazy translations become text now, not at relay time).
    args, kwargs = json.loads(json.dumps([list(args), kwargs], cls=DjangoJSONEncoder))
    message = OutboxMessage.objects.create(task_name=name, args=args, kwargs=kwargs)
    transaction.on_commit(lambda: publish(message))
    return message


def _task(name: str) -> Task:
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def publish(message: OutboxMessage) -> bool:
    """Hand one message to Celery; False (and the message stays pending) when the broker is unreachable.

    Without a broker (embedded mode, tests) Celery runs the task in-process here and its errors propagate
    as they would from ``.delay()``.
    """
    task = _task(message.task_name)
    options = {"headers": {HEADER: message.pk}}
    if task.app.conf.task_always_eager:
        try:
            task.apply_async(message.args, message.kwargs, **options)
        except Exception as error:  # kept on the row (a relay runs it again), then raised as from .delay()
            OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.PENDING).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
            raise
    else:
        try:
            task.apply_async(message.args, message.kwargs, retry_policy=PUBLISH_RETRY_POLICY, **options)
        except Exception as error:
            logger.warning(
                "Outbox message %s (%s) not published, it stays pending: %s",
                message.pk,
                message.task_name,
                error,
            )
            OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.PENDING).update(
                attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
            )
            return False
    # Conditional: a task that already failed in-process (eager mode) keeps its failed state.
    OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.PENDING).update(
        state=OutboxMessage.State.PUBLISHED, published_at=timezone.now()
    )
    return True


def relay(limit: int = 500, min_age: float | None = None) -> int:
    """Publish pending messages older than ``min_age`` seconds (younger ones are still being published
    by the request that wrote them). Stops at the first failure: the broker is still down."""
    if min_age is None:
        min_age = settings.OUTBOX_RELAY_MIN_AGE_SECONDS
    cutoff = timezone.now() - timedelta(seconds=min_age)
    published = 0
    with transaction.atomic():
        batch = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(state=OutboxMessage.State.PENDING, created_at__lte=cutoff)
            .order_by("created_at", "id")[:limit]
        )
        for message in batch:
            try:
                with transaction.atomic():
                    ok = publish(message)
            except Exception:
                logger.exception("Outbox message %s failed while run in-process", message.pk)
                continue
            if not ok:
                break
            published += 1
    if batch:
        logger.info("Outbox relay published %s of %s pending messages", published, len(batch))
    return published


def purge_old() -> int:
    """Delete published messages older than ``OUTBOX_KEEP_DAYS`` and failed ones older than
    ``OUTBOX_FAILED_KEEP_DAYS``; returns how many.

    A failed message is kept so that an administrator sees it and can send it again, but an e-mail's
    arguments hold its recipient's address and text (personal data), so not for ever. ``0`` keeps failed
    messages until they are handled."""
    now = timezone.now()
    published_cutoff = now - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    old = Q(state=OutboxMessage.State.PUBLISHED, created_at__lt=published_cutoff)
    if settings.OUTBOX_FAILED_KEEP_DAYS > 0:
        cutoff = now - timedelta(days=settings.OUTBOX_FAILED_KEEP_DAYS)
        old |= Q(state=OutboxMessage.State.FAILED, created_at__lt=cutoff)
    deleted, _ = OutboxMessage.objects.filter(old).delete()
    return deleted


def outbox_id(request) -> int | None:
    """The outbox row a running task came from, or None for a task not sent through the outbox."""
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def record_retry(pk: int, error: BaseException) -> None:
    OutboxMessage.objects.filter(pk=pk).update(
        attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
    )


def mark_failed(pk: int, error: BaseException) -> None:
    OutboxMessage.objects.filter(pk=pk).update(
        state=OutboxMessage.State.FAILED,
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
