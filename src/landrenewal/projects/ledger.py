"""The consent ledger and collective votes of a project, in the store (docs/consent.md): rights
holders added (ID numbers kept only as a salted hash and a masked form), consent and votes recorded
as events of the project's archive, and the facts the workflow's gates read from them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from landrenewal.accounts.audit import now_utc
from landrenewal.domain import identity
from landrenewal.domain.language import say
from landrenewal.domain.projects import consent, derive, votes
from landrenewal.domain.projects.gates import Facts
from landrenewal.domain.projects.outcome import Check, GateOutcome
from landrenewal.domain.projects.policy_checks import VOTE_RULES
from landrenewal.policies.files import resolve_policy
from landrenewal.projects import documents as docs
from landrenewal.projects.views import ProjectError, ProjectView, Upload, audited, load
from landrenewal.store import projects as records
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from landrenewal.store.projects import NewEvent
from landrenewal.store.writes import insert_frame

SALT_KEY = "identity_salt"
CONSENT_KINDS: dict[str, tuple[str, str]] = {
    "consent": ("改造意愿书面同意", "written consent to the renewal"),
    "signed": ("补偿（收购）协议签订", "compensation (acquisition) agreement signed"),
    "withdrawn": ("撤回同意", "consent withdrawn"),
}


@dataclass(frozen=True)
class Holder:
    """A rights holder as entered: the ID number is read here and never stored as it is."""

    name: str
    kind: str  # person | household | enterprise | collective
    area_m2: float
    persons: int = 1
    parcel_code: str | None = None
    id_number: str | None = None
    uscc: str | None = None
    key: str | None = None  # the holder's number in the project; default: the next free one
    old_housing: bool = False


def salt(conn: Connection) -> bytes:
    """The store's salt for ID hashes, made on first use (in the caller's writing transaction)."""
    found = conn.execute(select(schema.settings.c.value).where(schema.settings.c.key == SALT_KEY)).scalar()
    if found is None:
        found = secrets.token_hex(32)
        conn.execute(schema.settings.insert().values(key=SALT_KEY, value=found))
    return bytes.fromhex(found)


def holders_frame(conn: Connection, store: Store, ids: Sequence[int]) -> pd.DataFrame:
    columns = [c.name for c in schema.rights_holders.columns if c.name != "id"]
    frame = read_table(conn, store, schema.rights_holders, columns, schema.rights_holders.c.project_id.in_(list(ids)))
    frame["old_housing"] = frame["old_housing"].astype(bool)
    return frame


def add_holders(store: Store, code: str, holders: Sequence[Holder], *, day: dt.date, user: str) -> list[str]:
    """Add rights holders to a project's scope (their keys); every problem, row by row, refuses all."""
    with store.write() as conn:
        view = load(conn, store, code, day)
        project_id = int(view.project["project_id"])
        existing = holders_frame(conn, store, [project_id])
        problems = _holder_problems(holders, view, existing)
        if problems:
            raise ProjectError("\n".join(problems))
        taken = set(existing["holder_key"])
        numbers = iter(range(len(taken) + 1, len(taken) + len(holders) * 2 + 2))
        store_salt = salt(conn)
        rows = []
        for h in holders:
            key = h.key or next(k for k in (f"{n:04d}" for n in numbers) if k not in taken)
            taken.add(key)
            rows.append(
                {
                    "project_id": project_id,
                    "holder_key": key,
                    "kind": h.kind,
                    "name": h.name,
                    "id_hash": identity.id_hash(h.id_number, store_salt) if h.id_number else None,
                    "id_masked": identity.mask(h.id_number) if h.id_number else None,
                    "uscc": h.uscc,
                    "parcel_code": h.parcel_code,
                    "area_m2": float(h.area_m2),
                    "persons": int(h.persons),
                    "old_housing": int(h.old_housing),
                }
            )
        insert_frame(conn, store, schema.rights_holders, pd.DataFrame(rows))
        # who was added is audited without their ID number: the masked form only
        shown = "、".join(f"{r['holder_key']} {r['name']}" for r in rows)
        audited(conn, user, "holders", code, {"holders": shown})
    return [str(r["holder_key"]) for r in rows]


def _holder_problems(holders: Sequence[Holder], view: ProjectView, existing: pd.DataFrame) -> list[str]:
    problems = []
    keys = set(existing["holder_key"])
    for i, h in enumerate(holders, start=1):
        where = say(f"第 {i} 位权益人（{h.name}）", f"holder {i} ({h.name})")
        if h.kind not in consent.HOLDER_KINDS:
            problems.append(
                say(
                    f"{where}：类型须为个人、户、企业或集体经济组织。",
                    f"{where}: the kind must be person, household, enterprise or collective.",
                )
            )
        if not h.name.strip():
            problems.append(say(f"{where}：缺少姓名或名称。", f"{where}: the name is missing."))
        if not (h.area_m2 >= 0):
            problems.append(say(f"{where}：面积须不小于 0。", f"{where}: the area must be 0 or more."))
        if h.persons < 1:
            problems.append(say(f"{where}：人数须至少为 1。", f"{where}: persons must be at least 1."))
        if h.id_number:
            found = identity.problem(h.id_number)
            if found:
                problems.append(say(f"{where}：{found}", f"{where}: {found}"))
        if h.parcel_code and h.parcel_code not in view.parcels:
            problems.append(
                say(
                    f"{where}：宗地 {h.parcel_code} 不在本项目内。",
                    f"{where}: parcel {h.parcel_code} is not in this project.",
                )
            )
        if h.key and h.key in keys:
            problems.append(say(f"{where}：编号 {h.key} 已存在。", f"{where}: the number {h.key} exists already."))
        if h.key:
            keys.add(h.key)
    return problems


def record_consent(
    store: Store,
    code: str,
    holder_key: str,
    kind: str,
    *,
    day: dt.date,
    user: str,
    reason: str | None = None,
    uploads: Sequence[Upload] = (),
) -> int:
    """Record a holder's written consent, signed agreement or withdrawal (its event's seq)."""
    if kind not in CONSENT_KINDS:
        raise ProjectError(
            say(
                f"同意记录类型须为 {', '.join(CONSENT_KINDS)}。",
                f"the consent record is one of {', '.join(CONSENT_KINDS)}.",
            )
        )
    media = [(u, docs.checked(u.name, u.content)) for u in uploads]
    now = now_utc()
    with store.write() as conn:
        view = load(conn, store, code, day)
        project_id = int(view.project["project_id"])
        known = set(holders_frame(conn, store, [project_id])["holder_key"])
        if holder_key not in known:
            raise ProjectError(
                say(
                    f"项目 {code} 没有编号为 {holder_key} 的权益人。",
                    f"project {code} has no holder numbered {holder_key}.",
                )
            )
        stored = [(records.keep_document(conn, u.content, m, now), u.kind, u.name) for u, m in media]
        event = NewEvent("consent", day, user, reason, action=kind, holder_key=holder_key, documents=stored)
        seq = records.append(conn, int(view.project["project_id"]), view.last_seq, event, now)
        audited(
            conn,
            user,
            "consent",
            code,
            {"seq": seq, "holder": holder_key, "event": say(*CONSENT_KINDS[kind]), "day": day.isoformat()},
        )
    return seq


def record_vote(
    store: Store, code: str, vote: votes.Vote, *, user: str, reason: str | None = None, uploads: Sequence[Upload] = ()
) -> int:
    """Record a collective's vote (its counts; the result is computed whenever it is read)."""
    problems = votes.vote_problems(vote)
    if problems:
        raise ProjectError("\n".join(problems))
    media = [(u, docs.checked(u.name, u.content)) for u in uploads]
    now = now_utc()
    with store.write() as conn:
        view = load(conn, store, code, vote.vote_date)
        stored = [(records.keep_document(conn, u.content, m, now), u.kind, u.name) for u, m in media]
        payload = {
            "vote": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in dataclasses.asdict(vote).items()}
        }
        event = NewEvent("vote", vote.vote_date, user, reason, matter=vote.matter, payload=payload, documents=stored)
        seq = records.append(conn, int(view.project["project_id"]), view.last_seq, event, now)
        matter = say(*votes.MATTERS[vote.matter])
        audited(conn, user, "vote", code, {"seq": seq, "event": matter, "day": vote.vote_date.isoformat()})
    return seq


def votes_of(view: ProjectView, day: dt.date) -> dict[str, GateOutcome]:
    """The latest live vote on each matter, decided under the policy's rule as in force on its day."""
    alive = derive.live(view.events)
    cast = alive[(alive["kind"] == "vote") & (alive["day"] <= pd.Timestamp(day))].drop_duplicates("matter", keep="last")
    out = {}
    for row in cast.to_dict("records"):  # one vote per matter: a handful
        data = json.loads(row["payload"])["vote"]
        read: dict[str, Any] = {k: (dt.date.fromisoformat(v) if k in _DATES and v else v) for k, v in data.items()}
        vote = votes.Vote(**read)
        rules = resolve_policy(str(view.project["policy_id"]), vote.vote_date).values.get(VOTE_RULES)
        rule = votes.rule_for(rules.value, vote.matter) if rules is not None else None
        if rule is None:
            out[vote.matter] = GateOutcome(
                f"vote:{vote.matter}",
                (Check(False, "政策未规定此事项的表决规则", "the policy sets no rule for this matter"),),
            )
            continue
        out[vote.matter] = votes.decide(vote, rule)
    return out


_DATES = ("vote_date", "notice_start", "notice_end")


def consent_marks(view: ProjectView) -> pd.DataFrame:
    """The project's live consent records as the consent ledger reads them (domain/projects/consent.py)."""
    alive = derive.live(view.events)
    marks = alive[alive["kind"] == "consent"]
    return pd.DataFrame(
        {
            "project_id": marks["project_id"].to_numpy(),
            "holder_id": marks["holder_key"].to_numpy(),
            "kind": marks["action"].to_numpy(),
            "date": marks["day"].to_numpy(),
            "voided": False,
            "seq": marks["seq"].to_numpy(),
        }
    )


RATIOS = ("consented_area_ratio", "consented_persons_ratio", "signed_area_ratio", "signed_persons_ratio")


def holder_list(conn: Connection, store: Store, view: ProjectView, day: dt.date) -> pd.DataFrame:
    """The project's rights holders with where each stands on ``day``: ``state`` is none (未同意),
    consent (书面同意) or signed (已签协议; a signature implies consent). Personal: callers show it
    only to the project's town and the city."""
    holders = holders_frame(conn, store, [int(view.project["project_id"])])
    states = consent.holder_states(holders.rename(columns={"holder_key": "holder_id"}), consent_marks(view), day)
    signed = states["signed"].to_numpy(dtype=bool)
    consented = states["consented"].to_numpy(dtype=bool)
    return holders.assign(state=np.select([signed, consented], ["signed", "consent"], "none"))


def facts(conn: Connection, store: Store, view: ProjectView, day: dt.date) -> Facts:
    """What the gates read about the project on ``day``: its attributes, the actions on record, the
    votes decided, and the consent ledger's tallies (none when no holder is recorded)."""
    project_id = int(view.project["project_id"])
    holders = holders_frame(conn, store, [project_id])
    tally_project: pd.Series | None = None
    tally_parcels: pd.DataFrame | None = None
    if len(holders):
        ledger = holders.rename(columns={"holder_key": "holder_id"})
        per_project, per_parcel = consent.tally(ledger, consent_marks(view), day)
        tally_project = per_project.iloc[0]
        tally_parcels = per_parcel
    return Facts(
        attributes=view.attributes,
        recorded=view.recorded,
        votes=votes_of(view, day),
        consent=tally_project,
        consent_parcels=tally_parcels,
    )
