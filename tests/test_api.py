import pytest
import yaml

from .factories import LocalityFactory

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_describes_the_v1_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/localities/", "/api/v1/welfaretech/recipients/"} <= set(schema["paths"])


def test_the_api_docs_are_served_without_any_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html


def test_localities_are_public_read_only(client):
    LocalityFactory(name="Viala", slug="viala")
    response = client.get("/api/v1/localities/")
    assert response.status_code == 200
    assert [loc["slug"] for loc in response.json()] == ["viala"]
    assert client.post("/api/v1/localities/", {"name": "X"}).status_code == 405


def test_an_unknown_object_is_a_json_404(client):
    response = client.get("/api/v1/localities/finns-inte/")
    assert response.status_code == 404
    assert response.json() == {"message": response.json()["message"], "field": None}


def test_validation_errors_have_message_and_field():
    from rest_framework.exceptions import ValidationError

    from config.api import exception_handler

    response = exception_handler(ValidationError({"events": [{}, {"kind": ["Not a valid choice."]}]}), {})
    assert response.status_code == 400
    assert response.data["field"] == "events[1].kind"
    assert response.data["message"] == "Not a valid choice."
    assert "errors" in response.data
