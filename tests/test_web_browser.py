"""The UI in a real browser: Debian's chromium driven by Playwright against the real server.

Screenshots of every page visited go to build/screenshots/ for people to look at.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import ROOT, unavailable
from tests.web_city import PASSWORDS, Served, build_city, logged_in, serve

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "build" / "screenshots"
# As the machine's own probe starts it: root needs --no-sandbox; the closed network refuses the rest.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable("Debian chromium is not installed (apt-get install chromium; .ci/run does)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    location = str(tmp_path_factory.mktemp("browser") / "city.gpkg")
    build_city(location)
    with serve(location) as s:
        yield s


def _log_in(browser: Browser, served: Served, username: str) -> Page:
    page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(served.url + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORDS[username])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-name")).to_be_visible()
    return page


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _map_painted(page: Page) -> int:
    page.wait_for_function("window.__mapReady === true", timeout=60_000)
    return int(page.evaluate("window.__map.queryRenderedFeatures({layers: ['parcels-fill']}).length"))


def test_a_wrong_password_is_refused_in_chinese_and_the_right_one_opens_the_map(
    browser: Browser, served: Served
) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(served.url + "/")
    page.get_by_test_id("login-username").fill("city")
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_contain_text("用户名或口令错误")
    _shot(page, "01-login-refused")
    page.close()
    page = _log_in(browser, served, "city")
    assert _map_painted(page) > 100
    expect(page.get_by_test_id("legend-item").first).to_be_visible()
    _shot(page, "02-map")
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_clicking_a_parcel_opens_its_popup_and_then_its_dossier_with_its_findings(
    browser: Browser, served: Served
) -> None:
    with logged_in(served.url, "city") as api:
        top = api.get("/api/parcels", params={"page_size": 1, "sort": "finding_count", "order": "desc"}).json()
        parcel = top["items"][0]
    page = _log_in(browser, served, "city")
    page.goto(f"{served.url}/#/map?parcel={parcel['parcel_code']}")
    _map_painted(page)
    page.wait_for_timeout(1500)  # the flight to the parcel
    page.wait_for_function("window.__mapReady === true", timeout=60_000)
    point = page.evaluate(
        """code => {
            const hit = window.__map.queryRenderedFeatures({layers: ['parcels-fill']})
                .find(f => f.properties.code === code);
            if (!hit) return null;
            const ring = hit.geometry.type === 'Polygon' ? hit.geometry.coordinates[0] : hit.geometry.coordinates[0][0];
            const xs = ring.map(c => c[0]), ys = ring.map(c => c[1]);
            const lon = (Math.min(...xs) + Math.max(...xs)) / 2, lat = (Math.min(...ys) + Math.max(...ys)) / 2;
            const p = window.__map.project([lon, lat]);
            const box = document.getElementById('map').getBoundingClientRect();
            return {x: p.x + box.left, y: p.y + box.top};
        }""",
        parcel["parcel_code"],
    )
    assert point is not None, "the parcel is not drawn on the map"
    page.mouse.click(point["x"], point["y"])
    popup = page.get_by_test_id("parcel-popup")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text(parcel["parcel_code"])
    _shot(page, "03-popup")
    page.get_by_test_id("popup-dossier-link").click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(parcel["parcel_code"])
    findings = page.get_by_test_id("findings").get_by_test_id("finding")
    expect(findings).to_have_count(parcel["finding_count"])
    expect(findings.first.get_by_test_id("finding-clause")).not_to_be_empty()
    _shot(page, "04-parcel-dossier")
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_a_town_officer_gets_403_on_another_towns_figures_and_the_ui_shows_none(
    browser: Browser, served: Served
) -> None:
    with logged_in(served.url, "town") as officer:
        mine = str(officer.get("/api/session").json()["user"]["division_code"])
    with logged_in(served.url, "city") as api:
        firms = api.get("/api/enterprises", params={"page_size": 500, "sort": "tax_wan", "order": "desc"}).json()
        foreign = next(e for e in firms["items"] if not e["division_code"].startswith(mine) and e["tax_wan"])
        metrics = api.get(f"/api/enterprises/{foreign['uscc']}/metrics").json()
    assert metrics, "the city sees the figures"
    page = _log_in(browser, served, "town")
    refused = page.request.get(f"{served.url}/api/enterprises/{foreign['uscc']}/metrics")
    assert refused.status == 403 and refused.json()["reason"] == "forbidden"
    page.goto(f"{served.url}/#/enterprise/{foreign['uscc']}")
    expect(page.get_by_test_id("metrics-restricted")).to_be_visible()
    text = page.get_by_test_id("enterprise-dossier").inner_text()
    for row in metrics:
        if row["tax_wan"]:
            assert f"{row['tax_wan']:,.1f}" not in text and f"{row['tax_wan']}" not in text
    _shot(page, "05-town-officer-restricted")
    page.close()


def test_exporting_the_findings_table_downloads_a_valid_xlsx(browser: Browser, served: Served) -> None:
    page = _log_in(browser, served, "city")
    page.goto(f"{served.url}/#/tables/findings")
    expect(page.get_by_test_id("table-row").first).to_be_visible()
    total = int(page.get_by_test_id("table-total").get_attribute("data-total") or 0)
    _shot(page, "06-findings-table")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    content = Path(download.value.path()).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[book.sheetnames[-1]]
    rows = list(sheet.iter_rows(values_only=True))
    assert "宗地代码" in rows[0] and "政策依据" in rows[0]
    assert len(rows) - 1 == total > 0
    page.close()


def test_the_dashboard_draws_its_charts_and_english_is_one_click_away(browser: Browser, served: Served) -> None:
    page = _log_in(browser, served, "city")
    page.goto(f"{served.url}/#/dashboard")
    for chart in ("chart-classes-by-town", "chart-low-by-category", "chart-trend"):
        expect(page.get_by_test_id(chart).locator("canvas").first).to_be_visible()
    _shot(page, "07-dashboard")
    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("dashboard")).to_contain_text("Dashboard")
    _shot(page, "08-dashboard-english")
    page.get_by_test_id("lang-switch").click()
    page.close()


def test_importing_through_the_browser_shows_the_report_then_imports_on_confirm(
    browser: Browser, served: Served, tmp_path: Path
) -> None:
    with logged_in(served.url, "city") as api:
        firm = api.get("/api/enterprises", params={"page_size": 1, "sort": "uscc"}).json()["items"][0]
    csv = tmp_path / "企业名录.csv"
    csv.write_text(
        "统一社会信用代码,企业名称,行业代码,企业规模,行政区划代码\n"
        f"{firm['uscc']},{firm['name']}（浏览器导入）,{firm['industry_code']},{firm['scale']},{firm['division_code']}\n",
        encoding="utf-8-sig",
    )
    page = _log_in(browser, served, "city")
    page.goto(f"{served.url}/#/import")
    page.get_by_test_id("import-entity").select_option("enterprises")
    page.get_by_test_id("import-file").set_input_files(str(csv))
    page.get_by_test_id("import-submit").click()
    expect(page.get_by_test_id("import-report")).to_be_visible()
    _shot(page, "09-import-report")
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-result")).to_be_visible()
    with httpx.Client(base_url=served.url) as anonymous:
        assert anonymous.get(f"/api/enterprises/{firm['uscc']}").status_code == 401
    with logged_in(served.url, "city") as api:
        assert api.get(f"/api/enterprises/{firm['uscc']}").json()["enterprise"]["name"].endswith("（浏览器导入）")
    page.close()
