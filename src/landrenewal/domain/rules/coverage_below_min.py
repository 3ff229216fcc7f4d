"""建筑系数低于控制值 (2008 control indicators: building coverage ≥ 30 %)."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, below, completed, register

MIN = "land_control.building_coverage_min"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    evidence = {
        "building_coverage": land["building_coverage"].round(4),
        "footprint_m2": land["footprint_m2"].round(1),
        "area_m2": land["area_m2"].round(1),
    }
    return Hits(completed(land, as_of) & below(land["building_coverage"], params[MIN]), evidence)


register(
    Rule(
        "control.building_coverage_below_min",
        "建筑系数低于控制值",
        (MIN,),
        find,
        reads=("building_coverage",),
        en="Building coverage below the control value",
    )
)
