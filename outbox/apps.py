from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Background task outbox")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the Celery signal receivers)
