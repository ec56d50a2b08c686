from django.core.management.base import BaseCommand

from outbox import services


class Command(BaseCommand):
    help = "Publish pending outbox messages to the Celery broker (after a broker outage)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="Publish at most this many messages.")
        parser.add_argument(
            "--min-age",
            type=float,
            default=None,
            help="Only messages older than this many seconds (default: OUTBOX_RELAY_MIN_AGE_SECONDS).",
        )

    def handle(self, *args, limit: int, min_age: float | None, **options) -> None:
        published = services.relay(limit=limit, min_age=min_age)
        self.stdout.write(f"Published {published} outbox message(s).")
