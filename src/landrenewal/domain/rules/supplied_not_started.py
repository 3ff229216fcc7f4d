"""供而未用: supplied, the agreed start date passed, not started (Quzhou's "五未"; docs/identification.md).

Any delay counts here; 闲置土地 (idle.unstarted) is the stricter national test of one full year.
"""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.dates import days_between
from landrenewal.domain.rules.base import Hits, Params, Rule, before, not_by, register


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    agreed = land["agreed_start_date"]
    late = before(land["supplied_date"], as_of) & before(agreed, as_of - pd.Timedelta(days=1))
    evidence = {
        "supplied_date": land["supplied_date"],
        "agreed_start_date": agreed,
        "days_past_agreed_start": days_between(agreed, as_of),
    }
    return Hits(late & not_by(land["actual_start_date"], as_of), evidence)


register(
    Rule(
        "land.supplied_not_started",
        "供而未用",
        (),
        find,
        reads=("supplied_date", "agreed_start_date", "actual_start_date"),
        en="Supplied, not started",
    )
)
