"""关停或空置: land that produced and has no user on the date (Enping's 闲置或关停企业用地)."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.dates import days_between
from landrenewal.domain.rules.base import Hits, Params, Rule, before, register


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    empty = before(land["production_date"], as_of) & (land["occupants"] == 0).to_numpy()
    evidence = {
        "production_date": land["production_date"],
        "last_user_left": land["last_left"],
        "days_empty": days_between(land["last_left"], as_of),
    }
    return Hits(empty, evidence)


register(
    Rule(
        "land.vacated_after_production",
        "投产后关停或空置",
        (),
        find,
        reads=("production_date", "occupants"),
        en="Closed or empty after production",
    )
)
