"""Register services: who may do what, what is written, what is audited and who is e-mailed."""

from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role, has_role
from associations import services
from associations.models import (
    AnnualDocument,
    Association,
    Invitation,
    MemberCount,
    PaymentAccountChange,
    Representative,
)
from tests.factories import LocalityFactory, UserFactory

from .factories_register import (
    PDF_BYTES,
    VALID_BANKGIRO,
    AnnualDocumentFactory,
    AssociationFactory,
    BoardMemberFactory,
    InvitationFactory,
    PaymentAccountChangeFactory,
    coordinator,
    pdf_upload,
    private_storage,  # noqa: F401 - fixture
    representative,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


# --- Base data --------------------------------------------------------------------------------------


def test_coordinator_creates_an_association_with_a_unique_slug_and_normalised_org_number():
    AssociationFactory(name="PRO Marmorbyn", slug="pro-marmorbyn")
    place = LocalityFactory()
    association = services.create_association(
        actor=coordinator(), name="PRO Marmorbyn", org_number="8024735592", localities=[place]
    )
    assert association.slug == "pro-marmorbyn-2"
    assert association.org_number == "802473-5592"
    assert list(association.localities.all()) == [place]
    assert actions() == ["associations.association.create"]


def test_representatives_cannot_create_associations():
    with pytest.raises(PermissionDenied):
        services.create_association(actor=representative(), name="Ny förening")
    assert not Association.objects.filter(name="Ny förening").exists()


def test_an_invalid_org_number_is_refused_by_the_service_too():
    with pytest.raises(ValidationError) as error:
        services.create_association(actor=coordinator(), name="Fel", org_number="802473-5593")
    assert "org_number" in error.value.message_dict


def test_admin_updates_base_data_and_the_changed_fields_are_audited():
    association = AssociationFactory(name="Gamla namnet")
    admin = representative(association)
    place = LocalityFactory()
    services.update_base_data(association, actor=admin, name="Nya namnet", localities=[place])
    association.refresh_from_db()
    assert association.name == "Nya namnet"
    entry = AuditEntry.objects.get(action="associations.association.update")
    assert entry.actor == admin
    assert entry.detail["fields"] == ["localities", "name"]


@pytest.mark.parametrize("role", [Representative.Role.GRANTS, Representative.Role.ACTIVITIES])
def test_representatives_without_the_admin_role_cannot_change_base_data(role):
    association = AssociationFactory(name="Oförändrad")
    with pytest.raises(PermissionDenied):
        services.update_base_data(association, actor=representative(association, role=role), name="Ändrad")
    association.refresh_from_db()
    assert association.name == "Oförändrad"


def test_an_admin_of_another_association_cannot_change_it():
    association = AssociationFactory()
    with pytest.raises(PermissionDenied):
        services.update_base_data(association, actor=representative(), name="Kapad")


def test_only_coordinators_may_deactivate_an_association():
    association = AssociationFactory()
    with pytest.raises(PermissionDenied):
        services.update_base_data(association, actor=representative(association), is_active=False)
    services.update_base_data(association, actor=coordinator(), is_active=False)
    association.refresh_from_db()
    assert association.is_active is False


def test_representatives_cannot_set_the_payment_account_through_base_data():
    association = AssociationFactory()
    with pytest.raises(PermissionDenied):
        services.update_base_data(
            association, actor=representative(association), payment_method="bankgiro", payment_account="1"
        )


def test_confirming_base_data_counts_for_this_year():
    association = AssociationFactory()
    services.confirm_base_data(association, actor=representative(association))
    association.refresh_from_db()
    assert association.base_data_confirmed_in(timezone.localdate().year)
    assert actions() == ["associations.association.confirm"]


# --- Board and members ------------------------------------------------------------------------------


def test_board_members_are_added_changed_and_removed_with_audit():
    association = AssociationFactory()
    admin = representative(association)
    member = services.add_board_member(
        association, actor=admin, name="Karin Ek", role="chair", period_start=date(2025, 3, 1)
    )
    services.update_board_member(member, actor=admin, role="treasurer")
    member.refresh_from_db()
    assert member.role == "treasurer"
    services.remove_board_member(member, actor=admin)
    assert not association.board_members.exists()
    assert actions() == ["associations.board.add", "associations.board.update", "associations.board.remove"]


def test_a_board_period_cannot_end_before_it_starts():
    association = AssociationFactory()
    with pytest.raises(ValidationError) as error:
        services.add_board_member(
            association,
            actor=coordinator(),
            name="Per",
            role="member",
            period_start=date(2025, 3, 1),
            period_end=date(2025, 2, 1),
        )
    assert "period_end" in error.value.message_dict


def test_another_associations_admin_cannot_remove_a_board_member():
    member = BoardMemberFactory()
    with pytest.raises(PermissionDenied):
        services.remove_board_member(member, actor=representative())
    assert member.association.board_members.count() == 1


def test_member_counts_are_saved_once_per_year_and_corrected_in_place():
    association = AssociationFactory()
    admin = representative(association)
    services.save_member_count(
        association, actor=admin, year=2024, total=100, women=60, men=40, aged_65_plus=90
    )
    services.save_member_count(
        association, actor=admin, year=2024, total=101, women=60, men=41, aged_65_plus=90
    )
    assert MemberCount.objects.get(association=association, year=2024).total == 101
    assert actions() == ["associations.members.create", "associations.members.update"]


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"total": 10, "women": 6, "men": 5, "aged_65_plus": 5}, "total"),
        ({"total": 10, "women": 5, "men": 5, "aged_65_plus": 11}, "aged_65_plus"),
    ],
)
def test_member_counts_must_fit_together(counts, field, english):
    association = AssociationFactory()
    with pytest.raises(ValidationError) as error:
        services.save_member_count(association, actor=coordinator(), year=2024, **counts)
    assert field in error.value.message_dict
    assert not MemberCount.objects.exists()


# --- Payment account --------------------------------------------------------------------------------


def test_a_representative_requests_a_change_and_the_account_is_unchanged_until_approved(on_commit):
    association = AssociationFactory(email="styrelsen@example.org")
    admin = representative(association)
    change = services.request_payment_account_change(
        association, actor=admin, method="bankgiro", account=VALID_BANKGIRO
    )
    association.refresh_from_db()
    assert association.payment_account == ""
    assert change.status == PaymentAccountChange.Status.PENDING
    assert change.account == "50501055"

    with on_commit(execute=True):
        services.approve_payment_account_change(change, actor=coordinator())
    association.refresh_from_db()
    assert association.payment_method == "bankgiro"
    assert association.payment_account_display == "5050-1055"
    assert actions() == ["associations.payment_account.request", "associations.payment_account.approve"]
    assert [message.to for message in mail.outbox] == [["styrelsen@example.org", admin.email]]


def test_only_one_change_may_wait_at_a_time():
    association = AssociationFactory()
    admin = representative(association)
    services.request_payment_account_change(
        association, actor=admin, method="bankgiro", account=VALID_BANKGIRO
    )
    with pytest.raises(ValidationError) as error:
        services.request_payment_account_change(
            association, actor=admin, method="plusgiro", account="9020017"
        )
    assert error.value.code == "pending"


@pytest.mark.parametrize("account", ["5050-1056", "12", "abc"])
def test_invalid_accounts_are_refused(account):
    association = AssociationFactory()
    with pytest.raises(ValidationError):
        services.request_payment_account_change(
            association, actor=representative(association), method="bankgiro", account=account
        )
    assert not PaymentAccountChange.objects.exists()


def test_a_representative_cannot_approve_a_change_not_even_their_own():
    change = PaymentAccountChangeFactory()
    admin = representative(change.association)
    with pytest.raises(PermissionDenied):
        services.approve_payment_account_change(change, actor=admin)
    change.association.refresh_from_db()
    assert change.association.payment_account == ""


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.WELFARETECH_ADMIN, None])
def test_only_coordinators_set_the_account_directly(role):
    association = AssociationFactory()
    with pytest.raises(PermissionDenied):
        services.set_payment_account(
            association, actor=UserFactory(role=role), method="bankgiro", account=VALID_BANKGIRO
        )


def test_rejecting_needs_a_reason_and_keeps_the_old_account(on_commit):
    association = AssociationFactory(
        payment_method="plusgiro", payment_account="9020017", email="a@example.org"
    )
    change = PaymentAccountChangeFactory(association=association)
    with pytest.raises(ValidationError):
        services.reject_payment_account_change(change, actor=coordinator(), comment=" ")
    with on_commit(execute=True):
        services.reject_payment_account_change(change, actor=coordinator(), comment="Fel bankgiro.")
    association.refresh_from_db()
    assert association.payment_account == "9020017"
    change.refresh_from_db()
    assert change.status == PaymentAccountChange.Status.REJECTED
    assert len(mail.outbox) == 1


def test_a_decided_change_cannot_be_decided_again():
    change = PaymentAccountChangeFactory(status=PaymentAccountChange.Status.REJECTED)
    with pytest.raises(ValidationError):
        services.approve_payment_account_change(change, actor=coordinator())


def test_a_coordinator_setting_the_account_closes_a_waiting_request():
    change = PaymentAccountChangeFactory()
    services.set_payment_account(
        change.association, actor=coordinator(), method="plusgiro", account="9020017"
    )
    change.refresh_from_db()
    assert change.status == PaymentAccountChange.Status.REJECTED
    entry = AuditEntry.objects.get(action="associations.payment_account.set")
    assert entry.detail == {"previous": "", "account": "902001-7"}


# --- Invitations and representatives ----------------------------------------------------------------


def test_an_admin_invites_by_email_with_a_link_valid_for_14_days(on_commit):
    association = AssociationFactory(name="PRO Vingåker")
    admin = representative(association)
    with on_commit(execute=True):
        invitation = services.invite_representative(
            association, actor=admin, email="ny@example.org", role=Representative.Role.GRANTS
        )
    assert (invitation.expires_at - timezone.now()).days == 13
    [message] = mail.outbox
    assert message.to == ["ny@example.org"]
    assert "PRO Vingåker" in message.subject
    assert f"/backoffice/foreningar/inbjudan/{invitation.token}/" in message.body
    assert actions() == ["associations.invitation.send"]


def test_grant_representatives_cannot_invite():
    association = AssociationFactory()
    with pytest.raises(PermissionDenied):
        services.invite_representative(
            association, actor=representative(association, role="grants"), email="x@example.org", role="admin"
        )


def test_existing_members_and_open_invitations_are_not_invited_twice():
    association = AssociationFactory()
    admin = representative(association)
    with pytest.raises(ValidationError):
        services.invite_representative(association, actor=admin, email=admin.email.upper(), role="grants")
    services.invite_representative(association, actor=admin, email="ny@example.org", role="grants")
    with pytest.raises(ValidationError):
        services.invite_representative(association, actor=admin, email="NY@example.org", role="grants")


def test_accepting_gives_the_role_and_a_representative_row():
    invitation = InvitationFactory(email="Ny@Example.org", role=Representative.Role.GRANTS)
    person = UserFactory(email="ny@example.org")
    services.accept_invitation(invitation, user=person)
    assert has_role(person, Role.ASSOCIATION_REP)
    assert Representative.objects.get(user=person).role == Representative.Role.GRANTS
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert actions() == ["associations.invitation.accept"]


def test_accepting_with_another_address_is_refused():
    invitation = InvitationFactory(email="ny@example.org")
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(invitation, user=UserFactory(email="annan@example.org"))
    assert error.value.code == "wrong_email"
    assert not Representative.objects.exists()


@pytest.mark.parametrize(
    "state",
    [
        {"expires_at": timezone.now()},
        {"cancelled_at": timezone.now()},
        {"accepted_at": timezone.now()},
    ],
)
def test_closed_invitations_cannot_be_accepted(state):
    invitation = InvitationFactory(email="ny@example.org", **state)
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(invitation, user=UserFactory(email="ny@example.org"))
    assert error.value.code == "closed"


def test_cancelling_an_invitation():
    invitation = InvitationFactory()
    admin = representative(invitation.association)
    services.cancel_invitation(invitation, actor=admin)
    invitation.refresh_from_db()
    assert not invitation.is_open
    with pytest.raises(ValidationError):
        services.cancel_invitation(invitation, actor=admin)


def test_another_associations_admin_cannot_cancel_an_invitation():
    invitation = InvitationFactory()
    with pytest.raises(PermissionDenied):
        services.cancel_invitation(invitation, actor=representative())
    assert Invitation.objects.get().cancelled_at is None


def test_the_last_admin_cannot_be_removed_but_others_can():
    association = AssociationFactory()
    admin = representative(association)
    helper = representative(association, role="activities")
    with pytest.raises(ValidationError) as error:
        services.remove_representative(association.memberships.get(user=admin), actor=admin)
    assert error.value.code == "last_admin"
    services.remove_representative(association.memberships.get(user=helper), actor=admin)
    assert list(association.memberships.values_list("user", flat=True)) == [admin.pk]
    helper.__dict__.pop("_role_cache", None)
    assert not has_role(helper, Role.ASSOCIATION_REP), "no association left: the role goes too"


def test_a_second_admin_makes_the_first_removable_and_other_memberships_keep_the_role():
    association, other = AssociationFactory(), AssociationFactory()
    first = representative(association)
    second = representative(association)
    Representative.objects.create(association=other, user=first, role="grants")
    services.remove_representative(association.memberships.get(user=first), actor=second)
    first.__dict__.pop("_role_cache", None)
    assert has_role(first, Role.ASSOCIATION_REP)
    assert actions() == ["associations.representative.remove"]


# --- Documents --------------------------------------------------------------------------------------


def test_uploading_stores_the_file_privately_with_its_checked_type(settings):
    association = AssociationFactory()
    rep = representative(association, role="grants")
    document = services.upload_document(
        association, actor=rep, year=2025, kind="agm_minutes", uploaded_file=pdf_upload("Protokoll.pdf")
    )
    assert document.status == AnnualDocument.Status.SUBMITTED
    assert document.content_type == "application/pdf"
    assert document.original_name == "Protokoll.pdf"
    assert not document.file.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - private files have no address
    assert document.file.read() == PDF_BYTES
    assert "Protokoll" not in document.file.name
    assert actions() == ["associations.document.upload"]


def test_activity_representatives_cannot_upload_documents():
    association = AssociationFactory()
    with pytest.raises(PermissionDenied):
        services.upload_document(
            association,
            actor=representative(association, role="activities"),
            year=2025,
            kind="agm_minutes",
            uploaded_file=pdf_upload(),
        )


def stored_files() -> set[Path]:
    root = Path(AnnualDocument._meta.get_field("file").storage.location)
    return {path for path in root.rglob("*") if path.is_file()}


def test_a_renamed_executable_is_refused_by_the_service():
    association = AssociationFactory()
    before = stored_files()
    with pytest.raises(ValidationError) as error:
        services.upload_document(
            association,
            actor=representative(association),
            year=2025,
            kind="agm_minutes",
            uploaded_file=pdf_upload("protokoll.pdf", b"MZ\x90\x00" + b"\x00" * 64),
        )
    assert error.value.code == "content"
    assert not AnnualDocument.objects.exists()
    assert stored_files() == before


def test_approving_and_returning_documents_email_the_association(on_commit):
    association = AssociationFactory(email="forening@example.org")
    first, second = AnnualDocumentFactory.create_batch(2, association=association)
    reviewer = coordinator()
    with on_commit(execute=True):
        services.approve_document(first, actor=reviewer)
        services.return_document(second, actor=reviewer, comment="Underskrift saknas.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == AnnualDocument.Status.APPROVED and first.reviewed_by == reviewer
    assert second.status == AnnualDocument.Status.RETURNED
    assert [m.to for m in mail.outbox] == [["forening@example.org"], ["forening@example.org"]]
    # Sent in the site's language (Swedish): check what does not depend on the wording.
    assert all(association.name in message.subject for message in mail.outbox)
    assert mail.outbox[0].subject != mail.outbox[1].subject
    assert f"/backoffice/foreningar/{association.pk}/dokument/" in mail.outbox[1].body
    assert "Underskrift saknas." in mail.outbox[1].body
    assert actions() == ["associations.document.approve", "associations.document.return"]


def test_returning_needs_a_comment_and_a_reviewed_document_stays_reviewed():
    document = AnnualDocumentFactory()
    with pytest.raises(ValidationError):
        services.return_document(document, actor=coordinator(), comment="")
    services.approve_document(document, actor=coordinator())
    with pytest.raises(ValidationError):
        services.return_document(document, actor=coordinator(), comment="Ändrade mig")
    document.refresh_from_db()
    assert document.status == AnnualDocument.Status.APPROVED


def test_representatives_cannot_review_documents():
    document = AnnualDocumentFactory()
    with pytest.raises(PermissionDenied):
        services.approve_document(document, actor=representative(document.association))
    document.refresh_from_db()
    assert document.status == AnnualDocument.Status.SUBMITTED


def test_an_unknown_role_is_refused():
    association = AssociationFactory()
    with pytest.raises(ValidationError) as error:
        services.invite_representative(association, actor=coordinator(), email="x@example.org", role="owner")
    assert "role" in error.value.message_dict
    assert not Invitation.objects.exists()
