"""Hostile uploads through the real pages: wrong types, renamed files, double extensions, NUL bytes, path
tricks, polyglots, SVG with script, decompression bombs and oversized files. Each is refused with a form
error (never a 500), or, where the content is genuinely a PDF or an image, stored under a name that carries
no user input and served only as a download of the checked type."""

import io
import os
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.roles import Role
from activities.models import MeetingPlace
from associations import applications
from associations.forms_register import LOGO_FORMATS
from associations.models import ApplicationAttachment
from associations.uploads import validate_upload

from ..associations.factories import PDF_BYTES, GrantProgrammeFactory, eligible_association, representative
from ..factories import LocalityFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.domain)</script>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' + SCRIPT + b"</svg>"
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"
EXE = b"MZ\x90\x00" + b"\x00" * 60
ZIP = b"PK\x03\x04" + b"\x00" * 60


def _png(size=(4, 4)) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", size, "white").save(data, "PNG")
    return data.getvalue()


def _bomb_png(width=40_000, height=40_000) -> bytes:
    """A PNG whose header claims 1.6 gigapixels (a decompression bomb); the pixel data is a few bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


PDF_HTML_POLYGLOT = PDF_BYTES + HTML
PDF_JS = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- Grant application attachments (the widest upload: PDF, PNG, JPEG, 10 MB) -------------------------


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Public media in a temporary folder; private files already live in one (tests/conftest.py)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def draft():
    association = eligible_association(name="Uppladdningsföreningen")
    rep = representative(association)
    programme = GrantProgrammeFactory(name="Uppladdningsbidrag", required_attachments=[])
    application = applications.create_application(
        programme=programme, association=association, actor=rep, title="Test"
    )
    return application, rep


def _attach(client, application, name: str, content: bytes, content_type="application/pdf"):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        reverse("grants:attachments", args=[application.pk]),
        {"label": "__other__", "other_label": "Bilaga", "file": upload},
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("budget.pdf.exe", PDF_BYTES, "application/pdf"),  # double extension, the last one counts
        ("budget.exe.pdf", EXE, "application/pdf"),  # a renamed executable
        ("budget.pdf\x00.exe", PDF_BYTES, "application/pdf"),  # NUL byte: Django drops it → .pdf.exe
        ("budget.html", HTML, "text/html"),
        ("budget.pdf", HTML + PDF_BYTES, "application/pdf"),  # HTML first, PDF magic later
        ("budget.svg", SVG, "image/svg+xml"),
        ("budget.png", SVG, "image/png"),  # SVG dressed up as PNG
        ("budget.zip", ZIP, "application/zip"),
        ("budget.pdf", ZIP, "application/pdf"),  # an archive is never opened, only refused
        ("budget.docx", ZIP, "application/pdf"),
        (".pdf", PDF_BYTES, "application/pdf"),  # no name, only an extension
        ("budget.pdf ", PDF_BYTES, "application/pdf"),  # trailing space
        ("budget.pdf.", PDF_BYTES, "application/pdf"),  # trailing dot (Windows strips it)
        ("budget.php5", PDF_BYTES, "application/pdf"),
        ("budget.pdf", b"", "application/pdf"),
    ],
)
def test_hostile_attachments_are_refused(client, draft, name, content, content_type):
    application, rep = draft
    client.force_login(rep)
    response = _attach(client, application, name, content, content_type)
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not ApplicationAttachment.objects.exists()


def test_an_oversized_attachment_is_refused(client, draft, settings):
    settings.ASSOCIATIONS_MAX_UPLOAD_BYTES = 4096
    application, rep = draft
    client.force_login(rep)
    response = _attach(client, application, "stor.pdf", PDF_BYTES + b"0" * 5000)
    assert "file" in response.context["form"].errors
    assert not ApplicationAttachment.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/budget.pdf",
        "..\\..\\budget.pdf",
        "/etc/budget.pdf",
        "C:\\Windows\\budget.pdf",
        "..%2Fb.pdf",
    ],
)
def test_path_tricks_in_the_name_never_reach_the_file_system(client, draft, settings, name):
    application, rep = draft
    client.force_login(rep)
    response = _attach(client, application, name, PDF_BYTES)
    assert response.status_code == 302
    attachment = ApplicationAttachment.objects.get()
    stored = os.path.realpath(attachment.file.path)
    assert stored.startswith(os.path.realpath(settings.PRIVATE_MEDIA_ROOT) + os.sep)
    assert not stored.startswith(os.path.realpath(settings.MEDIA_ROOT))
    assert os.path.basename(attachment.file.name) != os.path.basename(name)  # random, no user input
    assert ".." not in attachment.file.name
    assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    download = client.get(reverse("grants:attachment", args=[attachment.pk]))
    b"".join(download.streaming_content)
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition.split("filename", 1)[1].replace("%2F", "/").split(";")[0] or "%2F" in name


@pytest.mark.parametrize("content", [PDF_HTML_POLYGLOT, PDF_JS])
def test_a_pdf_polyglot_is_only_ever_served_as_a_pdf_download(client, draft, content):
    """A file that starts as a PDF is a PDF as far as the checks can tell; what keeps HTML or script in it
    harmless is how it is served: as an attachment, typed as PDF, with sniffing off."""
    application, rep = draft
    client.force_login(rep)
    assert _attach(client, application, "polyglot.pdf", content).status_code == 302
    attachment = ApplicationAttachment.objects.get()
    assert attachment.content_type == "application/pdf"
    download = client.get(reverse("grants:attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]


# --- Association logo (PNG or JPEG, 2 MB) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("logo.jpg", SVG),
        ("logo.pdf", PDF_BYTES),
        ("logo.gif", b"GIF89a"),
    ],
)
def test_logos_are_only_png_or_jpeg(name, content):
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile(name, content), allowed=LOGO_FORMATS, max_bytes=2 * 1024 * 1024)


# --- Meeting-place photo (public media: the strictest case, it is served from the web root) -------------


def _place(client, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return client.post(
        reverse("activities_backoffice:place-create"),
        {
            "name": "Fotogården",
            "kind": "bygdegard",
            "locality": LocalityFactory().pk,
            "is_active": "on",
            "photo": upload,
            "photo_alt": "Ett hus",
        },
    )


@pytest.fixture
def coordinator(client):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    return client


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bild.svg", SVG),
        ("bild.png", SVG),
        ("bild.png", HTML),
        ("bild.png", PDF_BYTES),
        ("bild.png", EXE),
        ("bild.png", _bomb_png()),  # decompression bomb: refused, not a server error
    ],
)
def test_hostile_place_photos_are_refused(coordinator, name, content):
    response = _place(coordinator, name, content)
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    assert not MeetingPlace.objects.exists()


@pytest.mark.parametrize(
    "name", ["bild.html", "bild.svg", "bild.png.html", "bild.js", "bild", "../../../bild.png", "bild.php"]
)
def test_a_photo_is_stored_under_an_image_name_whatever_it_was_called(coordinator, private_files, name):
    """A real image with HTML appended, uploaded as ``.html``: if it kept that name the web server would
    serve it as a page from the site's own origin (stored XSS). It must be saved as an image file."""
    response = _place(coordinator, name, _png() + HTML)
    place = MeetingPlace.objects.filter(name="Fotogården").first()
    if place is None:  # refused outright is fine too
        assert "photo" in response.context["form"].errors
        return
    stored = place.photo.name
    assert os.path.splitext(stored)[1].lower() in (".png", ".jpg", ".jpeg", ".webp"), stored
    assert stored.startswith("places/") and ".." not in stored, stored
    assert os.path.realpath(place.photo.path).startswith(os.path.realpath(private_files / "media") + os.sep)


# --- CSV imports: any bytes give a report, never a server error ------------------------------------------


GARBAGE = [
    EXE,
    ZIP,
    b"\xff\xfe\x00\x00" + "å".encode("utf-16") * 50,
    b"a;b;c\n" + b"\x00" * 100,
    b"=cmd|' /C calc'!A0;1;2\n",
    b"teknik;serie\n" + b"\xc3\x28" * 10,  # invalid UTF-8
    b"technology;serial\n" + b"x" * 200_000 + b"\n",  # a field over the csv module's limit
    b"x" * 200_000,  # a header over the limit
]


@pytest.mark.parametrize("content", GARBAGE)
def test_the_device_import_survives_any_file(client, content):
    client.force_login(UserFactory(role=Role.WELFARETECH_ADMIN))
    upload = SimpleUploadedFile("enheter.csv", content, content_type="text/csv")
    response = client.post(reverse("welfaretech_backoffice:device-import"), {"file": upload})
    assert response.status_code == 200


@pytest.mark.parametrize("content", GARBAGE)
def test_the_population_import_survives_any_file(client, content):
    client.force_login(UserFactory(role=Role.OFFICIAL))
    upload = SimpleUploadedFile("befolkning.csv", content, content_type="text/csv")
    response = client.post(reverse("followup_data:population-import"), {"file": upload})
    assert response.status_code == 200


def test_the_device_import_refuses_an_oversized_file(client):
    client.force_login(UserFactory(role=Role.WELFARETECH_ADMIN))
    upload = SimpleUploadedFile("enheter.csv", b"a;b\n" * (600 * 1024), content_type="text/csv")
    response = client.post(reverse("welfaretech_backoffice:device-import"), {"file": upload})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
