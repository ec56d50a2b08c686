"""Calendar feeds and printed programmes, mounted at the site root."""

from django.urls import path, re_path

from . import feeds, programme

app_name = "feeds"

MONTH = r"(?P<month>\d{4}-\d{2})"
LOCALITY = r"(?P<locality>[-a-zA-Z0-9_]+)"

urlpatterns = [
    path("kalender/aktivitet/<slug:slug>.ics", feeds.activity_ics, name="activity-ics"),
    path("kalender/ort/<slug:slug>.ics", feeds.locality_ics, name="locality-ics"),
    path("kalender/kategori/<slug:slug>.ics", feeds.category_ics, name="category-ics"),
    path("program/", programme.programme_index, name="programme"),
    re_path(rf"^program/{LOCALITY}/{MONTH}/$", programme.programme_month, name="programme-month"),
    re_path(rf"^program/{LOCALITY}/{MONTH}\.pdf$", programme.programme_pdf, name="programme-pdf"),
]
