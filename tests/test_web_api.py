"""The REST API as a browser or a script meets it: a real server on loopback, over both stores."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import mapbox_vector_tile
import openpyxl
import pandas as pd
import pyogrio
import pytest

from landrenewal.store import schema
from landrenewal.store.engine import open_store
from tests.cli import run
from tests.conftest import require_postgres
from tests.web_city import PASSWORDS, Served, build_city, logged_in, serve


@pytest.fixture(scope="module", params=["gpkg", "postgis"])
def city(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_url: str | None
) -> Iterator[str]:
    if request.param == "gpkg":
        location = str(tmp_path_factory.mktemp("web") / "city.gpkg")
        build_city(location)
        yield location
        return
    from landrenewal.store.admin import create_database, drop_database

    url = require_postgres(postgres_url)
    location = create_database(url, "lr_test_web_api")
    build_city(location)
    yield location
    drop_database(url, "lr_test_web_api")


@pytest.fixture(scope="module")
def served(city: str) -> Iterator[Served]:
    with serve(city) as s:
        yield s


@pytest.fixture(scope="module")
def admin(served: Served) -> Iterator[httpx.Client]:
    with logged_in(served.url, "admin") as client:
        yield client


@pytest.fixture(scope="module")
def town(served: Served) -> Iterator[httpx.Client]:
    with logged_in(served.url, "town") as client:
        yield client


def _town_code(client: httpx.Client) -> str:
    return str(client.get("/api/session").json()["user"]["division_code"])


def test_without_a_session_the_api_answers_401_as_json_and_the_ui_page_loads(served: Served) -> None:
    with httpx.Client(base_url=served.url) as anonymous:
        answer = anonymous.get("/api/parcels")
        assert answer.status_code == 401 and answer.json()["reason"] == "unauthenticated"
        assert anonymous.get("/tiles/parcels/0/0/0.pbf").status_code == 401
        page = anonymous.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        wrong = anonymous.post("/api/session", json={"username": "admin", "password": "not-the-password"})
        assert wrong.status_code == 401 and wrong.json()["reason"] == "bad_credentials"
        assert "lr_session" not in wrong.cookies


def test_login_sets_an_http_only_strict_cookie_and_writes_need_the_csrf_token(served: Served) -> None:
    with logged_in(served.url, "admin") as client:
        assert any(c.name == "lr_session" and c.has_nonstandard_attr("HttpOnly") for c in client.cookies.jar)
        csrf = client.headers.pop("X-CSRF-Token")
        refused = client.post("/api/users", json={"username": "x1", "password": "long-enough", "role": "viewer"})
        assert refused.status_code == 403 and refused.json()["reason"] == "csrf"
        client.headers["X-CSRF-Token"] = csrf
        assert client.delete("/api/session").status_code == 204
        assert client.get("/api/session").status_code == 401  # the session is gone from the store


@pytest.fixture
def fresh_logins(city: str) -> Iterator[str]:
    """The city with no failed logins counted, before and after (the count lives in the store)."""

    def clear() -> None:
        store = open_store(city, create=False)
        with store.engine.begin() as conn:
            conn.execute(schema.login_throttle.delete())
        store.dispose()

    clear()
    yield city
    clear()


def _log_in(client: httpx.Client, username: str, password: str, **headers: str) -> httpx.Response:
    return client.post("/api/session", json={"username": username, "password": password}, headers=headers)


def _from(url: str, address: str) -> httpx.Client:
    """A client whose requests come from another loopback address (another office)."""
    return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=address))


def test_repeated_failed_logins_are_refused_with_429_even_with_the_right_password(fresh_logins: str) -> None:
    with serve(fresh_logins, login_attempts=3, login_window_s=60.0) as s, httpx.Client(base_url=s.url) as client:
        for _ in range(3):
            assert _log_in(client, "viewer", "wrong-password").status_code == 401
        blocked = _log_in(client, "viewer", PASSWORDS["viewer"])
        assert blocked.status_code == 429 and blocked.json()["reason"] == "rate_limited"
        assert 0 < int(blocked.headers["Retry-After"]) <= 61
        # Another person at the same address is not locked out by it.
        assert _log_in(client, "city", PASSWORDS["city"]).status_code == 200


def test_of_forty_parallel_wrong_passwords_only_the_allowed_five_are_checked(fresh_logins: str) -> None:
    with (
        serve(fresh_logins, login_attempts=5, login_window_s=60.0) as s,
        httpx.Client(base_url=s.url, timeout=120, limits=httpx.Limits(max_connections=40)) as client,
        ThreadPoolExecutor(40) as pool,
    ):
        answers = list(pool.map(lambda _: _log_in(client, "viewer", "wrong-password").status_code, range(40)))
        assert Counter(answers) == {401: 5, 429: 35}
        assert _log_in(client, "viewer", PASSWORDS["viewer"]).status_code == 429


def test_failures_lock_out_neither_the_user_elsewhere_nor_the_others_behind_the_same_address(
    fresh_logins: str,
) -> None:
    with (
        serve(fresh_logins) as s,
        httpx.Client(base_url=s.url, timeout=60) as office,
        _from(s.url, "127.0.0.2") as stranger,
    ):
        for _ in range(5):
            assert _log_in(stranger, "viewer", "wrong-password").status_code == 401
        assert _log_in(stranger, "viewer", PASSWORDS["viewer"]).status_code == 429
        # The stranger's guesses do not lock the viewer out of its own office.
        assert _log_in(office, "viewer", PASSWORDS["viewer"]).status_code == 200
        # Sixty failures from the office's one address, five for each of twelve names: the others still log in.
        for n in range(12):
            for _ in range(5):
                assert _log_in(office, f"nobody{n}", "wrong-password").status_code == 401
        assert _log_in(office, "city", PASSWORDS["city"]).status_code == 200


def test_forwarded_headers_are_believed_only_from_configured_proxies(fresh_logins: str, admin: httpx.Client) -> None:
    with serve(fresh_logins) as s, httpx.Client(base_url=s.url, timeout=60) as client:
        for n in range(5):
            spoofed = _log_in(client, "viewer", "wrong-password", **{"X-Forwarded-For": f"203.0.113.{n}"})
            assert spoofed.status_code == 401
        # Each failure claimed another address; all were the one loopback peer, and counted so.
        assert _log_in(client, "viewer", "wrong-password", **{"X-Forwarded-For": "203.0.113.9"}).status_code == 429
        https = _log_in(client, "city", PASSWORDS["city"], **{"X-Forwarded-Proto": "https"})
        assert https.status_code == 200 and "secure" not in https.headers["set-cookie"].lower()
    audit = admin.get("/api/audit", params={"page_size": 100}).json()["items"]
    failures = [r for r in audit if r["username"] == "viewer" and r["action"] == "login.failed"][:5]  # newest first
    assert len(failures) == 5 and all(json.loads(r["after"])["address"] == "127.0.0.1" for r in failures)
    assert "203.0.113" not in json.dumps(failures)

    with serve(fresh_logins, trusted_proxies="127.0.0.1, 10.0.0.0/8") as s, httpx.Client(base_url=s.url) as proxy:
        for _ in range(5):
            assert _log_in(proxy, "viewer", "wrong-password", **{"X-Forwarded-For": "198.51.100.1"}).status_code == 401
        assert _log_in(proxy, "viewer", "wrong-password", **{"X-Forwarded-For": "198.51.100.1"}).status_code == 429
        # Behind the proxy, another client is another address; the proxy says it came by HTTPS.
        other = _log_in(
            proxy, "viewer", PASSWORDS["viewer"], **{"X-Forwarded-For": "198.51.100.2", "X-Forwarded-Proto": "https"}
        )
        assert other.status_code == 200 and "secure" in other.headers["set-cookie"].lower()
    with (
        pytest.raises(ValueError, match="LANDRENEWAL_TRUSTED_PROXIES"),
        serve(fresh_logins, trusted_proxies="proxy.local"),
    ):
        pass


def test_parcel_list_filters_sorts_and_pages(admin: httpx.Client) -> None:
    everything = admin.get("/api/parcels", params={"page_size": 500}).json()
    assert everything["total"] == 600 and len(everything["items"]) == 500
    assert {c["name"] for c in everything["columns"]} >= {"parcel_code", "class", "categories", "area_mu"}
    d = admin.get("/api/parcels", params={"class": "D", "sort": "area_mu", "order": "desc", "page_size": 20}).json()
    assert 0 < d["total"] < 600
    assert all(item["class"] == "D" for item in d["items"])
    areas = [item["area_mu"] for item in d["items"]]
    assert areas == sorted(areas, reverse=True)
    query = {"class": "D", "sort": "area_mu", "order": "desc", "page_size": 20}
    second = admin.get("/api/parcels", params=query | {"page": 2})
    assert not {i["parcel_code"] for i in second.json()["items"]} & {i["parcel_code"] for i in d["items"]}
    category = admin.get("/api/legend").json()["categories"][0]["name"]
    found = admin.get("/api/parcels", params={"category": category, "page_size": 500}).json()
    assert found["total"] > 0 and all(category in i["categories"].split("|") for i in found["items"])
    bad = admin.get("/api/parcels", params={"page_size": 10_000})
    assert bad.status_code == 422 and bad.json()["reason"] == "invalid" and "page_size" in bad.json()["detail"]
    assert admin.get("/api/parcels", params={"sort": "no_such"}).status_code == 422


def test_a_town_officer_sees_private_figures_only_in_its_own_town(town: httpx.Client, admin: httpx.Client) -> None:
    mine = _town_code(town)
    listed = town.get("/api/enterprises", params={"page_size": 500, "sort": "tax_wan", "order": "desc"}).json()["items"]
    own = [e for e in listed if e["division_code"].startswith(mine)]
    other = [e for e in listed if not e["division_code"].startswith(mine)]
    assert own and other
    assert all(e["restricted"] is False for e in own) and any(e["tax_wan"] is not None for e in own)
    assert all(e["restricted"] is True and e["tax_wan"] is None and e["tax_per_mu"] is None for e in other)
    # The city sees the same enterprises' figures.
    everything = admin.get("/api/enterprises", params={"page_size": 500, "sort": "tax_wan", "order": "desc"}).json()
    assert any(e["tax_wan"] is not None for e in everything["items"] if not e["division_code"].startswith(mine))

    foreign = next(e for e in other if e["parcel_count"] > 0)
    dossier = town.get(f"/api/enterprises/{foreign['uscc']}").json()
    assert dossier["restricted"] is True and dossier["metrics"] is None
    assert all(e["tax_per_mu"] is None for e in dossier["evaluations"])
    assert admin.get(f"/api/enterprises/{foreign['uscc']}").json()["metrics"]
    home = next(e for e in own if e["parcel_count"] > 0)
    assert town.get(f"/api/enterprises/{home['uscc']}").json()["metrics"]


def test_an_export_of_a_filtered_list_downloads_a_valid_xlsx_without_other_towns_private_figures(
    town: httpx.Client,
) -> None:
    mine = _town_code(town)
    answer = town.get("/api/enterprises/export", params={"format": "xlsx", "sort": "uscc"})
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book["企业清单"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert "统一社会信用代码" in header and "税收（万元）" in header
    total = town.get("/api/enterprises").json()["total"]
    assert len(rows) - 1 == total
    division, tax = header.index("行政区划代码"), header.index("税收（万元）")
    assert all(r[tax] is None for r in rows[1:] if not str(r[division]).startswith(mine))
    assert any(r[tax] is not None for r in rows[1:] if str(r[division]).startswith(mine))
    assert "说明" in book.sheetnames


def test_findings_export_as_geojson_has_a_feature_per_finding_in_lon_lat(admin: httpx.Client) -> None:
    total = admin.get("/api/findings").json()["total"]
    answer = admin.get("/api/findings/export", params={"format": "geojson"})
    features = json.loads(answer.content)["features"]
    assert len(features) == total > 0
    lon, lat = features[0]["geometry"]["coordinates"][0][0][0]
    assert 110 < lon < 115 and 21 < lat < 24  # 恩平 in WGS84, not projected metres


def test_lists_without_geometry_export_as_a_geopackage_table_and_geojson_without_geometry(
    town: httpx.Client, tmp_path: Path
) -> None:
    total = town.get("/api/enterprises").json()["total"]
    answer = town.get("/api/enterprises/export", params={"format": "gpkg"})
    assert answer.status_code == 200
    (tmp_path / "企业.gpkg").write_bytes(answer.content)
    with sqlite3.connect(tmp_path / "企业.gpkg") as db:
        assert db.execute("SELECT data_type FROM gpkg_contents").fetchall() == [("attributes",)]
    table = pyogrio.read_dataframe(tmp_path / "企业.gpkg")
    assert len(table) == total and "统一社会信用代码" in table.columns
    mine = _town_code(town)
    figures = json.loads(town.get("/api/metrics/export", params={"format": "geojson", "year": "2025"}).content)
    assert figures["features"] and all(f["geometry"] is None for f in figures["features"])
    rows = [f["properties"] for f in figures["features"]]
    assert all(r["税收（万元）"] is None for r in rows if not str(r["行政区划代码"]).startswith(mine))
    assert any(r["税收（万元）"] is not None for r in rows if str(r["行政区划代码"]).startswith(mine))


def test_a_parcel_tile_holds_the_parcels_under_it_with_class_and_categories(admin: httpx.Client) -> None:
    found = admin.get("/api/parcels", params={"page_size": 1, "sort": "finding_count", "order": "desc"}).json()
    parcel = found["items"][0]
    hit = admin.get("/api/search", params={"q": parcel["parcel_code"]}).json()[0]
    zoom = 15
    x, y = _tile_of(hit["lon"], hit["lat"], zoom)
    answer = admin.get(f"/tiles/parcels/{zoom}/{x}/{y}.pbf")
    assert answer.status_code == 200
    layer = mapbox_vector_tile.decode(answer.content)["parcels"]
    here = [f for f in layer["features"] if f["properties"]["code"] == parcel["parcel_code"]]
    assert len(here) == 1
    props = here[0]["properties"]
    assert props["cls"] == parcel["class"] and props["cats"] == parcel["categories"]
    assert admin.get("/tiles/parcels/3/99/0.pbf").status_code == 404


def _tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    x = int((lon + 180) / 360 * 2**zoom)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * 2**zoom)
    return x, y


def test_zone_outlines_come_as_vector_tiles_with_each_zones_number_and_figures(admin: httpx.Client) -> None:
    setup = admin.get("/api/map").json()
    zones = admin.get("/api/zones", params={"sort": "area_mu", "order": "desc", "page_size": 1}).json()
    assert setup["zones"] == zones["total"] > 0
    biggest = zones["items"][0]
    west, south, east, north = admin.get(f"/api/zones/{biggest['zone_no']}").json()["bbox"]
    zoom = 14
    x, y = _tile_of((west + east) / 2, (south + north) / 2, zoom)
    answer = admin.get(setup["zone_tiles"].format(z=zoom, x=x, y=y))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    features = mapbox_vector_tile.decode(answer.content)["zones"]["features"]
    mine = [f for f in features if f["id"] == biggest["zone_no"]]
    assert len(mine) == 1 and mine[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    props = mine[0]["properties"]
    assert props["zone_no"] == biggest["zone_no"] and props["town_name"] == biggest["town_name"]
    assert props["area_mu"] == pytest.approx(biggest["area_mu"]) and props["verdict"] == biggest["verdict"]
    assert admin.get("/tiles/zones/2/9/0.pbf").status_code == 404


def test_the_parcel_dossier_has_its_findings_evaluation_enterprises_and_geometry(admin: httpx.Client) -> None:
    parcel = admin.get("/api/parcels", params={"page_size": 1, "sort": "finding_count", "order": "desc"}).json()
    code = parcel["items"][0]["parcel_code"]
    dossier = admin.get(f"/api/parcels/{code}").json()
    assert dossier["parcel"]["parcel_code"] == code and dossier["parcel"]["labels"]["parcel_code"] == "宗地代码"
    assert len(dossier["findings"]) == parcel["items"][0]["finding_count"] > 0
    assert all(f["clause"] and f["rule_name"] for f in dossier["findings"])
    assert dossier["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert len(dossier["classes"]) >= 1
    missing = admin.get("/api/parcels/NO-SUCH-PARCEL")
    assert missing.status_code == 404 and missing.json()["reason"] == "not_found"


def test_an_import_is_checked_first_then_confirmed_and_audited_and_a_second_time_changes_nothing(
    served: Served, admin: httpx.Client, town: httpx.Client, tmp_path: Path
) -> None:
    listed = admin.get("/api/enterprises", params={"page_size": 3, "sort": "uscc"}).json()["items"]
    frame = pd.DataFrame(
        {
            "统一社会信用代码": [e["uscc"] for e in listed],
            "企业名称": [e["name"] + "（更名）" for e in listed],
            "行业代码": [e["industry_code"] for e in listed],
            "企业规模": [e["scale"] for e in listed],
            "行政区划代码": [e["division_code"] for e in listed],
        }
    )
    bad = frame.copy()
    bad.loc[1, "统一社会信用代码"] = "NOT-A-USCC"
    path = tmp_path / "企业.csv"
    bad.to_csv(path, index=False, encoding="utf-8-sig")
    assert town.post("/api/imports", data={"entity": "enterprises"}, files={"file": path.open("rb")}).status_code == 403
    checked = admin.post("/api/imports", data={"entity": "enterprises"}, files={"file": path.open("rb")}).json()
    assert checked["errors"] >= 1 and any(p["row"] == 3 and p["field"] == "uscc" for p in checked["problems"])
    assert admin.post(f"/api/imports/{checked['token']}/confirm").status_code == 422
    assert "NOT-A-USCC" in admin.get(f"/api/imports/{checked['token']}/rejects.csv").content.decode("utf-8-sig")

    frame.to_csv(path, index=False, encoding="utf-8-sig")
    checked = admin.post("/api/imports", data={"entity": "enterprises"}, files={"file": path.open("rb")}).json()
    assert checked["errors"] == 0 and checked["would_update"] == 3
    still = admin.get(f"/api/enterprises/{listed[0]['uscc']}").json()["enterprise"]["name"]
    assert still == listed[0]["name"]  # the check wrote nothing
    done = admin.post(f"/api/imports/{checked['token']}/confirm").json()
    assert done["committed"] is True and done["would_update"] == 3
    assert admin.get(f"/api/enterprises/{listed[0]['uscc']}").json()["enterprise"]["name"].endswith("（更名）")
    log = admin.get("/api/audit", params={"action": "import", "page_size": 500}).json()["items"]
    mine = [r for r in log if r["key"] == str(done["import_id"])]
    assert [(r["username"], r["entity"]) for r in mine] == [("admin", "enterprises")]  # one row, in the import's
    assert mine[0]["at"].endswith("+00:00") and json.loads(mine[0]["after"])["updated"] == 3
    changes = admin.get(f"/api/imports/{done['import_id']}/changes", params={"page_size": 2}).json()
    assert changes["total"] == 3 and len(changes["items"]) == 2 and changes["import"]["by"] == "admin"
    first = next(e for e in listed if e["uscc"] == changes["items"][0]["key"])
    assert changes["items"][0]["before"] == {"name": first["name"]}
    assert changes["items"][0]["after"] == {"name": first["name"] + "（更名）"}
    assert town.get(f"/api/imports/{done['import_id']}/changes").status_code == 403
    assert admin.get("/api/imports/999999/changes").status_code == 404

    again = admin.post("/api/imports", data={"entity": "enterprises"}, files={"file": path.open("rb")}).json()
    assert again["would_update"] == 0 and again["unchanged"] == 3


def test_only_an_admin_manages_users_and_every_change_is_audited_before_and_after(
    admin: httpx.Client, town: httpx.Client
) -> None:
    new = {"username": "zhang", "password": "long-enough-1", "role": "viewer", "display_name": "张三"}
    assert town.post("/api/users", json=new).status_code == 403
    assert admin.post("/api/users", json=new | {"password": "short"}).status_code == 422
    for weak, why in (("12345678", "连续"), ("password", "常见"), (" " * 8, "空格"), ("zhang2026", "用户名")):
        refused = admin.post("/api/users", json=new | {"password": weak})
        assert refused.status_code == 422 and why in refused.json()["detail"]
    assert admin.post("/api/users", json=new).status_code == 201
    assert admin.post("/api/users", json=new).status_code == 422  # taken
    changed = admin.patch("/api/users/zhang", json={"role": "city"})
    assert changed.status_code == 200 and changed.json()["role"] == "city"
    entry = next(r for r in admin.get("/api/audit").json()["items"] if r["action"] == "user.update")
    assert json.loads(entry["before"])["role"] == "viewer" and json.loads(entry["after"])["role"] == "city"
    assert "password_hash" not in entry["after"]


def test_requests_are_read_as_the_document_types_them_not_coerced(admin: httpx.Client) -> None:
    # 0 is neither a day (pydantic would read 1970-01-01) nor false; a misspelt field is no change
    assert admin.get("/api/audit", params={"until": "0"}).status_code == 422
    assert admin.get("/api/audit", params={"until": "2026-12-31"}).status_code == 200
    for body in ({"active": 0}, {"display_name": 7}, {"actve": False}):
        assert admin.patch("/api/users/admin", json=body).status_code == 422, body
    assert admin.post("/api/session", json={"username": "admin", "password": 1234}).status_code == 422


def test_a_method_a_path_does_not_take_names_every_method_it_does(admin: httpx.Client) -> None:
    refused = admin.request("OPTIONS", "/api/users")
    assert refused.status_code == 405 and {"GET", "POST"} <= set(refused.headers["allow"].split(", "))
    assert {"GET", "POST", "DELETE"} <= set(admin.request("PUT", "/api/session").headers["allow"].split(", "))


def test_the_last_active_administrator_cannot_be_stopped_from_the_web(admin: httpx.Client) -> None:
    refused = admin.patch("/api/users/admin", json={"active": False})
    assert refused.status_code == 422 and "最后一个" in refused.json()["detail"]
    assert admin.get("/api/session").status_code == 200


def test_the_openapi_document_lists_the_api_and_unknown_paths_answer_json(admin: httpx.Client) -> None:
    document = admin.get("/openapi.json").json()
    assert {"/api/parcels", "/api/parcels/{code}", "/api/zones", "/tiles/parcels/{z}/{x}/{y}.pbf"} <= set(
        document["paths"]
    )
    missing = admin.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing.json()["reason"] == "not_found"


def test_messages_come_whole_in_the_language_the_reader_asks_for(admin: httpx.Client) -> None:
    asked = {
        "/api/no-such-thing": {},
        "/api/parcels": {"page": "0"},
        "/api/parcels/NO-SUCH-PARCEL": {},
        "/api/evaluation/results": {"run": "99999999"},
        "/api/audit": {"page": "first", "since": "yesterday"},
        "/tiles/parcels/99/0/0.pbf": {},
    }
    for path, query in asked.items():
        chinese = admin.get(path, params=query, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
        english = admin.get(path, params=query, headers={"Accept-Language": "en-GB,en;q=0.9"})
        default = admin.get(path, params=query)
        assert chinese.status_code == english.status_code == default.status_code >= 400, path
        assert chinese.headers["Content-Language"] == "zh-CN" and english.headers["Content-Language"] == "en"
        assert "Accept-Language" in english.headers["Vary"]
        zh, en = str(chinese.json()["detail"]), str(english.json()["detail"])
        assert default.json()["detail"] == zh, path
        # each whole in its language: no English words in the Chinese, no Chinese in the English
        assert not re.search(r"\b(no|not|such|must|the|is|invalid)\b", zh), (path, zh)
        assert not re.search(r"[\u4e00-\u9fff]", en), (path, en)


def test_dashboard_classes_by_town_add_up_to_the_city(admin: httpx.Client) -> None:
    board = admin.get("/api/dashboard").json()
    total = sum(sum(row[c] for c in ("A", "B", "C", "D", "T", "unrated")) for row in board["classes_by_town"])
    assert total == pytest.approx(board["totals"]["mu"], abs=1.0)
    assert [t["year"] for t in board["trend"]] == [2024, 2025]
    assert board["totals"]["zones"] == admin.get("/api/zones").json()["total"]
    assert board["totals"]["enterprises"] == admin.get("/api/enterprises").json()["total"]


def test_every_dashboard_card_follows_the_towns_scope(admin: httpx.Client, town: httpx.Client) -> None:
    mine = _town_code(town)
    board = town.get("/api/dashboard", params={"town": mine}).json()
    assert board["town"] == mine
    assert {row["town_code"] for row in board["classes_by_town"]} == {mine}
    zones = admin.get("/api/zones", params={"town": mine}).json()["total"]
    firms = admin.get("/api/enterprises", params={"town": mine}).json()["total"]
    city = admin.get("/api/dashboard").json()["totals"]
    assert board["totals"]["zones"] == zones < city["zones"]
    assert board["totals"]["enterprises"] == firms < city["enterprises"]
    ranked = [u for part in board["ranked"] for u in part["best"] + part["worst"]]
    assert ranked and all(u["division_code"].startswith(mine) for u in ranked)


def test_the_best_and_worst_units_are_ranked_within_each_evaluation_list_in_class_order(admin: httpx.Client) -> None:
    ranked = admin.get("/api/dashboard").json()["ranked"]
    lists = [part["list"] for part in ranked]
    assert lists[:2] == ["above", "below"]  # 规上, then 规下, as the evaluation orders its lists
    order = "ABCD"
    for part in ranked:
        assert part["best"] and all(u["list"] == part["list"] for u in part["best"] + part["worst"])
        best = [(order.index(u["class"]), -u["score"]) for u in part["best"]]
        worst = [(-order.index(u["class"]), u["score"]) for u in part["worst"]]
        assert best == sorted(best) and worst == sorted(worst)
    above = admin.get("/api/evaluation/results", params={"list": "above", "status": "rated", "page_size": 500}).json()
    top = min(above["items"], key=lambda u: (order.index(u["class"]), -u["score"]))
    assert ranked[0]["best"][0]["unit_key"] == top["unit_key"]


def test_search_finds_a_parcel_code_by_any_part_and_towns_and_villages_by_name(admin: httpx.Client) -> None:
    code = admin.get("/api/parcels", params={"page_size": 1, "sort": "parcel_code"}).json()["items"][0]["parcel_code"]
    tail = code[-5:]
    for typed in (code, code.lower(), tail, code[2:9]):
        hits = admin.get("/api/search", params={"q": typed}).json()
        assert any(h["kind"] == "parcel" and h["code"] == code for h in hits), typed
    village = next(d for d in admin.get("/api/divisions", params={"level": "village"}).json())
    town_name = next(d for d in admin.get("/api/divisions", params={"level": "town"}).json())["name"]
    hits = admin.get("/api/search", params={"q": village["name"]}).json()
    found = next(h for h in hits if h["kind"] == "village" and h["code"] == village["division_code"])
    west, south, east, north = found["bbox"]
    assert 100 < west <= east < 125 and 15 < south <= north < 30
    towns = admin.get("/api/search", params={"q": town_name}).json()
    assert towns[0]["kind"] == "town" and towns[0]["label"] == town_name and towns[0]["bbox"]


def test_the_audit_log_filters_by_who_what_and_when_in_beijing_days(
    served: Served, admin: httpx.Client, town: httpx.Client
) -> None:
    with logged_in(served.url, "viewer"):
        pass  # one more log-in, by someone else
    everything = admin.get("/api/audit", params={"page_size": 500}).json()
    assert {"admin", "viewer"} <= set(everything["usernames"]) and "login" in everything["actions"]
    assert everything["time_zone"] == "Asia/Shanghai"
    viewer = admin.get("/api/audit", params={"username": "viewer", "page_size": 500}).json()
    assert viewer["total"] > 0 and {r["username"] for r in viewer["items"]} == {"viewer"}
    logins = admin.get("/api/audit", params={"username": "viewer", "action": "login"}).json()
    assert logins["total"] > 0 and {r["action"] for r in logins["items"]} == {"login"}
    newest = dt.datetime.fromisoformat(everything["items"][0]["at"])
    newest = newest if newest.tzinfo else newest.replace(tzinfo=dt.UTC)
    today = newest.astimezone(ZoneInfo("Asia/Shanghai")).date()
    same_day = admin.get("/api/audit", params={"since": str(today), "until": str(today), "page_size": 500}).json()
    assert same_day["total"] == everything["total"]  # all made today, Beijing time
    before = admin.get("/api/audit", params={"until": str(today - dt.timedelta(days=1))}).json()
    after = admin.get("/api/audit", params={"since": str(today + dt.timedelta(days=1))}).json()
    assert before["total"] == 0 and after["total"] == 0
    assert admin.get("/api/audit", params={"since": "2026-02-02", "until": "2026-02-01"}).status_code == 422
    assert town.get("/api/audit").status_code == 403


def test_a_correction_needs_its_reason_kept_in_the_audit_and_a_negative_tax_a_confirmation(
    town: httpx.Client, admin: httpx.Client
) -> None:
    mine = _town_code(town)
    listed = town.get("/api/metrics", params={"year": "2024", "town": mine, "page_size": 50}).json()["items"]
    home = listed[-1]
    url = f"/api/enterprises/{home['uscc']}/metrics/2024"
    unexplained = town.put(url, json={"revenue_wan": 10.0})
    assert unexplained.status_code == 422 and "修改原因" in unexplained.json()["detail"]
    negative = town.put(url, json={"tax_wan": -3.5, "reason": "退税大于缴税"})
    assert negative.status_code == 422 and negative.json()["reason"] == "needs_confirmation"
    stored = town.get("/api/metrics", params={"uscc": home["uscc"], "year": "2024"}).json()["items"][0]
    assert stored["tax_wan"] == home["tax_wan"]  # nothing written
    confirmed = town.put(url, json={"tax_wan": -3.5, "reason": "退税大于缴税", "confirm_negative": True})
    assert confirmed.status_code == 200 and confirmed.json()["tax_wan"] == -3.5
    entry = admin.get("/api/audit", params={"action": "metrics.update", "page_size": 1}).json()["items"][0]
    assert entry["key"] == f"{home['uscc']}/2024" and json.loads(entry["after"])["reason"] == "退税大于缴税"
    fresh = town.put(f"/api/enterprises/{home['uscc']}/metrics/2018", json={"tax_wan": 1.0})
    assert fresh.status_code == 200  # a year not stored before is no correction


def test_zones_name_their_planning_zones_and_a_zone_dossier_exports_as_xlsx(
    town: httpx.Client, admin: httpx.Client
) -> None:
    zones = admin.get("/api/zones", params={"page_size": 500}).json()
    columns = {c["name"]: c["label_zh"] for c in zones["columns"]}
    assert columns["big_zone_name"] == "所在大圈" and not any(n.endswith("_zone_code") for n in columns)
    named = [z for z in zones["items"] if z["big_zone_name"]]
    assert named and all(not z["big_zone_name"].isascii() for z in named)  # names, not codes
    shown = {z["zone_no"]: town.get(f"/api/zones/{z['zone_no']}").json() for z in zones["items"][:40]}
    foreign = next(d for d in shown.values() if d["zone"]["partial"] and d["enterprises"])["zone"]
    own = next(d for d in shown.values() if not d["zone"]["partial"] and d["zone"]["tax_per_mu"])["zone"]
    dossier = shown[foreign["zone_no"]]
    # a zone holding other towns' figures shows the officer its own town's part, never the total
    total = admin.get(f"/api/zones/{foreign['zone_no']}").json()["zone"]["tax_per_mu"]
    assert foreign["tax_per_mu"] != total
    answer = town.get(f"/api/zones/{foreign['zone_no']}/export")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert {"说明", "片区概况", "宗地", "企业"} <= set(book.sheetnames)
    figures = dict(list(book["片区概况"].iter_rows(values_only=True))[1:])
    assert figures["片区编号"] == foreign["zone_no"]
    assert figures["亩均税收（万元/亩）"] == (
        None if foreign["tax_per_mu"] is None else pytest.approx(foreign["tax_per_mu"])
    )
    parcels = list(book["宗地"].iter_rows(values_only=True))
    assert parcels[0][0] == "宗地代码" and len(parcels) - 1 == len(dossier["parcels"])
    firms = list(book["企业"].iter_rows(values_only=True))
    assert "统一社会信用代码" in firms[0] and len(firms) - 1 == len(dossier["enterprises"])
    mine_book = openpyxl.load_workbook(io.BytesIO(town.get(f"/api/zones/{own['zone_no']}/export").content))
    mine_figures = dict(list(mine_book["片区概况"].iter_rows(values_only=True))[1:])
    assert mine_figures["亩均税收（万元/亩）"] == pytest.approx(own["tax_per_mu"])


def test_policies_are_listed_and_each_value_comes_with_its_source(admin: httpx.Client) -> None:
    listed = admin.get("/api/policies").json()
    assert listed["active"] == "demo-enping" and "zj-quzhou" in listed["items"]
    quzhou = admin.get("/api/policies/zj-quzhou", params={"on": "2024-06-30"}).json()
    assert quzhou["on"] == "2024-06-30" and quzhou["chain"][0] == "zj-quzhou"
    assert all(v["source"] for v in quzhou["values"].values())
    assert admin.get("/api/policies/no-such-policy").status_code == 404


def test_findings_evidence_quoting_tax_is_masked_outside_the_officers_town(town: httpx.Client) -> None:
    mine = _town_code(town)
    query = {"rule": "local.tax_per_mu_below", "page_size": 500}
    found = town.get("/api/findings", params=query).json()["items"]
    other = [f for f in found if not f["division_code"].startswith(mine)]
    own = [f for f in found if f["division_code"].startswith(mine)]
    assert other and own
    tax = "亩均税收（万元/亩）: "
    assert all(f"{tax}无权查看" in f["evidence"] and f["restricted"] for f in other)
    assert all(f"{tax}无权查看" not in f["evidence"] and tax in f["evidence"] for f in own)
    exported = town.get("/api/findings/export", params={"format": "xlsx", "rule": "local.tax_per_mu_below"})
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content))["低效用地认定结果"]
    rows = list(sheet.iter_rows(values_only=True))
    division, evidence = rows[0].index("行政区划代码"), rows[0].index("证据")
    assert all("无权查看" in r[evidence] for r in rows[1:] if not str(r[division]).startswith(mine))


def test_every_piece_of_evidence_of_every_rule_is_named_in_chinese(admin: httpx.Client) -> None:
    total = admin.get("/api/findings", params={"page_size": 1}).json()["total"]
    by_rule: dict[str, str] = {}
    for page in range(1, total // 500 + 2):
        for f in admin.get("/api/findings", params={"page_size": 500, "page": page}).json()["items"]:
            by_rule.setdefault(f["rule_id"], f["evidence"])
    assert len(by_rule) >= 10  # the test city makes most rules find something
    for rule, evidence in by_rule.items():
        assert evidence and not re.search(r"[a-z_]+:", evidence), (rule, evidence)


def test_health_answers_without_a_login_and_says_when_the_tiles_are_ready(served: Served) -> None:
    with httpx.Client(base_url=served.url) as anonymous:
        health = anonymous.get("/api/health").json()
    assert health["status"] == "ok" and isinstance(health["tiles_ready"], bool)


def test_buildings_and_metrics_have_their_own_paged_lists_and_metrics_of_other_towns_are_restricted(
    town: httpx.Client, admin: httpx.Client
) -> None:
    buildings = admin.get("/api/buildings", params={"page_size": 5, "sort": "floor_area_m2", "order": "desc"}).json()
    assert buildings["total"] > 0 and len(buildings["items"]) == 5
    areas = [b["floor_area_m2"] for b in buildings["items"]]
    assert areas == sorted(areas, reverse=True) and all(b["town_name"] for b in buildings["items"])
    code = buildings["items"][0]["parcel_code"]
    on_parcel = admin.get("/api/buildings", params={"parcel": code}).json()["items"]
    assert on_parcel and {b["parcel_code"] for b in on_parcel} == {code}

    mine = _town_code(town)
    year = admin.get("/api/metrics", params={"year": "2025", "page_size": 500}).json()
    assert year["total"] > 0 and {m["year"] for m in year["items"]} == {2025}
    headers = {c["name"]: (c["label_zh"], c["label_en"]) for c in year["columns"]}
    assert headers["tax_wan"] == ("税收（万元）", "Tax (10k yuan)")
    assert headers["employees_avg"] == ("年平均职工人数（人）", "Average employees (persons)")
    assert buildings["columns"][0]["label_en"] == "Building code"
    listed = town.get("/api/metrics", params={"year": "2025", "page_size": 500}).json()["items"]
    own = [m for m in listed if m["division_code"].startswith(mine)]
    other = [m for m in listed if not m["division_code"].startswith(mine)]
    assert own and other
    assert all(m["restricted"] is False for m in own) and any(m["tax_wan"] is not None for m in own)
    assert all(m["restricted"] is True and m["tax_wan"] is None and m["energy_tce"] is None for m in other)
    exported = town.get("/api/metrics/export", params={"year": "2025", "format": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(exported.content))["企业经营指标"].iter_rows(values_only=True))
    division, tax = rows[0].index("行政区划代码"), rows[0].index("税收（万元）")
    assert len(rows) - 1 == year["total"]
    assert all(r[tax] is None for r in rows[1:] if not str(r[division]).startswith(mine))
    assert any(r[tax] is not None for r in rows[1:] if str(r[division]).startswith(mine))


def test_a_town_officer_edits_its_own_towns_figures_and_no_one_elses_and_each_edit_is_audited(
    served: Served, town: httpx.Client, admin: httpx.Client
) -> None:
    mine = _town_code(town)
    listed = admin.get("/api/metrics", params={"year": "2025", "page_size": 500}).json()["items"]
    home = next(m for m in listed if m["division_code"].startswith(mine))
    foreign = next(m for m in listed if not m["division_code"].startswith(mine))
    url = f"/api/enterprises/{home['uscc']}/metrics/2025"

    assert town.get(f"/api/enterprises/{home['uscc']}").json()["may_edit"] is True
    assert town.get(f"/api/enterprises/{foreign['uscc']}").json()["may_edit"] is False
    refused = town.put(f"/api/enterprises/{foreign['uscc']}/metrics/2025", json={"tax_wan": 1.0})
    assert refused.status_code == 403 and refused.json()["reason"] == "forbidden"
    with logged_in(served.url, "viewer") as viewer:
        assert viewer.put(url, json={"tax_wan": 1.0}).status_code == 403
    for bad in ({"energy_tce": -5}, {"tax_wan": 1e9}, {"tax_wan": "many"}, {"no_such_field": 1}, {}):
        answer = town.put(url, json=bad)
        assert answer.status_code == 422 and answer.json()["reason"] == "invalid", bad
    assert town.put(f"/api/enterprises/{home['uscc']}/metrics/2999", json={"tax_wan": 1.0}).status_code == 422

    saved = town.put(url, json={"tax_wan": 123.5, "employees_avg": None, "reason": "企业补报"})
    assert saved.status_code == 200 and saved.json()["tax_wan"] == 123.5 and saved.json()["employees_avg"] is None
    assert saved.json()["revenue_wan"] == home["revenue_wan"]  # fields not named keep their values
    figures = {m["year"]: m for m in town.get(f"/api/enterprises/{home['uscc']}").json()["metrics"]}
    assert figures[2025]["tax_wan"] == 123.5
    relisted = admin.get("/api/metrics", params={"uscc": home["uscc"], "year": "2025"}).json()["items"]
    assert relisted[0]["tax_wan"] == 123.5
    entry = next(r for r in admin.get("/api/audit").json()["items"] if r["action"] == "metrics.update")
    assert entry["username"] == "town" and entry["key"] == f"{home['uscc']}/2025"
    assert json.loads(entry["before"])["tax_wan"] == home["tax_wan"] and json.loads(entry["after"])["tax_wan"] == 123.5
    assert json.loads(entry["after"])["reason"] == "企业补报"

    made = admin.put(f"/api/enterprises/{foreign['uscc']}/metrics/2019", json={"tax_wan": 7.0})
    assert made.status_code == 200 and made.json()["year"] == 2019 and made.json()["revenue_wan"] is None
    assert admin.get("/api/audit").json()["items"][0]["action"] == "metrics.create"


def test_a_figure_edit_shows_in_the_enterprise_and_parcel_histories_its_values_only_to_those_who_may_see_them(
    town: httpx.Client, admin: httpx.Client
) -> None:
    mine = _town_code(town)
    listed = admin.get("/api/metrics", params={"year": "2024", "page_size": 500}).json()["items"]
    home = next(m for m in listed if m["division_code"].startswith(mine) and m["tax_wan"] is not None)
    saved = admin.put(
        f"/api/enterprises/{home['uscc']}/metrics/2024", json={"tax_wan": home["tax_wan"] + 11, "reason": "更正"}
    )
    assert saved.status_code == 200
    key = f"{home['uscc']}/2024"

    for who in (admin, town):
        history = who.get(f"/api/enterprises/{home['uscc']}").json()["history"]
        entry = next(r for r in history if r["key"] == key)
        assert entry["action"] == "metrics.update" and entry["username"] == "admin"
        assert json.loads(entry["after"])["tax_wan"] == pytest.approx(home["tax_wan"] + 11)
    parcel = admin.get(f"/api/enterprises/{home['uscc']}").json()["parcels"][0]["parcel_code"]
    assert any(r["key"] == key for r in town.get(f"/api/parcels/{parcel}").json()["history"])

    foreign = next(m for m in listed if not m["division_code"].startswith(mine) and m["tax_wan"] is not None)
    admin.put(
        f"/api/enterprises/{foreign['uscc']}/metrics/2024", json={"tax_wan": foreign["tax_wan"] + 1, "reason": "更正"}
    )
    seen = town.get(f"/api/enterprises/{foreign['uscc']}").json()["history"]
    entry = next(r for r in seen if r["key"] == f"{foreign['uscc']}/2024")
    assert entry["action"] == "metrics.update" and entry["before"] is None and entry["after"] is None


def test_the_zone_dossier_has_its_figures_outline_parcels_and_enterprises(town: httpx.Client) -> None:
    zones = town.get("/api/zones", params={"sort": "area_mu", "order": "desc", "page_size": 50}).json()["items"]
    mine = _town_code(town)
    biggest = zones[0]
    dossier = town.get(f"/api/zones/{biggest['zone_no']}").json()
    assert dossier["zone"]["zone_no"] == biggest["zone_no"]
    found = dossier["zone"]["findings"]  # rule → parcels it found in the zone
    assert isinstance(found, dict) and found and all(isinstance(n, int) and n > 0 for n in found.values())
    assert len(dossier["parcels"]) == biggest["parcel_count"]
    assert sum(p["area_mu"] for p in dossier["parcels"]) == pytest.approx(biggest["area_mu"], abs=0.05)
    assert dossier["geometry"]["type"] in ("Polygon", "MultiPolygon")
    west, south, east, north = dossier["bbox"]
    assert 100 < west < east < 125 and 15 < south < north < 30
    assert len(dossier["enterprises"]) <= biggest["enterprise_count"]
    towns = {z["zone_no"]: town.get(f"/api/zones/{z['zone_no']}").json()["zone"] for z in zones}
    assert any(
        not z["town_code"].startswith(mine) and z["restricted"] and z["tax_per_mu"] is None for z in towns.values()
    )
    assert any(z["town_code"].startswith(mine) and not z["restricted"] for z in towns.values())
    missing = town.get("/api/zones/999999")
    assert missing.status_code == 404 and missing.json()["reason"] == "not_found"


def test_the_dashboard_of_an_earlier_run_shows_that_runs_classes(admin: httpx.Client) -> None:
    board = admin.get("/api/dashboard").json()
    assert board["run"]["year"] == 2025 and [r["year"] for r in board["runs"]] == [2024, 2025]
    earlier = next(r for r in board["runs"] if r["year"] == 2024)
    before = admin.get("/api/dashboard", params={"run": earlier["id"]}).json()
    assert before["run"] == {"id": earlier["id"], "year": 2024}
    total = sum(sum(row[c] for c in ("A", "B", "C", "D", "T", "unrated")) for row in before["classes_by_town"])
    assert total == pytest.approx(before["totals"]["mu"], abs=1.0)
    assert before["classes_by_town"] != board["classes_by_town"]
    assert admin.get("/api/dashboard", params={"run": 999999}).status_code == 404


def test_the_zone_runs_list_is_not_taken_for_a_zone_dossier(admin: httpx.Client) -> None:
    runs = admin.get("/api/zones/runs")
    assert runs.status_code == 200 and runs.json() and "id" in runs.json()[0]


def test_serve_on_an_empty_store_after_init_serves_an_empty_city(tmp_path: Path) -> None:
    location = str(tmp_path / "empty.gpkg")
    run("init", "--db", location, "--crs", "EPSG:4547", check=True)
    run("users", "add", "admin", "--role", "admin", "--password", PASSWORDS["admin"], "--db", location, check=True)
    with serve(location) as s, logged_in(s.url, "admin") as client:
        board = client.get("/api/dashboard")
        assert board.status_code == 200 and board.json()["totals"]["parcels"] == 0 and board.json()["ranked"] == []
        assert client.get("/api/map").json()["bounds"] is None
        assert client.get("/api/parcels").json()["total"] == 0
        assert client.get("/api/enterprises").json()["total"] == 0
        assert client.get("/api/search", params={"q": "镇"}).json() == []
        assert client.get("/api/legend").status_code == 200
        assert client.get("/api/zones").json()["reason"] == "no_run"
        assert client.get("/tiles/parcels/0/0/0.pbf").status_code == 200


def test_the_app_closes_the_stores_connections_when_it_shuts_down(postgres_url: str | None) -> None:
    from sqlalchemy import create_engine, text

    from landrenewal.store.admin import create_database, drop_database

    url = require_postgres(postgres_url)
    location = create_database(url, "lr_test_web_shutdown")
    try:
        run("init", "--db", location, "--crs", "EPSG:4547", check=True)
        run("users", "add", "admin", "--role", "admin", "--password", PASSWORDS["admin"], "--db", location, check=True)
        watcher = create_engine(url)
        count = text("SELECT count(*) FROM pg_stat_activity WHERE datname = 'lr_test_web_shutdown'")
        with serve(location, dispose=False) as s, logged_in(s.url, "admin") as client:
            assert client.get("/api/parcels").status_code == 200
            with watcher.connect() as conn:
                assert conn.execute(count).scalar_one() > 0
        # A backend leaves pg_stat_activity a moment after its client hung up (longer on a busy machine).
        deadline = time.monotonic() + 20
        while True:
            with watcher.connect() as conn:
                left = conn.execute(count).scalar_one()
            if left == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert left == 0
        watcher.dispose()
    finally:
        drop_database(url, "lr_test_web_shutdown")


def test_a_town_officer_must_be_bound_to_a_town_not_to_its_county(admin: httpx.Client, town: httpx.Client) -> None:
    county = _town_code(town)[:6]
    new = {"username": "wang", "password": "river-bridge-2026", "role": "town", "division_code": county}
    refused = admin.post("/api/users", json=new)
    assert refused.status_code == 422 and "9 位" in refused.json()["detail"]
    moved = admin.patch("/api/users/town", json={"division_code": county})
    assert moved.status_code == 422 and "9 位" in moved.json()["detail"]
    assert _town_code(town) != county  # nothing changed


SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


def test_every_response_carries_the_security_headers_and_the_policy_allows_no_inline_script(
    served: Served, admin: httpx.Client
) -> None:
    with httpx.Client(base_url=served.url) as anonymous:
        answers = [
            anonymous.get("/"),
            anonymous.get("/static/app.js"),
            anonymous.get("/api/health"),
            anonymous.get("/api/parcels"),  # 401
            anonymous.get("/api/no-such-thing"),  # 404
            admin.get("/api/parcels", params={"page_size": "many"}),  # 422
            admin.get("/api/parcels"),
            admin.get("/tiles/parcels/0/0/0.pbf"),
        ]
    for answer in answers:
        assert all(name in answer.headers for name in SECURITY_HEADERS), answer.url
        policy = dict(part.strip().split(" ", 1) for part in answer.headers["Content-Security-Policy"].split(";"))
        assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'" and "unsafe-eval" not in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff" and answer.headers["X-Frame-Options"] == "DENY"


OVERSIZE = "99999999999999999999999"


def _is_integer(schema_: dict[str, object]) -> bool:
    options = schema_.get("anyOf", [schema_])
    return any(isinstance(o, dict) and o.get("type") == "integer" for o in options)  # type: ignore[union-attr]


def test_an_oversize_integer_anywhere_in_a_request_is_answered_422_not_500(admin: httpx.Client) -> None:
    document = admin.get("/openapi.json").json()
    checked = []
    for path, operations in document["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        for big in (p for p in parameters if _is_integer(p["schema"])):
            filled = {p["name"]: "0" if _is_integer(p["schema"]) else "x" for p in parameters if p["in"] == "path"}
            filled[big["name"]] = OVERSIZE if big["in"] == "path" else filled.get(big["name"], "")
            url = re.sub(r"\{(\w+)\}", lambda m, values=filled: values[m.group(1)], path)
            query = {big["name"]: OVERSIZE} if big["in"] == "query" else {}
            answer = admin.get(url, params=query)
            assert answer.status_code == 422 and big["name"] in answer.json()["detail"], (path, big["name"])
            checked.append((path, big["name"]))
    assert len(checked) >= 8  # tiles z/x/y, runs of the dashboard, zones and outlines, the audit's pages
    # The lists read their numbers themselves (they are not in the document as parameters).
    for path in ("/api/parcels", "/api/findings", "/api/evaluation/results", "/api/zones"):
        for name in ("page", "page_size", "run"):
            answer = admin.get(path, params={name: OVERSIZE})
            if name == "run" and path == "/api/parcels":
                continue
            assert answer.status_code == 422 and name in answer.json()["detail"], (path, name)
    assert admin.get("/api/findings/export", params={"run": OVERSIZE, "format": "csv"}).status_code == 422
