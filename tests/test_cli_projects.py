"""`landrenewal projects` and `landrenewal deadlines` as a user runs them, on a GeoPackage."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store.engine import open_store
from tests import builders
from tests.cli import run

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _city(tmp_path: Path) -> str:
    db = str(tmp_path / "city.gpkg")
    store = open_store(db)
    options = ImportOptions(today=builders.TODAY)
    import_frame(store, "divisions", builders.divisions(), "d", epsg=builders.EPSG, options=options)
    import_frame(store, "parcels", builders.parcels(2), "p", epsg=builders.EPSG, options=options)
    store.dispose()
    return db


def test_a_disposal_is_set_up_worked_corrected_and_shown_from_the_command_line(tmp_path: Path) -> None:
    db = _city(tmp_path)
    codes = "；".join(builders.parcels(2)["parcel_code"])
    plan = tmp_path / "处置方案.pdf"
    plan.write_bytes(PDF)
    en = {"LANDRENEWAL_LANG": "en"}

    made = run(
        "projects",
        "create",
        "--db",
        db,
        "--policy",
        "gd-jiangmen-enping",
        "--name",
        "米仓木材市场地块",
        "--kind",
        "disposal",
        "--workflow",
        "disposal",
        "--town",
        builders.TOWN,
        "--parcels",
        codes,
        "--day",
        "2024-01-05",
        "--json",
        check=True,
    )
    code = json.loads(made.stdout)["code"]
    refused = run("projects", "act", code, "draw_plan", "--db", db, "--role", "town", "--day", "2024-02-01", env=en)
    assert refused.returncode == 1
    assert "missing document: Disposal plan (one plan per parcel)." in refused.stderr
    assert "Disposal mode is required." in refused.stderr
    run(
        "projects",
        "act",
        code,
        "draw_plan",
        "--db",
        db,
        "--role",
        "town",
        "--day",
        "2024-02-01",
        "--set",
        "disposal_mode=transfer",
        "--doc",
        f"disposal_plan={plan}",
        check=True,
    )
    run(
        "projects",
        "act",
        code,
        "approve_plan",
        "--db",
        db,
        "--day",
        "2024-03-01",
        "--doc",
        f"plan_approval={plan}",
        check=True,
    )
    run(
        "projects",
        "record",
        code,
        "void",
        "--db",
        db,
        "--seq",
        "3",
        "--reason",
        "审定未成，误录",
        "--day",
        "2024-03-02",
        check=True,
    )
    shown = json.loads(run("projects", "show", code, "--db", db, "--as-of", "2024-03-05", "--json", check=True).stdout)
    assert (shown["stage"], shown["stage_name"], shown["since"]) == ("planned", "处置方案", "2024-02-01")
    assert [e["kind"] for e in shown["events"]] == ["created", "action", "action", "void"]
    assert shown["attributes"]["disposal_mode"] == "transfer"
    assert shown["actions"] == ["approve_plan", "revise_plan", "close"]
    listed = json.loads(run("projects", "list", "--db", db, "--as-of", "2024-03-05", "--json", check=True).stdout)
    assert [(p["code"], p["stage"]) for p in listed] == [(code, "planned")]
    swept = json.loads(run("deadlines", "sweep", "--db", db, "--as-of", "2024-03-05", "--json", check=True).stdout)
    assert swept == {"as_of": "2024-03-05", "missed": []}


def test_a_renewal_units_holders_consent_and_a_vote_from_the_command_line(tmp_path: Path) -> None:
    db = _city(tmp_path)
    first, second = builders.parcels(2)["parcel_code"]
    made = run(
        "projects",
        "create",
        "--db",
        db,
        "--policy",
        "gd-dongguan",
        "--name",
        "某工业园改造单元",
        "--kind",
        "改造",
        "--type",
        "工改工",
        "--workflow",
        "renewal_unit",
        "--town",
        builders.TOWN,
        "--parcels",
        f"{first}；{second}",
        "--day",
        "2025-06-01",
        "--json",
        check=True,
    )
    code = json.loads(made.stdout)["code"]
    holders = tmp_path / "权益人清单.xlsx"
    pd.DataFrame(
        {
            "序号": [1, 2, 3],
            "权益人类型": ["户", "个人", "企业"],
            "姓名或名称": ["张三", "李四", "某五金厂"],
            "身份证号码": ["11010519491231002X", "440785198001010033", None],
            "宗地代码": [first, second, second],
            "面积（亩）": [7.5, 4.5, 3.0],
            "人数": [3, 1, 1],
        }
    ).to_excel(holders, index=False)
    bad = tmp_path / "有误的清单.xlsx"
    pd.DataFrame({"权益人类型": ["法人"], "姓名或名称": [""], "面积（亩）": ["很多"]}).to_excel(bad, index=False)
    refused = run("holders", "import", code, str(bad), "--db", db)
    assert refused.returncode == 1
    assert "有误的清单.xlsx 第 2 行" in refused.stderr and "须为个人、户、企业或集体经济组织" in refused.stderr
    added = json.loads(run("holders", "import", code, str(holders), "--db", db, "--json", check=True).stdout)
    assert added["added"] == ["1", "2", "3"]
    for holder in ("1", "3"):
        run("consent", "record", code, holder, "--db", db, "--day", "2025-07-01", check=True)
    status = json.loads(
        run("consent", "status", code, "--db", db, "--as-of", "2025-07-02", "--json", check=True).stdout
    )
    assert status["consented_area_ratio"] == 0.7 and status["consented_persons_ratio"] == 0.8
    assert status["not_consented"] == ["2"]
    shown = run("consent", "status", code, "--db", db, "--as-of", "2025-07-02", check=True).stderr
    assert "面积同意率 70.0 %" in shown and "李四" in shown
    vote = run(
        "votes",
        "record",
        code,
        "--db",
        db,
        "--matter",
        "plan",
        "--body",
        "general",
        "--date",
        "2025-07-20",
        "--eligible",
        "300",
        "--present",
        "250",
        "--for",
        "240",
        "--notice-start",
        "2025-07-01",
        "--json",
    )
    assert vote.returncode == 0, vote.stderr
