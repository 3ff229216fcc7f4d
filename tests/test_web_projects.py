"""Projects over HTTP on a real server: the list and its filters, the dossier with the actions open
to each role and why the others are not, writes by the project's own town only, conflicts, documents
attached by upload and downloaded, and rights holders' names kept from other towns."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pandas as pd
import pytest
from playwright.sync_api import Browser, expect

from landrenewal import accounts
from landrenewal.analysis.policy import set_store_policy
from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.projects import ledger, service
from landrenewal.store.engine import open_store
from tests import builders
from tests.conftest import SHOTS
from tests.web_city import serve

OTHER_TOWN = "440785101"
PASSWORD = "renewal-test-2026"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> str:
    location = str(tmp_path_factory.mktemp("projects") / "city.gpkg")
    store = open_store(location)
    options = ImportOptions(today=builders.TODAY)
    towns = pd.concat([builders.divisions(), pd.DataFrame({"division_code": [OTHER_TOWN], "name": ["沙湖镇"]})])
    import_frame(store, "divisions", towns, "d", epsg=builders.EPSG, options=options)
    import_frame(store, "parcels", builders.parcels(4), "p", epsg=builders.EPSG, options=options)
    with store.write() as conn:
        set_store_policy(conn, "gd-jiangmen-enping")
        for username, role, town in (
            ("city", "city", None),
            ("town", "town", builders.TOWN),
            ("other", "town", OTHER_TOWN),
            ("viewer", "viewer", None),
        ):
            accounts.create_user(conn, username, PASSWORD, role, division_code=town)
    code = service.create(store, builders.disposal_project(), day=dt.date(2026, 1, 5), user="os:setup")
    ledger.add_holders(
        store,
        code,
        [ledger.Holder("张三", "household", 5000.0, persons=3, id_number="11010519491231002X")],
        day=dt.date(2026, 1, 6),
        user="os:setup",
    )
    store.dispose()
    return location


@pytest.fixture(scope="module")
def base(city: str) -> Iterator[str]:
    with serve(city) as served:
        yield served.url


@contextmanager
def _client(base: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=60, headers={"Accept-Language": "zh-CN"}) as client:
        answer = client.post("/api/session", json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        client.headers["X-CSRF-Token"] = answer.json()["csrf"]
        yield client


def test_the_list_shows_each_project_with_its_derived_stage_and_filters(base: str) -> None:
    with _client(base, "viewer") as viewer:
        listed = viewer.get("/api/projects", params={"as_of": "2026-02-01"}).json()
        assert [(p["code"], p["stage"], p["stage_name"], p["parcel_count"]) for p in listed["items"]] == [
            ("XM2026-0001", "identified", "认定", 2)
        ]
        assert viewer.get("/api/projects", params={"town": OTHER_TOWN}).json()["total"] == 0
        assert viewer.get("/api/projects", params={"kind": "renewal"}).json()["total"] == 0


def test_the_town_works_its_project_through_the_dossier_and_others_are_refused(base: str) -> None:
    with _client(base, "town") as town, _client(base, "other") as other, _client(base, "viewer") as viewer:
        dossier = town.get("/api/projects/XM2026-0001", params={"as_of": "2026-02-01"}).json()
        assert [s["name"] for s in dossier["stages"]] == ["认定", "处置方案", "实施", "盘活验收", "已盘活"]
        offered = {a["action"]: a for a in dossier["actions"]}
        assert offered["draw_plan"]["refusals"] == ["缺少文件：处置方案（一地一策）。"]
        assert offered["draw_plan"]["fields"][0]["choices"]["deferred_reserve"] == "挂账收储"
        assert offered["close"]["refusals"] == ["「终止处置」不是本角色可办理的动作。"]
        seen = dossier["last_seq"]
        body = {"action": "draw_plan", "day": "2026-02-01", "values": {"disposal_mode": "transfer"}, "seen_seq": seen}
        assert other.post("/api/projects/XM2026-0001/actions", json=body).status_code == 403
        assert viewer.post("/api/projects/XM2026-0001/actions", json=body).status_code == 403
        refused = town.post("/api/projects/XM2026-0001/actions", json=body)
        assert refused.status_code == 422 and "缺少文件" in refused.json()["detail"]
        files = {"file": ("处置方案.pdf", PDF, "application/pdf")}
        form = {"kind": "disposal_plan", "day": "2026-02-01", "seen_seq": str(seen)}
        attached = town.post("/api/projects/XM2026-0001/documents", data=form, files=files)
        assert attached.status_code == 200, attached.text
        stale = town.post("/api/projects/XM2026-0001/actions", json=body)
        assert stale.status_code == 409
        body["seen_seq"] = attached.json()["seq"]
        assert town.post("/api/projects/XM2026-0001/actions", json=body).json()["seq"] == body["seen_seq"] + 1
        after = town.get("/api/projects/XM2026-0001", params={"as_of": "2026-02-02"}).json()
        assert after["project"]["stage_name"] == "处置方案"
        assert [e["kind_name"] for e in after["events"]][-2:] == ["附件", "办理"]
        document = after["events"][-2]["documents"][0]
        download = town.get(f"/api/projects/XM2026-0001/documents/{document['sha256']}")
        assert download.content == PDF and download.headers["content-type"] == "application/pdf"
        assert other.get(f"/api/projects/XM2026-0001/documents/{document['sha256']}").status_code == 403


def test_rights_holders_names_reach_only_the_projects_town_and_the_city(base: str, city: str) -> None:
    with _client(base, "town") as town, _client(base, "other") as other, _client(base, "city") as city_user:
        own = town.get("/api/projects/XM2026-0001").json()
        foreign = other.get("/api/projects/XM2026-0001")
        assert [h["name"] for h in own["holders"]] == ["张三"]
        assert own["holders"][0]["id_masked"] == "1101**********002X"
        assert [h["name"] for h in city_user.get("/api/projects/XM2026-0001").json()["holders"]] == ["张三"]
        assert foreign.json()["holders"] is None and foreign.json()["consent"]["persons"] == 3
        assert "张三" not in foreign.text and "002X" not in foreign.text
    assert "11010519491231002X" not in Path(city).read_bytes().decode("latin-1")


def test_a_town_officer_works_a_disposal_by_clicking_in_the_browser(
    base: str, browser: Browser, tmp_path: Path
) -> None:
    with _client(base, "town") as town:
        made = town.post(
            "/api/projects",
            json={
                "name": "西门村闲置地块处置",
                "kind": "disposal",
                "workflow": "disposal",
                "town": builders.TOWN,
                "parcels": [builders.parcels(4)["parcel_code"][2]],
                "day": "2026-03-01",
            },
        )
        assert made.status_code == 200, made.text
        code = made.json()["code"]
    plan = tmp_path / "处置方案.pdf"
    plan.write_bytes(PDF)
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/")
    page.get_by_test_id("login-username").fill("town")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-name")).to_be_visible()
    expect(page.locator("#topbar")).to_contain_text("镇街用户")  # the role in words, not "town"
    page.goto(base + "/#/projects")
    page.get_by_test_id("project-row").filter(has_text=code).click()
    expect(page.get_by_test_id("stage").first).to_contain_text("认定")
    expect(page.get_by_test_id("refusals-draw_plan")).to_contain_text("缺少文件：处置方案（一地一策）。")
    page.get_by_test_id("action-draw_plan").click()
    page.get_by_test_id("action-field-disposal_mode").select_option("transfer")
    page.get_by_test_id("action-doc-disposal_plan").set_input_files(str(plan))
    page.get_by_test_id("action-reason").fill("一地一策，依法流转")
    page.get_by_test_id("action-submit").click()
    expect(page.locator("[data-testid=stage][aria-current=step]")).to_contain_text("处置方案")
    events = page.get_by_test_id("project-event")
    expect(events.first).to_contain_text("制定处置方案")
    expect(events.first).to_contain_text("处置方式：依法流转")
    expect(page.get_by_test_id("project-document").first).to_contain_text("处置方案（一地一策）：处置方案.pdf")
    text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert not re.findall(r"\b(?:draw_plan|transfer|disposal_mode|identified|planned)\b", text)
    page.screenshot(path=str(SHOTS / "40-project-dossier.png"), full_page=True)
    # a wrong entry is voided by clicking, with its reason; both stay on record
    page.get_by_test_id("record-kind").select_option("void")
    page.get_by_test_id("record-seq").select_option("3")
    page.get_by_test_id("record-reason").fill("处置方式录错，重新制定")
    page.get_by_test_id("record-submit").click()
    expect(page.locator("[data-testid=stage][aria-current=step]")).to_contain_text("认定")
    expect(page.get_by_test_id("project-event").first).to_contain_text("作废")
    expect(page.get_by_test_id("project-event").nth(1)).to_contain_text("已作废")
    page.screenshot(path=str(SHOTS / "41-project-voided.png"), full_page=True)
    assert errors == []
    page.close()
