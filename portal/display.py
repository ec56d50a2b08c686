"""Text-size and contrast settings, remembered in a cookie so they work without an account or JavaScript."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "display"
COOKIE_AGE = 60 * 60 * 24 * 365
TEXT_SIZES = ("normal", "large", "larger")
CONTRASTS = ("normal", "high")


@dataclass(frozen=True)
class DisplaySettings:
    text_size: str = "normal"
    contrast: str = "normal"

    @property
    def css_classes(self) -> str:
        return f"text-{self.text_size} contrast-{self.contrast}"


def display_settings(request: HttpRequest) -> DisplaySettings:
    raw = request.COOKIES.get(COOKIE_NAME, "")
    text_size, _, contrast = raw.partition(".")
    return DisplaySettings(
        text_size=text_size if text_size in TEXT_SIZES else "normal",
        contrast=contrast if contrast in CONTRASTS else "normal",
    )


def remember(response: HttpResponse, settings: DisplaySettings, secure: bool) -> None:
    response.set_cookie(
        COOKIE_NAME,
        f"{settings.text_size}.{settings.contrast}",
        max_age=COOKIE_AGE,
        samesite="Lax",
        secure=secure,
        httponly=True,
    )
