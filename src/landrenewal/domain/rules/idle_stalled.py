"""闲置土地，中止开发: started, but developed area < 1/3 of the land or investment < 25 % of the
total (land price excluded), and stopped for more than one year (第53号令 第二条)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, before, below, not_by, register
from landrenewal.domain.rules.idle_unstarted import FEE, RECOVERY, idle_milestones

DEVELOPED = "idle_land.developed_share_min"
INVESTED = "idle_land.invested_share_min"
STOPPED = "idle_land.stopped_years"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    developed = land["developed_area_m2"] / land["area_m2"].where(land["area_m2"] > 0)
    invested = land["invested_wan"] / land["total_investment_wan"].where(land["total_investment_wan"] > 0)
    little = below(developed, params[DEVELOPED]) | below(invested, params[INVESTED])
    building = before(land["actual_start_date"], as_of) & not_by(land["completion_date"], as_of)
    idle, evidence, milestone = idle_milestones(land["stopped_date"], params[STOPPED], land, params, as_of)
    evidence = {"developed_share": developed.round(4), "invested_share": invested.round(4), **evidence}
    return Hits(np.asarray(building & little & idle, dtype=bool), evidence, milestone)


register(
    Rule(
        "idle.stalled",
        "闲置土地（已动工但开发不足且中止满一年）",
        (DEVELOPED, INVESTED, STOPPED, FEE, RECOVERY),
        find,
        reads=("developed_area_m2", "invested_wan", "total_investment_wan", "stopped_date"),
        en="Idle land (started, under-developed, stopped for a year)",
    )
)
