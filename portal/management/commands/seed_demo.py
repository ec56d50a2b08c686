from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import demo as accounts_demo
from activities import demo as activities_demo
from associations import demo as associations_demo
from followup import demo as followup_demo
from portal import demo as portal_demo
from welfaretech import demo as welfaretech_demo

# In dependency order; each app's ``demo.seed()`` is idempotent and returns lines to print.
SEEDERS = [
    portal_demo.seed,
    accounts_demo.seed,
    welfaretech_demo.seed,
    activities_demo.seed,
    associations_demo.seed,  # after activities: activity grants are calculated from recorded attendance
    followup_demo.seed,
]


class Command(BaseCommand):
    help = "Create or refresh the demo municipality and demo accounts (demo mode only)."

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo only runs in demo mode (DEBUG on); refusing to touch this database."
            )
        with transaction.atomic():
            for seeder in SEEDERS:
                for line in seeder():
                    self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Every demo account's password is {accounts_demo.DEMO_PASSWORD}"
            )
        )
