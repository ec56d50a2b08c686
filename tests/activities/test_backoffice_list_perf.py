"""The back-office activity list: a fixed number of queries, and filters that still filter.

The association and locality filters are offered as (pk, name) choices rather than model instances; these
tests pin down that the page behaves as it did with model choice fields.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from activities.models import Activity
from tests.factories import (
    ActivityFactory,
    AssociationFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/backoffice/aktiviteter/"


def activities(count: int, association=None) -> list[Activity]:
    """``count`` activities of different kinds: own associations and places, online, a municipal unit."""
    made = []
    for i in range(count):
        if i % 5 == 3:
            activity = ActivityFactory(
                organiser_association=association or AssociationFactory(),
                place=None,
                online_url="https://example.org/mote",
            )
        elif i % 5 == 4 and association is None:
            activity = ActivityFactory(organiser_association=None, organiser_unit="Kulturenheten")
        else:
            activity = ActivityFactory(organiser_association=association or AssociationFactory())
        OccurrenceFactory(activity=activity, starts_at=timezone.now() + timedelta(days=i + 1))
        OccurrenceFactory(activity=activity, starts_at=timezone.now() - timedelta(days=i + 1))
        made.append(activity)
    return made


def rows(response) -> list[str]:
    return re.findall(r'<a href="/backoffice/aktiviteter/\d+/">([^<]*)</a>', response.content.decode())


def coordinator(client):
    client.force_login(UserFactory(role=Role.COORDINATOR))


@pytest.mark.parametrize(
    "url",
    [BASE, f"{BASE}?q=Sitt&sort=-updated", f"{BASE}?status=published&sort=status"],
)
def test_the_coordinators_list_makes_as_many_queries_for_60_activities_as_for_5(
    client, django_assert_num_queries, url
):
    coordinator(client)
    activities(5)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    activities(55)
    with django_assert_num_queries(len(small)):
        response = client.get(url)
    assert len(rows(response)) == 25


def test_the_representatives_list_makes_as_many_queries_for_60_activities_as_for_5(
    client, django_assert_num_queries
):
    association = AssociationFactory()
    user = UserFactory(role=Role.ASSOCIATION_REP)
    RepresentativeFactory(user=user, association=association, role="activities")
    client.force_login(user)
    activities(5, association)
    with CaptureQueriesContext(connection) as small:
        assert client.get(BASE).status_code == 200
    activities(55, association)
    activities(3)  # other associations' activities are not listed
    with django_assert_num_queries(len(small)):
        response = client.get(BASE)
    assert len(rows(response)) == 25
    assert "Kulturenheten" not in response.content.decode()


def test_the_table_shows_organiser_place_and_next_date(client, english):
    coordinator(client)
    hall = MeetingPlaceFactory(name="Folkets hus", locality=LocalityFactory(name="Baggetorp"))
    at_hall = ActivityFactory(title="Boule", place=hall, organiser_association=AssociationFactory(name="PRO"))
    start = timezone.now() + timedelta(days=2)
    OccurrenceFactory(activity=at_hall, starts_at=start)
    ActivityFactory(
        title="Quiz",
        place=None,
        online_url="https://example.org/q",
        organiser_association=None,
        organiser_unit="Kulturenheten",
        status=Activity.Status.DRAFT,
    )

    content = client.get(BASE).content.decode()

    assert f'<a href="/backoffice/aktiviteter/{at_hall.pk}/">Boule</a>' in content
    assert '<td data-label="Organiser">PRO</td>' in content
    assert '<td data-label="Place">Folkets hus, Baggetorp</td>' in content
    assert f'<time datetime="{timezone.localtime(start).isoformat()}">' in content
    assert '<td data-label="Organiser">Kulturenheten</td>' in content
    assert '<td data-label="Place">Online</td>' in content
    assert '<span class="tag">Draft</span>' in content
    assert '<th scope="col">Next date</th>' in content
    assert "2 activities" in content


def test_the_association_filter_lists_only_that_associations_activities(client):
    coordinator(client)
    chosen, other = AssociationFactory(name="SPF Högsjö"), AssociationFactory(name="PRO Vingåker")
    ActivityFactory(title="Boule", organiser_association=chosen)
    ActivityFactory(title="Bingo", organiser_association=other)

    response = client.get(BASE, {"association": chosen.pk})

    assert rows(response) == ["Boule"]
    assert f'<option value="{chosen.pk}" selected>SPF Högsjö</option>' in response.content.decode()
    assert 'class="error-summary"' not in response.content.decode()


def test_the_locality_filter_lists_only_activities_held_there(client):
    coordinator(client)
    here = LocalityFactory(name="Högsjö")
    ActivityFactory(title="Boule", place=MeetingPlaceFactory(locality=here))
    ActivityFactory(title="Bingo")

    response = client.get(BASE, {"locality": here.pk})

    assert rows(response) == ["Boule"]
    assert f'<option value="{here.pk}" selected>Högsjö</option>' in response.content.decode()


def test_filters_combine_with_search_status_and_sort(client):
    coordinator(client)
    association = AssociationFactory()
    ActivityFactory(title="Sittgymnastik B", organiser_association=association)
    ActivityFactory(title="Sittgymnastik A", organiser_association=association)
    ActivityFactory(title="Sittgymnastik C", organiser_association=association, status=Activity.Status.DRAFT)
    ActivityFactory(title="Sittgymnastik D")

    response = client.get(BASE, {"association": association.pk, "status": "published", "q": "gymn"})

    assert rows(response) == ["Sittgymnastik A", "Sittgymnastik B"]
    assert '<option value="published" selected>' in response.content.decode()

    response = client.get(BASE, {"association": association.pk, "sort": "status", "q": "gymn"})

    # Drafts first, then the published ones in the order they were made.
    assert rows(response) == ["Sittgymnastik C", "Sittgymnastik B", "Sittgymnastik A"]
    assert '<option value="status" selected>' in response.content.decode()


@pytest.mark.parametrize("bad", ["999999", "abc", "1.5"])
@pytest.mark.parametrize("field", ["association", "locality"])
def test_an_unknown_association_or_locality_is_a_form_error_not_a_crash(client, english, field, bad):
    coordinator(client)
    ActivityFactory(title="Boule")

    response = client.get(BASE, {field: bad})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert (
        f'<a href="#id_{field}">{field.capitalize()}: Select a valid choice. '
        "That choice is not one of the available choices.</a>"
    ) in content
    assert 'aria-invalid="true"' in content
    assert rows(response) == ["Boule"]  # the invalid filter is not applied


def test_the_association_choices_are_all_associations_by_name_and_escaped(client, english):
    coordinator(client)
    AssociationFactory(name="Öppna <b>dörrar</b>")
    AssociationFactory(name="ABF")

    content = client.get(BASE).content.decode()

    select = re.search(r'<select name="association" id="id_association">(.*?)</select>', content, re.S)
    labels = re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))
    assert labels == ["All", "ABF", "Öppna &lt;b&gt;dörrar&lt;/b&gt;"]
    assert '<label class="label" for="id_association">Association</label>' in content


def test_a_representative_gets_no_association_or_locality_filter(client):
    association = AssociationFactory()
    user = UserFactory(role=Role.ASSOCIATION_REP)
    RepresentativeFactory(user=user, association=association, role="activities")
    client.force_login(user)

    content = client.get(BASE, {"association": "999999"}).content.decode()

    assert 'name="association"' not in content
    assert 'name="locality"' not in content
    assert 'class="error-summary"' not in content
