"""What is private, whose it is, and when an aggregate may be shown: the one rule (docs/privacy.md).

Private are an enterprise's yearly figures (the metrics fields marked ``private``) and everything
computed from them: the 亩均 indicators, scores and ranks, the figures of an evaluation unit or a
zone, thresholds derived from them, and any ordering by them. Public are policy values, classes,
parcels' physical facts, areas and counts.

A private figure belongs to the jurisdiction of the enterprise (or evaluation unit) it describes,
wherever it appears: on a parcel of another town, in a zone spanning two towns, in a finding.
An aggregate over several units (an industry mean) may be shown to a user only when the units
it pools that the user may not see are none, or at least ``privacy.min_pooled_units`` of them:
fewer, and the user could work a single one out from the aggregate and its own units' figures.

Every list, sort, filter, export, dossier and finding text asks here; nothing matches names by
substring.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.indicators import INDICATORS

MIN_POOLED_UNITS = "privacy.min_pooled_units"

# An enterprise's own figures, as the field table marks them.
# (``electricity_kwh``: 用电量 as changes recorded before the store kept it in 万千瓦时 name it.)
FIGURES = frozenset(f.name for f in ENTITIES["metrics"].fields if f.private) | {"electricity_kwh"}

# Computed from one enterprise's or one evaluation unit's figures (or a zone's share of them).
DERIVED = frozenset(
    {
        *INDICATORS,
        *(f"part_{name}" for name in INDICATORS),  # an indicator's points in the score
        "score",
        "rank",
        "rank_industry",
        "score_before",
        "score_after",
        "score_change",
        "rank_before",
        "rank_after",
    }
)

# Computed from several units' figures: shown only when pooled enough (see ``pooled_enough``).
AGGREGATES = frozenset({"industry_mean_tax_per_mu", "limit"})

PRIVATE = FIGURES | DERIVED | AGGREGATES


def is_private(name: str) -> bool:
    """Whether the value named ``name`` (a column, a piece of evidence) is private."""
    return name in PRIVATE


def is_aggregate(name: str) -> bool:
    return name in AGGREGATES


def pooled_enough(hidden_units: npt.ArrayLike, minimum: int) -> npt.NDArray[np.bool_]:
    """Whether an aggregate that pools ``hidden_units`` units the viewer may not see can be shown."""
    hidden = np.asarray(hidden_units, dtype=np.int64)
    return (hidden == 0) | ((hidden > 0) & (hidden >= minimum))


def figures_owner(member_divisions: pd.Series, unit_keys: pd.Series, town_digits: int = 9) -> pd.Series:
    """Whose figures a unit's are: the town all its members lie in, or <NA> when they lie in several.

    A unit merges the enterprises sharing land; its sums then belong to no single town, and only
    those who see every town (the city) may read them.
    """
    towns = member_divisions.astype("string").str[:town_digits]
    frame = pd.DataFrame({"unit": unit_keys.to_numpy(), "town": towns.to_numpy()})
    grouped = frame.groupby("unit", sort=False)["town"]
    owner = grouped.first().where(grouped.nunique(dropna=False) == 1)
    return pd.Series(unit_keys.map(owner).to_numpy(), index=unit_keys.index, dtype="string")


def masked(record: Mapping[str, Any], visible: bool, hide: Callable[[str], bool] = is_private) -> dict[str, Any]:
    """``record`` with the values ``hide`` picks set to None unless ``visible``."""
    return dict(record) if visible else {k: (None if hide(k) else v) for k, v in record.items()}


@dataclass(frozen=True)
class Pools:
    """Who an evaluation run's industry means pool: per (list, industry) group, the units of each town.

    ``unit_group`` maps a unit to its group; ``counts`` is groups × towns; units spanning towns
    count under the town "" (seen by nobody below the city).
    """

    unit_group: pd.Series  # unit_key → group number
    towns: pd.Index
    counts: npt.NDArray[np.int64]

    @classmethod
    def of(cls, units: pd.DataFrame) -> Pools:
        """From one row per unit: unit_key, group (any hashable label), owner (town code or <NA>) and
        pooled (whether the group's aggregates include the unit: the rated ones)."""
        group_codes, _ = pd.factorize(units["group"], use_na_sentinel=True)
        owners = units["owner"].astype("string").fillna("")
        town_codes, towns = pd.factorize(owners)
        counts = np.zeros((max(int(group_codes.max(initial=-1)) + 1, 0), len(towns)), dtype=np.int64)
        counted = (group_codes >= 0) & units["pooled"].to_numpy(dtype=bool)
        np.add.at(counts, (group_codes[counted], town_codes[counted]), 1)
        unit_group = pd.Series(group_codes, index=units["unit_key"].to_numpy())
        return cls(unit_group[group_codes >= 0], pd.Index(towns), counts)

    def hidden(self, unit_keys: pd.Series, sees: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """For each row's unit: how many units of its group's aggregates the viewer may not see; -1 for
        a unit of no known group (its aggregates are then never shown).

        ``sees`` says, for each of ``towns``, whether the viewer sees that town's private figures.
        """
        group = unit_keys.map(self.unit_group).fillna(-1).astype(np.int64).to_numpy()
        unseen = (self.counts * ~sees).sum(axis=1) if len(self.counts) else np.zeros(1, dtype=np.int64)
        return np.where(group >= 0, unseen[np.clip(group, 0, len(unseen) - 1)], -1)

    def shown(self, unit_keys: pd.Series, sees: npt.NDArray[np.bool_], minimum: int) -> npt.NDArray[np.bool_]:
        """For each row's unit: may the aggregates of its group be shown to a viewer who ``sees`` these towns?"""
        return pooled_enough(self.hidden(unit_keys, sees), minimum)
