"""Upload checks: type by extension and content, size; private files are never under a URL."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from associations.models import AnnualDocument
from associations.uploads import validate_upload

from .factories import PDF_BYTES, AnnualDocumentFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 32
WINDOWS_EXE = b"MZ\x90\x00" + b"\x00" * 32


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("protokoll.pdf", PDF_BYTES, "application/pdf"),
        ("PROTOKOLL.PDF", PDF_BYTES, "application/pdf"),
        ("logga.png", PNG, "image/png"),
        ("foto.jpg", JPEG, "image/jpeg"),
        ("foto.jpeg", JPEG, "image/jpeg"),
    ],
)
def test_real_documents_are_accepted(name, content, expected):
    assert validate_upload(SimpleUploadedFile(name, content)) == (expected, len(content))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("program.exe", WINDOWS_EXE, "type"),
        ("skript.sh", b"#!/bin/sh\nrm -rf /\n", "type"),
        ("sida.html", b"<script>alert(1)</script>", "type"),
        ("utan-andelse", PDF_BYTES, "type"),
        ("protokoll.pdf", WINDOWS_EXE, "content"),  # a renamed executable
        ("protokoll.pdf", ELF, "content"),
        ("bild.png", JPEG, "content"),  # the content must match the extension
        ("protokoll.pdf", b"", "empty"),
        ("../../etc/passwd.pdf", b"root:x:0:0", "content"),
    ],
)
def test_anything_else_is_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile(name, content))
    assert error.value.code == code
    assert error.value.messages[0]


def test_files_over_the_limit_are_refused(settings, english):
    settings.ASSOCIATIONS_MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("stor.pdf", PDF_BYTES + b"0" * 2000)
    with pytest.raises(ValidationError) as error:
        validate_upload(big)
    assert error.value.code == "too_large"
    assert "at most 1.0" in error.value.messages[0]


@pytest.mark.django_db
def test_documents_are_stored_outside_the_web_root_under_a_name_without_user_input(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    document = AnnualDocumentFactory(original_name="<script>.pdf")
    stored = document.file.path
    assert stored.startswith(str(tmp_path))
    assert not stored.startswith(str(settings.MEDIA_ROOT))
    assert "script" not in document.file.name
    assert AnnualDocument.objects.get().file.read() == PDF_BYTES
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - no URL exists for private files
