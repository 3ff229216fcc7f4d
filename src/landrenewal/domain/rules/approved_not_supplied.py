"""批而未供: approved for construction, not supplied (seed 001 "五未"; Enping's 批而未供土地)."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.dates import add_years, days_between
from landrenewal.domain.rules.base import Hits, Params, Rule, before, not_by, register

WAIT = "identification.approved_not_supplied_after_years"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    waited = before(add_years(land["approved_date"], params[WAIT]), as_of)
    evidence = {
        "approved_date": land["approved_date"],
        "days_since_approval": days_between(land["approved_date"], as_of),
    }
    return Hits(waited & not_by(land["supplied_date"], as_of), evidence)


register(Rule("land.approved_not_supplied", "批而未供", (WAIT,), find, reads=("approved_date", "supplied_date")))
