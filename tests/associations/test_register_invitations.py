"""Accepting an invitation: the link works for the invited address only, signed in or after signing up."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.roles import Role, has_role
from associations.models import Representative
from tests.factories import PASSWORD, UserFactory

from .factories_register import AssociationFactory, InvitationFactory, representative

pytestmark = pytest.mark.django_db


def invitation_url(invitation) -> str:
    return reverse("register:invitation", args=[invitation.token])


def test_anonymous_visitors_are_asked_to_sign_in_or_sign_up_with_the_invited_address(client, english):
    invitation = InvitationFactory(email="ny@example.org")
    response = client.get(invitation_url(invitation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "ny@example.org" in content
    next_query = urlencode({"next": invitation_url(invitation)})
    assert f'href="{reverse("account_login")}?{next_query}"' in content
    assert f'href="{reverse("account_signup")}?{next_query}"' in content
    assert client.post(invitation_url(invitation)).status_code == 403
    assert not Representative.objects.exists()


def test_the_invited_person_accepts_and_lands_on_the_association(client):
    invitation = InvitationFactory(email="ny@example.org", role="grants")
    person = UserFactory(email="ny@example.org")
    client.force_login(person)
    assert client.get(invitation_url(invitation)).context["matches"] is True
    response = client.post(invitation_url(invitation))
    assert response["Location"] == reverse("register:detail", args=[invitation.association_id])
    assert has_role(person, Role.ASSOCIATION_REP)
    assert client.get(response["Location"]).status_code == 200


def test_someone_else_holding_the_link_cannot_accept(client, english):
    invitation = InvitationFactory(email="ny@example.org")
    client.force_login(UserFactory(email="annan@example.org"))
    response = client.get(invitation_url(invitation))
    assert "Sign out and sign in with ny@example.org" in response.content.decode()
    client.post(invitation_url(invitation))
    assert not Representative.objects.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize("state", ["expires_at", "cancelled_at", "accepted_at"])
def test_closed_invitations_say_so(client, english, state):
    invitation = InvitationFactory(email="ny@example.org", **{state: timezone.now()})
    client.force_login(UserFactory(email="ny@example.org"))
    response = client.post(invitation_url(invitation))
    assert response.status_code == 410
    assert "can no longer be used" in response.content.decode()
    assert not Representative.objects.exists()


def test_unknown_tokens_are_not_found(client):
    assert client.get(reverse("register:invitation", args=["gissad-token"])).status_code == 404


def test_invite_sign_up_confirm_and_accept_end_to_end(client, on_commit):
    association = AssociationFactory(name="PRO Vingåker")
    admin = representative(association)
    client.force_login(admin)
    with on_commit(execute=True):
        client.post(
            reverse("register:people", args=[association.pk]), {"email": "ny@example.org", "role": "grants"}
        )
    link = re.search(r"https?://\S+/backoffice/foreningar/inbjudan/\S+/", mail.outbox[0].body).group(0)
    path = link[link.index("/backoffice/") :]
    client.logout()

    with on_commit(execute=True):
        client.post(
            f"{reverse('account_signup')}?next={path}",
            {"email": "ny@example.org", "password1": PASSWORD, "password2": PASSWORD, "next": path},
        )
    confirm = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    client.post(confirm[confirm.index("/accounts/") :])
    response = client.post(path)
    assert response.status_code == 302
    member = Representative.objects.get(user__email="ny@example.org")
    assert (member.association, member.role) == (association, "grants")
