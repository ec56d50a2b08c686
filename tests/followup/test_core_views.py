"""Follow-up data pages, exports and API: who may do what, what the files contain, audit and query counts.

The API routes are mounted here the way config/urls.py mounts them, so the test does not depend on the
project's router order.
"""

import csv
import io
import json

import pytest
from django.urls import include, path
from openpyxl import load_workbook
from rest_framework.routers import DefaultRouter

from accounts.models import AuditEntry
from accounts.roles import Role
from config import urls as project_urls
from followup.api import IndicatorViewSet, KoladaViewSet
from followup.models import Indicator, ManualValue, PopulationFigure

from ..factories import UserFactory
from .factories import at, central, held, population, village

router = DefaultRouter()
router.register("followup/indicators", IndicatorViewSet, basename="followup-indicator")
router.register("followup/kolada", KoladaViewSet, basename="followup-kolada")
urlpatterns = [path("api/v1/", include(router.urls)), *project_urls.urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

DATA = "/backoffice/uppfoljning/underlag/"
YEAR_QUERY = "date_from=2025-01-01&date_to=2025-12-31"


@pytest.fixture
def data(municipality):
    vingaker, lappe = central(), village("lappe", "Läppe")
    held(vingaker, *[at(2025, 2, day) for day in range(1, 7)], women_65_74=10, men_65_74=6)
    held(lappe, at(2025, 5, 1), at(2025, 5, 2), women_65_74=2, men_65_74=1)
    population(2025, vingaker, K_65_74=100, M_65_74=100)
    population(2025, lappe, K_65_74=50, M_65_74=50)
    return {"vingaker": vingaker, "lappe": lappe}


def login(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


# ---------------------------------------------------------------------------------------------- pages
EDIT_PAGES = [
    "befolkning/",
    "befolkning/import/",
    "indikatorer/",
    "indikatorer/ACT-01/",
    "enkater/SRV-01/",
]


@pytest.mark.parametrize("page", EDIT_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.OFFICIAL, 200),
        (Role.COORDINATOR, 403),
        (Role.WELFARETECH_ADMIN, 403),
        (Role.ASSOCIATION_REP, 403),
        (Role.SENIOR, 403),
    ],
)
def test_only_officials_edit(client, data, page, role, status):
    login(client, role)
    assert client.get(DATA + page).status_code == status


@pytest.mark.parametrize("page", ["", *EDIT_PAGES, "export/ACT-01/", "export/kolada/"])
def test_anonymous_is_sent_to_login(client, page):
    response = client.get(DATA + page)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.OFFICIAL, 200),
        (Role.COORDINATOR, 200),
        (Role.WELFARETECH_ADMIN, 200),
        (Role.ASSOCIATION_REP, 403),
    ],
)
def test_index_for_the_roles_that_see_indicators(client, data, role, status):
    login(client, role)
    assert client.get(DATA).status_code == status


def test_index_lists_only_visible_indicators(client, data, english):
    login(client, Role.WELFARETECH_ADMIN)
    content = client.get(DATA).content.decode()
    assert "WT-09" in content and "ACT-01" not in content and "SRV-01" not in content


# ---------------------------------------------------------------------------------------------- exports
@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        (Role.OFFICIAL, "WT-02", 200),
        (Role.OFFICIAL, "SRV-01", 200),
        (Role.COORDINATOR, "ACT-01", 200),
        (Role.COORDINATOR, "ASC-02", 200),
        (Role.COORDINATOR, "WT-02", 404),
        (Role.WELFARETECH_ADMIN, "WT-02", 200),
        (Role.WELFARETECH_ADMIN, "ACT-01", 404),
        (Role.ASSOCIATION_REP, "ACT-01", 403),
        (Role.HOMECARE_STAFF, "WT-02", 403),
    ],
)
def test_export_permissions(client, data, role, code, status):
    login(client, role)
    response = client.get(f"{DATA}export/{code}/?{YEAR_QUERY}&granularity=quarter&format=csv")
    assert response.status_code == status
    assert AuditEntry.objects.filter(action="followup.export").exists() is (status == 200)


def test_csv_export_with_split_is_suppressed_and_audited(client, data):
    user = login(client, Role.COORDINATOR)
    response = client.get(f"{DATA}export/ACT-03/?{YEAR_QUERY}&granularity=quarter&split=locality&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="ACT-03_20250101-20251231.csv"')
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    by_key = {(row["group"], row["key"]): row["value"] for row in rows}
    assert by_key[("total", "T")] == "19"
    assert by_key[("period", "2025-Q1")] == "16"
    assert by_key[("period", "2025-Q2")] == "<5"
    assert by_key[("locality", "vingaker")] == "16"
    assert by_key[("locality", "lappe")] == "<5"
    entry = AuditEntry.objects.get(action="followup.export")
    assert entry.actor == user and entry.object_id == str(Indicator.objects.get(code="ACT-03").pk)
    assert entry.detail["format"] == "csv" and entry.detail["split"] == "locality"


def test_excel_export(client, data):
    login(client, Role.OFFICIAL)
    response = client.get(f"{DATA}export/ACT-04/?{YEAR_QUERY}&granularity=year&split=sex&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(row[1] == "K" and row[3] == 8 for row in cells)  # 12 women / 150 × 100 = 8.0
    assert any(row[1] == "M" and row[3] == 4.7 for row in cells)  # 7 / 150 = 4.67
    assert any(row[0] == "ACT-04" or (row[1] or "").startswith("ACT-04") for row in cells)


def test_export_rejects_a_split_the_indicator_lacks(client, data):
    login(client, Role.OFFICIAL)
    response = client.get(f"{DATA}export/WT-08/?{YEAR_QUERY}&granularity=year&split=sex&format=csv")
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="followup.export").exists()


def test_kolada_csv_and_json(client, data):
    login(client, Role.COORDINATOR)
    response = client.get(f"{DATA}export/kolada/?{YEAR_QUERY}&granularity=year&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_key = {(row["kpi"], row["period"], row["gender"]): row for row in rows}
    assert by_key[("ACT-03", "2025", "T")]["value"] == "19"
    assert by_key[("ACT-03", "2025", "K")]["value"] == "12"
    assert by_key[("ACT-03", "2025", "M")]["value"] == "7"
    assert by_key[("ACT-01", "2025", "T")]["value"] == "8"
    assert by_key[("ACT-04", "2025", "M")]["value"] == "4.7"
    assert by_key[("ACT-06", "2025", "T")]["status"] == ""
    assert {row["municipality"] for row in rows} == {"0428"}
    assert not any(row["kpi"].startswith("WT") for row in rows)  # not visible to coordinators
    assert ("ACT-01", "2025", "K") not in by_key  # no sex split for occurrences

    response = client.get(f"{DATA}export/kolada/?{YEAR_QUERY}&granularity=year&format=json")
    body = json.loads(response.content)
    entry = next(v for v in body["values"] if v["kpi"] == "ACT-03" and v["period"] == 2025)
    assert entry["municipality"] == "0428"
    assert {v["gender"]: v["value"] for v in entry["values"]} == {"T": 19, "K": 12, "M": 7}
    assert AuditEntry.objects.filter(action="followup.export").count() == 2


# ---------------------------------------------------------------------------------------------- editing
def test_population_table_edit(client, data):
    login(client, Role.OFFICIAL)
    vingaker = data["vingaker"]
    page = client.get(DATA + "befolkning/?year=2025")
    assert page.status_code == 200 and page.context["grand_total"] == 300
    post = {f"c-{vingaker.pk}-K-65_74": "120", f"c-{vingaker.pk}-M-85_plus": "7", "year": "2025"}
    response = client.post(DATA + "befolkning/?year=2025", post)
    assert response.status_code == 302
    figures = {
        (f.locality.slug, f.sex, f.age_band): f.count
        for f in PopulationFigure.objects.filter(year=2025).select_related("locality")
    }
    # Empty cells remove figures: only what was posted remains.
    assert figures == {("vingaker", "K", "65_74"): 120, ("vingaker", "M", "85_plus"): 7}
    assert AuditEntry.objects.filter(action="followup.population.edit").exists()
    bad = client.post(DATA + "befolkning/?year=2025", {f"c-{vingaker.pk}-K-65_74": "många", "year": "2025"})
    assert bad.status_code == 200 and bad.context["errors"]
    assert PopulationFigure.objects.filter(year=2025).count() == 2


def test_population_import_page(client, data, english):
    login(client, Role.OFFICIAL)
    bad = io.BytesIO("region;ålder;kön;2026\nAtlantis;65-69 år;män;3\n".encode())
    bad.name = "scb.csv"
    response = client.post(DATA + "befolkning/import/", {"file": bad})
    assert response.status_code == 200
    assert "Atlantis" in response.content.decode()
    assert not PopulationFigure.objects.filter(year=2026).exists()
    good = io.BytesIO("region;ålder;kön;2026\nLäppe;65-69 år;män;3\n".encode())
    good.name = "scb.csv"
    response = client.post(DATA + "befolkning/import/", {"file": good})
    assert response.context["report"].saved
    assert PopulationFigure.objects.get(year=2026).count == 3
    assert AuditEntry.objects.filter(action="followup.population.import").count() == 2


def test_indicator_baseline_and_target_edit(client, data):
    login(client, Role.OFFICIAL)
    response = client.post(
        DATA + "indikatorer/WT-09/",
        {
            "baseline_value": "0.8",
            "baseline_period": "2024",
            "target_value": "2",
            "target_year": "2027",
            "owner": "Vård och omsorg",
            "is_key": "on",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="WT-09")
    assert (str(indicator.baseline_value), indicator.owner) == ("0.80", "Vård och omsorg")
    assert AuditEntry.objects.filter(action="followup.indicator.edit").exists()


def test_manual_value_entry(client, data):
    user = login(client, Role.OFFICIAL)
    response = client.post(
        DATA + "enkater/SRV-01/",
        {
            "period_start": "2025-09-01",
            "period_end": "2025-10-31",
            "value": "13.5",
            "sample_size": "412",
            "source": "Äldreenkät 2025",
            "locality": "",
            "sex": "",
        },
    )
    assert response.status_code == 302
    value = ManualValue.objects.get()
    assert value.entered_by == user and value.indicator.code == "SRV-01"
    assert client.get(DATA + "enkater/ACT-01/").status_code == 404  # computed: no manual values
    edit = client.post(
        f"{DATA}enkatvarden/{value.pk}/",
        {"period_start": "2025-10-31", "period_end": "2025-09-01", "value": "1", "source": "x"},
    )
    assert edit.status_code == 200 and edit.context["form"].errors
    assert client.post(f"{DATA}enkatvarden/{value.pk}/ta-bort/").status_code == 302
    assert not ManualValue.objects.exists()


# ---------------------------------------------------------------------------------------------- query counts
def test_pages_use_a_constant_number_of_queries(client, data, django_assert_max_num_queries):
    login(client, Role.OFFICIAL)
    urls = [
        DATA,
        DATA + "befolkning/?year=2025",
        DATA + "indikatorer/",
        f"{DATA}export/ACT-04/?{YEAR_QUERY}&granularity=month&split=locality&format=csv",
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    # Ten times the data: same number of queries.
    for index in range(10):
        place = village(f"by-{index}")
        held(place, at(2025, 3, 1), at(2025, 3, 2), women_65_74=5)
        population(2025, place, K_65_74=10, M_85_plus=3)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------------------------- API
API = "/api/v1/followup/"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 403),
        (Role.ASSOCIATION_REP, 403),
        (Role.HOMECARE_STAFF, 403),
        (Role.COORDINATOR, 200),
        (Role.OFFICIAL, 200),
    ],
)
def test_api_access(client, data, role, status):
    if role:
        login(client, role)
    assert client.get(API + "indicators/").status_code == status
    assert client.get(API + "kolada/?date_from=2025-01-01&date_to=2025-12-31").status_code == status


def test_api_lists_visible_indicators(client, data):
    login(client, Role.COORDINATOR)
    codes = {item["code"] for item in client.get(API + "indicators/").json()}
    assert (
        "ACT-01" in codes and "ASC-04" in codes and not any(code.startswith(("WT", "SRV")) for code in codes)
    )
    assert client.get(API + "indicators/WT-02/").status_code == 404


def test_api_retrieve_with_split_suppresses_and_audits(client, data):
    login(client, Role.OFFICIAL)
    response = client.get(f"{API}indicators/ACT-03/?{YEAR_QUERY}&split=locality&granularity=year")
    assert response.status_code == 200
    body = response.json()
    assert body["total"]["value"] == "19"
    assert body["periods"] == [
        {"key": "2025", "label": "2025", "value": {"value": "19", "suppressed": False, "display": "19"}}
    ]
    rows = {row["key"]: row["value"] for row in body["rows"]}
    assert rows["lappe"] == {"value": None, "suppressed": True, "display": "<5"}
    assert body["indicator"]["splits"] == ["locality", "area", "sex", "age_band"]
    assert AuditEntry.objects.filter(action="followup.export", detail__format="api").count() == 1
    bad = client.get(f"{API}indicators/WT-08/?{YEAR_QUERY}&split=sex")
    assert bad.status_code == 400
    women = client.get(f"{API}indicators/ACT-03/?{YEAR_QUERY}&sex=K").json()
    assert women["total"]["value"] == "12"


def test_api_kolada(client, data):
    login(client, Role.OFFICIAL)
    body = client.get(f"{API}kolada/?{YEAR_QUERY}&kpi=ACT-03,ACT-01").json()
    assert {entry["kpi"] for entry in body["values"]} == {"ACT-01", "ACT-03"}
    act03 = next(entry for entry in body["values"] if entry["kpi"] == "ACT-03")
    assert act03["period"] == 2025 and act03["municipality"] == "0428"
    assert [v["gender"] for v in act03["values"]] == ["T", "K", "M"]


def test_api_schema_describes_the_followup_endpoints(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/followup/indicators/{code}/" in paths


def test_export_with_all_splits(client, data):
    login(client, Role.OFFICIAL)
    response = client.get(f"{DATA}export/ACT-03/?{YEAR_QUERY}&granularity=year&split=all&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    groups = [row["group"] for row in rows]
    assert groups.count("total") == 1 and groups.count("period") == 1
    assert {"locality", "area", "sex", "age_band"} <= set(groups)
    assert {(row["group"], row["key"]): row["value"] for row in rows}[("sex", "K")] == "12"
    workbook = client.get(f"{DATA}export/ACT-03/?{YEAR_QUERY}&granularity=year&split=all&format=xlsx")
    assert workbook.status_code == 200
    assert load_workbook(io.BytesIO(workbook.content)).active.max_row > 12


def test_form_pages_render_in_both_languages(client, data):
    login(client, Role.OFFICIAL)
    value = ManualValue.objects.create(
        indicator=Indicator.objects.get(code="SRV-02"),
        period_start="2025-09-01",
        period_end="2025-10-31",
        value="80",
        source="Enkät",
    )
    pages = [
        DATA,
        DATA + "export/WT-01/",
        DATA + "export/kolada/",
        DATA + "befolkning/import/",
        DATA + "enkater/SRV-02/",
        f"{DATA}enkatvarden/{value.pk}/",
    ]
    for language in ("sv", "en"):
        for page in pages:
            response = client.get(page, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, page
            assert 'style="' not in response.content.decode()
    form = client.get(DATA + "export/WT-08/").context["form"]
    assert [choice for choice, _label in form.fields["split"].choices] == [""]  # WT-08 has no splits
