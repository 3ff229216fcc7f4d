"""统计看板: classes by town, low-efficiency land by category and town, best and worst, trends.

Every figure follows the scope asked (``town``): land, findings, zones, enterprises, the ranked
units and the trend alike. Units are ranked within their evaluation list (规上, 规下 …), as the
evaluation ranks them: a score of one list says nothing about a unit of another.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter

from landrenewal.analysis.evaluation_runs import RunInfo, list_runs
from landrenewal.analysis.results_out import CLASS_COLOURS
from landrenewal.domain.evaluation import LISTS
from landrenewal.web.deps import CurrentUser, Int, State, not_found
from landrenewal.web.schemas.dashboard import Dashboard
from landrenewal.web.tables import EVALUATION, private_hidden, records

router = APIRouter(prefix="/api", tags=["dashboard"])

RANKED = 10
CLASSES = tuple(CLASS_COLOURS)  # A–D and T (暂不评价)
RATED = ("A", "B", "C", "D")
RANKED_COLUMNS = [
    "unit_key",
    "uscc",
    "name",
    "town_name",
    "division_code",
    "figures_division",
    "list",
    "class",
    "score",
    "land_mu",
    "tax_per_mu",
]


@router.get(
    "/dashboard",
    summary="统计看板 Dashboard figures (of the newest evaluation run, or ``run``)",
    response_model=Dashboard,
)
def dashboard(state: State, user: CurrentUser, town: str | None = None, run: Int | None = None) -> dict[str, Any]:
    view = state.view()
    with state.store.engine.connect() as conn:
        runs = list_runs(conn)
    chosen = view.evaluation if run is None else next((r for r in runs if r.id == run), None)
    if run is not None and chosen is None:
        raise not_found(f"评价批次 {run}", f"evaluation run {run}")
    parcels = view.parcels
    if chosen is not None and view.evaluation is not None and chosen.id != view.evaluation.id:
        classes = state.run_tables.parcel_classes(chosen.id)
        parcels = parcels.drop(columns="class").merge(classes, on="parcel_code", how="left")
        parcels["class"] = parcels["class"].fillna("")
    if town:
        parcels = parcels[parcels["division_code"].str.startswith(town)]
    by_class = (
        parcels.assign(cls=parcels["class"].replace("", "unrated"))
        .pivot_table(index=["town_code", "town_name"], columns="cls", values="area_mu", aggfunc="sum", fill_value=0.0)
        .reindex(columns=[*CLASSES, "unrated"], fill_value=0.0)
        .round(1)
        .reset_index()
    )
    low = parcels[parcels["finding_count"] > 0]
    exploded = low.assign(category=low["categories"].str.split("|")).explode("category")
    by_category = (
        exploded.groupby(["town_code", "town_name", "category"], as_index=False).agg(mu=("area_mu", "sum")).round(1)
    )
    ranked: list[dict[str, Any]] = []
    if chosen is not None:
        units = state.run_tables.evaluation(chosen.id, view)
        if town:
            units = units[units["division_code"].fillna("").str.startswith(town)]
        ranked = _ranked(units, user)
    zones = 0
    if view.zone_run is not None:
        zoned = state.run_tables.zones(view.zone_run.id)
        zones = int(zoned["town_code"].fillna("").str.startswith(town).sum()) if town else len(zoned)
    firms = view.enterprises
    if town:
        firms = firms[firms["division_code"].fillna("").str.startswith(town)]
    totals = {
        "parcels": len(parcels),
        "mu": round(float(parcels["area_mu"].sum()), 1),
        "finding_parcels": len(low),
        "finding_mu": round(float(low["area_mu"].sum()), 1),
        "zones": zones,
        "enterprises": len(firms),
    }
    return {
        "classes_by_town": records(by_class),
        "low_efficiency_by_category_town": records(by_category),
        "ranked": ranked,
        "town": town or None,
        "trend": _trend(state, runs, town),
        "totals": totals,
        "run": None if chosen is None else {"id": chosen.id, "year": chosen.year},
        "runs": [{"id": r.id, "year": r.year, "created_at": r.created_at.isoformat()} for r in runs],
    }


def _ranked(units: pd.DataFrame, user: CurrentUser) -> list[dict[str, Any]]:
    """Per evaluation list, in the evaluation's order of lists: its best and worst rated units, each
    in class order (best: A first, the higher score first within a class; worst: D first, the lower
    score first), private figures blanked outside the user's town."""
    rated = units[units["score"].notna() & units["class"].isin(RATED)].drop_duplicates("unit_key")
    # ranked by score: only units whose score the user may see, or the order would tell the rest
    rated = rated[user.private_mask(rated["figures_division"])]
    order = {c: i for i, c in enumerate(RATED)}
    rated = rated.assign(class_order=rated["class"].map(order))
    out = []
    for name in LISTS:
        mine = rated[rated["list"] == name]
        if not len(mine):
            continue
        best = mine.sort_values(["class_order", "score"], ascending=[True, False], kind="stable").head(RANKED)
        worst = mine.sort_values(["class_order", "score"], ascending=[False, True], kind="stable").head(RANKED)
        out.append(
            {
                "list": name,
                "size": len(mine),
                "best": records(private_hidden(best[RANKED_COLUMNS], EVALUATION, user)),
                "worst": records(private_hidden(worst[RANKED_COLUMNS], EVALUATION, user)),
            }
        )
    return out


def _trend(state: State, runs: list[RunInfo], town: str | None) -> list[dict[str, Any]]:
    """Per evaluation year (its newest run): how many units are in each class."""
    newest = {run.year: run.id for run in runs}
    out = []
    for year, run_id in sorted(newest.items()):
        rows = state.run_tables.unit_classes(run_id)
        if town:
            rows = rows[rows["division_code"].fillna("").str.startswith(town)]
        counts = rows["class"].value_counts()
        out.append({"year": year, **{c: int(counts.get(c, 0)) for c in CLASSES}})
    return out
