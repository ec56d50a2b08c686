"""The public association API: only listed associations, public fields, locality and kind filters in the
OpenAPI schema."""

import pytest
import yaml

from associations.models import Association

from ..factories import LocalityFactory
from .factories import AssociationFactory, representative

pytestmark = pytest.mark.django_db
URL = "/api/v1/associations/"


@pytest.fixture
def listed():
    lappe, hogsjo = LocalityFactory(slug="lappe", name="Läppe"), LocalityFactory(slug="hogsjo", name="Högsjö")
    pro = AssociationFactory(
        name="PRO Läppe",
        show_in_directory=True,
        kind=Association.Kind.PENSIONERS,
        org_number="802000-0000",
        payment_method="bankgiro",
        payment_account="56781234",
    )
    pro.localities.set([lappe])
    representative(pro, email="person@example.org")
    choir = AssociationFactory(name="Kören", show_in_directory=True, kind=Association.Kind.CULTURE)
    choir.localities.set([lappe, hogsjo])
    AssociationFactory(name="Hemlig", show_in_directory=False)
    AssociationFactory(name="Vilande", show_in_directory=True, is_active=False)
    return pro


def _names(response) -> list[str]:
    assert response.status_code == 200
    return [item["name"] for item in response.json()["results"]]


def test_lists_only_active_associations_that_opted_in(client, listed):
    assert _names(client.get(URL)) == ["Kören", "PRO Läppe"]


def test_only_public_fields(client, listed):
    [item] = [i for i in client.get(URL).json()["results"] if i["name"] == "PRO Läppe"]
    assert set(item) == {"slug", "name", "kind", "localities", "purpose", "email", "phone", "website"}
    text = client.get(URL).content.decode()
    assert "802000-0000" not in text and "56781234" not in text and "person@example.org" not in text


def test_filter_by_locality_and_kind(client, listed):
    assert _names(client.get(URL, {"locality": "hogsjo"})) == ["Kören"]
    assert _names(client.get(URL, {"locality": "lappe"})) == ["Kören", "PRO Läppe"]
    assert _names(client.get(URL, {"kind": Association.Kind.PENSIONERS})) == ["PRO Läppe"]
    assert _names(client.get(URL, {"locality": "lappe", "kind": Association.Kind.CULTURE})) == ["Kören"]


def test_unknown_filter_values_are_rejected(client, listed):
    assert client.get(URL, {"locality": "nowhere"}).status_code == 400
    assert client.get(URL, {"kind": "secret-society"}).status_code == 400


def test_hidden_association_is_not_found_by_slug(client, listed):
    hidden = Association.objects.get(name="Hemlig")
    assert client.get(f"{URL}{hidden.slug}/").status_code == 404
    assert client.get(f"{URL}{listed.slug}/").status_code == 200


def test_read_only(client, listed):
    assert client.post(URL, {"name": "Ny"}).status_code in (401, 403, 405)


def test_filters_are_in_the_openapi_schema(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    parameters = {p["name"]: p for p in schema["paths"][URL]["get"]["parameters"]}
    assert parameters["locality"]["schema"]["type"] == "string"
    assert set(parameters["kind"]["schema"]["enum"]) == set(Association.Kind.values)
    assert parameters["locality"]["in"] == parameters["kind"]["in"] == "query"
