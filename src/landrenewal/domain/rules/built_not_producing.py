"""建而未投: completed, not in production (Quzhou's "五未"; docs/identification.md)."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, register, waited_without

WAIT = "identification.built_not_producing_after_years"


def find(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    return waited_without(land, "completion_date", "production_date", params[WAIT], as_of)


register(
    Rule(
        "land.built_not_producing",
        "建而未投",
        (WAIT,),
        find,
        reads=("completion_date", "production_date"),
        en="Built, not producing",
    )
)
