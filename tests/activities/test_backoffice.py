"""Back-office pages for activities: who may open what, forms and their errors, exports, query counts."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from activities import exports
from activities.models import Activity, Attendance, MeetingPlace, Occurrence
from tests.factories import (
    ActivityFactory,
    ActivitySuggestionFactory,
    AssociationFactory,
    CategoryFactory,
    ContactMessageFactory,
    LocalityFactory,
    MeetingPlaceFactory,
    OccurrenceFactory,
    RegistrationFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/backoffice/aktiviteter/"


def representative(association, role="activities"):
    user = UserFactory(role=Role.ASSOCIATION_REP)
    RepresentativeFactory(user=user, association=association, role=role)
    return user


@pytest.fixture
def world():
    """One association's draft activity with a coming and a past date, and one of each reference object."""
    own = AssociationFactory()
    activity = ActivityFactory(organiser_association=own, status=Activity.Status.PENDING)
    coming = OccurrenceFactory(activity=activity)
    past = OccurrenceFactory(activity=activity, starts_at=timezone.now() - timedelta(days=2))
    return {
        "own": own,
        "activity": activity,
        "coming": coming,
        "past": past,
        "place": activity.place,
        "category": CategoryFactory(),
        "locality": activity.place.locality,
        "suggestion": ActivitySuggestionFactory(),
        "question": ContactMessageFactory(),
    }


def urls(w) -> dict[str, str]:
    """Every GET page added, by the kind of access it needs."""
    a, c, p = w["activity"].pk, w["coming"].pk, w["past"].pk
    return {
        # Any organiser (representative or coordinator):
        "list": ("organiser", BASE),
        "create": ("organiser", f"{BASE}ny/"),
        # The organiser's own representatives and coordinators; others 404:
        "detail": ("own", f"{BASE}{a}/"),
        "edit": ("own", f"{BASE}{a}/andra/"),
        "preview": ("own", f"{BASE}{a}/forhandsvisning/"),
        "occurrence": ("own", f"{BASE}tillfalle/{c}/"),
        "export": ("own", f"{BASE}tillfalle/{c}/anmalningar.csv"),
        "print": ("own", f"{BASE}tillfalle/{c}/narvarolista/"),
        "occurrence-cancel": ("own", f"{BASE}tillfalle/{c}/stall-in/"),
        "attendance": ("own", f"{BASE}tillfalle/{p}/narvaro/"),
        # Coordinators only:
        "return": ("coordinator", f"{BASE}{a}/skicka-tillbaka/"),
        "cancel": ("coordinator", f"{BASE}{a}/stall-in/"),
        "moderation": ("coordinator", f"{BASE}granskning/"),
        "suggestion": ("coordinator", f"{BASE}granskning/tips/{w['suggestion'].pk}/"),
        "suggestion-reject": ("coordinator", f"{BASE}granskning/tips/{w['suggestion'].pk}/avvisa/"),
        "places": ("coordinator", f"{BASE}motesplatser/"),
        "place-create": ("coordinator", f"{BASE}motesplatser/ny/"),
        "place-edit": ("coordinator", f"{BASE}motesplatser/{w['place'].pk}/"),
        "place-delete": ("coordinator", f"{BASE}motesplatser/{w['place'].pk}/ta-bort/"),
        "categories": ("coordinator", f"{BASE}kategorier/"),
        "category-create": ("coordinator", f"{BASE}kategorier/ny/"),
        "category-edit": ("coordinator", f"{BASE}kategorier/{w['category'].pk}/"),
        "localities": ("coordinator", f"{BASE}orter/"),
        "locality-create": ("coordinator", f"{BASE}orter/ny/"),
        "locality-edit": ("coordinator", f"{BASE}orter/{w['locality'].pk}/"),
        "inbox": ("coordinator", "/backoffice/fragor/"),
        "question": ("coordinator", f"/backoffice/fragor/{w['question'].pk}/"),
    }


# who -> {kind of page: expected status}
EXPECTED = {
    "anonymous": {"organiser": 302, "own": 302, "coordinator": 302},
    Role.SENIOR: {"organiser": 403, "own": 403, "coordinator": 403},
    "rep_own": {"organiser": 200, "own": 200, "coordinator": 403},
    "rep_other": {"organiser": 200, "own": 404, "coordinator": 403},
    Role.COORDINATOR: {"organiser": 200, "own": 200, "coordinator": 200},
    Role.HOMECARE_STAFF: {"organiser": 403, "own": 403, "coordinator": 403},
    Role.WELFARETECH_ADMIN: {"organiser": 403, "own": 403, "coordinator": 403},
    Role.OFFICIAL: {"organiser": 403, "own": 403, "coordinator": 403},
    ADMIN: {"organiser": 403, "own": 403, "coordinator": 403},
}


def make_user(who, world):
    if who == "anonymous":
        return None
    if who == "rep_own":
        return representative(world["own"])
    if who == "rep_other":
        return representative(AssociationFactory())
    return UserFactory(role=who)


@pytest.mark.parametrize("who", EXPECTED, ids=[str(w) for w in EXPECTED])
def test_role_matrix(client, world, who):
    user = make_user(who, world)
    if user:
        client.force_login(user)
    got = {name: client.get(url).status_code for name, (_kind, url) in urls(world).items()}
    expected = {name: EXPECTED[who][kind] for name, (kind, _url) in urls(world).items()}
    assert got == expected


def test_a_grants_only_representative_reads_sign_ups_but_cannot_edit(client, world):
    client.force_login(representative(world["own"], role="grants"))
    assert client.get(f"{BASE}{world['activity'].pk}/").status_code == 200
    assert client.get(f"{BASE}{world['activity'].pk}/andra/").status_code == 404


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        ("rep_other", "skicka-till-granskning", 404),
        ("rep_own", "publicera", 403),
        ("rep_other", "nytt-tillfalle", 404),
        (Role.SENIOR, "publicera", 403),
    ],
)
def test_post_only_actions_are_guarded(client, world, who, action, expected):
    client.force_login(make_user(who, world))
    assert client.post(f"{BASE}{world['activity'].pk}/{action}/").status_code == expected


def test_navigation_shows_each_role_only_its_pages(client, world):
    client.force_login(representative(world["own"]))
    nav = [item["url"] for item in client.get("/backoffice/").context["backoffice_nav"]()]
    assert BASE in nav
    assert f"{BASE}granskning/" not in nav
    assert "/backoffice/fragor/" not in nav
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.get(f"{BASE}granskning/")
    nav = response.context["backoffice_nav"]()
    assert {f"{BASE}granskning/", f"{BASE}motesplatser/", "/backoffice/fragor/"} <= {i["url"] for i in nav}
    assert [i["url"] for i in nav if i["current"]] == [f"{BASE}granskning/"]


# --- Creating and editing ----------------------------------------------------------------------------


def form_data(association, place, **overrides):
    start = timezone.localdate() + timedelta(days=1)
    data = {
        "title": "Stickcafé",
        "description": "Vi stickar och fikar.",
        "organiser_association": association.pk,
        "place": place.pk,
        "categories": [CategoryFactory().pk],
        "price_sek": "20",
        "languages": "svenska, finska",
        "contact_name": "Anna",
        "contact_email": "anna@example.org",
        "rules-TOTAL_FORMS": "1",
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "10",
        "rules-0-frequency": "weekly",
        "rules-0-weekdays": [str(start.weekday())],
        "rules-0-start_date": start.isoformat(),
        "rules-0-end_date": (start + timedelta(days=27)).isoformat(),
        "rules-0-start_time": "14:00",
        "rules-0-end_time": "16:00",
        "rules-0-exceptions": (start + timedelta(days=7)).isoformat(),
    }
    data.update(overrides)
    return data


def test_a_representative_creates_a_weekly_activity_as_a_draft(client):
    association = AssociationFactory()
    user = representative(association)
    client.force_login(user)
    response = client.post(f"{BASE}ny/", form_data(association, MeetingPlaceFactory()))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{activity.pk}/forhandsvisning/"
    assert (activity.status, activity.slug, activity.languages) == (
        "draft",
        "stickcafe",
        ["svenska", "finska"],
    )
    assert activity.occurrences.count() == 3  # four weeks, one left out
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert "Stickcafé" in preview.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"rules-0-exceptions": "24/12"}, "exceptions", "is not a date"),
        ({"rules-0-end_time": "13:00"}, "end_time", "after the start time"),
        ({"rules-0-end_date": "2000-01-01"}, "end_date", "on or after the first date"),
        ({"rules-0-frequency": "monthly"}, "week_of_month", "which week"),
        ({"rules-0-weekdays": []}, "weekdays", "required"),
        ({"rules-0-end_date": "2099-01-01"}, "end_date", "at most two years"),
    ],
)
def test_recurrence_errors_are_shown_next_to_the_field_and_in_the_summary(client, overrides, field, message):
    association = AssociationFactory()
    client.force_login(representative(association))
    response = client.post(
        f"{BASE}ny/", form_data(association, MeetingPlaceFactory(), **overrides), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors
    assert field in errors
    assert message in str(errors[field]).replace("This field is required", "required")
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert f'href="#id_rules-0-{field}' in html
    assert not Activity.objects.exists()


def test_a_representative_cannot_pick_another_association_in_the_form(client):
    association = AssociationFactory()
    client.force_login(representative(association))
    response = client.post(f"{BASE}ny/", form_data(AssociationFactory(), MeetingPlaceFactory()))
    assert response.status_code == 200
    assert "organiser_association" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_edit_keeps_the_rules_and_adds_a_single_date(client, world):
    client.force_login(representative(world["own"]))
    activity = world["activity"]
    data = form_data(world["own"], world["place"], title="Nytt namn")
    assert client.post(f"{BASE}{activity.pk}/andra/", data).status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.status) == ("Nytt namn", "pending")
    day = timezone.localdate() + timedelta(days=40)
    response = client.post(
        f"{BASE}{activity.pk}/nytt-tillfalle/",
        {"day": day.isoformat(), "start_time": "18:00", "end_time": "19:00"},
    )
    assert response.status_code == 302
    assert activity.occurrences.filter(starts_at__date=day).exists()


def test_submit_and_publish_from_the_queue(client, world):
    activity = world["activity"]
    Activity.objects.filter(pk=activity.pk).update(status="draft")
    client.force_login(representative(world["own"]))
    client.post(f"{BASE}{activity.pk}/skicka-till-granskning/")
    activity.refresh_from_db()
    assert activity.status == "pending"
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.post(f"{BASE}{activity.pk}/publicera/", {"from": "queue"})
    assert response["Location"] == f"{BASE}granskning/"
    activity.refresh_from_db()
    assert activity.status == "published"


def test_an_illegal_transition_is_explained_not_crashed(client, world):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    Activity.objects.filter(pk=world["activity"].pk).update(status="cancelled")
    response = client.post(f"{BASE}{world['activity'].pk}/publicera/", follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_return_to_draft_needs_a_comment_and_shows_it_to_the_organiser(client, world):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    url = f"{BASE}{world['activity'].pk}/skicka-tillbaka/"
    assert "comment" in client.post(url, {"comment": ""}).context["form"].errors
    client.post(url, {"comment": "Lägg till ett telefonnummer."})
    client.force_login(representative(world["own"]))
    assert "Lägg till ett telefonnummer." in client.get(f"{BASE}{world['activity'].pk}/").content.decode()


def test_accepting_a_suggestion_leads_to_the_new_draft(client, world):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.post(
        f"{BASE}granskning/tips/{world['suggestion'].pk}/",
        {"organiser_unit": "Fritidsenheten", "place": world["place"].pk},
    )
    draft = Activity.objects.get(suggestions=world["suggestion"])
    assert response["Location"] == f"{BASE}{draft.pk}/andra/"


# --- Sign-ups, export, attendance --------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_prefixes_formula_starts(start):
    assert exports.neutralise(f"{start}1+1") == f"'{start}1+1"


def test_neutralise_leaves_ordinary_values():
    assert [exports.neutralise(v) for v in ("Anna", 3, None, "070-1")] == ["Anna", "3", "", "070-1"]


def test_csv_export_neutralises_injected_formulas_and_is_audited(client, world):
    RegistrationFactory(
        occurrence=world["coming"],
        guest_name='=HYPERLINK("http://evil.example","klicka")',
        guest_phone="+46701",
    )
    RegistrationFactory(occurrence=world["coming"], guest_name="Berit", guest_email="berit@example.org")
    client.force_login(representative(world["own"]))
    response = client.get(f"{BASE}tillfalle/{world['coming'].pk}/anmalningar.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 3
    assert rows[1].startswith("\"'=HYPERLINK(") and ";'+46701;" in rows[1]
    assert rows[2].startswith("Berit;")
    assert AuditEntry.objects.get(action="activities.registrations.export").detail == {"rows": 2}


def test_the_printable_list_shows_only_active_sign_ups(client, world):
    RegistrationFactory(occurrence=world["coming"], guest_name="Kvar")
    RegistrationFactory(occurrence=world["coming"], guest_name="Avbokad", status="cancelled")
    client.force_login(UserFactory(role=Role.COORDINATOR))
    html = client.get(f"{BASE}tillfalle/{world['coming'].pk}/narvarolista/").content.decode()
    assert "Kvar" in html and "Avbokad" not in html


@pytest.mark.parametrize("bad", ["-1", "2.5", "abc", "1000"])
def test_attendance_rejects_bad_counts(client, world, bad):
    client.force_login(representative(world["own"]))
    data = dict.fromkeys(Attendance.COUNT_FIELDS, "0") | {"women_75_84": bad}
    response = client.post(f"{BASE}tillfalle/{world['past'].pk}/narvaro/", data)
    assert response.status_code == 200
    assert "women_75_84" in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_attendance_is_saved_for_a_past_occasion_and_refused_for_a_coming_one(client, world):
    user = representative(world["own"])
    client.force_login(user)
    data = dict.fromkeys(Attendance.COUNT_FIELDS, "1")
    assert client.post(f"{BASE}tillfalle/{world['past'].pk}/narvaro/", data).status_code == 302
    assert Attendance.objects.get().total == 7
    response = client.post(f"{BASE}tillfalle/{world['coming'].pk}/narvaro/", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_cancelling_an_occasion_asks_for_a_reason_first(client, world):
    client.force_login(representative(world["own"]))
    url = f"{BASE}tillfalle/{world['coming'].pk}/stall-in/"
    assert "reason" in client.post(url, {"reason": ""}).context["form"].errors
    client.post(url, {"reason": "Ledaren är sjuk."})
    world["coming"].refresh_from_db()
    assert world["coming"].is_cancelled


# --- Meeting places ----------------------------------------------------------------------------------


def png(size=(4, 4)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, "white").save(data, "PNG")
    data.seek(0)
    data.name = "bild.png"
    return data


def place_data(locality, **overrides):
    return {
        "name": "Bygdegården",
        "kind": "bygdegard",
        "locality": locality.pk,
        "is_active": "on",
        **overrides,
    }


def test_a_place_photo_needs_alt_text_and_must_be_an_image(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    locality = LocalityFactory()
    client.force_login(UserFactory(role=Role.COORDINATOR))
    url = f"{BASE}motesplatser/ny/"
    no_alt = client.post(url, place_data(locality, photo=png()))
    assert "photo_alt" in no_alt.context["form"].errors
    fake = io.BytesIO(b"<?php echo 1; ?>")
    fake.name = "bild.png"
    assert "photo" in client.post(url, place_data(locality, photo=fake, photo_alt="x")).context["form"].errors
    response = client.post(
        url, place_data(locality, photo=png(), photo_alt="Ett rött hus", step_free_entrance="on")
    )
    assert response.status_code == 302
    place = MeetingPlace.objects.get()
    assert (place.slug, place.step_free_entrance, place.photo_alt) == ("bygdegarden", True, "Ett rött hus")


def test_a_too_large_photo_is_refused(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    big = io.BytesIO(b"\0" * (5 * 1024 * 1024 + 1))
    big.name = "stor.png"
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.post(f"{BASE}motesplatser/ny/", place_data(LocalityFactory(), photo=big, photo_alt="x"))
    assert "5 MB" in str(response.context["form"].errors["photo"])


def test_a_place_in_use_is_not_removed(client, world):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.post(f"{BASE}motesplatser/{world['place'].pk}/ta-bort/", follow=True)
    assert MeetingPlace.objects.filter(pk=world["place"].pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_categories_and_localities_are_edited(client):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    client.post(f"{BASE}kategorier/ny/", {"name_sv": "Dans", "name_en": "Dance", "position": "3"})
    client.post(
        f"{BASE}orter/ny/", {"name": "Österåker", "is_rural": "on", "latitude": "59.1", "longitude": "16.0"}
    )
    assert CategoryFactory._meta.model.objects.get(slug="dans").name_en == "Dance"
    assert LocalityFactory._meta.model.objects.get(name="Österåker").slug == "osteraker"


# --- Query counts ------------------------------------------------------------------------------------


def grow(association, n: int) -> None:
    """``n`` more activities of ``association`` with dates, sign-ups, attendance and moderation work."""
    for i in range(n):
        activity = ActivityFactory(organiser_association=association, status=Activity.Status.PENDING)
        occurrence = OccurrenceFactory(activity=activity)
        RegistrationFactory(occurrence=occurrence)
        past = OccurrenceFactory(activity=activity, starts_at=timezone.now() - timedelta(days=i + 1))
        Attendance.objects.create(occurrence=past, others=2)
        ActivitySuggestionFactory()
        ContactMessageFactory()
        CategoryFactory()


def page_urls(association) -> list[str]:
    activity = Activity.objects.filter(organiser_association=association).order_by("pk").first()
    occurrence = Occurrence.objects.filter(activity=activity).order_by("starts_at").last()
    return [
        BASE,
        f"{BASE}?q=Sitt&sort=-updated",
        f"{BASE}{activity.pk}/",
        f"{BASE}{activity.pk}/?past=1",
        f"{BASE}{activity.pk}/forhandsvisning/",
        f"{BASE}tillfalle/{occurrence.pk}/",
        f"{BASE}tillfalle/{occurrence.pk}/narvarolista/",
        f"{BASE}granskning/",
        f"{BASE}motesplatser/",
        f"{BASE}kategorier/",
        f"{BASE}orter/",
        "/backoffice/fragor/",
    ]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_query_counts_do_not_grow_with_the_data(client, django_assert_max_num_queries):
    association = AssociationFactory()
    grow(association, 2)
    client.force_login(UserFactory(role=Role.COORDINATOR))
    pages = page_urls(association)
    small = {url: count_queries(client, url) for url in pages}
    grow(association, 30)
    activity = Activity.objects.filter(organiser_association=association).order_by("pk").first()
    for day in range(30):
        RegistrationFactory(occurrence=activity.occurrences.order_by("starts_at").last())
        OccurrenceFactory(activity=activity, starts_at=timezone.now() + timedelta(days=10 + day))
    for url in pages:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200


def test_query_count_of_the_representatives_list(client, django_assert_max_num_queries):
    association = AssociationFactory()
    user = representative(association)
    grow(association, 2)
    client.force_login(user)
    small = count_queries(client, BASE)
    grow(association, 30)
    with django_assert_max_num_queries(small):
        client.get(BASE)
