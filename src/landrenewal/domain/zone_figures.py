"""The figures of each zone: land, rights, enterprises, 亩均 output, classes and findings.

Every figure is a sum or a distinct count over the zone's parcels, by ``bincount`` on the zone
number; no loop over parcels or zones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain import keys

CLASSES = ("A", "B", "C", "D")
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ZoneParcels:
    """The selected parcels, one row per parcel, aligned with the zone labels."""

    area_mu: npt.NDArray[np.float64]
    rights_type: pd.Series  # state | collective
    rights_holder: pd.Series
    eval_class: pd.Series  # A–D, T, or missing
    tax_wan: npt.NDArray[np.float64]  # this parcel's share of its unit's tax; NaN unknown
    value_added_wan: npt.NDArray[np.float64]
    occupant_row: npt.NDArray[np.int64]  # for each current occupancy: the parcel's row
    occupant_uscc: npt.NDArray[np.int64]  # and the enterprise's id
    finding_row: npt.NDArray[np.int64]  # for each finding: the parcel's row
    finding_rule: pd.Series  # and its rule id


def zone_figures(labels: Labels, parcels: ZoneParcels) -> pd.DataFrame:
    """One row per zone number 0 … max(labels)."""
    n = int(labels.max()) + 1 if len(labels) else 0
    area = np.nan_to_num(parcels.area_mu)

    def total(weights: npt.NDArray[np.float64] | None = None) -> npt.NDArray[np.float64]:
        return np.bincount(labels, weights=weights, minlength=n).astype(np.float64)

    tax = keys.group_sum(labels, parcels.tax_wan, n)
    value_added = keys.group_sum(labels, parcels.value_added_wan, n)
    land = total(area)
    figures: dict[str, object] = {
        "parcel_count": np.bincount(labels, minlength=n),
        "area_mu": land,
        "enterprise_count": _distinct(labels[parcels.occupant_row], parcels.occupant_uscc, n),
        "holder_count": _distinct(labels, keys.encode(parcels.rights_holder)[1], n),
        "state_mu": total(np.where(_is(parcels.rights_type, "state"), area, 0.0)),
        "collective_mu": total(np.where(_is(parcels.rights_type, "collective"), area, 0.0)),
        "tax_wan": tax,
        "value_added_wan": value_added,
        "tax_per_mu": tax / np.where(land > 0, land, np.nan),
        "value_added_per_mu": value_added / np.where(land > 0, land, np.nan),
    }
    rated = np.zeros(len(labels), dtype=bool)
    for name in CLASSES:
        mine = _is(parcels.eval_class, name)
        rated |= mine
        figures[f"class_{name.lower()}_mu"] = total(np.where(mine, area, 0.0))
    figures["unrated_mu"] = total(np.where(rated, 0.0, area))
    found = np.zeros(len(labels), dtype=bool)
    found[parcels.finding_row] = True
    figures["finding_parcels"] = np.bincount(labels[found], minlength=n)
    figures["finding_mu"] = total(np.where(found, area, 0.0))
    figures["findings"] = _rule_counts(labels[parcels.finding_row], parcels.finding_rule, n)
    return pd.DataFrame(figures)


def _is(values: pd.Series, wanted: str) -> npt.NDArray[np.bool_]:
    return np.asarray((values == wanted).to_numpy(dtype=bool, na_value=False))


def _distinct(group: Labels, ids: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """How many distinct ids (ignoring -1) each group holds."""
    known = (ids >= 0) & (group >= 0)
    pairs = np.unique(np.stack([group[known], ids[known]]), axis=1)
    return np.bincount(pairs[0], minlength=n)


def _rule_counts(group: Labels, rules: pd.Series, n: int) -> npt.NDArray[np.object_]:
    """For each zone, a JSON object: rule id → parcels with a finding of that rule (sorted by rule)."""
    out = np.full(n, "{}", dtype=object)
    if not len(group):
        return out
    counts = pd.DataFrame({"zone": group, "rule": rules.astype(str).to_numpy()}).value_counts().sort_index()
    zone = counts.index.get_level_values("zone")
    rule = counts.index.get_level_values("rule")
    quoted = pd.Series(rule).map({r: json.dumps(r, ensure_ascii=False) for r in rule.unique()})
    pieces = quoted + ": " + pd.Series(counts.to_numpy()).astype(str)
    joined = pieces.groupby(zone.to_numpy()).agg(", ".join)
    out[joined.index.to_numpy()] = ("{" + joined + "}").to_numpy(dtype=object)
    return out


# The zone figures that are private (domain/privacy.py): sums of the units' tax and value added.
PRIVATE_FIGURES = ("tax_wan", "value_added_wan", "tax_per_mu", "value_added_per_mu")


def town_parts(shares: pd.DataFrame) -> pd.DataFrame:
    """Each zone's tax and value added split by whose figures they are.

    ``shares`` has one row per (zone, evaluation unit) with zone_no, owner (the unit's town, ""
    when it spans towns), land_mu (the unit's land in the zone) and tax_wan / value_added_wan (its
    share by land). One row per (zone, owner) comes back, with the part's per-mu figures.
    """
    grouped = shares.groupby(["zone_no", "owner"], sort=True)
    parts = grouped.agg(
        land_mu=("land_mu", "sum"),
        tax_wan=("tax_wan", lambda v: v.sum(min_count=1)),
        value_added_wan=("value_added_wan", lambda v: v.sum(min_count=1)),
    ).reset_index()
    land = parts["land_mu"].where(parts["land_mu"] > 0)
    return parts.assign(tax_per_mu=parts["tax_wan"] / land, value_added_per_mu=parts["value_added_wan"] / land)


def visible_part(parts: pd.DataFrame, visible: npt.NDArray[np.bool_]) -> pd.DataFrame:
    """Per zone: the sum of the parts ``visible`` marks, their per-mu figures, and whether any part was left out.

    A town officer reads its own town's part of a zone that spans towns, never the zone's total.
    """
    seen = parts[visible]
    grouped = seen.groupby("zone_no", sort=True)
    out = grouped.agg(
        land_mu=("land_mu", "sum"),
        tax_wan=("tax_wan", lambda v: v.sum(min_count=1)),
        value_added_wan=("value_added_wan", lambda v: v.sum(min_count=1)),
    )
    land = out["land_mu"].where(out["land_mu"] > 0)
    out = out.assign(tax_per_mu=out["tax_wan"] / land, value_added_per_mu=out["value_added_wan"] / land)
    partial = pd.Series(~visible, index=parts.index).groupby(parts["zone_no"].to_numpy()).any()
    return out.reindex(partial.index).assign(partial=partial.to_numpy())
