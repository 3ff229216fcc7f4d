"""Benchmark: deriving every project's stage and deadlines from its events, and tallying the consent
ledger of every project, as the project list and the consent overview do (docs/projects.md).

    python benchmarks/projects.py --projects 10000 --events 1000000 --holders 100000

A synthetic archive of Dongguan renewal units: each project has its ``created`` event, the actions
that start and meet its clocks, a suspension and a resumption, and notes, documents and consent
records for the rest (what most of an archive is); rights holders with consent, signatures and
withdrawals. The derivation is the domain's own (domain/projects/derive.py, consent.py); three
runs, the median reported with each run's time. Goals (issue 15, 2 cores): the list's stages and
due dates of 10⁴ projects from 10⁶ events < 1 s; consent ratios of every project < 1 s.
The functional checks are tests/test_domain_project_derive.py and test_domain_project_consent.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

from landrenewal.domain.projects import consent, derive
from landrenewal.domain.projects.periods import china_work_calendar
from landrenewal.domain.projects.workflow import workflows
from landrenewal.policies.files import resolve_policy

AS_OF = dt.date(2024, 6, 30)


def archive(projects: int, events: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(projects, events): ``events // projects`` events per project, in the order recorded."""
    rng = np.random.default_rng(seed)
    per = max(events // projects, 24)
    kinds = np.full(per, "note", dtype=object)
    kinds[[0, 1, 2, 3]] = ["created", "action", "action", "action"]
    kinds[[10, 20]] = ["suspend", "resume"]
    kinds[30::3] = "consent"
    kinds[31::3] = "document"
    actions = np.full(per, None, dtype=object)
    actions[[1, 2, 3]] = ["confirm_entity", "approve_plan", "acquire_rights"]
    ids = np.repeat(np.arange(projects, dtype=np.int64), per)
    offsets = np.tile(np.arange(per) * 3, projects) + np.repeat(rng.integers(0, 400, projects), per)
    frame = pd.DataFrame(
        {
            "project_id": ids,
            "seq": np.tile(np.arange(1, per + 1, dtype=np.int64), projects),
            "kind": np.tile(kinds, projects),
            "action": np.tile(actions, projects),
            "day": pd.Timestamp("2022-01-01") + pd.to_timedelta(offsets, "D"),
            "target_seq": pd.array(np.full(len(ids), pd.NA), dtype="Int64"),
            "deadline": None,
            "days": pd.array(np.full(len(ids), pd.NA), dtype="Int64"),
            "exempt": False,
        }
    )
    owners = pd.DataFrame(
        {
            "project_id": np.arange(projects, dtype=np.int64),
            "implementation_mode": rng.choice(["public_bidding", "self_renewal"], projects),
            "old_village": rng.random(projects) < 0.3,
        }
    )
    return owners, frame


def ledger(projects: int, holders: int, events: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(holders, consent events) spread over the projects."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, projects, holders)
    people = pd.DataFrame(
        {
            "project_id": owner,
            "holder_id": [f"h{i}" for i in range(holders)],
            "parcel_code": [f"P{o}-{i % 4}" for i, o in enumerate(owner)],
            "kind": rng.choice(list(consent.HOLDER_KINDS), holders),
            "area_m2": rng.uniform(50, 5000, holders),
            "persons": rng.integers(1, 6, holders),
        }
    )
    who = rng.integers(0, holders, events)
    marks = pd.DataFrame(
        {
            "project_id": owner[who],
            "holder_id": people["holder_id"].to_numpy()[who],
            "kind": rng.choice(["consent", "signed", "withdrawn"], events, p=[0.6, 0.3, 0.1]),
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, events), "D"),
            "voided": rng.random(events) < 0.01,
        }
    )
    return people, marks


def timed(run: Any, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(round(time.perf_counter() - started, 3))
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workflow = workflows(resolve_policy("gd-dongguan", AS_OF))["renewal_unit"]
    calendar = china_work_calendar()
    owners, events = archive(args.projects, args.events)
    people, marks = ledger(args.projects, args.holders, args.events)

    def project_list() -> None:
        derive.stages(workflow, owners, events)
        derive.clocks(workflow, owners, events, AS_OF, calendar)

    list_seconds, list_runs = timed(project_list, args.repeat)
    tally_seconds, tally_runs = timed(lambda: consent.tally(people, marks, AS_OF), args.repeat)
    print(
        json.dumps(
            {
                "benchmark": "projects: derived stages and deadlines, consent tallies",
                "projects": args.projects,
                "events": len(events),
                "holders": args.holders,
                "consent_events": len(marks),
                "list_seconds": list_seconds,
                "list_seconds_each_run": list_runs,
                "list_goal_seconds": 1.0,
                "consent_seconds": tally_seconds,
                "consent_seconds_each_run": tally_runs,
                "consent_goal_seconds": 1.0,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
