from django.http import HttpRequest

from .display import display_settings
from .navigation import backoffice_navigation
from .selectors import municipality


def site(request: HttpRequest) -> dict:
    """What every page's layout needs: the municipality, display settings and back-office navigation."""
    return {
        "municipality": municipality(),
        "display": display_settings(request),
        "backoffice_nav": lambda: backoffice_navigation(request),
    }
