"""Register pages: who may open what (a matrix), what each page does, and constant query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from associations.models import Association, BoardMember, MemberCount, PaymentAccountChange, Representative
from tests.factories import LocalityFactory, UserFactory

from .factories import eligible_association
from .factories_register import (
    VALID_BANKGIRO,
    AnnualDocumentFactory,
    AssociationFactory,
    BoardMemberFactory,
    InvitationFactory,
    MemberCountFactory,
    PaymentAccountChangeFactory,
    coordinator,
    private_storage,  # noqa: F401 - fixture
    representative,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

OTHER_ROLES = [Role.SENIOR, Role.HOMECARE_STAFF, Role.WELFARETECH_ADMIN, Role.OFFICIAL, ADMIN, None]
ASSOCIATION_PAGES = ["detail", "board", "members", "payment", "documents"]
MANAGE_PAGES = ["edit", "people"]


def url(name: str, *args) -> str:
    return reverse(f"register:{name}", args=args)


# --- Permission matrix ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["list", "create", "review-queue"])
def test_coordinator_pages_are_for_coordinators_only(client, name):
    client.force_login(coordinator())
    assert client.get(url(name)).status_code == 200
    client.force_login(representative())
    assert client.get(url(name)).status_code == 403


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("name", ["list", "mine", "review-queue"])
def test_other_roles_are_refused_the_register(client, role, name):
    client.force_login(UserFactory(role=role))
    assert client.get(url(name)).status_code == 403


@pytest.mark.parametrize("name", ASSOCIATION_PAGES + MANAGE_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(url(name, AssociationFactory().pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("name", ASSOCIATION_PAGES + MANAGE_PAGES)
def test_other_roles_cannot_open_an_association(client, role, name):
    client.force_login(UserFactory(role=role))
    assert client.get(url(name, AssociationFactory().pk)).status_code == 403


@pytest.mark.parametrize("name", ASSOCIATION_PAGES + MANAGE_PAGES)
def test_representatives_get_404_for_other_associations(client, name):
    mine, theirs = AssociationFactory(), AssociationFactory()
    client.force_login(representative(mine))
    assert client.get(url(name, theirs.pk)).status_code == 404
    assert client.get(url(name, 999999)).status_code == 404


@pytest.mark.parametrize("role", list(Representative.Role.values))
@pytest.mark.parametrize("name", ASSOCIATION_PAGES)
def test_every_representative_reads_their_own_association(client, role, name):
    association = AssociationFactory()
    client.force_login(representative(association, role=role))
    assert client.get(url(name, association.pk)).status_code == 200


@pytest.mark.parametrize("role", ["grants", "activities"])
@pytest.mark.parametrize("name", MANAGE_PAGES)
def test_only_admins_manage_their_association(client, role, name):
    association = AssociationFactory()
    client.force_login(representative(association, role=role))
    assert client.get(url(name, association.pk)).status_code == 403
    client.force_login(representative(association, role="admin"))
    assert client.get(url(name, association.pk)).status_code == 200


def test_read_only_representatives_cannot_post_changes(client):
    association = AssociationFactory(name="Oförändrad")
    client.force_login(representative(association, role="activities"))
    posts = {
        "board": {"name": "X", "role": "chair", "period_start": "2025-01-01"},
        "members": {"year": 2024, "total": 1, "women": 1, "men": 0, "aged_65_plus": 1},
        "payment": {"method": "bankgiro", "account": VALID_BANKGIRO},
        "confirm": {},
        "documents": {},
    }
    for name, data in posts.items():
        assert client.post(url(name, association.pk), data).status_code == 403, name
    assert not BoardMember.objects.exists()
    assert not MemberCount.objects.exists()
    assert not PaymentAccountChange.objects.exists()


def test_id_guessing_across_associations_finds_nothing(client):
    mine, theirs = AssociationFactory(), AssociationFactory(name="Deras")
    admin = representative(mine)
    their_member = BoardMemberFactory(association=theirs)
    their_rep = theirs.memberships.create(user=UserFactory(role=Role.ASSOCIATION_REP), role="grants")
    their_invitation = InvitationFactory(association=theirs)
    client.force_login(admin)
    # The other association's objects under my association's address, and under theirs.
    for pk in (mine.pk, theirs.pk):
        assert client.get(url("board-member", pk, their_member.pk)).status_code == 404
        assert client.post(url("board-member-remove", pk, their_member.pk)).status_code == 404
        assert client.post(url("representative-remove", pk, their_rep.pk)).status_code == 404
        assert client.post(url("invitation-cancel", pk, their_invitation.pk)).status_code == 404
    assert client.post(url("edit", theirs.pk), {"name": "Kapad"}).status_code == 404
    assert BoardMember.objects.filter(pk=their_member.pk).exists()
    assert theirs.memberships.count() == 1
    their_invitation.refresh_from_db()
    assert their_invitation.cancelled_at is None
    assert Association.objects.get(pk=theirs.pk).name == "Deras"


def test_representatives_cannot_decide_payment_changes(client):
    change = PaymentAccountChangeFactory()
    client.force_login(representative(change.association))
    response = client.post(url("payment-decide", change.association_id, change.pk), {"decision": "approve"})
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.status == PaymentAccountChange.Status.PENDING


def test_denials_are_audited(client):
    client.force_login(representative())
    client.get(url("list"))
    assert AuditEntry.objects.filter(action="access.denied", outcome="denied").count() == 1


# --- Coordinator list -------------------------------------------------------------------------------


def test_list_searches_sorts_and_paginates(client, english):
    client.force_login(coordinator())
    AssociationFactory(name="Aktiva Seniorer", city="Baljan")
    AssociationFactory(name="Bygdegårdsföreningen")
    response = client.get(url("list"), {"q": "balj"})
    assert [a.name for a in response.context["page"]] == ["Aktiva Seniorer"]
    assert "1 association" in response.content.decode()
    response = client.get(url("list"), {"sort": "-name"})
    assert [a.name for a in response.context["page"]] == ["Bygdegårdsföreningen", "Aktiva Seniorer"]
    assert 'aria-sort="descending"' in response.content.decode()
    AssociationFactory.create_batch(25)
    response = client.get(url("list"), {"page": 2, "sort": "name"})
    assert len(response.context["page"]) == 2
    assert "sort=name&amp;page=1" in response.content.decode()


def test_list_shows_an_empty_state(client, english):
    client.force_login(coordinator())
    response = client.get(url("list"), {"q": "finns inte"})
    assert "No associations match your search." in response.content.decode()


def test_list_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries):
    client.force_login(coordinator())
    place = LocalityFactory()
    for association in AssociationFactory.create_batch(3):
        association.localities.add(place)
    with django_assert_max_num_queries(12) as few:
        client.get(url("list"))
    for association in AssociationFactory.create_batch(20):
        association.localities.add(place, LocalityFactory())
        MemberCountFactory(association=association)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("list"))


def test_review_queue_query_count_is_constant(client, django_assert_max_num_queries):
    client.force_login(coordinator())
    AnnualDocumentFactory.create_batch(2, uploaded_by=UserFactory())
    with django_assert_max_num_queries(12) as few:
        client.get(url("review-queue"))
    AnnualDocumentFactory.create_batch(15, uploaded_by=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("review-queue"))
    assert len(response.context["page"]) == 17


def test_documents_page_query_count_is_constant(client, django_assert_max_num_queries):
    association = AssociationFactory()
    admin = representative(association)
    client.force_login(admin)
    AnnualDocumentFactory(association=association, uploaded_by=admin)
    with django_assert_max_num_queries(25) as few:
        client.get(url("documents", association.pk))
    AnnualDocumentFactory.create_batch(12, association=association, uploaded_by=admin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("documents", association.pk))


# --- My associations --------------------------------------------------------------------------------


def test_a_representative_of_one_association_goes_straight_to_it(client):
    association = AssociationFactory()
    client.force_login(representative(association))
    response = client.get(url("mine"))
    assert response.status_code == 302
    assert response["Location"] == url("detail", association.pk)


def test_a_representative_of_several_sees_a_list_of_their_own(client):
    first = AssociationFactory(name="Första")
    person = representative(first)
    Representative.objects.create(association=AssociationFactory(name="Andra"), user=person, role="grants")
    AssociationFactory(name="Någon annans")
    client.force_login(person)
    content = client.get(url("mine")).content.decode()
    assert "Första" in content and "Andra" in content
    assert "Någon annans" not in content


# --- Association pages ------------------------------------------------------------------------------


def test_detail_shows_eligibility_for_this_year_and_next(client, english):
    association = AssociationFactory()
    client.force_login(representative(association))
    response = client.get(url("detail", association.pk))
    year = timezone.localdate().year
    assert [result.year for result in response.context["eligibility"]] == [year, year + 1]
    content = response.content.decode()
    assert "have not been confirmed this year" in content
    assert "Eligibility for grants" in content


def test_admin_edits_and_confirms_base_data(client, english):
    association = AssociationFactory(name="Gammalt namn")
    client.force_login(representative(association))
    data = {
        "name": "PRO Vingåker",
        "org_number": "8024735592",
        "kind": "pensionarsforening",
        "email": "pro@example.org",
    }
    response = client.post(url("edit", association.pk), data)
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.name, association.org_number) == ("PRO Vingåker", "802473-5592")
    client.post(url("confirm", association.pk))
    association.refresh_from_db()
    assert association.base_data_confirmed_in(timezone.localdate().year)


def test_edit_errors_are_summarised_and_linked_to_the_field(client, english):
    association = AssociationFactory()
    client.force_login(representative(association))
    response = client.post(
        url("edit", association.pk),
        {"name": "X", "org_number": "802473-5593", "kind": "pensionarsforening", "email": "a@example.org"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert 'href="#id_org_number"' in content
    assert "This organisation number is not valid" in content


def test_representatives_edit_form_has_no_active_switch_but_coordinators_does(client):
    association = AssociationFactory()
    client.force_login(representative(association))
    assert "is_active" not in client.get(url("edit", association.pk)).context["form"].fields
    client.force_login(coordinator())
    assert "is_active" in client.get(url("edit", association.pk)).context["form"].fields


def test_coordinator_adds_an_association(client):
    client.force_login(coordinator())
    response = client.post(
        url("create"),
        {"name": "Ny förening", "kind": "kulturforening", "email": "ny@example.org", "is_active": "on"},
    )
    association = Association.objects.get(name="Ny förening")
    assert response["Location"] == url("detail", association.pk)


def test_board_members_are_added_changed_and_removed_on_the_page(client):
    association = AssociationFactory()
    client.force_login(representative(association))
    client.post(
        url("board", association.pk), {"name": "Karin", "role": "chair", "period_start": "2025-01-01"}
    )
    member = association.board_members.get()
    client.post(
        url("board-member", association.pk, member.pk),
        {"name": "Karin Ek", "role": "chair", "period_start": "2025-01-01"},
    )
    member.refresh_from_db()
    assert member.name == "Karin Ek"
    client.post(url("board-member-remove", association.pk, member.pk))
    assert not association.board_members.exists()


def test_member_counts_on_the_page(client, english):
    association = AssociationFactory()
    client.force_login(representative(association))
    response = client.post(
        url("members", association.pk), {"year": 2024, "total": 5, "women": 4, "men": 4, "aged_65_plus": 5}
    )
    assert "Women and men together (8)" in response.content.decode()
    client.post(
        url("members", association.pk), {"year": 2024, "total": 8, "women": 4, "men": 4, "aged_65_plus": 5}
    )
    assert association.member_counts.get().total == 8


def test_payment_account_request_and_approval_through_the_pages(client, on_commit):
    association = AssociationFactory()
    client.force_login(representative(association))
    client.post(url("payment", association.pk), {"method": "bankgiro", "account": VALID_BANKGIRO})
    change = association.payment_account_changes.get()
    association.refresh_from_db()
    assert association.payment_account == ""

    client.force_login(coordinator())
    assert client.get(url("payment", association.pk)).context["decision_form"] is not None
    with on_commit(execute=True):
        response = client.post(url("payment-decide", association.pk, change.pk), {"decision": "approve"})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.payment_account == "50501055"


def test_rejecting_a_payment_change_without_a_comment_shows_the_error(client, english):
    change = PaymentAccountChangeFactory()
    client.force_login(coordinator())
    response = client.post(url("payment-decide", change.association_id, change.pk), {"decision": "reject"})
    assert response.status_code == 400
    assert "Say why the change is rejected." in response.content.decode()


def test_coordinator_sets_the_account_directly(client):
    association = AssociationFactory()
    client.force_login(coordinator())
    client.post(url("payment", association.pk), {"method": "plusgiro", "account": "90 20 01-7"})
    association.refresh_from_db()
    assert association.payment_account_display == "902001-7"
    assert not association.payment_account_changes.exists()


def test_people_page_invites_withdraws_and_removes(client, on_commit):
    association = AssociationFactory()
    admin = representative(association)
    helper = representative(association, role="activities")
    client.force_login(admin)
    with on_commit(execute=True):
        client.post(url("people", association.pk), {"email": "ny@example.org", "role": "grants"})
    invitation = association.invitations.get()
    client.post(url("invitation-cancel", association.pk, invitation.pk))
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    client.post(url("representative-remove", association.pk, association.memberships.get(user=helper).pk))
    assert list(association.memberships.values_list("user", flat=True)) == [admin.pk]


def test_the_last_admin_is_told_why_they_cannot_be_removed(client, english):
    association = AssociationFactory()
    admin = representative(association)
    client.force_login(admin)
    response = client.post(
        url("representative-remove", association.pk, association.memberships.get().pk), follow=True
    )
    assert "only administrator" in response.content.decode()
    assert association.memberships.count() == 1


def test_every_page_renders_full_data_for_a_coordinator(client):
    association = AssociationFactory(
        email="pro@example.org", payment_method="bankgiro", payment_account="50501055", website="https://x.se"
    )
    association.localities.add(LocalityFactory())
    BoardMemberFactory(association=association, email="ordf@example.org", phone="070-1")
    MemberCountFactory(association=association)
    PaymentAccountChangeFactory(association=association, requested_by=representative(association))
    InvitationFactory(association=association)
    document = AnnualDocumentFactory(association=association)
    AnnualDocumentFactory(association=association, status="returned", review_comment="Fel år")
    client.force_login(coordinator())
    for name in ASSOCIATION_PAGES + MANAGE_PAGES:
        response = client.get(url(name, association.pk))
        assert response.status_code == 200, name
        assert response.context["is_coordinator"] is True
    assert (
        client.get(url("board-member", association.pk, association.board_members.get().pk)).status_code == 200
    )
    response = client.get(reverse("register:document-review", args=[document.pk]))
    assert response.status_code == 200
    assert client.get(url("list")).status_code == 200


def test_list_shows_and_filters_eligibility_for_this_year(client):
    eligible = eligible_association(name="Behörig")
    AssociationFactory(name="Obehörig")
    client.force_login(coordinator())
    response = client.get(url("list"))
    assert {a.name: a.eligible_now for a in response.context["page"]} == {"Behörig": True, "Obehörig": False}
    assert [a.name for a in client.get(url("list"), {"eligible": "yes"}).context["page"]] == [eligible.name]
    assert [a.name for a in client.get(url("list"), {"eligible": "no"}).context["page"]] == ["Obehörig"]


def test_detail_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries):
    association = AssociationFactory()
    admin = representative(association)
    client.force_login(admin)
    with django_assert_max_num_queries(30) as few:
        client.get(url("detail", association.pk))
    for _ in range(5):
        association.localities.add(LocalityFactory())
        BoardMemberFactory(association=association)
        AnnualDocumentFactory(association=association, uploaded_by=admin)
    MemberCountFactory(association=association)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("detail", association.pk))
