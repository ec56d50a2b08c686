"""Object rules: representatives reach only their own associations, home-care staff only their own
team's recipients — in selectors, and through the API as 404 rather than a hint that the object exists."""

import pytest

from accounts.roles import ADMIN, Role
from associations.selectors import associations_for
from welfaretech.selectors import recipients_for

from ..factories import AssociationFactory, CareRecipientFactory, CareTeamFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


def test_a_representative_reaches_only_their_own_associations(user_with_role):
    rep = user_with_role(Role.ASSOCIATION_REP)
    own = RepresentativeFactory(user=rep).association
    AssociationFactory()
    assert list(associations_for(rep)) == [own]


def test_a_coordinator_reaches_every_association(user_with_role):
    associations = {AssociationFactory(), AssociationFactory()}
    assert set(associations_for(user_with_role(Role.COORDINATOR))) == associations


@pytest.mark.parametrize("role", [Role.SENIOR, Role.HOMECARE_STAFF, Role.OFFICIAL, ADMIN, None])
def test_other_roles_reach_no_association(user_with_role, role):
    AssociationFactory()
    assert not associations_for(user_with_role(role)).exists()


def test_membership_of_an_association_without_the_role_grants_nothing(user_with_role):
    user = user_with_role(Role.SENIOR)
    RepresentativeFactory(user=user)
    assert not associations_for(user).exists()


class TestRecipients:
    @pytest.fixture
    def teams(self, user_with_role):
        staff = user_with_role(Role.HOMECARE_STAFF)
        own_team, other_team = CareTeamFactory(), CareTeamFactory()
        own_team.members.add(staff)
        own = CareRecipientFactory(team=own_team)
        other = CareRecipientFactory(team=other_team)
        return staff, own, other

    def test_home_care_staff_see_only_their_own_teams_recipients(self, teams):
        staff, own, _ = teams
        assert list(recipients_for(staff)) == [own]

    def test_the_welfare_tech_administrator_sees_every_recipient(self, teams, user_with_role):
        _, own, other = teams
        assert set(recipients_for(user_with_role(Role.WELFARETECH_ADMIN))) == {own, other}

    @pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OFFICIAL, Role.SENIOR, ADMIN])
    def test_no_one_else_sees_recipients(self, teams, user_with_role, role):
        assert not recipients_for(user_with_role(role)).exists()

    def test_api_lists_own_team_and_hides_other_teams_recipient_as_404(self, teams, client):
        staff, own, other = teams
        client.force_login(staff)
        listing = client.get("/api/v1/welfaretech/recipients/")
        assert [r["code"] for r in listing.json()["results"]] == [own.code]
        assert client.get(f"/api/v1/welfaretech/recipients/{own.pk}/").status_code == 200
        assert client.get(f"/api/v1/welfaretech/recipients/{other.pk}/").status_code == 404

    @pytest.mark.parametrize(("role", "status"), [(Role.COORDINATOR, 403), (ADMIN, 403), (Role.SENIOR, 403)])
    def test_api_refuses_roles_without_recipient_access(self, teams, client, user_with_role, role, status):
        client.force_login(user_with_role(role))
        response = client.get("/api/v1/welfaretech/recipients/")
        assert response.status_code == status
        assert response.json()["message"]

    def test_api_refuses_anonymous_callers_with_a_json_message(self, client):
        response = client.get("/api/v1/welfaretech/recipients/")
        assert response.status_code == 403
        assert set(response.json()) == {"message", "field"}

    def test_reading_recipients_is_audited(self, teams, client):
        from accounts.models import AuditEntry

        staff, own, _ = teams
        client.force_login(staff)
        client.get(f"/api/v1/welfaretech/recipients/{own.pk}/")
        entry = AuditEntry.objects.get(action="welfaretech.recipient.read")
        assert (entry.actor, entry.object_id) == (staff, str(own.pk))
