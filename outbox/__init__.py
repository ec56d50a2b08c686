"""Transactional outbox: background tasks requested by a business change are stored in the same
transaction as the change, then handed to Celery once it commits (or later by the relay when the broker
was down). A task asked for is therefore never lost, and one that failed for good stays visible.

    from outbox import enqueue
    enqueue(send_email, subject=..., body=..., to=[...])   # inside the transaction of the change
"""


def enqueue(task, *args, **kwargs):
    """Store ``task(*args, **kwargs)`` in the caller's transaction; it is published once that commits."""
    from .services import enqueue as _enqueue

    return _enqueue(task, *args, **kwargs)


def relay(limit: int = 500) -> int:
    """Publish the pending messages the broker did not get yet; returns how many were published."""
    from .services import relay as _relay

    return _relay(limit=limit)
