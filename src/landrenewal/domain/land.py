"""Everything the identification rules read about a parcel on a date, one row per parcel.

Built once per run and shared by all rules, so that each rule is a few vectorized comparisons:
the parcel's own dates and contract terms, what stands on it (FAR with storeys over 8 m counted
twice, building coverage, the office and living share), who uses it on the date and in which
industry (with the GB/T 4754-2002 division the 2008 control table needs), and the result of
the evaluation the run is based on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from landrenewal.domain.codes import division_2002
from landrenewal.domain.evaluation import Inputs
from landrenewal.domain.model import far_floor_area_m2
from landrenewal.domain.units import M2_PER_MU

OFFICE_AND_LIVING = ("office", "living")
EVALUATION_COLUMNS = ("class", "score", "status", "list", "rank", "rank_size", "tax_per_mu", "industry_division")


def land_on(
    inputs: Inputs,
    buildings: pd.DataFrame,
    as_of: pd.Timestamp,
    evaluation_units: pd.DataFrame | None = None,
    evaluation_parcels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    land = inputs.parcels.set_index("parcel_code", drop=False)
    land = land.assign(area_mu=land["area_m2"] / M2_PER_MU)
    land = land.join(_built(buildings), how="left")
    for column in ("far_floor_area_m2", "footprint_m2", "office_living_footprint_m2"):
        land[column] = land[column].fillna(0.0)
    area = land["area_m2"].where(land["area_m2"] > 0)
    land["far"] = land["far_floor_area_m2"] / area
    land["building_coverage"] = land["footprint_m2"] / area
    land["office_living_share"] = land["office_living_footprint_m2"] / area
    land["invested_intensity_wan_per_mu"] = land["invested_wan"] / land["area_mu"].where(land["area_mu"] > 0)
    land = land.join(_users(inputs, as_of), how="left")
    land["occupants"] = land["occupants"].fillna(0).astype("int64")
    land["industry_2002"] = division_2002(land["industry_code"].astype("string"))
    if evaluation_units is not None and evaluation_parcels is not None:
        land = land.join(_evaluated(evaluation_units, evaluation_parcels), how="left")
    else:
        for column in EVALUATION_COLUMNS:
            land[f"eval_{column}"] = pd.NA
        land["eval_industry_mean_tax_per_mu"] = np.nan
    return land


def _built(buildings: pd.DataFrame) -> pd.DataFrame:
    b = buildings
    counted = far_floor_area_m2(
        b["floor_area_m2"].to_numpy(dtype="float64", na_value=np.nan),
        b["storeys"].to_numpy(dtype="float64", na_value=np.nan),
        b["storeys_over_8m"].to_numpy(dtype="float64", na_value=np.nan),
    )
    footprint = b["footprint_m2"].astype("float64").fillna(0.0)
    office = footprint.where(b["use_type"].isin(OFFICE_AND_LIVING).to_numpy(dtype=bool), 0.0)
    frame = pd.DataFrame(
        {
            "parcel_code": b["parcel_code"].to_numpy(),
            "far_floor_area_m2": np.nan_to_num(counted),
            "footprint_m2": footprint.to_numpy(),
            "office_living_footprint_m2": office.to_numpy(),
        }
    )
    out = frame.groupby("parcel_code").sum()
    out["building_count"] = frame.groupby("parcel_code").size()
    return out


def _users(inputs: Inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """Who uses each parcel on ``as_of``: how many, the main user's industry, and when the last left."""
    occ = inputs.occupancy
    now = (occ["start_date"] <= as_of) & (occ["end_date"].isna() | (occ["end_date"] > as_of))
    begun = occ[(occ["start_date"] <= as_of).to_numpy(dtype=bool)]
    industry = inputs.enterprises.set_index("uscc")["industry_code"]
    # The main user: the largest share now, else the one there most recently.
    ranked = begun.assign(now=now[begun.index].to_numpy(), industry_code=begun["uscc"].map(industry).to_numpy())
    ranked = ranked.sort_values(
        ["parcel_code", "now", "land_share", "start_date", "uscc"], ascending=[True, False, False, False, True]
    )
    main = ranked.drop_duplicates("parcel_code").set_index("parcel_code")
    out = pd.DataFrame(
        {
            "main_uscc": main["uscc"],
            "industry_code": main["industry_code"],
            "occupants": occ[now.to_numpy(dtype=bool)].groupby("parcel_code").size(),
            "last_left": begun.groupby("parcel_code")["end_date"].max(),
        }
    )
    out.index.name = "parcel_code"
    return out


def _evaluated(units: pd.DataFrame, parcels: pd.DataFrame) -> pd.DataFrame:
    u = units.set_index("unit_key")
    u = u.assign(industry_division=u["industry_code"].astype("string").str[:2])
    rated = u[u["status"] == "rated"]
    industry_mean = rated.groupby(["list", "industry_division"])["tax_per_mu"].mean()
    keys = pd.MultiIndex.from_arrays([u["list"], u["industry_division"]])
    u = u.assign(industry_mean_tax_per_mu=industry_mean.reindex(keys).to_numpy())
    columns = [*EVALUATION_COLUMNS, "industry_mean_tax_per_mu"]
    # A parcel belongs to one unit (units are the connected pieces of the occupancy graph).
    joined = parcels[["parcel_code", "unit_key"]].drop_duplicates("parcel_code").join(u[columns], on="unit_key")
    joined = joined.set_index("parcel_code")
    return joined.rename(columns={c: f"eval_{c}" for c in ["unit_key", *columns]})
