"""Zone runs: select parcels, join them into contiguous zones, judge the zones against the policy,
label them with towns, villages and 大/中/小圈, and store the result as a new version."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

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
from landrenewal.domain.language import say
from landrenewal.domain.policy import ResolvedPolicy, snapshot_json
from landrenewal.domain.rules import RULES
from landrenewal.domain.selection import DEFAULT_SELECTION, Selection, SelectionError, parse_selection
from landrenewal.domain.zone_delineation import ZoneInputs, choose, delineate
from landrenewal.domain.zone_policy import GAP, ZoneThresholds
from landrenewal.domain.zones import clusters
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
        inputs, sha256 = _read(conn, store, ident, evaluation_run, as_of)
        result = _compute(conn, inputs, sha256, chosen, gap, policy, engine)
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


def _read(
    conn: Connection, store: Store, ident: IdentificationInfo | None, evaluation_run: int | None, as_of: dt.date
) -> tuple[ZoneInputs, str]:
    """What the run reads, and a digest of it (the run records what it was computed from)."""
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
    inputs = ZoneInputs(parcels, findings, per_parcel, current.reset_index(drop=True), divisions, planning)
    return inputs, digest.hexdigest()


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
    conn: Connection,
    inputs: ZoneInputs,
    sha256: str,
    chosen: Selection,
    gap: float,
    policy: ResolvedPolicy,
    engine: str,
) -> _Result:
    parcels = choose(inputs, chosen)
    if engine == "postgis":
        from landrenewal.store.clustering import postgis_clusters

        raw = postgis_clusters(conn, parcels.parcels["parcel_code"], gap)
    else:
        raw = clusters(parcels.geoms, gap)
    done = delineate(parcels, raw, inputs, gap, ZoneThresholds.of(policy))
    return _Result(done.zones, done.parcels, done.towns, done.thresholds, done.without_geometry, sha256, done.notes)


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
