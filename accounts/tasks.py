from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from . import audit


@shared_task
def send_email(
    subject: str, body: str, to: list[str], from_email: str | None = None, html: str | None = None
) -> None:
    """Send one e-mail; on an SMTP error the task is retried with backoff (see config.celery.BaseTask)."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


DEFAULT_AUDIT_RETENTION_DAYS = 5 * 366
AUDIT_PURGE_BATCH_SIZE = 5000
_PURGE_BATCH_SQL = (
    'DELETE FROM accounts_auditentry WHERE id IN (SELECT id FROM accounts_auditentry WHERE "at" < %s '
    "ORDER BY id LIMIT %s)"
)


def audit_retention_days() -> int:
    """How many days audit entries are kept: AUDIT_RETENTION_DAYS, by default five years (a year counted
    as 366 days, so leap days never shorten it); 0 keeps every entry.

    Why five years: Socialstyrelsen's HSLF-FS 2016:40, 4 kap. 9 § p. 7, requires access logs of patient
    data to be kept for at least five years so that access can be checked afterwards. The log here records
    reads of (pseudonymous) home-care recipients and their welfare-technology events, close enough to care
    documentation that the same period is the prudent default. Keeping entries longer than needed would go
    against the GDPR's storage limitation (art. 5.1 e), as they name staff and IP addresses. What finally
    applies is the municipality's own retention decision (gallringsbeslut under arkivlagen 1990:782):
    set AUDIT_RETENTION_DAYS to it.
    """
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS))


@shared_task
def purge_old_audit_entries() -> int:
    """Daily: delete audit entries older than AUDIT_RETENTION_DAYS (0 keeps them all); returns how many.

    The ORM refuses to delete audit entries, so the purge is plain SQL, in batches that keep each
    transaction short. The purge itself is audited with the count and the cut-off.
    """
    days = audit_retention_days()
    if days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_PURGE_BATCH_SQL, [cutoff, AUDIT_PURGE_BATCH_SIZE])
            batch = cursor.rowcount
        deleted += batch
        if batch < AUDIT_PURGE_BATCH_SIZE:
            break
    audit.record(
        "accounts.audit.purge",
        actor_label="system",
        deleted=deleted,
        retention_days=days,
        cutoff=cutoff.isoformat(),
    )
    return deleted
