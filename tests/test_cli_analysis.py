"""evaluate, identify, explain and runs as a user runs them, on the demo city in both stores."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest

from tests.cli import run

DEMO_PARCELS = "400"


@pytest.fixture
def demo(store_location: str) -> str:
    run("demo", "build", "--db", store_location, "--parcels", DEMO_PARCELS, "--json", check=True)
    return store_location


def test_evaluate_classes_follow_the_policy_shares_and_a_rerun_reproduces_them(demo: str, tmp_path: Path) -> None:
    out = tmp_path / "评价.xlsx"
    done = run("evaluate", "--year", "2025", "--db", demo, "--out", str(out), "--json", check=True)
    summary = json.loads(done.stdout)
    above = summary["classes"]["above"]
    n = sum(above.values())
    assert summary["policy"].startswith("demo-enping@")
    assert above["A"] == round(0.2 * n) and above["A"] + above["B"] == round(0.6 * n)
    sheet = openpyxl.load_workbook(out)["评价结果"]
    headers = [c.value for c in sheet[1]]
    assert {"统一社会信用代码", "类别", "得分", "亩均税收（万元/亩）"} <= set(headers)
    again = json.loads(run("evaluate", "--rerun", str(summary["run_id"]), "--db", demo, "--json", check=True).stdout)
    assert again["reproduced"] and again["same_inputs"]


def test_identify_explain_and_the_parcel_layer(demo: str, tmp_path: Path) -> None:
    run("evaluate", "--year", "2025", "--db", demo, check=True)
    layer = tmp_path / "结果.gpkg"
    done = run("identify", "--as-of", "2026-10-31", "--db", demo, "--layer", str(layer), "--json", check=True)
    summary = json.loads(done.stdout)
    assert set(summary["by_category"]) <= {"闲置或关停企业用地", "未充分利用产业用地", "开发未达标准", "批而未供土地"}
    assert summary["findings"] > 0 and not summary["skipped"]
    parcels = gpd.read_file(layer, layer="parcel_results")
    found = parcels[parcels["finding_count"] > 0]
    assert len(found) == summary["parcels"]
    code = found.iloc[0]["parcel_code"]
    explained = json.loads(run("explain", code, "--db", demo, "--json", check=True).stdout)
    assert explained["findings"] and all(f["clause"] and f["evidence"] for f in explained["findings"])
    assert explained["identification"]["run_id"] == summary["run_id"]
    assert run("explain", code, "--db", demo).returncode == 0  # the terminal rendering too
    assert json.loads(run("identify", "--rerun", str(summary["run_id"]), "--db", demo, "--json").stdout)["reproduced"]
    log = json.loads(run("audit", "--db", demo, "--json", "--page-size", "20", check=True).stdout)["items"]
    who = {(r["action"], r["entity"]): r["username"] for r in log}
    me = f"os:{getpass.getuser()}"
    assert who[("identification.run", "identification_runs")] == who[("evaluation.run", "evaluation_runs")] == me
    assert who[("import", "parcels")] == who[("policy.use", "settings")] == me  # the demo build's


def test_a_users_policy_file_changes_the_result_without_code(demo: str, tmp_path: Path) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text(
        "id: strict\nname: 严格的县\nparent: demo-enping\nparameters:\n"
        "  identification.tax_per_mu_min:\n    values:\n      - from: 2021-01-01\n        value: 50\n"
        "        source: 某县通知第二条\n",
        encoding="utf-8",
    )
    run("evaluate", "--year", "2025", "--db", demo, check=True)
    base = json.loads(run("identify", "--as-of", "2026-10-31", "--db", demo, "--json", check=True).stdout)
    mine = json.loads(
        run("identify", "--as-of", "2026-10-31", "--db", demo, "--policy", str(strict), "--json", check=True).stdout
    )
    assert mine["policy"].startswith("strict@")
    assert mine["by_rule"]["local.tax_per_mu_below"] > base["by_rule"]["local.tax_per_mu_below"]


def test_missing_policy_values_and_unknown_runs_are_clear_errors(demo: str) -> None:
    done = run("evaluate", "--year", "2019", "--db", demo)
    assert done.returncode == 3 and "evaluation.above_scale.weights" in done.stderr
    done = run("explain", "NO-SUCH", "--db", demo)
    assert done.returncode == 2 and "NO-SUCH" in done.stderr
    assert run("evaluate", "--rerun", "99", "--db", demo).returncode == 2
