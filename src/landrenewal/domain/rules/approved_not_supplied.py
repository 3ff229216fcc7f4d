"""批而未供: approved for construction, not supplied (Quzhou's "五未", Enping's 批而未供土地).

See docs/identification.md.
"""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, register, waited_without

WAIT = "identification.approved_not_supplied_after_years"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    return waited_without(land, "approved_date", "supplied_date", params[WAIT], as_of)


register(
    Rule(
        "land.approved_not_supplied",
        "批而未供",
        (WAIT,),
        find,
        reads=("approved_date", "supplied_date"),
        en="Approved, not supplied",
    )
)
