"""Projects in the store: created with their parcels, their events appended to the archive, and
documents kept by content; read back as frames for the domain to derive stages and clocks from
(docs/projects.md). Every function works in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, exc, func, select

from landrenewal.domain.language import say
from landrenewal.domain.projects.derive import EVENT_COLUMNS
from landrenewal.store import gpkg, schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from landrenewal.store.writes import encoded_geometry, insert_frame


class ProjectConflict(Exception):
    """Someone else recorded an event on the project since it was read: reload and try again."""


@dataclass(frozen=True)
class NewProject:
    code: str
    name: str
    kind: str
    workflow: str
    policy_id: str
    division_code: str
    parcels: tuple[str, ...] = ()
    renewal_type: str | None = None
    village_code: str | None = None
    responsible_unit: str | None = None
    responsible_person: str | None = None
    planned_area_mu: float | None = None
    planned_investment_wan: float | None = None
    target_industries: str | None = None
    old_village: bool = False
    identification_run_id: int | None = None
    zone_run_id: int | None = None
    zone_no: int | None = None
    scope: Any = None  # a shapely MultiPolygon in the store's CRS, or None


@dataclass(frozen=True)
class NewEvent:
    kind: str
    day: dt.date
    user_name: str
    reason: str | None = None
    action: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    target_seq: int | None = None
    deadline: str | None = None
    days: int | None = None
    exempt: bool = False
    holder_key: str | None = None
    matter: str | None = None
    documents: Sequence[tuple[str, str, str]] = ()  # (sha256, kind, file name), stored already


def next_code(conn: Connection, year: int) -> str:
    """The next free project code of the year: XM2026-0001, XM2026-0002, …"""
    prefix = f"XM{year}-"
    codes = conn.execute(select(schema.projects.c.code).where(schema.projects.c.code.like(f"{prefix}%"))).scalars()
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def create(conn: Connection, store: Store, project: NewProject, created: NewEvent, now: dt.datetime) -> int:
    """Insert the project, its parcels and its ``created`` event (seq 1); its id."""
    if conn.execute(select(schema.projects.c.id).where(schema.projects.c.code == project.code)).first():
        raise ProjectConflict(
            say(f"项目编号 {project.code} 已存在。", f"the project code {project.code} exists already.")
        )
    row = {
        name: getattr(project, name)
        for name in (
            "code",
            "name",
            "kind",
            "renewal_type",
            "workflow",
            "policy_id",
            "division_code",
            "village_code",
            "responsible_unit",
            "responsible_person",
            "planned_area_mu",
            "planned_investment_wan",
            "target_industries",
            "identification_run_id",
            "zone_run_id",
            "zone_no",
        )
    }
    row.update(old_village=int(project.old_village), created_at=now)
    project_id = int(conn.execute(schema.projects.insert().values(**row).returning(schema.projects.c.id)).scalar_one())
    if project.scope is not None:
        blob = encoded_geometry(np.array([project.scope], dtype=object), store, store.epsg(conn) or 0)[0]
        value = func.ST_GeomFromEWKB(blob) if store.is_postgis else blob
        conn.execute(schema.projects.update().where(schema.projects.c.id == project_id).values(geom=value))
        if not store.is_postgis:
            gpkg.touch(conn, "projects", tuple(shapely.bounds(project.scope)))
    if project.parcels:
        parcels = pd.DataFrame({"project_id": project_id, "parcel_code": list(dict.fromkeys(project.parcels))})
        insert_frame(conn, store, schema.project_parcels, parcels)
    append(conn, project_id, 0, created, now)
    return project_id


def last_seq(conn: Connection, project_id: int) -> int:
    t = schema.project_events
    return int(
        conn.execute(select(func.coalesce(func.max(t.c.seq), 0)).where(t.c.project_id == project_id)).scalar_one()
    )


def append(conn: Connection, project_id: int, after_seq: int, event: NewEvent, now: dt.datetime) -> int:
    """Record ``event`` as the one after ``after_seq`` (the last the writer saw); its seq.

    Two writers who saw the same last event both try the same seq: the unique key lets one in and
    the other gets ProjectConflict, so neither acts on a state it did not see.
    """
    seq = after_seq + 1
    values = {
        "project_id": project_id,
        "seq": seq,
        "kind": event.kind,
        "action": event.action,
        "day": event.day,
        "recorded_at": now,
        "user_name": event.user_name,
        "reason": event.reason,
        "payload": json.dumps(dict(event.payload), ensure_ascii=False, sort_keys=True, default=str),
        "target_seq": event.target_seq,
        "deadline": event.deadline,
        "days": event.days,
        "exempt": int(event.exempt),
        "holder_key": event.holder_key,
        "matter": event.matter,
    }
    try:
        with conn.begin_nested():
            conn.execute(schema.project_events.insert().values(**values))
    except exc.IntegrityError as error:
        raise ProjectConflict(
            say(
                "项目已被他人更新（同时办理），请刷新后重试。",
                "someone else recorded an event on this project at the same time: reload and try again.",
            )
        ) from error
    if event.documents:
        event_id = conn.execute(
            select(schema.project_events.c.id).where(
                schema.project_events.c.project_id == project_id, schema.project_events.c.seq == seq
            )
        ).scalar_one()
        conn.execute(
            schema.event_documents.insert(),
            [{"event_id": event_id, "sha256": sha, "kind": kind, "name": name} for sha, kind, name in event.documents],
        )
    return seq


def keep_document(conn: Connection, content: bytes, media_type: str, now: dt.datetime) -> str:
    """Store ``content`` once, by its SHA-256 (a second upload of the same file adds nothing); the hash."""
    sha = hashlib.sha256(content).hexdigest()
    t = schema.documents
    if conn.execute(select(t.c.sha256).where(t.c.sha256 == sha)).first() is None:
        conn.execute(
            t.insert().values(sha256=sha, media_type=media_type, size=len(content), content=content, created_at=now)
        )
    return sha


def document(conn: Connection, sha: str) -> tuple[bytes, str] | None:
    t = schema.documents
    row = conn.execute(select(t.c.content, t.c.media_type).where(t.c.sha256 == sha)).first()
    return None if row is None else (bytes(row[0]), str(row[1]))


def projects_frame(conn: Connection, store: Store, ids: Sequence[int] | None = None) -> pd.DataFrame:
    """The projects (no geometry), ``project_id`` named as the domain names it."""
    columns = [c.name for c in schema.projects.columns if c.name != "geom"]
    where = schema.projects.c.id.in_(list(ids)) if ids is not None else None
    frame = read_table(conn, store, schema.projects, columns, where)
    frame["old_village"] = frame["old_village"].astype(bool)
    return frame.rename(columns={"id": "project_id"})


def parcels_frame(conn: Connection, store: Store, ids: Sequence[int] | None = None) -> pd.DataFrame:
    where = schema.project_parcels.c.project_id.in_(list(ids)) if ids is not None else None
    return read_table(conn, store, schema.project_parcels, ["project_id", "parcel_code"], where)


def events_frame(conn: Connection, store: Store, ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Every event (of the projects ``ids``), in the order recorded, as domain/projects/derive.py reads them,
    with who recorded it, when, why and its payload besides."""
    extra = ["id", "recorded_at", "user_name", "reason", "payload", "holder_key", "matter"]
    where = schema.project_events.c.project_id.in_(list(ids)) if ids is not None else None
    frame = read_table(conn, store, schema.project_events, [*EVENT_COLUMNS, *extra], where)
    frame["exempt"] = frame["exempt"].astype(bool)
    frame["target_seq"] = frame["target_seq"].astype("Int64")
    frame["days"] = frame["days"].astype("Int64")
    return frame.sort_values(["project_id", "seq"], kind="stable").reset_index(drop=True)


def documents_frame(conn: Connection, store: Store, event_ids: Sequence[int]) -> pd.DataFrame:
    """The documents attached to the events ``event_ids`` (their kind, name, hash, type and size)."""
    ed, d = schema.event_documents, schema.documents
    query = (
        select(ed.c.event_id, ed.c.kind, ed.c.name, ed.c.sha256, d.c.media_type, d.c.size)
        .join(d, d.c.sha256 == ed.c.sha256)
        .where(ed.c.event_id.in_(list(event_ids)))
        .order_by(ed.c.id)
    )
    rows = [tuple(r) for r in conn.execute(query)]
    return pd.DataFrame(rows, columns=["event_id", "kind", "name", "sha256", "media_type", "size"])


def project_id(conn: Connection, code: str) -> int | None:
    found = conn.execute(select(schema.projects.c.id).where(schema.projects.c.code == code)).scalar()
    return None if found is None else int(found)


def projects_on(conn: Connection, parcel_codes: Sequence[str]) -> list[int]:
    """The projects any of ``parcel_codes`` belongs to."""
    t = schema.project_parcels
    query = select(t.c.project_id).where(t.c.parcel_code.in_(list(parcel_codes))).distinct()
    return [int(v) for v in conn.execute(query).scalars()]
