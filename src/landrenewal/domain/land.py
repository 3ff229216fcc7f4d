"""Everything the identification rules read about a parcel on a date, one row per parcel.

Built once per run and shared by all rules, so that each rule is a few vectorized comparisons:
the parcel's own dates and contract terms, what stands on it (FAR with storeys over 8 m counted
twice, building coverage, the office and living share), who uses it on the date and in which
industry (with the GB/T 4754-2002 division the 2008 control table needs), and the result of
the evaluation the run is based on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain import keys
from landrenewal.domain.codes import division_2002
from landrenewal.domain.evaluation import InputIds, Inputs
from landrenewal.domain.model import far_floor_area_m2
from landrenewal.domain.units import M2_PER_MU

OFFICE_AND_LIVING = ("office", "living")
EVALUATION_COLUMNS = ("class", "score", "status", "list", "rank", "rank_size", "tax_per_mu", "industry_division")


def land_on(
    inputs: Inputs,
    as_of: pd.Timestamp,
    evaluation_units: pd.DataFrame | None = None,
    evaluation_parcels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per row of ``inputs.parcels`` (same order, a fresh index) with everything rules read."""
    land = inputs.parcels.reset_index(drop=True)
    ids = inputs.ids
    area = land["area_m2"].to_numpy(dtype="float64", na_value=np.nan)
    known_area = np.where(area > 0, area, np.nan)
    land["area_mu"] = area / M2_PER_MU
    if inputs.buildings is not None:
        built = _built(inputs.buildings, keys.at(ids.parcel_row, ids.building_parcel, -1), len(land))
    else:
        built = {c: np.zeros(len(land)) for c in BUILT_COLUMNS}
    for column, values in built.items():
        land[column] = values
    land["far"] = land["far_floor_area_m2"] / known_area
    land["building_coverage"] = land["footprint_m2"] / known_area
    land["office_living_share"] = land["office_living_footprint_m2"] / known_area
    land["invested_intensity_wan_per_mu"] = land["invested_wan"] / (known_area / M2_PER_MU)
    for column, values in _users(inputs, as_of, len(land)).items():
        land[column] = values
    land["industry_2002"] = division_2002(land["industry_code"].astype("string"))
    if evaluation_units is not None and evaluation_parcels is not None:
        for column, values in _evaluated(evaluation_units, evaluation_parcels, ids, len(land)).items():
            land[column] = values
    else:
        for column in EVALUATION_COLUMNS:
            land[f"eval_{column}"] = pd.NA
        land["eval_industry_mean_tax_per_mu"] = np.nan
    return land


BUILT_COLUMNS = ("far_floor_area_m2", "footprint_m2", "office_living_footprint_m2", "building_count")


def _built(buildings: pd.DataFrame, parcel: keys.Positions, n: int) -> dict[str, npt.NDArray[Any]]:
    """FAR floor area, footprint, office and living footprint, and the building count per parcel."""
    b = buildings
    counted = far_floor_area_m2(
        b["floor_area_m2"].to_numpy(dtype="float64", na_value=np.nan),
        b["storeys"].to_numpy(dtype="float64", na_value=np.nan),
        b["storeys_over_8m"].to_numpy(dtype="float64", na_value=np.nan),
    )
    footprint = np.nan_to_num(b["footprint_m2"].to_numpy(dtype="float64", na_value=np.nan))
    office = np.where(b["use_type"].isin(OFFICE_AND_LIVING).to_numpy(dtype=bool), footprint, 0.0)
    on = parcel >= 0
    values = (np.nan_to_num(counted), footprint, office, np.ones(len(b)))
    sums = {c: np.bincount(parcel[on], weights=v[on], minlength=n) for c, v in zip(BUILT_COLUMNS, values, strict=True)}
    sums["building_count"] = sums["building_count"].astype(np.int64)
    return sums


def _users(inputs: Inputs, as_of: pd.Timestamp, n: int) -> dict[str, Any]:
    """Who uses each parcel on ``as_of``: how many, the main user's industry, and when the last left."""
    occ, ids = inputs.occupancy, inputs.ids
    parcel = keys.at(ids.parcel_row, ids.occupancy_parcel, -1)
    start, end = occ["start_date"], occ["end_date"]
    begun = np.asarray((start <= as_of).to_numpy(dtype=bool, na_value=False)) & (parcel >= 0)
    now = begun & np.asarray((end.isna() | (end > as_of)).to_numpy(dtype=bool, na_value=False))
    rows = np.flatnonzero(begun)
    # The main user: the largest share now, else the one there most recently (then the smallest USCC).
    share = occ["land_share"].to_numpy(dtype="float64", na_value=np.nan)[rows]
    started = start.to_numpy()[rows].astype("datetime64[ns]").view(np.int64)
    uscc = ids.occupancy_uscc[rows]
    main = keys.first_of_groups(parcel[rows], ~now[rows], -np.nan_to_num(share, nan=-1.0), -started, uscc)
    main_uscc = np.full(n, -1, dtype=np.int64)
    main_uscc[parcel[rows][main]] = uscc[main]
    industry = keys.strings(inputs.enterprises["industry_code"])
    left = end.to_numpy()[rows].astype("datetime64[ns]")
    last_left = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    latest_first = -np.where(np.isnat(left), np.iinfo(np.int64).min + 1, left.view(np.int64))
    by_left = keys.first_of_groups(parcel[rows], latest_first)
    last_left[parcel[rows][by_left]] = left[by_left]
    return {
        "main_uscc": keys.take(ids.usccs, main_uscc),
        "industry_code": keys.take(industry, keys.at(ids.enterprise_row, main_uscc, -1)),
        "occupants": np.bincount(parcel[now], minlength=n),
        "last_left": last_left,
    }


def _evaluated(units: pd.DataFrame, parcels: pd.DataFrame, ids: InputIds, n: int) -> dict[str, Any]:
    """The evaluation result of the unit on each parcel, and its industry's mean 亩均税收, as eval_ columns."""
    u = units.reset_index(drop=True)
    u = u.assign(industry_division=u["industry_code"].astype("string").str[:2])
    rated = u[u["status"] == "rated"]
    industry_mean = rated.groupby(["list", "industry_division"])["tax_per_mu"].mean()
    group = pd.MultiIndex.from_arrays([u["list"], u["industry_division"]])
    u = u.assign(industry_mean_tax_per_mu=industry_mean.reindex(group).to_numpy())
    # A parcel belongs to one unit (units are the connected pieces of the occupancy graph).
    land_row = keys.at(ids.parcel_row, keys.find_sorted(ids.parcel_codes, parcels["parcel_code"]), -1)
    unit_row = keys.rows_of(keys.find_sorted(ids.usccs, u["unit_key"]), len(ids.usccs))
    parcel_unit = keys.at(unit_row, keys.find_sorted(ids.usccs, parcels["unit_key"]), -1)
    row = np.full(n, -1, dtype=np.int64)
    row[land_row[land_row >= 0]] = parcel_unit[land_row >= 0]
    out: dict[str, Any] = {"eval_unit_key": keys.take(keys.strings(u["unit_key"]), row)}
    for column in [*EVALUATION_COLUMNS, "industry_mean_tax_per_mu"]:
        values = u[column].take(np.maximum(row, 0)) if len(u) else pd.Series(pd.NA, index=range(len(row)))
        out[f"eval_{column}"] = values.where(row >= 0).reset_index(drop=True) if len(u) else values
    return out
