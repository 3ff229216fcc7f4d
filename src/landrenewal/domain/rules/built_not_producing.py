"""建而未投: completed, not in production (seed 001 "五未")."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.dates import add_years, days_between
from landrenewal.domain.rules.base import Hits, Params, Rule, before, not_by, register

WAIT = "identification.built_not_producing_after_years"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    waited = before(add_years(land["completion_date"], params[WAIT]), as_of)
    evidence = {
        "completion_date": land["completion_date"],
        "days_since_completion": days_between(land["completion_date"], as_of),
    }
    return Hits(waited & not_by(land["production_date"], as_of), evidence)


register(Rule("land.built_not_producing", "建而未投", (WAIT,), find, reads=("completion_date", "production_date")))
