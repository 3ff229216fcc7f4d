"""统计看板: classes by town, low-efficiency land by category and town, best and worst, trends."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from landrenewal.analysis.evaluation_runs import RunInfo, list_runs
from landrenewal.analysis.results_out import CLASS_COLOURS
from landrenewal.web.deps import CurrentUser, Int, State, not_found
from landrenewal.web.tables import EVALUATION, private_hidden, records

router = APIRouter(prefix="/api", tags=["dashboard"])

RANKED = 10
CLASSES = tuple(CLASS_COLOURS)  # A–D and T (暂不评价)


@router.get("/dashboard", summary="统计看板 Dashboard figures (of the newest evaluation run, or ``run``)")
def dashboard(state: State, user: CurrentUser, town: str | None = None, run: Int | None = None) -> dict[str, Any]:
    view = state.view()
    with state.store.engine.connect() as conn:
        runs = list_runs(conn)
    chosen = view.evaluation if run is None else next((r for r in runs if r.id == run), None)
    if run is not None and chosen is None:
        raise not_found(f"评价批次 {run}")
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
    best: list[dict[str, Any]] = []
    worst: list[dict[str, Any]] = []
    if chosen is not None:
        units = state.run_tables.evaluation(chosen.id, view)
        if town:
            units = units[units["division_code"].fillna("").str.startswith(town)]
        rated = units[units["score"].notna()].drop_duplicates("unit_key")
        columns = ["unit_key", "uscc", "name", "town_name", "division_code", "class", "score", "land_mu", "tax_per_mu"]
        best = records(private_hidden(rated.nlargest(RANKED, "score")[columns], EVALUATION, user))
        worst = records(private_hidden(rated.nsmallest(RANKED, "score")[columns], EVALUATION, user))
    totals = {
        "parcels": len(parcels),
        "mu": round(float(parcels["area_mu"].sum()), 1),
        "finding_parcels": len(low),
        "finding_mu": round(float(low["area_mu"].sum()), 1),
        "zones": int(view.zone_run.zone_count) if view.zone_run else 0,
        "enterprises": len(view.enterprises),
    }
    return {
        "classes_by_town": records(by_class),
        "low_efficiency_by_category_town": records(by_category),
        "best": best,
        "worst": worst,
        "trend": _trend(state, runs, town),
        "totals": totals,
        "run": None if chosen is None else {"id": chosen.id, "year": chosen.year},
        "runs": [{"id": r.id, "year": r.year, "created_at": r.created_at.isoformat()} for r in runs],
    }


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
