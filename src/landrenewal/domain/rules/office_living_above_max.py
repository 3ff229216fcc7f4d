"""行政办公及生活服务设施用地超过控制值 (2008 control indicators: ≤ 7 % of the land).

Measured as the footprint of office and living buildings over the parcel's area.
"""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, above, completed, register

MAX = "land_control.office_living_share_max"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    evidence = {
        "office_living_share": land["office_living_share"].round(4),
        "office_living_footprint_m2": land["office_living_footprint_m2"].round(1),
        "area_m2": land["area_m2"].round(1),
    }
    return Hits(completed(land, as_of) & above(land["office_living_share"], params[MAX]), evidence)


register(
    Rule(
        "control.office_living_share_above_max",
        "行政办公及生活服务设施用地比例超过控制值",
        (MAX,),
        find,
        reads=("office_living_share",),
        en="Office and living share above the control value",
    )
)
