"""Policy tests as data: YAML cases a policy officer can read, run against a real store.

A case names a policy (a shipped id, or a file beside the cases), a small inventory, and
either an evaluation year or an identification date, and says what must come out. Keys are
the canonical field names; a parcel's size is given in ``mu`` or ``m2`` (a square is drawn);
figures may be written as arithmetic ("1361.6 / 2.694") so that a case can say "at the
benchmark" in the policy's own numbers. Enterprises are named by short labels; each gets a
valid USCC.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
import yaml

from landrenewal.analysis.evaluation_runs import evaluate_store
from landrenewal.analysis.identification_runs import identify_store
from landrenewal.domain.units import M2_PER_MU
from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store.engine import Store
from tests import builders

CASES_DIR = Path(__file__).parent / "policy_cases"
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    body: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.file}: {self.name}"


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "cases" not in data:
            continue  # a policy file beside the cases
        cases += [Case(path.name, c["name"], c) for c in data["cases"]]
    return cases


def number(value: Any) -> float | None:
    """A figure as written: a number, or arithmetic over numbers."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return float(_OPS[type(node.op)](walk(node.left), walk(node.right)))
        raise ValueError(f"not arithmetic: {value!r}")

    return walk(ast.parse(str(value), mode="eval").body)


def build_store(store: Store, case: Case) -> tuple[dict[str, str], dict[str, str]]:
    """Import the case's inventory through the real importer; labels → USCCs and parcel codes."""
    body = case.body
    parcels = body.get("parcels", [])
    enterprises = body.get("enterprises", [])
    codes = {str(p["code"]): f"{builders.VILLAGES[0]}GB{i + 1:05d}" for i, p in enumerate(parcels)}
    usccs = dict(zip([str(e["id"]) for e in enterprises], builders.make_uscc(len(enterprises)), strict=True))
    options = ImportOptions(today=builders.TODAY)

    def load(kind: str, frame: pd.DataFrame) -> None:
        report = import_frame(store, kind, frame, f"{case.file}#{kind}", epsg=builders.EPSG, options=options)
        assert report.committed, f"{case.id}: {kind} refused:\n{report.problems.to_string()}"

    load("divisions", builders.divisions())
    if parcels:
        load("parcels", _parcel_frame(parcels, codes))
    buildings = [dict(b, parcel=p["code"]) for p in parcels for b in p.get("buildings", [])]
    if buildings:
        load("buildings", _building_frame(buildings, codes))
    if enterprises:
        load("enterprises", _enterprise_frame(enterprises, usccs))
        load("occupancy", _occupancy_frame(enterprises, usccs, codes))
        metrics = _metrics_frame(body.get("metrics", {}), usccs)
        if len(metrics):
            load("metrics", metrics)
    return usccs, codes


def _parcel_frame(parcels: list[dict[str, Any]], codes: dict[str, str]) -> pd.DataFrame:
    sides = [math.sqrt(float(p["m2"]) if "m2" in p else float(p["mu"]) * M2_PER_MU) for p in parcels]
    x0, y0 = builders.ORIGIN
    xs = x0 + np.cumsum([0.0, *[s + 50.0 for s in sides[:-1]]])
    boxes = shapely.box(xs, y0, xs + np.array(sides), y0 + np.array(sides))
    frame = pd.DataFrame(
        {
            "parcel_code": [codes[str(p["code"])] for p in parcels],
            "division_code": builders.VILLAGES[0],
            "land_use_code": [p.get("land_use_code", "0601") for p in parcels],
            "rights_type": [p.get("rights_type", "state") for p in parcels],
            "geom": list(shapely.multipolygons(shapely.get_parts(boxes), indices=np.arange(len(parcels)))),
        }
    )
    skip = {"code", "mu", "m2", "buildings", "land_use_code", "rights_type"}
    extra = sorted({k for p in parcels for k in p} - skip)
    for key in extra:
        values = [p.get(key) for p in parcels]
        frame[key] = pd.to_datetime(values) if key.endswith("_date") else [number(v) for v in values]
    return frame


def _building_frame(buildings: list[dict[str, Any]], codes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "building_code": [f"{codes[str(b['parcel'])]}F{i:04d}" for i, b in enumerate(buildings)],
            "parcel_code": [codes[str(b["parcel"])] for b in buildings],
            "floor_area_m2": [number(b["floor_area_m2"]) for b in buildings],
            "footprint_m2": [number(b.get("footprint_m2", b["floor_area_m2"])) for b in buildings],
            "storeys": [int(b.get("storeys", 1)) for b in buildings],
            "storeys_over_8m": [int(b.get("storeys_over_8m", 0)) for b in buildings],
            "use_type": [b.get("use_type", "production") for b in buildings],
        }
    )


def _enterprise_frame(enterprises: list[dict[str, Any]], usccs: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": [usccs[str(e["id"])] for e in enterprises],
            "name": [f"恩平市案例{e['id']}有限公司" for e in enterprises],
            "industry_code": [str(e.get("industry_code", "3311")) for e in enterprises],
            "scale": [e.get("scale", "above") for e in enterprises],
        }
    )


def _occupancy_frame(enterprises: list[dict[str, Any]], usccs: dict[str, str], codes: dict[str, str]) -> pd.DataFrame:
    rows = [
        {
            "uscc": usccs[str(e["id"])],
            "parcel_code": codes[str(code)],
            "start_date": pd.Timestamp(e.get("since", "2015-01-01")),
            "end_date": pd.Timestamp(e["until"]) if "until" in e else pd.NaT,
            "land_share": float(share),
            "tenure": e.get("tenure", "owned"),
        }
        for e in enterprises
        for code, share in e.get("uses", {}).items()
    ]
    return pd.DataFrame(rows)


def _metrics_frame(metrics: dict[str, dict[str, dict[str, Any]]], usccs: dict[str, str]) -> pd.DataFrame:
    rows = [
        {"uscc": usccs[str(label)], "year": int(year), **{k: number(v) for k, v in figures.items()}}
        for year, by_enterprise in metrics.items()
        for label, figures in by_enterprise.items()
    ]
    return pd.DataFrame(rows)


def policy_ref(case: Case) -> str:
    ref = str(case.body["policy"])
    beside = CASES_DIR / ref
    return str(beside) if beside.suffix == ".yaml" else ref


def run_case(store: Store, case: Case) -> list[str]:
    """Build, run, and compare; every mismatch as a sentence (empty when the case holds)."""
    usccs, codes = build_store(store, case)
    body, policy = case.body, policy_ref(case)
    problems: list[str] = []
    for year in body.get("evaluate_before", []):
        evaluate_store(store, int(year), policy)
    if "evaluate" in body:
        run = evaluate_store(store, int(body["evaluate"]), policy)
        units = run.evaluation.units.set_index("unit_key")
        members = run.evaluation.members.set_index("uscc")["unit_key"]
        for label, expected in body.get("expect", {}).items():
            uscc = usccs[str(label)]
            if uscc not in members.index:
                problems.append(f"{label}: not evaluated at all")
                continue
            got = units.loc[members[uscc]]
            problems += _compare(str(label), got, expected, members, usccs)
    if "identify" in body:
        ident = identify_store(store, dt.date.fromisoformat(str(body["identify"])), policy)
        found = ident.result.findings
        for label, expected in body.get("expect_findings", {}).items():
            mine = found[found["parcel_code"] == codes[str(label)]]
            rules = sorted(mine["rule_id"])
            wanted = sorted(r if isinstance(r, str) else next(iter(r)) for r in expected)
            if rules != wanted:
                problems.append(f"parcel {label}: rules {rules}, expected {wanted}")
            for item in expected:
                if isinstance(item, dict):
                    rule_id, checks = next(iter(item.items()))
                    row = mine[mine["rule_id"] == rule_id]
                    if not row.empty:
                        problems += _finding_checks(str(label), rule_id, row.iloc[0], checks)
    return problems


def _compare(
    label: str, got: pd.Series, expected: dict[str, Any], members: pd.Series, usccs: dict[str, str]
) -> list[str]:
    problems = []
    for key, want in expected.items():
        if key == "merged_with":
            others = [members[usccs[str(o)]] for o in want]
            if any(o != got.name for o in others):
                problems.append(f"{label}: not merged with {want}")
            continue
        have = got[key]
        if isinstance(want, str) and key.startswith(("part_", "score")):
            want = number(want)
        if isinstance(want, int | float) and not isinstance(want, bool):
            if pd.isna(have) or not math.isclose(float(have), float(want), rel_tol=1e-9, abs_tol=1e-6):
                problems.append(f"{label}: {key} = {have}, expected {want}")
        elif (None if pd.isna(have) else have) != want:
            problems.append(f"{label}: {key} = {have!r}, expected {want!r}")
    return problems


def _finding_checks(label: str, rule_id: str, row: pd.Series, checks: dict[str, Any]) -> list[str]:
    import json

    evidence = json.loads(row["evidence"])
    problems = []
    for key, want in checks.items():
        have = row["milestone"] if key == "milestone" else evidence.get(key)
        same = (
            math.isclose(float(have), float(want), rel_tol=1e-9, abs_tol=1e-6)
            if isinstance(want, int | float) and have is not None
            else have == want
        )
        if not same:
            problems.append(f"parcel {label} {rule_id}: {key} = {have!r}, expected {want!r}")
    return problems
