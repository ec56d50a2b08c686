from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfaretechConfig(AppConfig):
    name = "welfaretech"
    verbose_name = _("Welfare technology")
