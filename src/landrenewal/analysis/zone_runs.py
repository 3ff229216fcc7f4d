"""Zone runs: select parcels, join them into contiguous zones, judge the zones against the policy,
label them with towns, villages and 大/中/小圈, and store the result as a new version."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from sqlalchemy import Connection, Table, select

from landrenewal.accounts import audit
from landrenewal.analysis.evaluation_runs import RunNotFound, latest_run
from landrenewal.analysis.identification_runs import (
    IdentificationInfo,
    identification_info,
    latest_identification,
    stored_findings,
)
from landrenewal.analysis.inputs import frame_digest
from landrenewal.analysis.policy import policy_for
from landrenewal.domain import keys
from landrenewal.domain.language import say
from landrenewal.domain.overlay import containing, dominant
from landrenewal.domain.planning import LEVELS, area_inside_big, share_inside_big
from landrenewal.domain.policy import ResolvedPolicy, snapshot_json
from landrenewal.domain.rules import RULES
from landrenewal.domain.selection import DEFAULT_SELECTION, Selection, SelectionError, parse_selection, selected
from landrenewal.domain.units import M2_PER_MU
from landrenewal.domain.zone_figures import ZoneParcels, zone_figures
from landrenewal.domain.zone_policy import GAP, ZoneThresholds, judge
from landrenewal.domain.zones import clusters, outlines
from landrenewal.store import schema
from landrenewal.store.engine import Store, StoreError
from landrenewal.store.frames import read_table
from landrenewal.store.writes import insert_frame

ENGINES = ("python", "postgis")


@dataclass(frozen=True)
class ZoneRunInfo:
    id: int
    selection: str
    gap_m: float
    engine: str
    policy_id: str
    policy_version: str
    input_sha256: str
    identification_run_id: int | None
    evaluation_run_id: int | None
    created_at: dt.datetime
    parcel_count: int
    zone_count: int
    area_mu: float


@dataclass(frozen=True)
class ZoneRun:
    info: ZoneRunInfo
    zones: pd.DataFrame  # the zones table's columns, geom as shapely
    parcels: pd.DataFrame  # the zone_parcels columns
    towns: pd.DataFrame  # the zone_towns columns
    thresholds: ZoneThresholds
    without_geometry: int  # selected parcels left out for want of geometry
    not_checked: list[str] = field(default_factory=list)  # policy values the policy lacks
    notes: list[str] = field(default_factory=list)


def build_zones(
    store: Store,
    selection: str = DEFAULT_SELECTION,
    gap: float | None = None,
    policy_ref: str | None = None,
    identification_run: int | None = None,
    evaluation_run: int | None = None,
    engine: str = "python",
    *,
    by: str = "system",
) -> ZoneRun:
    """Cluster the selected parcels within ``gap`` metres (the policy's zones.gap_m by default)."""
    if engine not in ENGINES:
        raise SelectionError(
            say(
                f"未知的计算方式 {engine!r}；可选 python、postgis。",
                f"unknown engine {engine!r}; one of: python, postgis.",
            )
        )
    if engine == "postgis" and not store.is_postgis:
        raise StoreError(
            say(
                "postgis 计算方式需要 PostgreSQL + PostGIS 库。",
                "the postgis engine needs a PostgreSQL + PostGIS store.",
            )
        )
    chosen = parse_selection(selection, rules=RULES)
    with store.write() as conn:
        ident = _identification(conn, identification_run, chosen)
        as_of = ident.as_of if ident is not None else dt.date.today()
        policy = policy_for(conn, policy_ref, as_of)
        if gap is None:
            if GAP not in policy.values:
                raise SelectionError(
                    say(
                        f"政策 {policy.policy_id} 未规定连片间距 {GAP}，请用 --gap 指定。",
                        f"policy {policy.policy_id} has no contiguity gap {GAP}; give one with --gap.",
                    )
                )
            gap = float(policy[GAP])
        if gap < 0:
            raise SelectionError(say(f"连片间距不能为负：{gap}", f"the gap must not be negative: {gap}"))
        if evaluation_run is None:
            evaluation_run = ident.evaluation_run_id if ident is not None else _latest_evaluation(conn)
        elif (
            conn.execute(
                select(schema.evaluation_runs.c.id).where(schema.evaluation_runs.c.id == evaluation_run)
            ).scalar()
            is None
        ):
            raise RunNotFound(say(f"没有编号为 {evaluation_run} 的评价批次。", f"no evaluation run {evaluation_run}."))
        inputs = _read(conn, store, ident, evaluation_run, as_of)
        result = _compute(conn, store, inputs, chosen, gap, policy, engine)
        info = _save(conn, store, result, chosen, gap, engine, policy, ident, evaluation_run)
        summary = {"selection": selection, "gap_m": gap, "zones": info.zone_count, "parcels": info.parcel_count}
        audit(conn, by, "zones.build", "zone_runs", str(info.id), None, summary)
    return ZoneRun(
        info,
        result.zones,
        result.parcels,
        result.towns,
        result.thresholds,
        result.without_geometry,
        result.thresholds.not_checked(),
        result.notes,
    )


def _identification(conn: Connection, run_id: int | None, chosen: Selection) -> IdentificationInfo | None:
    if run_id is not None:
        return identification_info(conn, run_id)
    found = latest_identification(conn)
    if found is None and chosen.needs_findings:
        raise RunNotFound(
            say(
                "库中还没有低效认定结果；请先运行 `landrenewal identify`，或用 --select all / class:… 选取。",
                "there is no identification run yet: run `landrenewal identify` first, or use --select all / class:….",
            )
        )
    return found


def _latest_evaluation(conn: Connection) -> int | None:
    found = latest_run(conn)
    return None if found is None else found.id


@dataclass(frozen=True)
class _Inputs:
    parcels: pd.DataFrame  # sorted by parcel_code; with geom
    findings: pd.DataFrame
    per_parcel: pd.DataFrame  # parcel_code, class, tax_wan, value_added_wan
    occupants: pd.DataFrame  # uscc, parcel_code of current occupancy
    divisions: pd.DataFrame
    planning: pd.DataFrame
    sha256: str


def _read(
    conn: Connection, store: Store, ident: IdentificationInfo | None, evaluation_run: int | None, as_of: dt.date
) -> _Inputs:
    columns = ["parcel_code", "area_m2", "rights_type", "rights_holder", "division_code", "geom"]
    parcels = read_table(conn, store, schema.parcels, columns).sort_values("parcel_code", ignore_index=True)
    findings = (
        stored_findings(conn, store, ident.id)[["parcel_code", "rule_id", "category"]]
        if ident is not None
        else pd.DataFrame({"parcel_code": [], "rule_id": [], "category": []}, dtype="string")
    )
    per_parcel = _evaluated_parcels(conn, store, evaluation_run)
    occ = schema.occupancy
    when = pd.Timestamp(as_of)
    occupancy = read_table(
        conn, store, occ, ["uscc", "parcel_code", "start_date", "end_date"], occ.c.start_date <= as_of
    )
    current = occupancy[occupancy["end_date"].isna() | (occupancy["end_date"] > when)][["uscc", "parcel_code"]]
    divisions = read_table(conn, store, schema.divisions, ["division_code", "name", "level", "geom"])
    planning = read_table(conn, store, schema.planning_zones, ["zone_code", "name", "level", "geom"])
    digest = hashlib.sha256()
    for name, frame in (("parcels", parcels), ("divisions", divisions), ("planning", planning)):
        digest.update(name.encode())
        digest.update(frame_digest(frame.drop(columns="geom")))
        digest.update(b"".join(w or b"" for w in shapely.to_wkb(frame["geom"].to_numpy(dtype=object)).tolist()))
    for name, frame in (("findings", findings), ("evaluation", per_parcel), ("occupancy", current)):
        digest.update(name.encode())
        digest.update(frame_digest(frame.sort_values(list(frame.columns[:2]), ignore_index=True)))
    return _Inputs(
        parcels, findings, per_parcel, current.reset_index(drop=True), divisions, planning, digest.hexdigest()
    )


def _evaluated_parcels(conn: Connection, store: Store, run_id: int | None) -> pd.DataFrame:
    """Each evaluated parcel's class and its share of its unit's tax and value added (by land)."""
    if run_id is None:
        return pd.DataFrame(
            {
                "parcel_code": pd.Series(dtype="string"),
                "class": pd.Series(dtype="string"),
                "tax_wan": pd.Series(dtype="float64"),
                "value_added_wan": pd.Series(dtype="float64"),
            }
        )
    joined = _unit_shares(conn, store, run_id)
    grouped = joined.groupby("parcel_code", sort=True)
    return pd.DataFrame(
        {
            "class": grouped["class"].first(),
            "tax_wan": grouped["tax_wan"].sum(min_count=1),
            "value_added_wan": grouped["value_added_wan"].sum(min_count=1),
        }
    ).reset_index()


def _unit_shares(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    """Per (parcel, evaluation unit) of a run: the unit's land on the parcel, its class, and its tax
    and value added shared out by land (the zone figures sum these)."""
    links = read_table(
        conn,
        store,
        schema.evaluation_parcels,
        ["parcel_code", "unit_key", "land_mu"],
        schema.evaluation_parcels.c.run_id == run_id,
    )
    units = read_table(
        conn,
        store,
        schema.evaluation_units,
        ["unit_key", "class", "land_mu", "tax_wan", "value_added_wan"],
        schema.evaluation_units.c.run_id == run_id,
    )
    joined = links.merge(units, on="unit_key", suffixes=("", "_unit"))
    share = joined["land_mu"] / joined["land_mu_unit"].where(joined["land_mu_unit"] > 0)
    return joined.assign(tax_wan=joined["tax_wan"] * share, value_added_wan=joined["value_added_wan"] * share)


@dataclass(frozen=True)
class _Result:
    zones: pd.DataFrame
    parcels: pd.DataFrame
    towns: pd.DataFrame
    thresholds: ZoneThresholds
    without_geometry: int
    sha256: str
    notes: list[str]


def _compute(
    conn: Connection, store: Store, inputs: _Inputs, chosen: Selection, gap: float, policy: ResolvedPolicy, engine: str
) -> _Result:
    all_parcels = inputs.parcels
    evaluated = all_parcels[["parcel_code"]].merge(inputs.per_parcel, on="parcel_code", how="left")
    mask = selected(chosen, all_parcels["parcel_code"], evaluated["class"], inputs.findings)
    geoms_all = all_parcels["geom"].to_numpy(dtype=object)
    usable = mask & ~(shapely.is_missing(geoms_all) | shapely.is_empty(geoms_all))
    without_geometry = int((mask & ~usable).sum())
    rows = np.flatnonzero(usable)
    parcels = all_parcels.iloc[rows].reset_index(drop=True)
    evaluated = evaluated.iloc[rows].reset_index(drop=True)
    geoms = geoms_all[rows]
    if engine == "postgis":
        from landrenewal.store.clustering import postgis_clusters

        raw = postgis_clusters(conn, parcels["parcel_code"], gap)
    else:
        raw = clusters(geoms, gap)
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

    thresholds = ZoneThresholds.of(policy)
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
    return _Result(zones, zone_parcels, towns, thresholds, without_geometry, inputs.sha256, notes)


def _level(planning: pd.DataFrame, level: str) -> pd.DataFrame:
    return planning[planning["level"] == level].reset_index(drop=True)


def _labels(parcels: pd.DataFrame, geoms: npt.NDArray[np.object_], inputs: _Inputs) -> dict[str, pd.Series]:
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


def _save(
    conn: Connection,
    store: Store,
    result: _Result,
    chosen: Selection,
    gap: float,
    engine: str,
    policy: ResolvedPolicy,
    ident: IdentificationInfo | None,
    evaluation_run: int | None,
) -> ZoneRunInfo:
    row = {
        "selection": chosen.text,
        "gap_m": gap,
        "engine": engine,
        "policy_id": policy.policy_id,
        "policy_version": policy.version,
        "policy_values": snapshot_json(policy),
        "input_sha256": result.sha256,
        "identification_run_id": None if ident is None else ident.id,
        "evaluation_run_id": evaluation_run,
        "created_at": dt.datetime.now(dt.UTC),
        "parcel_count": len(result.parcels),
        "zone_count": len(result.zones),
        "area_mu": float(result.parcels["area_mu"].sum()),
    }
    run_id = int(conn.execute(schema.zone_runs.insert().values(**row)).inserted_primary_key[0])  # type: ignore[index]
    epsg = store.epsg(conn)
    insert_frame(conn, store, schema.zones, result.zones.assign(run_id=run_id), epsg)
    insert_frame(conn, store, schema.zone_parcels, result.parcels.assign(run_id=run_id))
    insert_frame(conn, store, schema.zone_towns, result.towns.assign(run_id=run_id))
    return _info(row | {"id": run_id})


def _info(row: dict[str, object]) -> ZoneRunInfo:
    return ZoneRunInfo(**{k: row[k] for k in ZoneRunInfo.__dataclass_fields__})  # type: ignore[arg-type]


def zone_run_info(conn: Connection, run_id: int) -> ZoneRunInfo:
    table = schema.zone_runs
    row = conn.execute(select(table).where(table.c.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFound(say(f"没有编号为 {run_id} 的连片片区批次。", f"no zone run {run_id}."))
    return _info(dict(row))


def latest_zone_run(conn: Connection) -> ZoneRunInfo | None:
    found = conn.execute(select(schema.zone_runs.c.id).order_by(schema.zone_runs.c.id.desc()).limit(1)).scalar()
    return None if found is None else zone_run_info(conn, int(found))


def list_zone_runs(conn: Connection) -> list[ZoneRunInfo]:
    ids = conn.execute(select(schema.zone_runs.c.id).order_by(schema.zone_runs.c.id)).scalars()
    return [zone_run_info(conn, int(i)) for i in ids]


def stored_zones(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    return _stored(conn, store, schema.zones, run_id, ["zone_no"])


def stored_zone_parcels(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    return _stored(conn, store, schema.zone_parcels, run_id, ["zone_no", "parcel_code"])


def stored_towns(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    return _stored(conn, store, schema.zone_towns, run_id, ["town_code"])


def _stored(conn: Connection, store: Store, table: Table, run_id: int, order: list[str]) -> pd.DataFrame:
    """The rows of one run, without the row id and run id, in ``order``."""
    columns = [c.name for c in table.columns if c.name not in ("id", "run_id")]
    frame = read_table(conn, store, table, columns, table.c.run_id == run_id)
    return frame.sort_values(order, ignore_index=True)


def zone_unit_shares(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    """Per (zone, evaluation unit) of a zone run: the unit's land in the zone and its tax and value
    added shared out by land, as the zone figures sum them (zone_no, unit_key, land_mu, tax_wan, value_added_wan)."""
    runs = schema.zone_runs
    evaluation_run = conn.execute(select(runs.c.evaluation_run_id).where(runs.c.id == run_id)).scalar()
    members = read_table(
        conn, store, schema.zone_parcels, ["parcel_code", "zone_no"], schema.zone_parcels.c.run_id == run_id
    )
    columns = ["zone_no", "unit_key", "land_mu", "tax_wan", "value_added_wan"]
    if evaluation_run is None:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    joined = members.merge(_unit_shares(conn, store, evaluation_run), on="parcel_code")
    grouped = joined.groupby(["zone_no", "unit_key"], sort=True)
    return grouped.agg(
        land_mu=("land_mu", "sum"),
        tax_wan=("tax_wan", lambda v: v.sum(min_count=1)),
        value_added_wan=("value_added_wan", lambda v: v.sum(min_count=1)),
    ).reset_index()
