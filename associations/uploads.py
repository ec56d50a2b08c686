"""Checking uploaded documents and serving private files.

A file is accepted only when its extension, its declared type *and* its first bytes agree on one of the
allowed formats, so a renamed executable or script is refused whatever it is called. Files are served
only through views that have already checked who is asking; each download is audited.
"""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import FileResponse, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts import audit


@dataclass(frozen=True)
class Format:
    content_type: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]


FORMATS = {
    "pdf": Format("application/pdf", (".pdf",), (b"%PDF-",)),
    "png": Format("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    "jpeg": Format("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
}
DOCUMENT_FORMATS = ("pdf", "png", "jpeg")


def allowed_extensions(allowed=DOCUMENT_FORMATS) -> str:
    """The allowed extensions for an ``accept`` attribute, e.g. ``.pdf,.png,.jpg,.jpeg``."""
    return ",".join(ext for name in allowed for ext in FORMATS[name].extensions)


def validate_upload(
    uploaded_file: UploadedFile, *, allowed=DOCUMENT_FORMATS, max_bytes=None
) -> tuple[str, int]:
    """``(content_type, size)`` of an acceptable file; otherwise ``ValidationError`` saying why."""
    max_bytes = max_bytes or settings.ASSOCIATIONS_MAX_UPLOAD_BYTES
    names = ", ".join(ext.lstrip(".").upper() for name in allowed for ext in FORMATS[name].extensions[:1])
    if uploaded_file.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if uploaded_file.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(max)s.")
            % {"size": filesizeformat(uploaded_file.size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    extension = os.path.splitext(uploaded_file.name or "")[1].lower()
    matching = [FORMATS[name] for name in allowed if extension in FORMATS[name].extensions]
    if not matching:
        raise ValidationError(
            _("Files of this type cannot be uploaded. Allowed types: %(types)s.") % {"types": names},
            code="type",
        )
    fmt = matching[0]
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    if not any(head.startswith(signature) for signature in fmt.signatures):
        raise ValidationError(
            _("The file's content is not a real %(type)s file. Save it again as %(type)s and upload it.")
            % {"type": fmt.extensions[0].lstrip(".").upper()},
            code="content",
        )
    return fmt.content_type, uploaded_file.size


def serve_private_file(
    request: HttpRequest,
    field_file: models.fields.files.FieldFile,
    original_name: str,
    *,
    audit_action: str,
    obj: models.Model,
    content_type: str = "application/octet-stream",
) -> FileResponse:
    """Send a private file as a download. The caller has already checked that the user may have it."""
    audit.record(audit_action, request=request, obj=obj, file=original_name)
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
