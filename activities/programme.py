"""The printed monthly programme: a print-friendly page and a PDF, per locality (or all) and month.

The PDF is rendered by WeasyPrint in a Celery task and kept in the cache under the locality, month and
language together with the :func:`~activities.selectors.data_version` it was made from
(:func:`portal.pagecache.read`), so it is rendered again only after public data changed, and web processes
keep copies of the most asked-for ones. Until a worker has rendered it the visitor sees a "being prepared"
page that reloads itself.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from django import forms
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal import pagecache
from portal.models import Locality
from portal.pagecache import public_page
from portal.selectors import municipality

from .models import Occurrence
from .selectors import _venue_q, public_occurrences, start_of_day
from .tasks import render_programme

ALL = "alla"
MONTHS_BACK = 12
MONTHS_AHEAD = 12
PDF_CACHE_SECONDS = 60 * 60 * 24 * 7
QUEUED_SECONDS = 60 * 5


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> date | None:
    """The first day of ``YYYY-MM``, or ``None`` when it is malformed or outside the months offered."""
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1)
    except ValueError:
        return None
    this_month = timezone.localdate().replace(day=1)
    if not _add_months(this_month, -MONTHS_BACK) <= first <= _add_months(this_month, MONTHS_AHEAD):
        return None
    return first


def locality_or_404(slug: str) -> Locality | None:
    """``None`` stands for the whole municipality ("alla")."""
    return None if slug == ALL else get_object_or_404(Locality, slug=slug)


@dataclass
class Entry:
    occurrence: Occurrence
    phone: str

    @property
    def activity(self):
        return self.occurrence.activity

    @property
    def place(self):
        return self.occurrence.venue


def programme_days(locality: Locality | None, first: date) -> list[tuple[date, list[Entry]]]:
    """The month's occasions grouped by local day, cancelled ones included (they are marked)."""
    occurrences = public_occurrences().filter(
        starts_at__gte=start_of_day(first), starts_at__lt=start_of_day(_add_months(first, 1))
    )
    if locality is not None:
        occurrences = occurrences.filter(_venue_q(locality=locality))
    entries = [Entry(o, _phone(o)) for o in occurrences.order_by("starts_at", "activity__title", "pk")]
    return [
        (day, list(group))
        for day, group in groupby(entries, key=lambda e: timezone.localtime(e.occurrence.starts_at).date())
    ]


def _phone(occurrence: Occurrence) -> str:
    """Whom to call: the activity's contact, else its association, else the place."""
    activity = occurrence.activity
    if activity.contact_phone:
        return activity.contact_phone
    if activity.organiser_association_id and activity.organiser_association.phone:
        return activity.organiser_association.phone
    place = occurrence.venue
    return place.contact_phone if place else ""


def _context(locality: Locality | None, first: date) -> dict:
    area = locality.name if locality else _("the whole municipality")
    return {
        "locality": locality,
        "locality_slug": locality.slug if locality else ALL,
        "month": first,
        "month_key": f"{first:%Y-%m}",
        "title": _("Programme for %(area)s, %(month)s") % {"area": area, "month": date_format(first, "F Y")},
        "days": programme_days(locality, first),
        "municipality": municipality(),
    }


# --- PDF -------------------------------------------------------------------------------------------------


def pdf_cache_key(locality_slug: str, first: date, language: str) -> str:
    """Where the PDF is kept, together with the data versions it was made from (see
    :func:`portal.pagecache.read`: a PDF made from older data counts as missing)."""
    return f"programme-pdf:{locality_slug}:{first:%Y-%m}:{language}"


def render_pdf(locality: Locality | None, first: date) -> bytes:
    """The programme as A4 PDF in the active language; nothing is fetched from outside (system fonts)."""
    from weasyprint import HTML, URLFetcher  # heavy import, only where a PDF is actually made

    context = {**_context(locality, first), "LANGUAGE_CODE": translation.get_language()}
    html = render_to_string("activities/programme/pdf.html", context)
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


def store_pdf(locality_slug: str, year: int, month: int, language: str) -> None:
    """Render the programme unless the current version is already cached (the task may run twice)."""
    first = date(year, month, 1)
    locality = None if locality_slug == ALL else Locality.objects.filter(slug=locality_slug).first()
    if locality_slug != ALL and locality is None:
        return
    # The versions are read before the data, so a change during rendering leaves this copy unused.
    key = pdf_cache_key(locality_slug, first, language)
    found = pagecache.read(key)
    if found is None or found.entry is not None:
        return  # no cache to keep it in, or already made from the current data
    with translation.override(language):
        pdf = render_pdf(locality, first)
    pagecache.safe_set(key, {"content": pdf, "versions": found.versions}, timeout=PDF_CACHE_SECONDS)


# --- Views -----------------------------------------------------------------------------------------------


def month_choices() -> list[tuple[str, str]]:
    this_month = timezone.localdate().replace(day=1)
    months = [_add_months(this_month, offset) for offset in range(-1, 6)]
    return [(f"{m:%Y-%m}", date_format(m, "F Y").capitalize()) for m in months]


class ProgrammeForm(forms.Form):
    ort = forms.ChoiceField(label=_("Locality"))
    manad = forms.ChoiceField(label=_("Month"))
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("html", _("Web page to print")), ("pdf", _("PDF file"))],
        initial="html",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localities = [(loc.slug, loc.name) for loc in Locality.objects.order_by("name")]
        self.fields["ort"].choices = [(ALL, _("The whole municipality")), *localities]
        self.fields["manad"].choices = month_choices()
        self.fields["manad"].initial = f"{timezone.localdate():%Y-%m}"


@require_GET
@public_page
def programme_index(request: HttpRequest) -> HttpResponse:
    """Choose locality and month; a complete choice leads straight to the page or the PDF."""
    form = ProgrammeForm(request.GET if "ort" in request.GET else None)
    if form.is_valid():
        name = "feeds:programme-pdf" if form.cleaned_data["format"] == "pdf" else "feeds:programme-month"
        return HttpResponseRedirect(
            reverse(name, kwargs={"locality": form.cleaned_data["ort"], "month": form.cleaned_data["manad"]})
        )
    return render(request, "activities/programme/index.html", {"form": form})


@require_GET
@public_page
def programme_month(request: HttpRequest, locality: str, month: str) -> HttpResponse:
    first = parse_month(month)
    if first is None:
        raise Http404
    context = _context(locality_or_404(locality), first)
    context["pdf_url"] = reverse("feeds:programme-pdf", kwargs={"locality": locality, "month": month})
    return render(request, "activities/programme/month.html", context)


def _pdf_response(request: HttpRequest, found: pagecache.Found, locality: str, month: str) -> HttpResponse:
    etag = '"' + hashlib.blake2b(f"{found.key}|{found.versions}".encode(), digest_size=16).hexdigest() + '"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(found.entry["content"], content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="program-{locality}-{month}.pdf"'
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    return response


def _cached_pdf(request: HttpRequest, locality: str, month: str) -> HttpResponse | None:
    """The PDF when it is in the cache, without touching the database: a PDF is only stored for a locality
    that existed, with the data version of the time, which moves when a locality goes away."""
    first = parse_month(month)
    if first is None:
        return None
    found = pagecache.read(pdf_cache_key(locality, first, translation.get_language()))
    return _pdf_response(request, found, locality, month) if found and found.entry else None


@require_GET
def programme_pdf(request: HttpRequest, locality: str, month: str) -> HttpResponse:
    """Serve the cached PDF; otherwise have it rendered (at once when tasks run in-process)."""
    if (cached := _cached_pdf(request, locality, month)) is not None:
        return cached
    first = parse_month(month)
    if first is None:
        raise Http404
    locality_or_404(locality)
    language = translation.get_language()
    key = pdf_cache_key(locality, first, language)
    found = pagecache.read(key)
    # One task per data version, however often the waiting page reloads.
    if found is not None and cache.add(f"{key}:{found.versions}:queued", 1, timeout=QUEUED_SECONDS):
        try:
            render_programme.delay(locality, first.year, first.month, language)
        except Exception:
            cache.delete(f"{key}:{found.versions}:queued")  # the next request tries again
            raise
        found = pagecache.read(key)  # rendered already when tasks run in-process
    if found is not None and found.entry is not None:
        return _pdf_response(request, found, locality, month)
    response = render(request, "activities/programme/preparing.html", {"title": _("Programme")}, status=202)
    response["Cache-Control"] = "no-store"
    return response


# A cached PDF is answered before the session and authentication middleware (portal.middleware).
programme_pdf.serve_early = lambda request, args, kwargs: _cached_pdf(request, **kwargs)
