"""CSV exports of sign-ups for organisers.

Values typed by the public end up in spreadsheets, so every cell that a spreadsheet would read as a
formula is neutralised (OWASP "CSV injection"). Semicolon-separated with a byte-order mark, which is what
Excel with Swedish settings opens correctly by double-click.
"""

import csv
from collections.abc import Iterable
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Occurrence, Registration

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, prefixed with ``'`` when a spreadsheet would otherwise evaluate it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def filename(occurrence: Occurrence) -> str:
    start = timezone.localtime(occurrence.starts_at)
    return f"anmalningar-{occurrence.activity.slug}-{start:%Y-%m-%d-%H%M}.csv"


def write_registrations(registrations: Iterable[Registration], out: IO[str]) -> int:
    """Write one row per sign-up to ``out``; returns the number of rows (header excluded)."""
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Name"), _("Phone"), _("E-mail"), _("Number of people"), _("Status"), _("Signed up")])
    rows = 0
    for registration in registrations:
        phone = registration.guest_phone or (registration.user.phone if registration.user_id else "")
        writer.writerow(
            [
                neutralise(value)
                for value in (
                    registration.display_name,
                    phone,
                    registration.email,
                    registration.party_size,
                    registration.get_status_display(),
                    f"{timezone.localtime(registration.created_at):%Y-%m-%d %H:%M}",
                )
            ]
        )
        rows += 1
    return rows
