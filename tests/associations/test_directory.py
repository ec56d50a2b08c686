"""The public association directory shows only associations that opted in, and only public fields."""

import pytest

from associations.models import Association

from ..factories import ActivityFactory, AssociationFactory, LocalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(municipality):
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    listed = AssociationFactory(
        name="PRO Högsjö", slug="pro-hogsjo", show_in_directory=True, org_number="802000-0000",
        email="pro@example.org", kind=Association.Kind.PENSIONERS,
    )  # fmt: skip
    listed.localities.add(hogsjo)
    AssociationFactory(name="Hemlig förening", slug="hemlig", show_in_directory=False)
    AssociationFactory(name="Nedlagd förening", slug="nedlagd", show_in_directory=True, is_active=False)
    AssociationFactory(
        name="Kulturföreningen", slug="kultur", show_in_directory=True, kind=Association.Kind.CULTURE
    )
    return listed


def test_lists_only_active_associations_that_opted_in(client, listed):
    content = client.get("/foreningar/").content.decode()
    assert "PRO Högsjö" in content and "Kulturföreningen" in content
    assert "Hemlig förening" not in content and "Nedlagd förening" not in content


def test_filters_by_locality_and_kind(client, listed):
    content = client.get("/foreningar/", {"locality": "hogsjo"}).content.decode()
    assert "PRO Högsjö" in content and "Kulturföreningen" not in content
    content = client.get("/foreningar/", {"kind": Association.Kind.CULTURE}).content.decode()
    assert "Kulturföreningen" in content and "PRO Högsjö" not in content


def test_bad_filter_is_a_form_error(client, listed):
    response = client.get("/foreningar/", {"kind": "bogus"})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()


def test_page_shows_public_fields_and_published_activities(client, listed):
    ActivityFactory(title="Sittgymnastik", organiser_association=listed)
    ActivityFactory(title="Utkast", organiser_association=listed, status="draft")
    content = client.get("/foreningar/pro-hogsjo/").content.decode()
    assert "pro@example.org" in content and "Sittgymnastik" in content
    assert "Utkast" not in content and "802000-0000" not in content


@pytest.mark.parametrize("slug", ["hemlig", "nedlagd", "finns-inte"])
def test_unlisted_or_unknown_is_not_found(client, listed, slug):
    assert client.get(f"/foreningar/{slug}/").status_code == 404


def test_query_count_is_constant(client, listed, django_assert_max_num_queries):
    hogsjo = LocalityFactory(slug="hogsjo")
    for association in AssociationFactory.create_batch(30, show_in_directory=True):
        association.localities.add(hogsjo)
    with django_assert_max_num_queries(6):
        client.get("/foreningar/")


@pytest.mark.django_db
def test_a_listed_associations_logo_is_shown_with_its_description(client, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    association = AssociationFactory(show_in_directory=True, logo_alt="En blå fågel över en sjö")
    association.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    page = client.get(f"/foreningar/{association.slug}/").content.decode()
    assert 'alt="En blå fågel över en sjö"' in page
    assert association.logo.url in page
