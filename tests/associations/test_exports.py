"""Exports of applications, decisions and payments: filters, formats, audit, formula injection."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from accounts.models import AuditEntry
from accounts.roles import Role
from associations import exports
from associations.models import GrantApplication

from ..factories import LocalityFactory, UserFactory
from .factories import AssociationFactory, GrantApplicationFactory, GrantProgrammeFactory
from .factories_coordinator import decided

pytestmark = pytest.mark.django_db
URL = "/backoffice/samordning/export/"
Status = GrantApplication.Status


@pytest.fixture
def data():
    lappe = LocalityFactory(slug="lappe", name="Läppe")
    programme = GrantProgrammeFactory(name="Projektbidrag")
    other_year = GrantProgrammeFactory(name="Gammalt bidrag", year=programme.year - 1)
    evil = AssociationFactory(name='=HYPERLINK("http://evil.example")', org_number="802000-0000")
    evil.localities.set([lappe])
    plain = AssociationFactory(name="Vanlig förening")
    paid = decided(
        programme=programme,
        association=evil,
        approved=Decimal("12500.50"),
        paid=Decimal("12500.50"),
        title="@SUM(1+1)",
        decision_reasons="-2+3",
    )
    draft = GrantApplicationFactory(programme=programme, association=plain, status=Status.SUBMITTED)
    old = decided(programme=other_year, association=plain, approved=Decimal("100"))
    return {"programme": programme, "paid": paid, "draft": draft, "old": old, "lappe": lappe}


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _xlsx(response):
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize("role", [Role.ASSOCIATION_REP, Role.SENIOR, Role.HOMECARE_STAFF, None])
def test_only_coordinators_and_officials_export(client, role, data):
    client.force_login(UserFactory(role=role))
    assert client.get(URL, {"download": "1", "what": "payments", "file_format": "csv"}).status_code == 403


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.OFFICIAL])
def test_form_page_for_permitted_roles(client, role):
    client.force_login(UserFactory(role=role))
    response = client.get(URL)
    assert response.status_code == 200 and "form" in response.context


def test_applications_csv_filtered_by_year_and_audited(client, data):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.get(
        URL, {"download": "1", "what": "applications", "file_format": "csv", "year": data["programme"].year}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    references = [row[0] for row in rows[1:]]
    assert sorted(references) == sorted([data["paid"].reference, data["draft"].reference])
    entry = AuditEntry.objects.get(action="associations.export")
    assert entry.detail["export"] == "applications" and entry.detail["rows"] == 2
    assert entry.detail["filters"]["year"] == data["programme"].year


def test_csv_neutralises_formulas_and_writes_swedish_decimals(client, data):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    rows = _csv(
        client.get(URL, {"download": "1", "what": "decisions", "file_format": "csv", "locality": "lappe"})
    )
    [row] = rows[1:]
    assert row[0] == data["paid"].reference
    assert row[3] == '\'=HYPERLINK("http://evil.example")'
    assert "'-2+3" in row
    assert "12500,50" in row


def test_xlsx_keeps_text_as_text_and_amounts_as_numbers(client, data):
    client.force_login(UserFactory(role=Role.OFFICIAL))
    response = client.get(
        URL, {"download": "1", "what": "applications", "file_format": "xlsx", "locality": "lappe"}
    )

    assert response["Content-Type"] == exports.XLSX
    sheet = _xlsx(response)
    header, row = [c.value for c in sheet[1]], sheet[2]
    assert len(header) == len(exports.application_headers()) and sheet.max_row == 2
    values = {header[i]: cell for i, cell in enumerate(row)}
    association = values[header[3]]
    assert association.value == '\'=HYPERLINK("http://evil.example")' and association.data_type == "s"
    assert values[header[7]].value == "'@SUM(1+1)"
    assert values[header[12]].value == 12500.5 and values[header[12]].data_type == "n"
    assert not any(cell.data_type == "f" for line in sheet.iter_rows() for cell in line)


def test_payments_filtered_by_programme_and_status(client, data):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    params = {"download": "1", "what": "payments", "file_format": "xlsx", "programme": data["programme"].pk}
    sheet = _xlsx(client.get(URL, {**params, "status": Status.PAID}))
    assert sheet.max_row == 2
    assert sheet.cell(row=2, column=2).value == 12500.5
    assert sheet.cell(row=2, column=4).value == data["paid"].reference
    sheet = _xlsx(client.get(URL, {**params, "status": Status.SUBMITTED}))
    assert sheet.max_row == 1


def test_invalid_filter_shows_the_form(client, data):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    response = client.get(URL, {"download": "1", "what": "everything", "file_format": "csv"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not AuditEntry.objects.filter(action="associations.export").exists()


def test_neutralise():
    assert [exports.neutralise(v) for v in ["=1", "+1", "-1", "@a", "\tx", "ok", None, 5]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "ok",
        "",
        "5",
    ]


@pytest.mark.parametrize("what", ["applications", "decisions", "payments"])
def test_query_count_is_constant(client, data, what, django_assert_max_num_queries):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    params = {"download": "1", "what": what, "file_format": "csv"}
    with django_assert_max_num_queries(20) as first:
        client.get(URL, params)
    for _ in range(5):
        association = AssociationFactory()
        association.localities.set([data["lappe"], LocalityFactory()])
        decided(
            programme=data["programme"], association=association, approved=Decimal("10"), paid=Decimal("10")
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        rows = _csv(client.get(URL, params))
    assert len(rows) > 5
