"""Who may enter which part of the back-office shell, and what the navigation shows them."""

import pytest

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role

pytestmark = pytest.mark.django_db

HOME, AUDIT = "/backoffice/", "/backoffice/granskningslogg/"

# role -> (status of HOME, status of AUDIT)
MATRIX = {
    Role.SENIOR: (403, 403),
    Role.ASSOCIATION_REP: (200, 403),
    Role.COORDINATOR: (200, 403),
    Role.HOMECARE_STAFF: (200, 403),
    Role.WELFARETECH_ADMIN: (200, 403),
    Role.OFFICIAL: (200, 403),
    ADMIN: (200, 200),
    None: (403, 403),  # signed in, no role
}


@pytest.mark.parametrize(("role", "expected"), MATRIX.items(), ids=[str(r) for r in MATRIX])
def test_role_matrix(client, user_with_role, role, expected):
    client.force_login(user_with_role(role))
    assert (client.get(HOME).status_code, client.get(AUDIT).status_code) == expected


@pytest.mark.parametrize("url", [HOME, AUDIT])
def test_anonymous_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_refused_request_is_audited(client, user_with_role):
    user = user_with_role(Role.COORDINATOR)
    client.force_login(user)
    client.get(AUDIT)
    entry = AuditEntry.objects.get(action="access.denied")
    assert (entry.actor, entry.outcome, entry.detail["path"]) == (user, "denied", AUDIT)


@pytest.mark.parametrize(("role", "sees_audit_log"), [(Role.COORDINATOR, False), (ADMIN, True)])
def test_navigation_shows_only_what_the_role_may_open(client, user_with_role, role, sees_audit_log):
    client.force_login(user_with_role(role))
    response = client.get(HOME)
    nav_urls = [item["url"] for item in response.context["backoffice_nav"]()]
    assert HOME in nav_urls
    assert (AUDIT in nav_urls) is sees_audit_log
    assert (f'href="{AUDIT}"' in response.content.decode()) is sees_audit_log


def test_every_navigation_item_declares_its_roles():
    from portal.navigation import BACKOFFICE_ITEMS

    for item in BACKOFFICE_ITEMS:
        assert item.required_roles(), item.url_name
