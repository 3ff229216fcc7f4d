"""闲置土地，未动工: more than one full year past the agreed start without starting
(《闲置土地处置办法》第53号令 第二条), with its milestones: 闲置费 at one year (第十四条 (一),
20 % of the land price) and recovery without compensation at two (第十四条 (二))."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landrenewal.domain.dates import add_years, days_between
from landrenewal.domain.rules.base import Hits, Params, Rule, before, not_by, register

AFTER = "idle_land.unstarted_after_years"
FEE = "idle_land.idle_fee_share_of_land_price"
RECOVERY = "idle_land.recovery_after_years"


def idle_milestones(
    since: pd.Series, years: float, land: pd.DataFrame, params: Params, as_of: pd.Timestamp
) -> tuple[np.ndarray, dict[str, pd.Series], pd.Series]:
    """Idle once more than ``years`` full years have passed since ``since`` (from the day after the
    anniversary on); 闲置费 from then on, recovery from the anniversary of the recovery term."""
    idle = before(add_years(since, years) + pd.Timedelta(days=1), as_of)
    recovery = before(add_years(since, params[RECOVERY]), as_of)
    stage = pd.Categorical.from_codes(recovery.astype(np.int8), pd.Index(["征缴闲置费", "无偿收回"]))
    milestone = pd.Series(stage, index=land.index)
    evidence = {
        "idle_since": since,
        "days_idle": days_between(since, as_of),
        "land_price_wan": land["land_price_wan"],
        "idle_fee_wan": (land["land_price_wan"] * params[FEE]).round(2),
    }
    return idle, evidence, milestone


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    idle, evidence, milestone = idle_milestones(land["agreed_start_date"], params[AFTER], land, params, as_of)
    evidence = {"agreed_start_date": land["agreed_start_date"], **evidence}
    return Hits(idle & not_by(land["actual_start_date"], as_of), evidence, milestone)


register(
    Rule(
        "idle.unstarted",
        "闲置土地（超过约定动工日期满一年未动工）",
        (AFTER, FEE, RECOVERY),
        find,
        reads=("agreed_start_date", "actual_start_date", "land_price_wan"),
        en="Idle land (not started a year after the agreed start)",
    )
)
