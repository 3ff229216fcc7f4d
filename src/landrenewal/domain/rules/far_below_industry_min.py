"""容积率低于行业控制值: the built FAR below the 2008 control table's minimum for the industry of
the land's main user (GB/T 4754-2017 code mapped to the table's 2002 division)."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, below, completed, register

TABLE = "land_control.far_min_by_industry_2002"
DOUBLE = "land_control.double_counted_storey_height_m"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    minimum = land["industry_2002"].map({str(k): float(v) for k, v in params[TABLE].items()}).astype("float64")
    evidence = {
        "far": land["far"].round(4),
        "far_min": minimum,
        "industry_code": land["industry_code"],
        "industry_division_2002": land["industry_2002"],
        "far_floor_area_m2": land["far_floor_area_m2"].round(1),
        "area_m2": land["area_m2"].round(1),
    }
    return Hits(completed(land, as_of) & below(land["far"], minimum), evidence)


register(
    Rule(
        "control.far_below_industry_min",
        "容积率低于行业控制值",
        (TABLE, DOUBLE),
        find,
        reads=("far", "industry_2002", "completion_date"),
        en="FAR below the industry control value",
    )
)
