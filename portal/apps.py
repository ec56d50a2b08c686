from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Senior portal")

    def ready(self) -> None:
        from . import cache_signals, signals  # noqa: F401  (importing signals connects its receivers)

        cache_signals.connect()
