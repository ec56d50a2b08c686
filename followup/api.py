"""Follow-up API for signed-in officials (and, with the same visibility rules as the dashboards,
coordinators and welfare-tech administrators): the indicator catalogue, one indicator's figures with its
periods and a split, and a Kolada-style table. Figures are suppressed below 5 exactly as on screen; every
read of figures is written to the audit log.

Routes (registered in config/urls.py)::

    router.register("followup/indicators", IndicatorViewSet, basename="followup-indicator")
    router.register("followup/kolada", KoladaViewSet, basename="followup-kolada")
"""

from datetime import date

from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts import audit
from accounts.access import HasRole
from portal.models import Locality

from . import exports
from .indicators import (
    EXTRA_SPLITS,
    GRANULARITIES,
    SPLITS,
    VIEW_ROLES,
    Result,
    Value,
    evaluate,
    supported_splits,
    visible_indicators,
)
from .models import Indicator

MAX_DAYS = 366 * 5


class IndicatorSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    splits = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "unit",
            "source",
            "direction",
            "domain",
            "splits",
            "baseline_value",
            "baseline_period",
            "target_value",
            "target_year",
            "owner",
            "is_key",
        ]

    def get_splits(self, indicator: Indicator) -> list[str]:
        return list(supported_splits(indicator))


class ValueSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    suppressed = serializers.BooleanField()
    display = serializers.CharField()

    def to_representation(self, instance: Value) -> dict:
        return {
            "value": None if instance.value is None else str(instance.value),
            "suppressed": instance.suppressed,
            "display": instance.display(),
        }


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = ValueSerializer()


class ResultSerializer(serializers.Serializer):
    indicator = IndicatorSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    granularity = serializers.ChoiceField(choices=GRANULARITIES)
    locality = serializers.SerializerMethodField()
    sex = serializers.CharField(allow_null=True)
    total = ValueSerializer()
    periods = RowSerializer(many=True)
    split = serializers.CharField(allow_null=True)
    rows = RowSerializer(many=True)

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Locality slug or null."))
    def get_locality(self, result: Result) -> str | None:
        return result.locality.slug if result.locality else None


class ParamsSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    granularity = serializers.ChoiceField(choices=GRANULARITIES, default="quarter")
    split = serializers.ChoiceField(choices=SPLITS + EXTRA_SPLITS, required=False, allow_blank=True)
    locality = serializers.SlugRelatedField(
        slug_field="slug", queryset=Locality.objects.all(), required=False
    )
    sex = serializers.ChoiceField(choices=["K", "M", "T"], required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        today = date.today()
        attrs.setdefault("date_to", today)
        attrs.setdefault("date_from", date(attrs["date_to"].year, 1, 1))
        if attrs["date_to"] < attrs["date_from"]:
            raise ValidationError({"date_to": "date_to must not be before date_from."})
        if (attrs["date_to"] - attrs["date_from"]).days > MAX_DAYS:
            raise ValidationError({"date_from": "At most five years at a time."})
        attrs["split"] = attrs.get("split") or None
        attrs["sex"] = None if attrs.get("sex") in (None, "", "T") else attrs["sex"]
        return attrs


PARAMETERS = [
    OpenApiParameter("date_from", str, OpenApiParameter.QUERY, description="First day (YYYY-MM-DD)."),
    OpenApiParameter("date_to", str, OpenApiParameter.QUERY, description="Last day, inclusive."),
    OpenApiParameter("granularity", str, OpenApiParameter.QUERY, enum=list(GRANULARITIES)),
    OpenApiParameter("split", str, OpenApiParameter.QUERY, enum=list(SPLITS + EXTRA_SPLITS)),
    OpenApiParameter("locality", str, OpenApiParameter.QUERY, description="Locality slug."),
    OpenApiParameter("sex", str, OpenApiParameter.QUERY, enum=["T", "K", "M"]),
]


def _params(request) -> dict:
    params = ParamsSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """The indicators the caller may see; retrieving one computes its figures."""

    serializer_class = IndicatorSerializer
    permission_classes = [HasRole.of(*VIEW_ROLES)]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    pagination_class = None

    def get_queryset(self):
        return visible_indicators(self.request.user)

    @extend_schema(parameters=PARAMETERS, responses=ResultSerializer)
    def retrieve(self, request, *args, **kwargs):
        indicator = self.get_object()
        params = _params(request)
        if params["split"] and params["split"] not in supported_splits(indicator):
            raise ValidationError({"split": f"{indicator.code} cannot be split by {params['split']}."})
        result: Result = evaluate(indicator, **params)
        audit.record(
            "followup.export",
            request=request,
            obj=indicator,
            format="api",
            date_from=params["date_from"].isoformat(),
            date_to=params["date_to"].isoformat(),
            split=params["split"] or "",
        )
        return Response(ResultSerializer(result).data)


KOLADA_PARAMETERS = [
    OpenApiParameter("date_from", str, OpenApiParameter.QUERY, description="First day (YYYY-MM-DD)."),
    OpenApiParameter("date_to", str, OpenApiParameter.QUERY, description="Last day, inclusive."),
    OpenApiParameter("granularity", str, OpenApiParameter.QUERY, enum=list(GRANULARITIES)),
    OpenApiParameter("kpi", str, OpenApiParameter.QUERY, description="Comma-separated indicator codes."),
]


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class KoladaPeriodField(serializers.JSONField):
    """A year as a number (2025), any other period as text (2025Q1, 2025-03)."""


class KoladaViewSet(viewsets.ViewSet):
    """Kolada-style values (kpi, municipality, period, gender T/K/M, value) for the visible indicators."""

    permission_classes = [HasRole.of(*VIEW_ROLES)]

    @extend_schema(
        parameters=KOLADA_PARAMETERS,
        # One object (count and values), not a list, although this is the viewset's "list" action.
        responses=set_override(
            inline_serializer(
                "KoladaResponse",
                {
                    "count": serializers.IntegerField(),
                    "values": inline_serializer(
                        "KoladaEntry",
                        {
                            "kpi": serializers.CharField(),
                            "municipality": serializers.CharField(),
                            "period": KoladaPeriodField(),
                            "values": inline_serializer(
                                "KoladaValue",
                                {
                                    "gender": serializers.ChoiceField(choices=["T", "K", "M"]),
                                    "status": serializers.CharField(),
                                    "value": serializers.FloatField(allow_null=True),
                                },
                                many=True,
                            ),
                        },
                        many=True,
                    ),
                },
            ),
            "many",
            False,
        ),
    )
    def list(self, request, *args, **kwargs):
        params = ParamsSerializer(
            data={
                key: request.query_params[key]
                for key in ("date_from", "date_to")
                if key in request.query_params
            }
            | {"granularity": request.query_params.get("granularity", "year")}
        )
        params.is_valid(raise_exception=True)
        data = params.validated_data
        indicators = visible_indicators(request.user)
        codes = [code.strip() for code in request.query_params.get("kpi", "").split(",") if code.strip()]
        if codes:
            indicators = indicators.filter(code__in=codes)
        rows = exports.kolada_rows(
            list(indicators),
            date_from=data["date_from"],
            date_to=data["date_to"],
            granularity=data["granularity"],
        )
        audit.record(
            "followup.export",
            request=request,
            object_type="followup.indicator",
            format="kolada-api",
            indicators=[i.code for i in indicators],
            date_from=data["date_from"].isoformat(),
            date_to=data["date_to"].isoformat(),
        )
        return Response(exports.kolada_json(rows))
