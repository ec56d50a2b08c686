from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts import backoffice as accounts_backoffice
from activities.api import ActivityViewSet, CategoryViewSet, OccurrenceViewSet, PlaceViewSet
from associations.api import AssociationViewSet
from followup.api import IndicatorViewSet as FollowupIndicatorViewSet
from followup.api import KoladaViewSet
from portal import backoffice as portal_backoffice
from portal import views as portal_views
from portal.api import LocalityViewSet
from welfaretech.api import CareRecipientViewSet, EventViewSet

router = DefaultRouter()
router.register("localities", LocalityViewSet, basename="locality")
router.register("welfaretech/recipients", CareRecipientViewSet, basename="recipient")
router.register("welfaretech/events", EventViewSet, basename="welfaretech-event")
router.register("activities", ActivityViewSet, basename="activity")
router.register("occurrences", OccurrenceViewSet, basename="occurrence")
router.register("places", PlaceViewSet, basename="place")
router.register("categories", CategoryViewSet, basename="category")
router.register("associations", AssociationViewSet, basename="association")
router.register("followup/indicators", FollowupIndicatorViewSet, basename="followup-indicator")
router.register("followup/kolada", KoladaViewSet, basename="followup-kolada")

backoffice_patterns = [
    path("", portal_backoffice.home, name="home"),
    path("granskningslogg/", accounts_backoffice.audit_log, name="audit-log"),
]

# allauth answers its rate limits through this view (audited, friendly, in the site's layout).
handler429 = "portal.views.too_many_requests"

urlpatterns = [
    path("", include("portal.urls")),
    path("aktiviteter/", include("activities.urls")),
    path("hemtjanst/", include("welfaretech.urls")),
    path("foreningar/", include("associations.urls")),
    path("", include("activities.urls_feeds")),
    path("healthz", portal_views.healthz, name="healthz"),
    path("readyz", portal_views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("mina-uppgifter/", include("accounts.urls")),
    path("backoffice/", include((backoffice_patterns, "backoffice"))),
    path("backoffice/aktiviteter/", include("activities.urls_backoffice")),
    path("backoffice/valfardsteknik/", include("welfaretech.urls_backoffice")),
    path("backoffice/fragor/", include("portal.urls_backoffice")),
    path("backoffice/foreningar/", include("associations.urls_register")),
    path("backoffice/bidrag/", include("associations.urls_grants")),
    path("backoffice/handlaggning/", include("associations.urls_casework")),
    path("backoffice/samordning/", include("associations.urls_coordinator")),
    path("backoffice/uppfoljning/underlag/", include("followup.urls_data")),
    path("backoffice/uppfoljning/", include("followup.urls_backoffice")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
