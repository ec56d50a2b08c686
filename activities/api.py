"""Open-data API: published activities, their occasions, meeting places and categories (read-only, public).

No personal data leaves through here: no sign-ups, no head counts, no user accounts. An activity's contact
is given as name and phone only — the same details the activity page and the printed programme show, so
that people can ask and sign up by phone — while e-mail addresses are left out because a bulk, machine-
readable list of volunteers' addresses is what spammers harvest.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import pagination, permissions, serializers, viewsets

from portal import pagecache

from . import filters
from .models import Activity, Category, MeetingPlace, Occurrence
from .selectors import active_places, public_occurrences, published_activities


class OpenDataPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class ConditionalGetMixin:
    """Answer ``304 Not Modified`` when the client's ETag matches, and reuse rendered JSON until data changes.

    The rendered JSON is stored under a key made of the full path with its query, the language (names of
    categories and kinds are translated) and the ``Accept`` header, together with the public data version it
    was rendered for (:func:`portal.pagecache.read` reads both in one round trip; a stored answer for an
    older version counts as missing). The ETag covers the key and the version, so any change to public data
    or to the request gives a new one. ``Last-Modified`` is when this data version was first seen
    (:func:`portal.pagecache.version_seen_at`), for clients that only send ``If-Modified-Since``; the ETag,
    when sent, decides. Without a reachable cache the request is answered in full, without either.

    Public lists (every permission class ``AllowAny``) are also answered from the cache before the session
    and authentication middleware run: see :meth:`serve_early` and
    :class:`portal.middleware.PageCacheMiddleware`.
    """

    RENDERED_SECONDS = 300

    @staticmethod
    def cache_key(request) -> str:
        material = f"{request.get_full_path()}|{get_language()}|{request.headers.get('Accept', '')}"
        return "api:rendered:" + hashlib.blake2b(material.encode(), digest_size=20).hexdigest()

    @staticmethod
    def etag(found: pagecache.Found) -> str:
        material = f"{found.key}|{found.versions}"
        return '"' + hashlib.blake2b(material.encode(), digest_size=16).hexdigest() + '"'

    @staticmethod
    def finish(response, etag: str, last_modified: int | None):
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "public, max-age=60"
        patch_vary_headers(response, ["Accept"])
        return response

    @classmethod
    def from_cache(cls, request, found: pagecache.Found):
        """The stored answer (or ``304``) for ``found``, or ``None`` when nothing is stored for it."""
        if found.entry is None:
            return None
        etag, last_modified = cls.etag(found), found.entry["seen_at"]
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = HttpResponse(found.entry["content"], content_type="application/json")
        return cls.finish(response, etag, last_modified)

    @classmethod
    def serve_early(cls, request, args, kwargs):
        """A stored answer for a public list, before the middleware that loads sessions and users."""
        if request.method not in ("GET", "HEAD"):
            return None
        if not all(permission is permissions.AllowAny for permission in cls.permission_classes):
            return None
        found = pagecache.read(cls.cache_key(request))
        return cls.from_cache(request, found) if found is not None else None

    def dispatch(self, request, *args, **kwargs):
        found = pagecache.read(self.cache_key(request)) if request.method in ("GET", "HEAD") else None
        if found is None:
            return super().dispatch(request, *args, **kwargs)
        if (cached := self.from_cache(request, found)) is not None:
            return cached
        etag = self.etag(found)
        seen_at = pagecache.version_seen_at(found.versions[0])
        last_modified = int(seen_at) if seen_at is not None else None
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            if (
                last_modified is not None
                and getattr(response, "accepted_media_type", "") == "application/json"
            ):
                entry = {
                    "content": response.render().content,
                    "versions": found.versions,
                    "seen_at": last_modified,
                }
                pagecache.safe_set(found.key, entry, timeout=self.RENDERED_SECONDS)
        return self.finish(response, etag, last_modified)


class OpenDataViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    pagination_class = OpenDataPagination
    lookup_field = "slug"


def activity_url(activity: Activity) -> str:
    return f"{settings.SITE_URL}/aktiviteter/{activity.slug}/"


class LocalityBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class PlaceBriefSerializer(serializers.ModelSerializer):
    locality = LocalityBriefSerializer()

    class Meta:
        model = MeetingPlace
        fields = ["slug", "name", "kind", "address", "postal_code", "locality", "latitude", "longitude"]


class PlaceSerializer(serializers.ModelSerializer):
    locality = LocalityBriefSerializer()
    photo = serializers.SerializerMethodField()

    class Meta:
        model = MeetingPlace
        fields = [
            "slug",
            "name",
            "kind",
            "locality",
            "address",
            "postal_code",
            "latitude",
            "longitude",
            "opening_hours",
            "contact_phone",
            "contact_email",
            "description",
            "photo",
            "photo_alt",
            *MeetingPlace.ACCESSIBILITY_FIELDS,
        ]

    def get_photo(self, place: MeetingPlace) -> str | None:
        return f"{settings.SITE_URL}{place.photo.url}" if place.photo else None


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the language of the request.")

    class Meta:
        model = Category
        fields = ["slug", "name", "name_sv", "name_en", "is_cornerstone", "is_finger"]


class OrganiserSerializer(serializers.Serializer):
    name = serializers.CharField(source="organiser_name")
    association = serializers.SlugField(
        source="organiser_association.slug", allow_null=True, default=None, help_text="Slug, or null."
    )


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(source="contact_name")
    phone = serializers.CharField(source="contact_phone")


class ActivitySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    organiser = OrganiserSerializer(source="*")
    place = PlaceBriefSerializer(allow_null=True)
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    is_free = serializers.BooleanField()
    contact = ContactSerializer(source="*")

    class Meta:
        model = Activity
        fields = [
            "slug",
            "title",
            "description",
            "url",
            "organiser",
            "place",
            "online_url",
            "categories",
            "audience_note",
            "price_sek",
            "is_free",
            "languages",
            "accessibility_notes",
            "signup_required",
            "capacity",
            "waiting_list",
            "contact",
            "published_at",
            "updated_at",
        ]

    def get_url(self, activity: Activity) -> str:
        return activity_url(activity)


class ActivityBriefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    organiser = serializers.CharField(source="organiser_name")
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    is_free = serializers.BooleanField()

    class Meta:
        model = Activity
        fields = [
            "slug",
            "title",
            "url",
            "organiser",
            "categories",
            "price_sek",
            "is_free",
            "signup_required",
            "online_url",
        ]

    def get_url(self, activity: Activity) -> str:
        return activity_url(activity)


class OccurrenceSerializer(serializers.ModelSerializer):
    activity = ActivityBriefSerializer()
    place = PlaceBriefSerializer(source="venue", allow_null=True, help_text="This occasion's place.")

    class Meta:
        model = Occurrence
        fields = ["id", "activity", "starts_at", "ends_at", "place", "is_cancelled", "cancel_reason"]


@extend_schema_view(
    list=extend_schema(summary="Published activities", description="Every published activity, by title."),
    retrieve=extend_schema(summary="One published activity"),
)
class ActivityViewSet(OpenDataViewSet):
    """Published activities with organiser, place, categories, price and sign-up rules."""

    serializer_class = ActivitySerializer
    filterset_class = filters.ActivityFilter

    def get_queryset(self):
        return published_activities().order_by("title", "pk")


@extend_schema_view(
    list=extend_schema(
        summary="Occasions of published activities",
        description="By start time. Without date_from only occasions not yet over; cancelled occasions are "
        "included with is_cancelled and cancel_reason so that copies elsewhere can be updated.",
    ),
    retrieve=extend_schema(summary="One occasion"),
)
class OccurrenceViewSet(OpenDataViewSet):
    """Dated occasions of published activities, each with the place it is held at that time."""

    serializer_class = OccurrenceSerializer
    filterset_class = filters.OccurrenceFilter
    lookup_field = "pk"

    def get_queryset(self):
        return public_occurrences().order_by("starts_at", "activity__title", "pk")


@extend_schema_view(
    list=extend_schema(summary="Meeting places", description="Active meeting places, by name."),
    retrieve=extend_schema(summary="One meeting place"),
)
class PlaceViewSet(OpenDataViewSet):
    """Active meeting places with address, opening hours and accessibility facts."""

    serializer_class = PlaceSerializer
    filterset_class = filters.PlaceFilter

    def get_queryset(self):
        return active_places().order_by("name", "pk")


@extend_schema_view(
    list=extend_schema(summary="Activity categories"), retrieve=extend_schema(summary="One category")
)
class CategoryViewSet(OpenDataViewSet):
    """The categories activities are tagged with."""

    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return Category.objects.order_by("position", "slug")
