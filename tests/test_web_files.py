"""Files through the web app: uploads under any name and kept apart from reports, an upload size
limit, 只导入合格行, reports without server paths, and XLSX exports a Chinese reader reads."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import openpyxl
import pandas as pd
import pytest
import shapely

from tests.web_city import Served, build_city, logged_in, serve


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    location = str(tmp_path_factory.mktemp("web-files") / "city.gpkg")
    build_city(location)
    with serve(location, upload_max_mib=1) as s:
        yield s


@pytest.fixture(scope="module")
def admin(served: Served) -> Iterator[httpx.Client]:
    with logged_in(served.url, "admin") as client:
        yield client


def _enterprises_csv(admin: httpx.Client, path: Path, *, bad_row: bool) -> pd.DataFrame:
    listed = admin.get("/api/enterprises", params={"page_size": 3, "sort": "uscc"}).json()["items"]
    frame = pd.DataFrame(
        {
            "统一社会信用代码": [e["uscc"] for e in listed],
            "企业名称": [e["name"] + "（复核）" for e in listed],
            "行业代码": [e["industry_code"] for e in listed],
            "企业规模": [e["scale"] for e in listed],
            "行政区划代码": [e["division_code"] for e in listed],
        }
    )
    if bad_row:
        frame.loc[1, "统一社会信用代码"] = "NOT-A-USCC"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return frame


def test_an_upload_named_rejects_csv_with_a_300_character_name_works_and_its_rejects_are_its_bad_rows(
    admin: httpx.Client, tmp_path: Path
) -> None:
    for name in ("rejects.csv", "企" * 290 + ".csv"):
        path = tmp_path / "upload.csv"
        frame = _enterprises_csv(admin, path, bad_row=True)
        answer = admin.post("/api/imports", data={"entity": "enterprises"}, files={"file": (name, path.read_bytes())})
        assert answer.status_code == 200, answer.text
        checked = answer.json()
        assert checked["filename"] == name and {p["file"] for p in checked["problems"]} == {name}
        assert any(p["field_label"] == "统一社会信用代码" and p["row"] == 3 for p in checked["problems"])
        got = admin.get(f"/api/imports/{checked['token']}/rejects.csv")
        assert got.status_code == 200
        assert "问题行.csv" in unquote(got.headers["content-disposition"])
        back = pd.read_csv(io.BytesIO(got.content), encoding="utf-8-sig", dtype=str)
        assert list(back.columns) == ["行号", "字段", "原因", *frame.columns]
        assert list(back["统一社会信用代码"]) == ["NOT-A-USCC"]
        assert "landrenewal-uploads" not in got.content.decode("utf-8-sig")
        again = admin.get(f"/api/imports/{checked['token']}/rejects.csv")
        assert again.content == got.content  # the upload was not overwritten by its report


def test_only_the_good_rows_are_imported_when_asked(admin: httpx.Client, tmp_path: Path) -> None:
    path = tmp_path / "企业复核.csv"
    frame = _enterprises_csv(admin, path, bad_row=True)
    checked = admin.post("/api/imports", data={"entity": "enterprises"}, files={"file": path.open("rb")}).json()
    assert checked["errors"] >= 1
    assert admin.post(f"/api/imports/{checked['token']}/confirm").status_code == 422
    done = admin.post(f"/api/imports/{checked['token']}/confirm", params={"skip_bad": "true"})
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["committed"] is True and result["rows_loaded"] == 2 and result["rejected"] == 1
    first = admin.get(f"/api/enterprises/{frame.loc[0, '统一社会信用代码']}").json()["enterprise"]
    assert first["name"] == frame.loc[0, "企业名称"]


def test_far_places_are_refused_unless_the_importer_accepts_them_and_then_load_as_warnings(
    admin: httpx.Client,
) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"宗地代码": f"FAR-PARIS-{i}"},
            "geometry": json.loads(shapely.to_geojson(shapely.box(2.35 + i * 0.002, 48.86, 2.351 + i * 0.002, 48.861))),
        }
        for i in range(2)
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    upload = {"file": ("宗地_巴黎.geojson", body)}
    refused = admin.post("/api/imports", data={"entity": "parcels"}, files=upload).json()
    far = [p for p in refused["problems"] if p["severity"] == "error"]
    assert {p["row"] for p in far if "中国境外" in p["reason"]} == {1, 2}
    assert {p["row"] for p in far if "行政区划的范围之外" in p["reason"]} == {1, 2}
    accepted = admin.post("/api/imports", data={"entity": "parcels", "accept_far_places": "true"}, files=upload).json()
    assert accepted["errors"] == 0 and accepted["warnings"] >= 2
    done = admin.post(f"/api/imports/{accepted['token']}/confirm")
    assert done.status_code == 200 and done.json()["rows_loaded"] == 2, done.text
    assert admin.get("/api/parcels/FAR-PARIS-0").status_code == 200


def test_an_upload_over_the_size_limit_is_refused(admin: httpx.Client) -> None:
    big = b"a,b\n" + b"1,2\n" * 300_000  # 1.2 MB against a limit of 1 MiB
    answer = admin.post("/api/imports", data={"entity": "enterprises"}, files={"file": ("大.csv", big)})
    assert answer.status_code == 413 and "1 MiB" in answer.json()["detail"]


def test_an_unreadable_upload_is_named_by_its_name_not_the_server_path(admin: httpx.Client) -> None:
    answer = admin.post("/api/imports", data={"entity": "parcels"}, files={"file": ("宗地.gpkg", b"not a database")})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail.startswith("宗地.gpkg：") and "landrenewal-uploads" not in detail and "/tmp" not in detail


def test_the_xlsx_export_reads_in_chinese_sheet_codes_and_filters(admin: httpx.Client) -> None:
    town = admin.get("/api/parcels", params={"page_size": 1}).json()["items"][0]
    code = town["division_code"][:9]
    answer = admin.get("/api/evaluation/results/export", params={"format": "xlsx", "status": "rated", "sort": "rank"})
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["说明", "亩均评价结果"]
    rows = list(book["亩均评价结果"].iter_rows(values_only=True))
    header = rows[0]
    statuses = {r[header.index("评价状态")] for r in rows[1:]}
    lists = {r[header.index("名单")] for r in rows[1:]}
    assert statuses == {"参评"} and lists <= {
        "规上企业",
        "规下企业",
        "租赁厂房规上企业（单列）",
        "租赁厂房规下企业（单列）",
    }
    about = dict(list(book["说明"].iter_rows(values_only=True))[1:])
    assert about["筛选条件"] == "评价状态：参评；排序：名单内排名 升序"

    parcels = admin.get("/api/parcels/export", params={"format": "xlsx", "town": code, "class": "D"})
    book = openpyxl.load_workbook(io.BytesIO(parcels.content))
    assert book.sheetnames == ["说明", "宗地清单"]
    about = dict(list(book["说明"].iter_rows(values_only=True))[1:])
    town_name = town.get("town_name")
    assert about["筛选条件"] == f"镇街：{town_name}；类别：D"
    rows = list(book["宗地清单"].iter_rows(values_only=True))
    rights = {r[rows[0].index("权利性质")] for r in rows[1:]}
    assert rights <= {"国有", "集体", None}


def test_the_xlsx_export_reads_in_english_for_an_english_reader_and_leaves_rule_ids_to_gis_files(
    admin: httpx.Client,
) -> None:
    english = {"Accept-Language": "en"}
    answer = admin.get(
        "/api/evaluation/results/export", params={"format": "xlsx", "status": "rated", "sort": "rank"}, headers=english
    )
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["About", "Evaluation results"]
    rows = list(book["Evaluation results"].iter_rows(values_only=True))
    assert {r[rows[0].index("Status")] for r in rows[1:]} == {"Rated"}
    about = dict(list(book["About"].iter_rows(values_only=True))[1:])
    assert about["Filters"] == "Status: Rated; Sorted by: Rank ascending"
    said = [str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v is not None]
    said += [str(v) for v in rows[0]]
    assert not [s for s in said if re.search(r"[\u4e00-\u9fff]", s) and s != about.get("Exported by")], said

    findings = admin.get("/api/findings/export", params={"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(findings.content))
    header = next(book["低效用地认定结果"].iter_rows(values_only=True))
    assert "规则" in header and "规则编号" not in header
    codes = [v for row in book["低效用地认定结果"].iter_rows(min_row=2, values_only=True) for v in row]
    assert not [v for v in codes if isinstance(v, str) and re.fullmatch(r"[a-z_]+\.[a-z_.]+", v)]
    layer = admin.get("/api/findings/export", params={"format": "geojson"}).json()
    assert "规则编号" in layer["features"][0]["properties"]  # a GIS file keeps the code to join on


def test_a_filter_that_looks_like_a_formula_is_text_in_the_about_sheet(admin: httpx.Client) -> None:
    answer = admin.get("/api/enterprises/export", params={"format": "xlsx", "q": "=1+1"})
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    cells = [c for row in book["说明"].iter_rows() for c in row]
    said = next(c for c in cells if isinstance(c.value, str) and "=1+1" in c.value)
    assert said.data_type == "s" and said.value == "搜索：=1+1"
    assert book.sheetnames == ["说明", "企业清单"]
    tax = [c for c in book["企业清单"][1] if c.value == "税收（万元）"]
    assert tax  # a 万元 column, shown to two places
    column = tax[0].column
    numbers = [
        row[column - 1] for row in book["企业清单"].iter_rows(min_row=2) if isinstance(row[column - 1].value, float)
    ]
    assert all(c.number_format == "0.00" for c in numbers)
