"""The OpenAPI schema describes the open-data endpoints, their filters and what they really return."""

from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from activities.models import Category, MeetingPlace

from .factories import ActivityFactory, AssociationFactory, LocalityFactory, OccurrenceFactory

pytestmark = pytest.mark.django_db

PUBLIC_LISTS = ["activities", "occurrences", "places", "categories", "associations", "localities"]


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", [])}


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return resolve(schema, node["allOf"][0])
    return node


def item_schema(schema: dict, path: str) -> dict:
    body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    body = resolve(schema, body)
    if body.get("type") == "array":
        return resolve(schema, body["items"])
    return resolve(schema, body["properties"]["results"]["items"])


def test_every_public_list_is_described_and_read_only(schema):
    for name in PUBLIC_LISTS:
        operations = schema["paths"][f"/api/v1/{name}/"]
        assert set(operations) == {"get"}, name


@pytest.mark.parametrize("path", ["/api/v1/activities/", "/api/v1/occurrences/"])
def test_the_design_filters_are_described_with_types(schema, path):
    found = parameters(schema, path)
    assert found["locality"]["schema"]["type"] == "string"
    assert found["category"]["schema"]["type"] == "string"
    assert found["date_from"]["schema"] == {"type": "string", "format": "date"}
    assert found["date_to"]["schema"] == {"type": "string", "format": "date"}
    assert found["search"]["schema"]["type"] == "string"
    assert found["is_free"]["schema"]["type"] == "boolean"
    assert found["page_size"]["schema"]["type"] == "integer"
    assert all(found[name].get("description") for name in ("locality", "category", "search", "is_free"))


def test_choice_filters_publish_their_enum_values(schema):
    kind = parameters(schema, "/api/v1/places/")["kind"]["schema"]
    assert set(kind["enum"]) == set(MeetingPlace.Kind.values)
    place = item_schema(schema, "/api/v1/places/")
    assert set(resolve(schema, place["properties"]["kind"])["enum"]) == set(MeetingPlace.Kind.values)


@pytest.mark.parametrize("name", ["activities", "occurrences", "places", "categories", "associations"])
def test_responses_have_exactly_the_described_fields(client, schema, name):
    locality = LocalityFactory(slug="hogsjo")
    activity = ActivityFactory()
    activity.categories.add(Category.objects.get(slug="halsa"))
    OccurrenceFactory(activity=activity, starts_at=timezone.now() + timedelta(days=1))
    AssociationFactory(show_in_directory=True).localities.add(locality)

    body = client.get(f"/api/v1/{name}/").json()
    item = (body if isinstance(body, list) else body["results"])[0]
    described = item_schema(schema, f"/api/v1/{name}/")
    assert set(item) == set(described["properties"])
    for field, value in item.items():
        kind = resolve(schema, described["properties"][field]).get("type")
        if value is None or kind is None:
            continue
        expected = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}[kind]
        assert isinstance(value, expected), (field, value, kind)
