"""The UI in a real browser: Debian's chromium driven by Playwright against the real server.

Screenshots of every page visited go to build/screenshots/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import SHOTS
from tests.web_city import PASSWORDS, Served, build_city, logged_in, serve


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    location = str(tmp_path_factory.mktemp("browser") / "city.gpkg")
    build_city(location)
    with serve(location) as s:
        yield s


def _log_in(browser: Browser, served: Served, username: str) -> Page:
    # a Chinese office's browser: its own widgets (date fields) in Chinese too
    page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
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
    page.wait_for_function("() => window.__mapReady === true", timeout=60_000)  # a function: no eval under the CSP
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
    page.wait_for_function("() => window.__mapReady === true", timeout=60_000)  # a function: no eval under the CSP
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
    with logged_in(served.url, "city") as api:
        dossier = api.get(f"/api/parcels/{parcel['parcel_code']}").json()
    life = page.get_by_test_id("lifecycle").get_by_test_id("life-event")
    days = [life.nth(i).locator("time").get_attribute("datetime") or "" for i in range(life.count())]
    assert days == sorted(days) and dossier["identification"]["as_of"] in days  # in the order of its life
    facts = dossier["parcel"]
    dated = {facts[f] for f in ("approved_date", "supplied_date", "completion_date", "production_date") if facts[f]}
    assert dated <= set(days)
    expect(life.filter(has_text="低效用地认定")).to_contain_text(f"{parcel['finding_count']} 项")
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


def test_a_town_officer_corrects_its_own_towns_figures_and_the_admin_finds_the_change_in_the_audit_log(
    browser: Browser, served: Served
) -> None:
    with logged_in(served.url, "town") as officer:
        mine = str(officer.get("/api/session").json()["user"]["division_code"])
        first = officer.get("/api/metrics", params={"town": mine, "sort": "uscc", "page_size": 1}).json()["items"][0]
        rows = officer.get("/api/metrics", params={"uscc": first["uscc"], "sort": "year", "order": "desc"}).json()
    uscc, year = first["uscc"], rows["items"][0]["year"]
    assert rows["items"][0]["tax_wan"] != 4321.5
    page = _log_in(browser, served, "town")
    page.goto(f"{served.url}/#/enterprise/{uscc}")
    page.locator(f'[data-testid="metrics-edit"][data-year="{year}"]').click()
    form = page.get_by_test_id("metrics-form")
    expect(form.get_by_test_id("metrics-note")).to_contain_text("本次修改将在下一次亩均评价中生效")
    form.get_by_test_id("metric-input-tax_wan").fill("99999999")
    form.get_by_test_id("metrics-reason").fill("企业补报")
    form.get_by_test_id("metrics-save").click()
    expect(form.get_by_test_id("metrics-error")).to_contain_text("超过合理上限")  # the server's 422, beside the form
    expect(form.get_by_test_id("metrics-error")).to_contain_text("「税收」1e+08")
    expect(form.get_by_test_id("metrics-error")).not_to_contain_text("tax_wan")  # the field named, not its code
    form.get_by_test_id("metric-input-tax_wan").fill("4321.5")
    _shot(page, "10-metrics-edit-form")
    form.get_by_test_id("metrics-save").click()
    expect(page.get_by_test_id("metrics-saved")).to_contain_text(str(year))
    row = page.get_by_test_id("enterprise-metrics-table").locator("tbody tr").filter(has_text=str(year))
    expect(row).to_contain_text("4,321.5")
    expect(page.get_by_test_id("metrics-form")).to_have_count(0)
    edited = page.get_by_test_id("history").locator("tbody tr").filter(has_text=f"{uscc}/{year}")
    expect(edited).to_contain_text("修改经营指标")
    expect(edited.get_by_test_id("audit-diff")).to_contain_text("4,321.5")
    _shot(page, "11-metrics-saved")
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()
    with logged_in(served.url, "city") as api:
        stored = api.get("/api/metrics", params={"uscc": uscc, "year": year}).json()["items"][0]
        assert stored["tax_wan"] == 4321.5
        assert stored["value_added_wan"] == rows["items"][0]["value_added_wan"]  # only the field changed is sent
    city = _log_in(browser, served, "city")
    expect(city.get_by_test_id("nav-users")).to_have_count(0)
    expect(city.get_by_test_id("nav-audit")).to_have_count(0)
    city.close()
    admin = _log_in(browser, served, "admin")
    admin.get_by_test_id("nav-audit").click()
    change = admin.get_by_test_id("audit-row").filter(has_text=f"{uscc}/{year}").first
    expect(change).to_contain_text("修改经营指标")
    expect(change).to_contain_text("town")
    expect(change.get_by_test_id("audit-diff")).to_have_count(1)
    expect(change.get_by_test_id("audit-diff")).to_contain_text("4,321.5")
    total = int(admin.get_by_test_id("table-total").get_attribute("data-total") or 0)
    assert total >= admin.get_by_test_id("audit-row").count() > 0
    _shot(admin, "12-audit-log")
    assert admin.errors == []  # type: ignore[attr-defined]
    admin.close()


def test_edit_buttons_only_where_the_user_may_change_the_figures(browser: Browser, served: Served) -> None:
    with logged_in(served.url, "town") as officer:
        mine = str(officer.get("/api/session").json()["user"]["division_code"])
    with logged_in(served.url, "city") as api:
        firms = api.get("/api/enterprises", params={"page_size": 500, "sort": "uscc"}).json()["items"]
    foreign = next(e for e in firms if not e["division_code"].startswith(mine))
    own = next(e for e in firms if e["division_code"].startswith(mine))
    page = _log_in(browser, served, "town")
    page.goto(f"{served.url}/#/enterprise/{foreign['uscc']}")
    expect(page.get_by_test_id("metrics-restricted")).to_be_visible()
    expect(page.get_by_test_id("metrics-edit")).to_have_count(0)
    expect(page.get_by_test_id("metrics-add")).to_have_count(0)
    page.goto(f"{served.url}/#/enterprise/{own['uscc']}")
    expect(page.get_by_test_id("metrics-add")).to_be_visible()
    page.close()
    viewer = _log_in(browser, served, "viewer")
    viewer.goto(f"{served.url}/#/enterprise/{own['uscc']}")
    expect(viewer.get_by_test_id("enterprise-metrics")).to_be_visible()
    expect(
        viewer.get_by_test_id("enterprise-metrics-table").or_(viewer.get_by_test_id("metrics-restricted"))
    ).to_be_visible()
    expect(viewer.get_by_test_id("metrics-edit")).to_have_count(0)
    expect(viewer.get_by_test_id("metrics-add")).to_have_count(0)
    viewer.close()


def test_the_zone_dossier_opens_from_the_zones_table_and_lists_its_parcels(browser: Browser, served: Served) -> None:
    page = _log_in(browser, served, "city")
    page.goto(f"{served.url}/#/tables/zones")
    first = page.get_by_test_id("table-row").first
    no = first.locator("td").first.inner_text().strip()
    with logged_in(served.url, "city") as api:
        zone = api.get(f"/api/zones/{no}").json()
    first.click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(f"{no} 号片区")
    assert page.evaluate("location.hash") == f"#/zone/{no}"
    parcels = page.get_by_test_id("zone-parcels-table").get_by_test_id("zone-parcel")
    expect(parcels).to_have_count(len(zone["parcels"]))
    assert len(zone["parcels"]) == zone["zone"]["parcel_count"] > 0
    expect(page.get_by_test_id("zone-enterprise")).to_have_count(len(zone["enterprises"]))
    expect(page.get_by_test_id("zone-verdict")).to_have_text(zone["zone"]["verdict"])
    page.wait_for_selector('[data-testid="zone-map"][data-ready="true"]', timeout=60_000)
    _shot(page, "13-zone-dossier")
    code = zone["parcels"][0]["parcel_code"]
    parcels.filter(has_text=code).click()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(code)
    expect(page.get_by_test_id("zone-link")).to_contain_text(f"{no} 号片区")
    page.get_by_test_id("zone-link").click()  # and back, then to the map's zone popup and back again
    expect(page.get_by_test_id("dossier-title")).to_contain_text(f"{no} 号片区")
    page.get_by_test_id("zone-on-map").click()
    expect(page.get_by_test_id("zone-popup")).to_be_visible(timeout=30_000)
    page.get_by_test_id("popup-zone-link").click()
    expect(page.get_by_test_id("zone-dossier")).to_be_visible()
    expect(page.get_by_test_id("dossier-title")).to_contain_text(f"{no} 号片区")
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_the_dashboard_switches_between_evaluation_runs(browser: Browser, served: Served) -> None:
    with logged_in(served.url, "city") as api:
        runs = sorted(api.get("/api/evaluation/runs").json(), key=lambda r: r["id"])
    assert len(runs) >= 2
    newest, older = runs[-1], runs[0]
    page = _log_in(browser, served, "city")
    page.goto(f"{served.url}/#/dashboard")
    head = page.get_by_test_id("dashboard")
    expect(head).to_have_attribute("data-run", str(newest["id"]))
    expect(page.get_by_test_id("dashboard-run").locator("option")).to_have_count(len(runs))
    with page.expect_response(lambda r: "/api/dashboard" in r.url and f"run={older['id']}" in r.url) as answer:
        page.get_by_test_id("dashboard-run").select_option(str(older["id"]))
    assert answer.value.json()["run"] == {"id": older["id"], "year": older["year"]}
    expect(head).to_have_attribute("data-run", str(older["id"]))
    expect(page.get_by_test_id("dashboard-run-shown")).to_contain_text(f"{older['year']} 年评价")
    expect(page.get_by_test_id("best-table").first).to_be_visible()
    assert f"run={older['id']}" in page.evaluate("location.hash")
    _shot(page, "14-dashboard-older-run")
    page.reload()  # the run is kept in the address
    expect(page.get_by_test_id("dashboard")).to_have_attribute("data-run", str(older["id"]))
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_an_admin_renames_a_user_and_a_town_user_needs_a_town(browser: Browser, served: Served) -> None:
    page = _log_in(browser, served, "admin")
    page.get_by_test_id("nav-users").click()
    page.locator('[data-testid="user-edit"][data-username="viewer"]').click()
    form = page.get_by_test_id("edit-user-form")
    form.get_by_test_id("edit-user-role").select_option("town")
    form.get_by_test_id("edit-user-save").click()
    expect(form.get_by_test_id("edit-user-error")).to_contain_text("镇街")
    form.get_by_test_id("edit-user-role").select_option("viewer")
    form.get_by_test_id("edit-user-password").fill("short")
    form.get_by_test_id("edit-user-save").click()
    expect(form.get_by_test_id("edit-user-error")).to_contain_text("8")  # the server's detail
    form.get_by_test_id("edit-user-password").fill("")
    form.get_by_test_id("edit-user-display_name").fill("只读用户（浏览器改名）")
    _shot(page, "15-user-edit")
    form.get_by_test_id("edit-user-save").click()
    expect(page.get_by_test_id("edit-user-form")).to_have_count(0)
    row = page.get_by_test_id("user-row").filter(has_text="viewer")
    expect(row).to_contain_text("只读用户（浏览器改名）")
    with logged_in(served.url, "admin") as api:
        viewer = next(u for u in api.get("/api/users").json() if u["username"] == "viewer")
        assert viewer["display_name"] == "只读用户（浏览器改名）"
        assert viewer["role"] == "viewer" and viewer["active"] is True
        change = api.get("/api/audit", params={"page_size": 5}).json()["items"]
        assert any(c["action"] == "user.update" and c["key"] == "viewer" for c in change)
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_the_buildings_and_figures_lists_filter_and_hide_another_towns_figures(
    browser: Browser, served: Served
) -> None:
    page = _log_in(browser, served, "town")
    page.goto(f"{served.url}/#/tables/buildings")
    expect(page.get_by_test_id("table-row").first).to_be_visible()
    everything = int(page.get_by_test_id("table-total").get_attribute("data-total") or 0)
    page.get_by_test_id("filter-use_type").select_option("office")
    expect(page.get_by_test_id("table-total")).not_to_have_attribute("data-total", str(everything))
    expect(page.get_by_test_id("table-row").first).to_contain_text("办公")
    code = page.get_by_test_id("table-row").first.locator("td").nth(1).inner_text().strip()
    page.get_by_test_id("filter-parcel").fill(code)
    expect(page.get_by_test_id("table-row").first).to_contain_text(code)
    assert "use_type=office" in page.evaluate("location.hash")
    _shot(page, "16-buildings-table")
    page.get_by_test_id("tab-metrics").click()
    expect(page.get_by_test_id("table-metrics")).to_be_visible()
    page.get_by_test_id("filter-year").fill("2024")
    expect(page.get_by_test_id("table-row").first).to_contain_text("2024")
    with logged_in(served.url, "town") as officer:
        mine = str(officer.get("/api/session").json()["user"]["division_code"])
    with logged_in(served.url, "city") as api:
        towns = api.get("/api/divisions", params={"level": "town"}).json()
    other = next(d["division_code"] for d in towns if d["division_code"] != mine)
    page.get_by_test_id("filter-town").select_option(other)
    expect(page.get_by_test_id("table-row").first.get_by_test_id("restricted").first).to_be_visible()
    _shot(page, "17-metrics-table-restricted")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book[book.sheetnames[-1]]
    header, *body = list(sheet.iter_rows(values_only=True))
    assert "统一社会信用代码" in header and body
    assert all(r[header.index("年度")] == 2024 for r in body)
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def _drawn_texts(page: Page, testid: str) -> list[str]:
    """The texts ECharts drew into a chart's canvas (its zrender elements: what one sees)."""
    return list(
        page.evaluate(
            """id => {
                const el = document.querySelector(`[data-testid="${id}"]`);
                const chart = window.echarts.getInstanceByDom(el);
                return chart.getZr().storage.getDisplayList()
                    .filter(e => !e.ignore && !e.invisible && e.style && typeof e.style.text === 'string')
                    .map(e => e.style.text);
            }""",
            testid,
        )
    )


def test_a_town_officers_dashboard_opens_on_its_town_and_the_city_view_names_every_town(
    browser: Browser, served: Served
) -> None:
    with logged_in(served.url, "town") as officer:
        mine = str(officer.get("/api/session").json()["user"]["division_code"])
        own = officer.get("/api/dashboard", params={"town": mine}).json()
    page = _log_in(browser, served, "town")
    page.goto(f"{served.url}/#/dashboard")
    expect(page.get_by_test_id("dashboard-town")).to_have_value(mine)
    expect(page.get_by_test_id("total-zones")).to_contain_text(str(own["totals"]["zones"]))
    expect(page.get_by_test_id("total-enterprises")).to_contain_text(str(own["totals"]["enterprises"]))
    lists = page.get_by_test_id("ranked-list")
    expect(lists.first).to_contain_text("规上企业 · 亩均效益前十")
    expect(lists.nth(1)).to_contain_text("规下企业 · 亩均效益前十")
    _shot(page, "18-dashboard-town-officer")
    page.get_by_test_id("dashboard-town").select_option("")
    expect(page.get_by_test_id("dashboard-town")).to_have_value("")
    assert "town=all" in page.evaluate("location.hash")
    expect(page.get_by_test_id("chart-classes-by-town").locator("canvas").first).to_be_visible()
    with logged_in(served.url, "city") as api:
        towns = {d["name"] for d in api.get("/api/divisions", params={"level": "town"}).json()}
    page.wait_for_timeout(500)  # the bars' animation
    for chart in ("chart-classes-by-town", "chart-low-by-category"):
        drawn = set(_drawn_texts(page, chart))
        assert towns <= drawn, (chart, towns - drawn)
    _shot(page, "19-dashboard-town-officer-city")
    page.reload()
    expect(page.get_by_test_id("dashboard-town")).to_have_value("")  # the city, as chosen
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_the_audit_log_filters_by_who_and_what_and_shows_beijing_time(browser: Browser, served: Served) -> None:
    with logged_in(served.url, "viewer"):
        pass
    page = _log_in(browser, served, "admin")
    page.goto(f"{served.url}/#/audit")
    expect(page.get_by_test_id("audit-row").first).to_be_visible()
    page.get_by_test_id("audit-filter-username").select_option("viewer")
    expect(page.get_by_test_id("audit-row").first.locator("td").nth(1)).to_have_text("viewer")
    rows = page.get_by_test_id("audit-row")
    assert all(rows.nth(i).locator("td").nth(1).inner_text() == "viewer" for i in range(rows.count()))
    page.get_by_test_id("audit-filter-action").select_option("login")
    expect(rows.first).to_contain_text("登录")
    assert "username=viewer" in page.evaluate("location.hash") and "action=login" in page.evaluate("location.hash")
    stamp = rows.first.locator("time")
    iso = stamp.get_attribute("datetime") or ""
    at = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Shanghai"))
    expect(stamp).to_have_text(f"{at:%Y-%m-%d %H:%M:%S} UTC+8")
    expect(page.get_by_test_id("audit-table").locator("th").first).to_contain_text("北京时间")
    tomorrow = (at + dt.timedelta(days=1)).date().isoformat()
    page.get_by_test_id("audit-filter-since").fill(tomorrow)
    page.get_by_test_id("audit-filter-since").dispatch_event("change")
    expect(page.get_by_test_id("table-total")).to_have_attribute("data-total", "0")
    _shot(page, "20-audit-filtered")
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_a_correction_asks_for_its_reason_and_a_negative_tax_for_a_confirmation(
    browser: Browser, served: Served
) -> None:
    with logged_in(served.url, "town") as officer:
        mine = str(officer.get("/api/session").json()["user"]["division_code"])
        rows = officer.get("/api/metrics", params={"town": mine, "sort": "uscc", "order": "desc", "page_size": 1})
        first = rows.json()["items"][0]
    uscc, year = first["uscc"], first["year"]
    page = _log_in(browser, served, "town")
    page.goto(f"{served.url}/#/enterprise/{uscc}")
    page.locator(f'[data-testid="metrics-edit"][data-year="{year}"]').click()
    form = page.get_by_test_id("metrics-form")
    form.get_by_test_id("metric-input-tax_wan").fill("-12.5")
    expect(form.get_by_test_id("metrics-negative")).to_be_visible()
    form.get_by_test_id("metrics-save").click()
    expect(form.get_by_test_id("metrics-error")).to_contain_text("修改原因")
    form.get_by_test_id("metrics-reason").fill("当年退税大于缴税")
    form.get_by_test_id("metrics-save").click()
    expect(form.get_by_test_id("metrics-error")).to_contain_text("勾选确认")
    _shot(page, "21-metrics-negative-tax")
    form.get_by_test_id("metrics-confirm-negative").check()
    form.get_by_test_id("metrics-save").click()
    expect(page.get_by_test_id("metrics-saved")).to_contain_text(str(year))
    edited = page.get_by_test_id("history").locator("tbody tr").filter(has_text=f"{uscc}/{year}").first
    expect(edited.get_by_test_id("audit-reason")).to_contain_text("当年退税大于缴税")
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()
    with logged_in(served.url, "city") as api:
        assert api.get("/api/metrics", params={"uscc": uscc, "year": year}).json()["items"][0]["tax_wan"] == -12.5


def test_the_map_search_finds_a_code_by_its_tail_and_a_village_by_name(browser: Browser, served: Served) -> None:
    with logged_in(served.url, "city") as api:
        code = api.get("/api/parcels", params={"page_size": 1, "sort": "parcel_code"}).json()["items"][0]["parcel_code"]
        village = api.get("/api/divisions", params={"level": "village"}).json()[0]
    page = _log_in(browser, served, "city")
    _map_painted(page)
    page.get_by_test_id("map-search").fill(code[-5:])
    expect(page.locator(f'[data-testid="search-result"][data-code="{code}"]')).to_be_visible()
    page.get_by_test_id("map-search").fill(village["name"])
    hit = page.locator(f'[data-testid="search-result"][data-code="{village["division_code"]}"]')
    expect(hit).to_contain_text("村")
    _shot(page, "22-map-search-village")
    hit.click()
    page.wait_for_timeout(1500)  # the flight
    centre = page.evaluate("window.__map.getCenter().toArray()")
    found = next(h for h in api_search(served, village["name"]) if h["code"] == village["division_code"])
    west, south, east, north = found["bbox"]
    assert west <= centre[0] <= east and south <= centre[1] <= north
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def api_search(served: Served, q: str) -> list[dict[str, object]]:
    with logged_in(served.url, "city") as api:
        return list(api.get("/api/search", params={"q": q}).json())


# Words a Chinese page may hold in Latin letters: the language switch, file formats, the time zone,
# the demo's login names and the codes of records (parcel codes, USCCs, planning zone codes).
LATIN_ALLOWED = re.compile(
    r"English|XLSX|CSV|Shapefile|GeoPackage|GeoJSON|UTC|MapLibre|OpenStreetMap|"
    r"\.(?:zip|shp|dbf|shx|prj|cpg|csv|xlsx|gpkg|geojson)\b|"  # the names of files a user imported
    r"\b(?:admin|city|town|viewer|demo|zhang|user)\b|"
    r"\b[0-9A-Z]{2,}[0-9][0-9A-Z\-/]*\b|\b[A-D]\b|\b[A-Z]{1,2}\d+\b|"
    r"\b[0-9a-f]{12}…|SHA-256|EPSG|GB/T"  # a file's checksum, shortened; the names of standards
)


def _latin_words(text: str, accounts: tuple[str, ...] = ()) -> list[str]:
    """Latin words a Chinese page should not hold; ``accounts``: the system accounts it may name (the
    audit log says which one ran a command)."""
    for name in accounts:
        text = text.replace(f"系统账户 {name}", "")
    return re.findall(r"[A-Za-z_]{2,}", LATIN_ALLOWED.sub(" ", text))


# What each role may open besides the lists and dossiers (the others would only say "no permission").
ROLE_PAGES = {
    "admin": ("#/import", "#/users", "#/audit"),
    "city": ("#/import",),
    "town": (),
    "viewer": (),
}


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_in_chinese_no_page_shows_english_or_codes_to_any_role(browser: Browser, served: Served, role: str) -> None:
    with logged_in(served.url, "admin") as api:
        zone = api.get("/api/zones", params={"page_size": 1}).json()["items"][0]
        # parcels whose findings quote a threshold per industry, an evaluation and idle-land dates
        rules = ("control.far_below_industry_min", "local.tax_per_mu_below", "idle.stalled")
        found = [api.get("/api/findings", params={"rule": r, "page_size": 1}).json()["items"] for r in rules]
        parcels = [items[0]["parcel_code"] for items in found if items]
        enterprise = api.get("/api/evaluation/results", params={"page_size": 1}).json()["items"][0]["uscc"]
        names = api.get("/api/audit").json()["usernames"]
        accounts = tuple(n.removeprefix("os:") for n in names if n.startswith("os:"))
    assert len(parcels) == len(rules)
    pages = [
        "#/dashboard",
        "#/tables/evaluation",
        "#/tables/findings",
        "#/tables/zones",
        "#/tables/parcels",
        "#/tables/buildings",
        "#/tables/enterprises",
        "#/tables/metrics",
        *(f"#/parcel/{code}" for code in parcels),
        f"#/enterprise/{enterprise}",
        f"#/zone/{zone['zone_no']}",
        *ROLE_PAGES[role],
    ]
    page = _log_in(browser, served, role)
    found: dict[str, list[str]] = {}
    for where in pages:
        page.goto(f"{served.url}/{where}")
        expect(page.locator("#view")).not_to_contain_text("正在加载", timeout=30_000)
        page.wait_for_timeout(300)
        text = page.locator("#app").inner_text()
        words = _latin_words(text, accounts)
        if words:
            found[where] = sorted(set(words))
        name = where.strip("#/").replace("/", "-")[:40]
        _shot(page, f"30-zh-{role}-{name}")
        if where == "#/audit":  # a log-in records where from, not a new record
            rows = [r.split("\t") for r in page.get_by_test_id("audit-row").all_inner_texts()]
            logins = [r for r in rows if len(r) > 2 and r[2].strip() == "登录"]
            assert logins and not [r for r in logins if "新建" in "".join(r)], logins[:3]
    assert found == {}, found
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


def test_the_security_policy_blocks_nothing_the_map_and_the_charts_need(browser: Browser, served: Served) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    # Each blocked load or inline style/script fires this event (and a console error).
    context.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    answer = page.goto(served.url + "/")
    assert answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
    page.get_by_test_id("login-username").fill("city")
    page.get_by_test_id("login-password").fill(PASSWORDS["city"])
    page.get_by_test_id("login-submit").click()
    assert _map_painted(page) > 100
    box = page.locator("canvas.maplibregl-canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.goto(f"{served.url}/#/dashboard")
    chart = page.get_by_test_id("chart-classes-by-town").locator("canvas").first
    expect(chart).to_be_visible()
    chart.hover()  # ECharts' tooltip is HTML with style attributes
    page.wait_for_timeout(500)
    assert page.evaluate("window.__violations") == [] and refused == []
    context.close()
