"""Project-wide API conventions shared by every app's ``api.py``."""

from typing import Any

from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_error(detail: Any, path: str = "") -> tuple[str, str]:
    """Return (field, message) of the first error in a nested DRF error structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = key if key != "non_field_errors" else ""
            return _first_error(value, f"{path}.{field}".strip(".") if field else path)
    if isinstance(detail, list) and detail:
        if isinstance(detail[0], (dict, list)):
            for index, item in enumerate(detail):
                if item:
                    return _first_error(item, f"{path}[{index}]")
        return path, str(detail[0])
    return path, str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Give every API error the same JSON shape: ``message``, ``field`` and the full ``errors``.

    Clients show ``message`` next to ``field``; ``errors`` keeps DRF's per-field detail for forms.
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        field, message = _first_error(response.data)
        response.data = {"message": message, "field": field or None, "errors": response.data}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"message": str(response.data["detail"]), "field": None}
    return response
