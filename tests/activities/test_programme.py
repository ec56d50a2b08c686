"""The printed monthly programme: choosing, the print-friendly page and the cached PDF."""

import re
import zlib
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import programme
from activities.models import Occurrence

from ..factories import ActivityFactory, AssociationFactory, LocalityFactory, MeetingPlaceFactory

pytestmark = pytest.mark.django_db

SWEDISH_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def next_month() -> date:
    today = timezone.localdate()
    return date(today.year + today.month // 12, today.month % 12 + 1, 1)


def first_tuesday(month: date) -> date:
    return month + timedelta(days=(1 - month.weekday()) % 7)


def occasion(activity, day: date, hour: int, **extra) -> Occurrence:
    starts = timezone.make_aware(datetime.combine(day, time(hour)))
    return Occurrence.objects.create(
        activity=activity, starts_at=starts, ends_at=starts + timedelta(hours=1, minutes=30), **extra
    )


@pytest.fixture
def month_of_activities(municipality):
    month = next_month()
    tuesday = first_tuesday(month)
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    hall = MeetingPlaceFactory(locality=hogsjo, name="Högsjö bygdegård", address="Byvägen 2")
    walk = ActivityFactory(
        title="Promenadgrupp",
        place=hall,
        contact_phone="070-111 22 33",
        organiser_association=AssociationFactory(name="PRO Högsjö"),
    )
    bingo = ActivityFactory(
        title="Bingo",
        place=MeetingPlaceFactory(locality=LocalityFactory(slug="baggetorp")),
        price_sek=20,
        signup_required=True,
    )
    occasion(walk, tuesday, 10)
    occasion(walk, tuesday + timedelta(days=7), 10, is_cancelled=True, cancel_reason="Halka")
    occasion(bingo, tuesday, 14)
    return {"month": month, "tuesday": tuesday, "walk": walk}


def month_url(locality: str, month: date, pdf: bool = False) -> str:
    name = "feeds:programme-pdf" if pdf else "feeds:programme-month"
    return reverse(name, kwargs={"locality": locality, "month": f"{month:%Y-%m}"})


def page_count(pdf: bytes) -> int:
    """Pages in a PDF, also when its objects sit in compressed object streams."""
    text = pdf
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            text += zlib.decompress(stream)
        except zlib.error:
            continue
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", text))


def test_the_form_leads_to_the_page_or_the_pdf(client, month_of_activities):
    month = f"{month_of_activities['month']:%Y-%m}"
    assert client.get(reverse("feeds:programme")).status_code == 200
    response = client.get(reverse("feeds:programme"), {"ort": "hogsjo", "manad": month, "format": "html"})
    assert response.headers["Location"] == f"/program/hogsjo/{month}/"
    response = client.get(reverse("feeds:programme"), {"ort": "alla", "manad": month, "format": "pdf"})
    assert response.headers["Location"] == f"/program/alla/{month}.pdf"
    assert client.get(reverse("feeds:programme"), {"ort": "finns-inte", "manad": month}).status_code == 200


def test_the_page_groups_by_day_with_swedish_headings(client, month_of_activities):
    tuesday = month_of_activities["tuesday"]
    html = client.get(month_url("alla", month_of_activities["month"])).content.decode()
    heading = f"Tisdag {tuesday.day} {SWEDISH_MONTHS[tuesday.month - 1]}"
    assert html.count(heading) == 1
    assert "10.00–11.30" in html and "14.00–15.30" in html
    assert html.index("Promenadgrupp") < html.index("Bingo")
    assert "Högsjö bygdegård, Byvägen 2, Högsjö" in html
    assert "PRO Högsjö" in html and "070-111 22 33" in html
    assert "0151-191 00" in html  # the municipality's phone on top
    assert "Halka" in html and "programme__item--cancelled" in html


def test_a_locality_programme_holds_only_that_locality(client, month_of_activities):
    html = client.get(month_url("hogsjo", month_of_activities["month"])).content.decode()
    assert "Promenadgrupp" in html and "Bingo" not in html


@pytest.mark.parametrize("month", ["2026-13", "1999-01", "0000-00"])
def test_a_bad_month_is_404(client, month_of_activities, month):
    assert client.get(f"/program/alla/{month}/").status_code == 404
    assert client.get(f"/program/alla/{month}.pdf").status_code == 404


def test_an_unknown_locality_is_404(client, month_of_activities):
    assert client.get(month_url("finns-inte", month_of_activities["month"])).status_code == 404
    assert client.get(month_url("finns-inte", month_of_activities["month"], pdf=True)).status_code == 404


def test_the_pdf_is_rendered_once_until_the_data_changes(client, month_of_activities):
    url = month_url("alla", month_of_activities["month"], pdf=True)
    with mock.patch.object(programme, "render_pdf", wraps=programme.render_pdf) as render:
        first = client.get(url)
        assert first.status_code == 200
        assert first["Content-Type"] == "application/pdf"
        assert first.content.startswith(b"%PDF")
        assert page_count(first.content) == 1
        assert render.call_count == 1

        assert client.get(url).content == first.content
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        assert render.call_count == 1

        walk = month_of_activities["walk"]
        walk.title = "Skogspromenad"
        walk.save()
        assert client.get(url).status_code == 200
        assert render.call_count == 2


def test_a_long_month_runs_over_several_pages(client, month_of_activities):
    walk, month = month_of_activities["walk"], month_of_activities["month"]
    for offset in range(28):
        occasion(walk, month + timedelta(days=offset), 8)
        occasion(walk, month + timedelta(days=offset), 17)
    pdf = client.get(month_url("alla", month, pdf=True)).content
    assert page_count(pdf) > 3


def test_while_a_worker_prepares_the_pdf_a_page_reloads_itself(client, month_of_activities):
    url = month_url("alla", month_of_activities["month"], pdf=True)
    with mock.patch.object(programme.render_programme, "delay") as delay:
        response = client.get(url)
        client.get(url)
    assert response.status_code == 202
    assert '<meta http-equiv="refresh" content="5">' in response.content.decode()
    assert "ETag" not in response
    assert delay.call_count == 1  # queued once, however often the page reloads


def test_the_page_query_count_does_not_grow_with_the_month(client, month_of_activities, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0  # measure rendering, not the page cache
    url = month_url("alla", month_of_activities["month"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries()  # the municipality profile is cached from here on
    few = queries()
    month = month_of_activities["month"]
    for offset in range(25):
        activity = ActivityFactory(organiser_association=AssociationFactory())
        occasion(activity, month + timedelta(days=offset), 9)
        occasion(activity, month + timedelta(days=offset), 13, place=MeetingPlaceFactory())
    assert queries() == few
