"""Zone delineation: from the selected parcels and their clusters to numbered zones with figures,
verdicts, outlines, town, village and 大/中/小圈 labels, and each town's account (docs/zones.md).

Pure: the run in ``analysis/zone_runs.py`` reads the store, clusters (in Python or in PostGIS) and
saves; everything between is here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landrenewal.domain import keys
from landrenewal.domain.language import say
from landrenewal.domain.overlay import containing, dominant
from landrenewal.domain.planning import LEVELS, area_inside_big, share_inside_big
from landrenewal.domain.selection import Selection, selected
from landrenewal.domain.units import M2_PER_MU
from landrenewal.domain.zone_figures import ZoneParcels, zone_figures
from landrenewal.domain.zone_policy import ZoneThresholds, judge
from landrenewal.domain.zones import outlines


@dataclass(frozen=True)
class ZoneInputs:
    """What a zone run reads from the store."""

    parcels: pd.DataFrame  # sorted by parcel_code; with geom
    findings: pd.DataFrame
    per_parcel: pd.DataFrame  # parcel_code, class, tax_wan, value_added_wan
    occupants: pd.DataFrame  # uscc, parcel_code of current occupancy
    divisions: pd.DataFrame
    planning: pd.DataFrame


@dataclass(frozen=True)
class ChosenParcels:
    """The selected parcels with a geometry, in parcel-code order, and their evaluation."""

    parcels: pd.DataFrame
    evaluated: pd.DataFrame  # parcel_code, class, tax_wan, value_added_wan, aligned with parcels
    geoms: npt.NDArray[np.object_]
    without_geometry: int  # selected, but with no geometry to cluster


@dataclass(frozen=True)
class Delineation:
    zones: pd.DataFrame
    parcels: pd.DataFrame
    towns: pd.DataFrame
    thresholds: ZoneThresholds
    without_geometry: int
    notes: list[str]


def choose(inputs: ZoneInputs, chosen: Selection) -> ChosenParcels:
    """The parcels a selection takes that have a geometry to cluster (those without are counted)."""
    all_parcels = inputs.parcels
    evaluated = all_parcels[["parcel_code"]].merge(inputs.per_parcel, on="parcel_code", how="left")
    mask = selected(chosen, all_parcels["parcel_code"], evaluated["class"], inputs.findings)
    geoms_all = all_parcels["geom"].to_numpy(dtype=object)
    usable = mask & ~(shapely.is_missing(geoms_all) | shapely.is_empty(geoms_all))
    without_geometry = int((mask & ~usable).sum())
    rows = np.flatnonzero(usable)
    parcels = all_parcels.iloc[rows].reset_index(drop=True)
    evaluated = evaluated.iloc[rows].reset_index(drop=True)
    return ChosenParcels(parcels, evaluated, geoms_all[rows], without_geometry)


def delineate(
    chosen: ChosenParcels, raw: npt.NDArray[np.int64], inputs: ZoneInputs, gap: float, thresholds: ZoneThresholds
) -> Delineation:
    """Zones from the chosen parcels and their cluster labels ``raw`` (0 … n-1, one per parcel):
    numbered from the largest, with figures, verdicts, outlines, town, village and 大/中/小圈
    labels, and the per-town account."""
    parcels, evaluated, geoms = chosen.parcels, chosen.evaluated, chosen.geoms
    area_mu = parcels["area_m2"].to_numpy(dtype="float64", na_value=np.nan) / M2_PER_MU

    codes = keys.strings(parcels["parcel_code"])
    occupant_row = keys.find_sorted(codes, inputs.occupants["parcel_code"])
    on_selected = occupant_row >= 0
    uscc_ids = keys.encode(inputs.occupants["uscc"])[1]
    finding_row = keys.find_sorted(codes, inputs.findings["parcel_code"])
    found = finding_row >= 0
    figures = zone_figures(
        raw,
        ZoneParcels(
            area_mu=area_mu,
            rights_type=parcels["rights_type"],
            rights_holder=parcels["rights_holder"],
            eval_class=evaluated["class"],
            tax_wan=evaluated["tax_wan"].to_numpy(dtype="float64", na_value=np.nan),
            value_added_wan=evaluated["value_added_wan"].to_numpy(dtype="float64", na_value=np.nan),
            occupant_row=occupant_row[on_selected],
            occupant_uscc=uscc_ids[on_selected],
            finding_row=finding_row[found],
            finding_rule=inputs.findings["rule_id"][found].reset_index(drop=True),
        ),
    )
    # Zones numbered 1, 2, … from the largest; equal areas keep the order of their first parcel.
    order = np.argsort(-figures["area_mu"].to_numpy(), kind="stable")
    number = np.empty(len(order), dtype=np.int64)
    number[order] = np.arange(1, len(order) + 1)
    zone_no = number[raw]
    n = len(order)

    verdicts = judge(figures["area_mu"].to_numpy(), thresholds)
    shapes = outlines(geoms, raw, gap)

    labels = _labels(parcels, geoms, inputs)
    inside_big = area_inside_big(geoms, inputs.planning) / M2_PER_MU
    zone_columns: dict[str, object] = {"zone_no": np.arange(1, n + 1)}
    for column in figures.columns:
        zone_columns[column] = figures[column].to_numpy()[order]
    zone_columns["outline_mu"] = shapely.area(shapes[order]) / M2_PER_MU
    for column in verdicts.columns:
        zone_columns[column] = verdicts[column].take(order).to_numpy()
    for column in ("town_code", "village_code", "big_zone_code", "middle_zone_code", "small_zone_code"):
        best, count = dominant(zone_no - 1, labels[column], area_mu, n)
        zone_columns[column] = best.to_numpy()
        if column == "town_code":
            zone_columns["town_count"] = count
    zone_columns["inside_big_mu"] = np.bincount(zone_no - 1, weights=inside_big, minlength=n)
    zone_columns["geom"] = shapes[order]
    zones = pd.DataFrame(zone_columns)
    names = _names(inputs.divisions)
    zones["town_name"] = zones["town_code"].map(names)
    zones["village_name"] = zones["village_code"].map(names)

    zone_parcels = pd.DataFrame(
        {"parcel_code": parcels["parcel_code"], "zone_no": zone_no, "area_mu": area_mu, **labels}
    )
    has_big = bool((inputs.planning["level"] == "big").any())
    towns = _towns(zone_parcels, zones, inside_big, evaluated["tax_wan"], thresholds if has_big else None, names)
    notes = (
        []
        if has_big
        else [
            say(
                "库中没有大圈（planning_zones），未检查大圈内占比。",
                "no big zones (planning_zones) are imported: the share inside them was not judged.",
            )
        ]
    )
    return Delineation(zones, zone_parcels, towns, thresholds, chosen.without_geometry, notes)


def _level(planning: pd.DataFrame, level: str) -> pd.DataFrame:
    return planning[planning["level"] == level].reset_index(drop=True)


def _labels(parcels: pd.DataFrame, geoms: npt.NDArray[np.object_], inputs: ZoneInputs) -> dict[str, pd.Series]:
    """Town, village and planning zone of each parcel: the polygon holding it, else (for towns and
    villages) the prefix of its own division code."""
    division = parcels["division_code"].astype("string")
    out: dict[str, pd.Series] = {}
    for level, width in (("town", 9), ("village", 12)):
        areas = inputs.divisions[inputs.divisions["level"] == level].reset_index(drop=True)
        found = containing(geoms, areas["geom"].to_numpy(dtype=object), areas["division_code"])
        own = division.str[:width].where(division.str.len() >= width)
        out[f"{level}_code"] = found.fillna(own.reset_index(drop=True))
    for level in LEVELS:
        areas = _level(inputs.planning, level)
        out[f"{level}_zone_code"] = containing(geoms, areas["geom"].to_numpy(dtype=object), areas["zone_code"])
    return out


def _names(divisions: pd.DataFrame) -> pd.Series:
    return pd.Series(divisions["name"].to_numpy(), index=divisions["division_code"].to_numpy())


def _towns(
    parcels: pd.DataFrame,
    zones: pd.DataFrame,
    inside_big: npt.NDArray[np.float64],
    tax_wan: pd.Series,
    thresholds: ZoneThresholds | None,
    names: pd.Series,
) -> pd.DataFrame:
    """Per town: the selected land, how much lies in candidate zones, in scattered blocks, and inside
    大圈, with the share against the policy's minimum (area-weighted throughout). Without 大圈 in
    the store (``thresholds`` None) the share is not judged."""
    zone = parcels["zone_no"].to_numpy() - 1
    candidate = zones["contiguous_candidate"].fillna(0).to_numpy(dtype=bool)[zone]
    scattered = zones["scattered"].fillna(0).to_numpy(dtype=bool)[zone]
    area = parcels["area_mu"].to_numpy()
    frame = pd.DataFrame(
        {
            "town_code": parcels["town_code"].fillna("").to_numpy(),
            "zone_no": parcels["zone_no"].to_numpy(),
            "area_mu": area,
            "candidate_mu": np.where(candidate, area, 0.0),
            "scattered_mu": np.where(scattered, area, 0.0),
            "inside_big_mu": inside_big,
            "tax_wan": tax_wan.to_numpy(dtype="float64", na_value=np.nan),
        }
    )
    grouped = frame.groupby("town_code", sort=True)
    towns = grouped[["area_mu", "candidate_mu", "scattered_mu", "inside_big_mu"]].sum()
    towns["parcel_count"] = grouped.size()
    towns["zone_count"] = grouped["zone_no"].nunique()
    towns["tax_per_mu"] = grouped["tax_wan"].sum(min_count=1) / towns["area_mu"].where(towns["area_mu"] > 0)
    share_min = None if thresholds is None else thresholds.share_inside_big_min
    shares = share_inside_big(frame["town_code"], area * M2_PER_MU, inside_big * M2_PER_MU, share_min)
    shares = shares.set_index("town").reindex(towns.index)
    towns["inside_big_share"] = shares["share"] if thresholds is not None else np.nan
    towns["share_min"] = share_min
    towns["meets_share"] = shares["meets"].astype("Int8")
    towns = towns.reset_index()
    towns["town_code"] = towns["town_code"].replace("", "（未知）")
    towns["town_name"] = towns["town_code"].map(names)
    return towns
