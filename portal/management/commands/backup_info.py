"""``manage.py backup_info``: where the data lives, as shell assignments for scripts/backup and restore.

The scripts read the database and the two file folders from the same settings the application uses
(DATABASE_URL, MEDIA_ROOT, PRIVATE_MEDIA_ROOT), so a backup always covers what the running site writes.
The database password is printed too: the scripts hand it to pg_dump and pg_restore through PGPASSWORD,
never on a command line.
"""

import shlex
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ENGINES = {
    "django.db.backends.postgresql": "postgresql",
    "django.db.backends.sqlite3": "sqlite",
}


class Command(BaseCommand):
    help = "Print the database and file locations as shell assignments (used by scripts/backup and restore)."
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        database = settings.DATABASES["default"]
        engine = ENGINES.get(database["ENGINE"])
        if engine is None:
            raise CommandError(f"Backups support PostgreSQL and SQLite, not {database['ENGINE']}.")
        values = {
            "DB_ENGINE": engine,
            "DB_NAME": str(Path(database["NAME"]).resolve()) if engine == "sqlite" else str(database["NAME"]),
            "MEDIA_ROOT": str(Path(settings.MEDIA_ROOT).resolve()),
            "PRIVATE_MEDIA_ROOT": str(Path(settings.PRIVATE_MEDIA_ROOT).resolve()),
        }
        if engine == "postgresql":
            values.update(
                PGHOST=str(database.get("HOST") or ""),
                PGPORT=str(database.get("PORT") or ""),
                PGUSER=str(database.get("USER") or ""),
                PGPASSWORD=str(database.get("PASSWORD") or ""),
                PGSSLMODE=str(database.get("OPTIONS", {}).get("sslmode", "")),
            )
        for name, value in values.items():
            self.stdout.write(f"{name}={shlex.quote(value)}")
