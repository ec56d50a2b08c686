"""Report runs end to end: a real PDF from the Celery task, downloads, retries after a real failure,
subscriptions and the plain-language summary."""

import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AuditEntry
from accounts.roles import Role
from followup import reports
from followup.dashboard import Change, compare
from followup.indicators import Value
from followup.models import Indicator, ReportRun, ReportSubscription

from ..factories import LocalityFactory
from .factories_ui import held

pytestmark = pytest.mark.django_db

Q1_2026 = {"date_from": "2026-01-01", "date_to": "2026-03-31", "locality": "", "sex": ""}


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


@pytest.fixture
def official(client, user_with_role, municipality):
    user = user_with_role(Role.OFFICIAL)
    client.force_login(user)
    return user


@pytest.fixture
def activity_data():
    village = LocalityFactory(name="Högsjö", slug="hogsjo")
    held(12, year=2026, month=2, locality=village, women=4, men=3)  # Q1 2026
    held(6, year=2025, month=11, locality=village, women=4, men=3)  # Q4 2025
    return village


def make_report(client, on_commit, slug="kvartalsrapport", data=Q1_2026) -> ReportRun:
    with on_commit(execute=True):
        response = client.post(reverse("followup:report-create", args=[slug]), data)
    assert response.status_code == 302, response.content.decode()
    run = ReportRun.objects.latest("id")
    assert response["Location"] == reverse("followup:run", args=[run.pk])
    return run


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_quarterly_report_end_to_end(client, official, activity_data, on_commit, english):
    run = make_report(client, on_commit)
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts, run.error) == ("done", 100, 1, "")
    assert run.requested_by == official
    assert run.started_at <= run.finished_at

    response = client.get(reverse("followup:run-download", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == run.sha256
    assert AuditEntry.objects.filter(action="followup.report.download", object_id=str(run.pk)).exists()

    reader = PdfReader(io.BytesIO(content))
    text = pdf_text(content)
    assert "Quarterly report: age-friendly countryside" in text
    assert "Vingåkers kommun" in text
    assert "The largest changes" in text
    # ACT-01: 12 held against 6 in the previous quarter; ACT-03: 12 × 7 = 84 sessions against 42.
    assert "Activity occurrences held rose by 100.0 %, from 6 to 12. That is an improvement." in text
    assert "Participant sessions" in text
    assert "84" in text
    for code in reports.TEMPLATES["kvartalsrapport"].indicators:
        assert code in text
    assert f"2 / {len(reader.pages)}" in text  # page numbers
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged PDF
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"


def test_run_page_and_status_json(client, official, activity_data, on_commit, english):
    run = make_report(client, on_commit)
    page = client.get(reverse("followup:run", args=[run.pk])).content.decode()
    assert "Download the report (PDF)" in page
    assert 'http-equiv="refresh"' not in page  # finished: nothing to refresh
    status = client.get(reverse("followup:run-status", args=[run.pk])).json()
    assert status["status"] == "done"
    assert status["progress"] == 100
    assert status["finished"] is True
    assert status["download_url"] == reverse("followup:run-download", args=[run.pk])


def test_unfinished_run_refreshes_without_javascript(client, official, english):
    run = ReportRun.objects.create(template="kvartalsrapport", parameters=Q1_2026, requested_by=official)
    page = client.get(reverse("followup:run", args=[run.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert "Refresh the page to see the progress" in page
    assert "followup/report-progress.js" in page
    assert client.get(reverse("followup:run-download", args=[run.pk])).status_code == 404


def test_runs_are_visible_to_the_requester_and_officials_only(
    client, user_with_role, municipality, on_commit
):
    coordinator = user_with_role(Role.COORDINATOR)
    client.force_login(coordinator)
    run = make_report(
        client, on_commit, slug="foreningsbidrag-utfall", data={**Q1_2026, "date_to": "2026-12-31"}
    )
    assert client.get(reverse("followup:run-download", args=[run.pk])).status_code == 200

    client.force_login(user_with_role(Role.COORDINATOR))
    for name in ("run", "run-status", "run-download"):
        assert client.get(reverse(f"followup:{name}", args=[run.pk])).status_code == 404

    client.force_login(user_with_role(Role.OFFICIAL))
    assert client.get(reverse("followup:run-download", args=[run.pk])).status_code == 200

    client.force_login(user_with_role(Role.SENIOR))
    assert client.get(reverse("followup:run-download", args=[run.pk])).status_code == 403


@pytest.mark.parametrize(
    ("role", "slugs"),
    [
        (
            Role.OFFICIAL,
            {"kvartalsrapport", "arsrapport", "valfardsteknik-nyttorealisering", "foreningsbidrag-utfall"},
        ),
        (Role.COORDINATOR, {"foreningsbidrag-utfall"}),
        (Role.WELFARETECH_ADMIN, {"valfardsteknik-nyttorealisering"}),
    ],
)
def test_templates_by_role(client, user_with_role, municipality, role, slugs):
    user = user_with_role(role)
    assert {template.slug for template in reports.templates_for(user)} == slugs
    client.force_login(user)
    for slug in reports.TEMPLATES:
        expected = 200 if slug in slugs else 404
        assert client.get(reverse("followup:report-create", args=[slug])).status_code == expected


def test_report_form_validates_the_period(client, official, english):
    response = client.post(
        reverse("followup:report-create", args=["kvartalsrapport"]),
        {"date_from": "2026-03-31", "date_to": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not ReportRun.objects.exists()


def test_failed_run_shows_the_error_and_can_be_retried(
    client, official, activity_data, on_commit, settings, tmp_path, private_files, english
):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the report folder should be")
    settings.PRIVATE_MEDIA_ROOT = blocker
    run = make_report(client, on_commit)
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.attempts == 1
    assert run.error
    assert not run.file.name
    page = client.get(reverse("followup:run", args=[run.pk])).content.decode()
    assert "The report could not be made" in page
    assert "Try again" in page

    settings.PRIVATE_MEDIA_ROOT = private_files
    with on_commit(execute=True):
        response = client.post(reverse("followup:run-retry", args=[run.pk]))
    assert response["Location"] == reverse("followup:run", args=[run.pk])
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error, run.progress) == ("done", 2, "", 100)
    assert (private_files / run.file.name).read_bytes().startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="followup.report.retry", object_id=str(run.pk)).exists()


def test_a_finished_run_is_not_retried_or_generated_twice(client, official, activity_data, on_commit):
    run = make_report(client, on_commit)
    with on_commit(execute=True):
        client.post(reverse("followup:run-retry", args=[run.pk]))
    assert reports.generate(run.pk) is None  # a redelivered task finds nothing to claim
    run.refresh_from_db()
    assert run.attempts == 1


def test_subscription_sends_each_period_once(client, official, activity_data, on_commit, mailoutbox, english):
    response = client.post(
        reverse("followup:subscription", args=["kvartalsrapport"]), {"frequency": "monthly"}
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(user=official)
    assert subscription.frequency == "monthly"

    with on_commit(execute=True):
        assert reports.send_subscribed_reports(today=date(2026, 3, 5)) == 1
    run = ReportRun.objects.get()
    assert run.status == "done"
    assert run.parameters["date_from"] == "2026-02-01"
    assert run.parameters["date_to"] == "2026-02-28"
    # The user's own language (Swedish by default); 12 occurrences in February.
    text = pdf_text(reports.private_storage().open(run.file.name).read())
    assert "Genomförda aktivitetstillfällen" in text
    assert "februari 2026" in text
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [official.email]
    assert reverse("followup:run", args=[run.pk]) in mailoutbox[0].body

    with on_commit(execute=True):
        assert reports.send_subscribed_reports(today=date(2026, 3, 20)) == 0
    assert ReportRun.objects.count() == 1
    with on_commit(execute=True):
        assert reports.send_subscribed_reports(today=date(2026, 4, 1)) == 1
    subscription.refresh_from_db()
    assert subscription.last_sent_period == "2026-03"

    client.post(reverse("followup:subscription", args=["kvartalsrapport"]), {"frequency": ""})
    assert not ReportSubscription.objects.exists()


def test_subscribed_tasks_are_callable(official):
    from followup.tasks import send_subscribed_reports

    ReportSubscription.objects.create(user=official, template="arsrapport", frequency="quarterly")
    assert send_subscribed_reports.apply().get() == 1


def _indicator(direction: str, unit: str = "count") -> Indicator:
    return Indicator(
        code="X-01", name_sv="Testindikator", name_en="Test indicator", unit=unit, direction=direction
    )


@pytest.mark.parametrize(
    ("direction", "current", "previous", "verdict", "sentence"),
    [
        (
            "higher",
            "150",
            "100",
            "better",
            "Test indicator rose by 50.0 %, from 100 to 150. That is an improvement.",
        ),
        (
            "lower",
            "150",
            "100",
            "worse",
            "Test indicator rose by 50.0 %, from 100 to 150. That is a setback.",
        ),
        (
            "lower",
            "80",
            "100",
            "better",
            "Test indicator fell by 20.0 %, from 100 to 80. That is an improvement.",
        ),
    ],
)
def test_changes_are_judged_by_direction(english, direction, current, previous, verdict, sentence):
    change = compare(_indicator(direction), Value(Decimal(current)), Value(Decimal(previous)))
    assert change.verdict == verdict
    assert reports.summary_sentence(change) == sentence


def test_shares_change_in_percentage_points(english):
    change = compare(
        _indicator("higher", "percent"), Value(Decimal("45.5"), unit="percent"), Value(Decimal("40"))
    )
    assert change.amount == "5.5 percentage points"


def test_suppressed_values_are_never_compared():
    indicator = _indicator("higher")
    assert compare(indicator, Value(None, suppressed=True), Value(Decimal(10))) is None
    assert compare(indicator, Value(Decimal(10)), Value(None)) is None


def test_summary_takes_the_five_largest_changes():
    indicator = _indicator("higher")
    sections = [
        reports.Section(
            indicator, None, None, Change(indicator, Decimal(100 + step), Decimal(100)), None, None, []
        )
        for step in (1, 50, 3, 0, 40, 20, 10, 2)
    ] + [reports.Section(indicator, None, None, None, None, None, [])]
    largest = reports.largest_changes(sections)
    assert [change.current for change in largest] == [150, 140, 120, 110, 103]


def test_progress_rises_while_the_sections_are_made(official, activity_data):
    run = ReportRun.objects.create(
        template="foreningsbidrag-utfall", parameters=Q1_2026, requested_by=official
    )
    heard: list[int] = []
    context = reports.build_context(run, heard.append)
    assert len(heard) == len(context["sections"]) == 5
    assert heard == sorted(heard)
    assert heard[-1] == 90


def test_report_list_query_count_does_not_grow_with_runs(client, official, user_with_role):
    def runs(count: int) -> None:
        for _index in range(count):
            ReportRun.objects.create(
                template="arsrapport", parameters=Q1_2026, requested_by=user_with_role(Role.OFFICIAL)
            )

    runs(2)
    client.get(reverse("followup:reports"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("followup:reports")).status_code == 200
    runs(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("followup:reports")).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "current", "percent"),
    [
        ("higher", 10, 20, "15", 50),
        ("lower", 20, 10, "15", 50),  # lower is better: from 20 towards 10
        ("lower", 20, 10, "25", 0),  # moved away from the target
        ("higher", 10, 20, "30", 100),
    ],
)
def test_progress_towards_the_target(english, direction, baseline, target, current, percent):
    from followup.dashboard import progress

    indicator = _indicator(direction)
    indicator.baseline_value, indicator.target_value = Decimal(baseline), Decimal(target)
    assert progress(indicator, Value(Decimal(current))).percent == percent
    assert progress(indicator, Value(None, suppressed=True)) is None
