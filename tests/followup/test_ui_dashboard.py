"""The follow-up dashboard and indicator pages: who sees what, the figures, suppression and query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import ADMIN, Role
from followup.models import Indicator

from ..factories import LocalityFactory
from .factories_ui import held

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("followup:dashboard")
Q1_2026 = {"year": "2026", "period": "Q1", "granularity": "month"}


def indicator_url(code: str) -> str:
    return reverse("followup:indicator", args=[code])


@pytest.fixture
def activities_only():
    """Only the activity indicators, as key cards: the figures below are computed by hand for them."""
    Indicator.objects.exclude(domain=Indicator.Domain.ACTIVITIES).delete()
    Indicator.objects.update(is_key=False)
    Indicator.objects.filter(code__in=["ACT-01", "ACT-03"]).update(is_key=True)


@pytest.fixture
def official(client, user_with_role, municipality):
    user = user_with_role(Role.OFFICIAL)
    client.force_login(user)
    return user


def card(html: str, code: str) -> str:
    """The HTML of the dashboard card of indicator ``code``."""
    start = html.index(f'href="{indicator_url(code)}')
    return html[start : html.index("</li>", start)]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 403),
        (Role.SENIOR, 403),
        (Role.ASSOCIATION_REP, 403),
        (Role.HOMECARE_STAFF, 403),
        (ADMIN, 403),
        (Role.COORDINATOR, 200),
        (Role.WELFARETECH_ADMIN, 200),
        (Role.OFFICIAL, 200),
    ],
)
def test_dashboard_roles(client, user_with_role, municipality, role, status):
    client.force_login(user_with_role(role))
    assert client.get(DASHBOARD, Q1_2026).status_code == status


def test_anonymous_is_sent_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_denied_access_is_audited(client, user_with_role, municipality):
    client.force_login(user_with_role(Role.SENIOR))
    client.get(DASHBOARD)
    assert AuditEntry.objects.filter(action="access.denied", detail__path=DASHBOARD).exists()


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.COORDINATOR, "ACT-01", "WT-02"),
        (Role.COORDINATOR, "ASC-01", "WT-05"),
        (Role.WELFARETECH_ADMIN, "WT-02", "ACT-01"),
        (Role.WELFARETECH_ADMIN, "WT-05", "ASC-01"),
    ],
)
def test_domain_views_show_only_their_indicators(client, user_with_role, municipality, role, visible, hidden):
    client.force_login(user_with_role(role))
    assert client.get(indicator_url(visible), Q1_2026).status_code == 200
    assert client.get(indicator_url(hidden), Q1_2026).status_code == 404


def test_official_sees_every_indicator(client, official):
    response = client.get(DASHBOARD, Q1_2026)
    html = response.content.decode()
    for code in Indicator.objects.values_list("code", flat=True):
        assert indicator_url(code) in html


def test_cards_show_value_change_and_suppression(client, official, activities_only, english):
    locality = LocalityFactory(name="Baggetorp", slug="baggetorp")
    held(6, year=2026, month=2, locality=locality, women=2, men=1)  # Q1: 6 held, 18 sessions
    held(5, year=2025, month=11, locality=locality)  # Q4 2025: 5 held, no attendance
    html = client.get(DASHBOARD, Q1_2026).content.decode()

    occurrences = card(html, "ACT-01")
    assert re.search(r'indicator-card__value">6<', occurrences)
    assert "Up 20.0 % on the previous period – better" in occurrences
    assert "change--better" in occurrences

    # Participant sessions in Q4 2025: none, so below 5: shown as <5 and not compared.
    sessions = card(html, "ACT-03")
    assert re.search(r'indicator-card__value">18<', sessions)
    assert "No comparison with the previous period" in sessions


def test_small_counts_are_shown_as_less_than_five(client, official, activities_only):
    held(3, year=2026, month=1)
    html = client.get(DASHBOARD, Q1_2026).content.decode()
    assert re.search(r'indicator-card__value">&lt;5<', card(html, "ACT-01"))
    detail = client.get(indicator_url("ACT-01"), Q1_2026).content.decode()
    assert '<td class="numeric">&lt;5</td>' in detail
    assert ">3<" not in detail.split('class="indicator-value"')[1].split("</p>")[0]


def test_filter_by_locality_and_sex(client, official, activities_only, english):
    village = LocalityFactory(name="Högsjö", slug="hogsjo")
    town = LocalityFactory(name="Vingåker", slug="vingaker", is_rural=False)
    held(5, year=2026, month=3, locality=village, women=3, men=2)
    held(7, year=2026, month=3, locality=town, women=1, men=1)

    everywhere = client.get(DASHBOARD, Q1_2026).content.decode()
    assert re.search(r'indicator-card__value">12<', card(everywhere, "ACT-01"))

    village_only = client.get(DASHBOARD, {**Q1_2026, "locality": "hogsjo"}).content.decode()
    assert re.search(r'indicator-card__value">5<', card(village_only, "ACT-01"))
    assert "Quarter 1 2026, Högsjö" in village_only

    women = client.get(DASHBOARD, {**Q1_2026, "locality": "hogsjo", "sex": "K"}).content.decode()
    assert re.search(r'indicator-card__value">15<', card(women, "ACT-03"))  # 5 occasions × 3 women
    men = client.get(DASHBOARD, {**Q1_2026, "locality": "hogsjo", "sex": "M"}).content.decode()
    assert re.search(r'indicator-card__value">10<', card(men, "ACT-03"))


def test_invalid_filter_shows_errors_and_default_figures(client, official, activities_only, english):
    response = client.get(DASHBOARD, {"year": "2026", "period": "Q1", "granularity": "year"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "A quarter cannot be shown per year" in response.content.decode()


def test_indicator_page_has_charts_tables_definition_and_baseline(client, official, activities_only, english):
    Indicator.objects.filter(code="ACT-01").update(
        baseline_value=10, baseline_period="2024", target_value=20, target_year=2027, owner="Fritidsenheten"
    )
    village = LocalityFactory(name="Högsjö", slug="hogsjo")
    held(15, year=2026, month=1, locality=village)
    html = client.get(indicator_url("ACT-01"), Q1_2026).content.decode()
    # One trend chart and one chart per supported split, each an SVG with a title and a description.
    assert html.count('role="img"') == 3
    assert html.count("<desc id=") == 3
    assert "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    assert "<style" not in html
    # The data behind each chart as a table with a caption and header cells.
    assert html.count("<caption") == 3
    assert '<th scope="row">January 2026</th><td class="numeric">15</td>' in html
    assert '<th scope="row">Högsjö</th><td class="numeric">15</td>' in html
    assert "50 % of the way from the baseline to the target." in html
    assert "Fritidsenheten" in html
    assert Indicator.objects.get(code="ACT-01").description_en[:40] in html


def test_chart_stylesheet_is_served_without_a_chart_id(client, official):
    response = client.get(reverse("followup:chart-css"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert ".pygal-chart .axis" in css
    assert "#chart-" not in css


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [DASHBOARD, indicator_url("ACT-03")])
def test_query_count_does_not_grow_with_data(
    client, official, activities_only, url, django_assert_max_num_queries
):
    first = LocalityFactory()
    held(6, year=2026, month=1, locality=first, women=3, men=2)
    client.get(url, Q1_2026)  # warms the caches every page shares (municipality profile)
    small = _queries(client, url, Q1_2026)
    for month in (1, 2, 3):
        held(8, year=2026, month=month, locality=LocalityFactory(), women=4, men=4)
        held(6, year=2025, month=10 + month - 1, locality=LocalityFactory(), women=1, men=5)
    assert _queries(client, url, Q1_2026) == small
    with django_assert_max_num_queries(60):
        client.get(url, Q1_2026)


def test_indicator_page_links_to_the_exports_of_the_selection(client, official, activities_only):
    village = LocalityFactory(name="Högsjö", slug="hogsjo")
    held(6, year=2026, month=2, locality=village)
    html = client.get(indicator_url("ACT-01"), {**Q1_2026, "locality": "hogsjo"}).content.decode()
    links = re.findall(r'href="(/backoffice/uppfoljning/underlag/export/ACT-01/\?[^"]+)"', html)
    assert len(links) == 2
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
    csv = client.get(links[0].replace("&amp;", "&")).content.decode("utf-8-sig")
    assert "ACT-01" in csv


@pytest.mark.parametrize(
    ("role", "domains"),
    [
        (Role.COORDINATOR, {"activities", "associations"}),
        (Role.WELFARETECH_ADMIN, {"welfaretech"}),
    ],
)
def test_domain_dashboards_list_only_their_indicators(client, user_with_role, municipality, role, domains):
    client.force_login(user_with_role(role))
    html = client.get(DASHBOARD, Q1_2026).content.decode()
    for indicator in Indicator.objects.all():
        assert (indicator_url(indicator.code) in html) == (indicator.domain in domains), indicator.code


def test_official_dashboard_query_budget(client, official, django_assert_max_num_queries):
    client.get(DASHBOARD, Q1_2026)
    with django_assert_max_num_queries(100):  # 13 key indicators, two evaluations each
        assert client.get(DASHBOARD, Q1_2026).status_code == 200
