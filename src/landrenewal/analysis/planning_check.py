"""The store's 大/中/小圈 plan checked against a policy: read the zones, resolve the policy, judge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from landrenewal.analysis.policy import policy_for
from landrenewal.domain.planning import LEVELS, PlanLimits, check_plan, not_run
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table

COLUMNS = ["zone_code", "name", "level", "parent_code", "geom"]


@dataclass(frozen=True)
class PlanCheck:
    policy_id: str
    policy_version: str
    on: dt.date
    zones: dict[str, int]  # level → zones checked (every level, 0 where none)
    violations: pd.DataFrame  # domain.planning.VIOLATION_COLUMNS
    limits: PlanLimits  # the numbers used, and where each is cited from
    not_run: dict[str, str]  # "check:level" → why it did not run

    @property
    def ok(self) -> bool:
        return self.violations.empty


def check_store_plan(store: Store, policy_ref: str | None, on: dt.date) -> PlanCheck:
    """The plan in ``store`` under the named policy (else the store's own) in force on ``on``."""
    with store.engine.connect() as conn:
        policy = policy_for(conn, policy_ref, on)
        zones = read_table(conn, store, schema.planning_zones, COLUMNS)
    limits = PlanLimits.of(policy)
    counts = zones["level"].value_counts()
    return PlanCheck(
        policy_id=policy.policy_id,
        policy_version=policy.version,
        on=on,
        zones={level: int(counts.get(level, 0)) for level in LEVELS},
        violations=check_plan(zones, limits),
        limits=limits,
        not_run=not_run(zones, limits),
    )
