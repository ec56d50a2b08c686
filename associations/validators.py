"""Validators for Swedish identifiers: organisation numbers and bankgiro/plusgiro accounts (Luhn, mod 10)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` (only digits) passes the Luhn check: the last digit is the check digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return bool(digits) and total % 10 == 0


def normalise_org_number(value: str) -> str:
    """``NNNNNN-NNNN`` from ``NNNNNNNNNN``, ``NNNNNN-NNNN`` or the 12-digit form with a ``16`` prefix."""
    digits = re.sub(r"[\s-]", "", value or "")
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        return value
    return f"{digits[:6]}-{digits[6:]}"


def validate_org_number(value: str) -> None:
    digits = re.sub(r"[\s-]", "", value or "")
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError(
            _("Enter the organisation number as ten digits, for example 802473-5592."), code="format"
        )
    if not luhn_valid(digits):
        raise ValidationError(
            _("This organisation number is not valid: check the digits (the last one is a check digit)."),
            code="checksum",
        )


def normalise_giro(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_bankgiro(value: str) -> None:
    digits = normalise_giro(value)
    if not digits.isdigit() or len(digits) not in (7, 8):
        raise ValidationError(_("A bankgiro number has 7 or 8 digits, for example 5050-1055."), code="format")
    if not luhn_valid(digits):
        raise ValidationError(_("This bankgiro number is not valid: check the digits."), code="checksum")


def validate_plusgiro(value: str) -> None:
    digits = normalise_giro(value)
    if not digits.isdigit() or not 2 <= len(digits) <= 8:
        raise ValidationError(
            _("A plusgiro number has 2 to 8 digits, for example 90 20 01-7."), code="format"
        )
    if not luhn_valid(digits):
        raise ValidationError(_("This plusgiro number is not valid: check the digits."), code="checksum")


def format_giro(method: str, value: str) -> str:
    """Bankgiro as ``NNN(N)-NNNN``, plusgiro as ``N…N-N`` — the way they are printed on invoices."""
    digits = normalise_giro(value)
    if not digits:
        return ""
    if method == "bankgiro":
        return f"{digits[:-4]}-{digits[-4:]}"
    return f"{digits[:-1]}-{digits[-1]}"
