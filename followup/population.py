"""Population figures: import from a Statistics Sweden (SCB) CSV file, and editing by hand.

Accepted file (what SCB's Statistikdatabasen exports as "CSV" or "CSV med semikolon", or written by hand):

* UTF-8 (with or without BOM) or Windows-1252; separator ``;`` or ``,`` (or tab), detected from the header.
* Any title lines before the header are skipped; the header is the first line naming the columns below.
* One column for the **locality**: ``region``, ``ort``, ``tätort``, ``locality`` or ``område`` — the
  locality's name (or slug) as in the platform, e.g. ``Läppe``; a leading code (``0428 Vingåker``) is ignored.
* One column for the **age**: ``ålder``, ``åldersgrupp`` or ``age`` — five-year bands like ``65-69 år``,
  ``70-74 år``, ``85-89 år``, ``95+ år``, ``100+ år``, ``85+``, or single years (``67 år``). Ages under 65
  and ``totalt`` rows are skipped; bands are summed into 65–74, 75–79, 80–84 and 85+.
* One column for the **sex**: ``kön``, ``sex`` or ``gender`` — ``kvinnor``/``män``, ``K``/``M``,
  ``women``/``men`` or SCB's codes ``2``/``1``. ``totalt`` rows are skipped.
* **Years** either as one column per year (header ``2024``, ``2025``; SCB's wide layout) or as two columns
  ``år``/``year`` and ``antal``/``count``/``folkmängd`` (long layout).

Example::

    region;ålder;kön;2024;2025
    Läppe;65-69 år;kvinnor;31;29
    Läppe;65-69 år;män;28;30

Validation is all or nothing: every bad row is reported with its line number and reason, and nothing is
saved unless the whole file is valid. A valid import sets each (year, locality, sex, age band) it contains
to the file's figure and leaves other figures as they were.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal.models import Locality

from .models import AgeBand, PopulationFigure, Sex

LOCALITY_HEADERS = {"region", "ort", "tätort", "tatort", "locality", "område", "omrade", "kommundel", "by"}
AGE_HEADERS = {"ålder", "alder", "åldersgrupp", "age", "age band", "age_band"}
SEX_HEADERS = {"kön", "kon", "sex", "gender"}
YEAR_HEADERS = {"år", "ar", "year"}
COUNT_HEADERS = {"antal", "count", "value", "folkmängd", "folkmangd", "värde", "varde", "population"}
SKIP_WORDS = {"totalt", "total", "samtliga", "alla", "all"}
SEXES = {
    "kvinnor": Sex.WOMEN,
    "kvinna": Sex.WOMEN,
    "k": Sex.WOMEN,
    "women": Sex.WOMEN,
    "woman": Sex.WOMEN,
    "f": Sex.WOMEN,
    "2": Sex.WOMEN,
    "män": Sex.MEN,
    "man": Sex.MEN,
    "m": Sex.MEN,
    "men": Sex.MEN,
    "1": Sex.MEN,
}
MAX_BYTES = 2_000_000
YEAR_RE = re.compile(r"^(?:\D*\s)?((?:19|20)\d{2})$")
AGE_RE = re.compile(r"^(\d{1,3})\s*(?:[-–—]\s*(\d{1,3})|(\+))?\s*(?:år|years?|y)?\s*(\+)?$")


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0  # rows outside 65+ or totals
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Five bytes have no cp1252 character; a file with them is not a real export, and its rows are
        # then reported as invalid instead of the import failing.
        return data.decode("cp1252", errors="replace")


def age_band(text: str) -> str | None:
    """The population band of an age label, ``None`` for ages under 65; ``ValueError`` when unreadable."""
    match = AGE_RE.match(text.strip().lower())
    if not match:
        raise ValueError(text)
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else None
    open_ended = bool(match.group(3) or match.group(4))
    if high is not None and high < low:
        raise ValueError(text)
    top = high if high is not None else (200 if open_ended else low)
    if top < 65:
        return None
    if low >= 85:
        return AgeBand.A85_PLUS
    if open_ended and low < 85:
        raise ValueError(text)  # e.g. "65+": cannot be split into bands
    for band, first, last in (
        (AgeBand.A65_74, 65, 74),
        (AgeBand.A75_79, 75, 79),
        (AgeBand.A80_84, 80, 84),
    ):
        if first <= low and top <= last:
            return band
    raise ValueError(text)  # straddles two bands, e.g. "60-69" or "70-79"


def _norm(text: str) -> str:
    return text.strip().strip('"').strip().lower()


def _count(text: str) -> int:
    cleaned = re.sub(r"[\s\u00a0\u202f\u2009]", "", text)
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


def _dialect(line: str) -> str:
    return max((";", ",", "\t"), key=line.count)


def _localities() -> dict[str, Locality]:
    lookup: dict[str, Locality] = {}
    for locality in Locality.objects.all():
        lookup[locality.name.lower()] = locality
        lookup[locality.slug] = locality
        lookup[slugify(locality.name)] = locality
    return lookup


def _find_locality(text: str, lookup: dict[str, Locality]) -> Locality | None:
    name = re.sub(r"^\d{4}\s+", "", text.strip()).lower()
    return lookup.get(name) or lookup.get(slugify(name))


def parse(text: str) -> tuple[dict[tuple[int, int, str, str], int], ImportResult]:
    """Read the file into summed cells ``(year, locality id, sex, band) -> count`` and a report."""
    result = ImportResult()
    lines = text.splitlines()
    header_index = None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        separator = _dialect(line)
        cells = [_norm(cell) for cell in next(csv.reader([line], delimiter=separator))]
        if set(cells) & LOCALITY_HEADERS and set(cells) & AGE_HEADERS:
            header_index = index
            break
    if header_index is None:
        result.errors.append(
            RowError(
                0,
                _(
                    "No header line found. The file needs columns for locality (region), age (ålder), "
                    "sex (kön) and one column per year."
                ),
            )
        )
        return {}, result
    reader = csv.reader(io.StringIO("\n".join(lines[header_index:])), delimiter=separator)
    header = [_norm(cell) for cell in next(reader)]

    def column(names: set[str]) -> int | None:
        return next((i for i, name in enumerate(header) if name in names), None)

    locality_col, age_col, sex_col = column(LOCALITY_HEADERS), column(AGE_HEADERS), column(SEX_HEADERS)
    year_col, count_col = column(YEAR_HEADERS), column(COUNT_HEADERS)
    year_cols = {
        i: int(match.group(1))
        for i, name in enumerate(header)
        if (match := YEAR_RE.match(name)) and i not in (locality_col, age_col, sex_col)
    }
    header_line = header_index + 1
    if sex_col is None:
        result.errors.append(RowError(header_line, _("The header has no column for sex (kön).")))
    if not year_cols and (year_col is None or count_col is None):
        result.errors.append(
            RowError(
                header_line,
                _("The header has no year columns (e.g. 2025) and no pair of columns år and antal."),
            )
        )
    if result.errors:
        return {}, result

    lookup = _localities()
    cells: dict[tuple[int, int, str, str], int] = {}
    for offset, row in enumerate(reader, start=1):
        line = header_line + offset
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            result.errors.append(
                RowError(
                    line, _("The row has %(n)s fields, the header %(m)s.") % {"n": len(row), "m": len(header)}
                )
            )
            continue
        age_text, sex_text, place_text = row[age_col].strip(), _norm(row[sex_col]), row[locality_col].strip()
        if _norm(age_text) in SKIP_WORDS or sex_text in SKIP_WORDS:
            result.skipped += 1
            continue
        problems = []
        try:
            band = age_band(age_text)
        except ValueError:
            band = None
            problems.append(
                _("age “%(value)s” is not an age or a band within 65–74, 75–79, 80–84 or 85+")
                % {"value": age_text}
            )
        sex = SEXES.get(sex_text)
        if sex is None:
            problems.append(_("sex “%(value)s” is not kvinnor/män (K/M)") % {"value": row[sex_col].strip()})
        locality = _find_locality(place_text, lookup)
        if locality is None:
            problems.append(
                _("locality “%(value)s” is not one of the municipality's localities") % {"value": place_text}
            )
        values: list[tuple[int, str]] = []
        if year_cols:
            values = [(year, row[i]) for i, year in year_cols.items()]
        else:
            year_text = row[year_col].strip()
            if YEAR_RE.match(year_text):
                values = [(int(YEAR_RE.match(year_text).group(1)), row[count_col])]
            else:
                problems.append(_("year “%(value)s” is not a year") % {"value": year_text})
        counts: list[tuple[int, int]] = []
        for year, raw in values:
            try:
                counts.append((year, _count(raw)))
            except ValueError:
                problems.append(
                    _("the figure for %(year)s, “%(value)s”, is not a whole number")
                    % {"year": year, "value": raw.strip()}
                )
        if problems:
            message = "; ".join(str(problem) for problem in problems)
            result.errors.append(RowError(line, message[:1].upper() + message[1:] + "."))
            continue
        if band is None:  # under 65
            result.skipped += 1
            continue
        for year, count in counts:
            key = (year, locality.pk, sex, band)
            cells[key] = cells.get(key, 0) + count
    if not cells and not result.errors:
        result.errors.append(RowError(header_line, _("The file has no figures for people aged 65 or more.")))
    return cells, result


def import_csv(data: bytes) -> ImportResult:
    """Validate and, when the whole file is valid, save its figures. See the module docstring."""
    if len(data) > MAX_BYTES:
        result = ImportResult()
        result.errors.append(RowError(0, _("The file is larger than 2 MB.")))
        return result
    try:
        cells, result = parse(decode(data))
    except csv.Error:  # e.g. a field over the csv module's size limit: not a Statistics Sweden table
        result = ImportResult()
        result.errors.append(RowError(0, _("The file could not be read as CSV.")))
        return result
    if result.errors:
        return result
    with transaction.atomic():
        existing = {
            (f.year, f.locality_id, f.sex, f.age_band): f
            for f in PopulationFigure.objects.select_for_update().filter(year__in={key[0] for key in cells})
        }
        changed, new = [], []
        for key, count in cells.items():
            figure = existing.get(key)
            if figure is None:
                year, locality_id, sex, band = key
                new.append(
                    PopulationFigure(year=year, locality_id=locality_id, sex=sex, age_band=band, count=count)
                )
            elif figure.count != count:
                figure.count = count
                changed.append(figure)
        PopulationFigure.objects.bulk_create(new)
        PopulationFigure.objects.bulk_update(changed, ["count"])
    result.created, result.updated, result.saved = len(new), len(changed), True
    return result


def grid(year: int) -> dict[tuple[int, str, str], int]:
    """``(locality id, sex, band) -> count`` for one year (the editable table)."""
    return {
        (locality_id, sex, band): count
        for locality_id, sex, band, count in PopulationFigure.objects.filter(year=year).values_list(
            "locality_id", "sex", "age_band", "count"
        )
    }


def save_grid(year: int, values: dict[tuple[int, str, str], int | None]) -> tuple[int, int, int]:
    """Set the figures of ``year`` from the edited table; an empty cell removes the figure.
    Returns (created, updated, deleted)."""
    with transaction.atomic():
        existing = {
            (f.locality_id, f.sex, f.age_band): f
            for f in PopulationFigure.objects.select_for_update().filter(year=year)
        }
        new, changed, removed = [], [], []
        for key, count in values.items():
            figure = existing.get(key)
            if count is None:
                if figure is not None:
                    removed.append(figure.pk)
            elif figure is None:
                locality_id, sex, band = key
                new.append(
                    PopulationFigure(year=year, locality_id=locality_id, sex=sex, age_band=band, count=count)
                )
            elif figure.count != count:
                figure.count = count
                changed.append(figure)
        PopulationFigure.objects.bulk_create(new)
        PopulationFigure.objects.bulk_update(changed, ["count"])
        PopulationFigure.objects.filter(pk__in=removed).delete()
    return len(new), len(changed), len(removed)
