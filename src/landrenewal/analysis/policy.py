"""Which policy a store is judged by: the one named on the command, else the store's own."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, select

from landrenewal.accounts import audit
from landrenewal.domain.language import say
from landrenewal.domain.policy import PolicyError, ResolvedPolicy
from landrenewal.policies.files import resolve_policy
from landrenewal.store import schema

POLICY_KEY = "policy"


def store_policy(conn: Connection) -> str | None:
    query = select(schema.settings.c.value).where(schema.settings.c.key == POLICY_KEY)
    value = conn.execute(query).scalar()
    return None if value is None else str(value)


def set_store_policy(conn: Connection, ref: str, *, by: str = "system") -> None:
    """Make ``ref`` (a shipped id or a file path) the store's policy, after checking it loads; audited as ``by``'s."""
    resolve_policy(ref, dt.date.today())
    before = store_policy(conn)
    conn.execute(schema.settings.delete().where(schema.settings.c.key == POLICY_KEY))
    conn.execute(schema.settings.insert().values(key=POLICY_KEY, value=ref))
    if before != ref:
        audit(conn, by, "policy.use", "settings", POLICY_KEY, before, ref)


def policy_for(conn: Connection, ref: str | None, on: dt.date) -> ResolvedPolicy:
    chosen = ref or store_policy(conn)
    if chosen is None:
        raise PolicyError(
            [
                say(
                    "库未设定政策，请用 --policy ID|PATH 指定，或 `landrenewal policy use ID`。",
                    "the store has no policy: pass --policy ID|PATH or set one with `landrenewal policy use ID`.",
                )
            ]
        )
    return resolve_policy(chosen, on)


AREA_TOLERANCE = "inventory.area_tolerance"


def area_tolerance(conn: Connection, ref: str | None, on: dt.date) -> tuple[float, str] | None:
    """The import's area tolerance from the named policy, else the store's; None if neither has one."""
    chosen = ref or store_policy(conn)
    if chosen is None:
        return None
    policy = resolve_policy(chosen, on)
    if AREA_TOLERANCE not in policy.values:
        return None
    return float(policy[AREA_TOLERANCE]), policy.policy_id
