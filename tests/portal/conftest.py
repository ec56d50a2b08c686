"""Fixtures shared by the portal tests."""

import pytest

from ..factories import ActivityFactory, AssociationFactory, LocalityFactory, OccurrenceFactory


@pytest.fixture
def site(municipality):
    """A locality with an association in the directory and a published activity with one occasion."""
    hogsjo = LocalityFactory(name="Högsjö", slug="hogsjo")
    association = AssociationFactory(name="PRO Högsjö", slug="pro-hogsjo", show_in_directory=True)
    association.localities.add(hogsjo)
    walk = ActivityFactory(
        title="Promenadgrupp",
        slug="promenadgrupp",
        place__name="Högsjö bygdegård",
        place__slug="hogsjo-bygdegard",
        place__locality=hogsjo,
        organiser_association=association,
        signup_required=True,
        capacity=5,
    )
    occurrence = OccurrenceFactory(activity=walk)
    return {"locality": hogsjo, "association": association, "activity": walk, "occurrence": occurrence}
