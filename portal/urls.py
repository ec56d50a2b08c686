from datetime import date

from django.conf import settings
from django.urls import path
from django.views.generic import TemplateView

from activities import views as activity_views
from activities.retention import guest_retention_days

from . import views
from .pagecache import public_page

app_name = "portal"


class PrivacyNoticeView(TemplateView):
    """Integritet: how the municipality handles personal data on this site, and which cookies it sets."""

    template_name = "portal/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            guest_retention_days=guest_retention_days(),
            recipient_retention_days=getattr(settings, "WELFARETECH_ANONYMISE_AFTER_DAYS", None),
            session_hours=settings.SESSION_COOKIE_AGE // 3600,
            **kwargs,
        )


urlpatterns = [
    path("", views.home, name="home"),
    path("installningar/", views.display_settings_view, name="display-settings"),
    path("fraga-kommunen/", views.contact, name="contact"),
    path("fraga-kommunen/tack/", views.contact_thanks, name="contact-thanks"),
    path("motesplatser/", activity_views.place_list, name="place-list"),
    path("motesplatser/<slug:slug>/", activity_views.place_detail, name="place-detail"),
    path("integritet/", public_page(PrivacyNoticeView.as_view()), name="privacy"),
    path(
        "tillganglighet/",
        # The date the statement was last reviewed; change it whenever the statement is checked again.
        public_page(
            TemplateView.as_view(
                template_name="portal/accessibility.html", extra_context={"reviewed": date(2026, 11, 24)}
            )
        ),
        name="accessibility",
    ),
]
