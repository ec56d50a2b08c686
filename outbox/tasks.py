from celery import shared_task

from . import services


@shared_task
def relay_outbox() -> int:
    """Every minute: publish what the broker did not get when it was asked (it was down), and forget
    messages published (or failed) long ago."""
    services.purge_old()
    return services.relay()
