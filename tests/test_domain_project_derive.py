"""Stages, due dates, overdue flags and restart bans derived from a project's events, never typed in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from landrenewal.domain.projects import derive
from landrenewal.domain.projects.periods import china_work_calendar
from landrenewal.domain.projects.workflow import Workflow, workflows
from landrenewal.policies.files import resolve_policy

DONGGUAN = workflows(resolve_policy("gd-dongguan", dt.date(2024, 6, 30)))["renewal_unit"]
DISPOSAL = workflows(resolve_policy("gd-jiangmen-enping", dt.date(2024, 6, 30)))["disposal"]
CALENDAR = china_work_calendar()


def _events(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """Events as (project, kind, day, extra) in the order recorded; seq numbered per project."""
    frame = derive.empty_events()
    records = []
    counters: dict[int, int] = {}
    for project, kind, day, *extra in rows:
        counters[project] = counters.get(project, 0) + 1
        record: dict[str, Any] = {
            "project_id": project,
            "seq": counters[project],
            "kind": kind,
            "action": None,
            "day": pd.Timestamp(day),
            "target_seq": pd.NA,
            "deadline": None,
            "days": pd.NA,
            "exempt": False,
        }
        record.update(extra[0] if extra else {})
        records.append(record)
    return pd.concat([frame, pd.DataFrame(records)], ignore_index=True).astype(frame.dtypes.to_dict())


def _projects(*ids: int, **columns: list[Any]) -> pd.DataFrame:
    return pd.DataFrame({"project_id": list(ids), **columns})


def _act(action: str) -> dict[str, Any]:
    return {"action": action}


def _clock(workflow: Workflow, projects: pd.DataFrame, events: pd.DataFrame, as_of: str) -> pd.DataFrame:
    return derive.clocks(workflow, projects, events, dt.date.fromisoformat(as_of), CALENDAR)


def test_the_stage_is_the_last_live_move_and_a_voided_move_counts_for_nothing() -> None:
    events = _events(
        (1, "created", "2024-01-05"),
        (1, "action", "2024-02-01", _act("draw_plan")),
        (1, "action", "2024-03-01", _act("approve_plan")),
        (1, "void", "2024-03-02", {"target_seq": 3}),
        (2, "created", "2024-01-09"),
    )
    stages = derive.stages(DISPOSAL, _projects(1, 2), events).set_index("project_id")
    assert stages.loc[1, "stage"] == "planned"
    assert stages.loc[1, "since"] == pd.Timestamp("2024-02-01")
    assert stages.loc[2, "stage"] == "identified"
    assert stages.loc[2, "since"] == pd.Timestamp("2024-01-09")
    entered = derive.entries(DISPOSAL, events)
    assert entered[entered["project_id"] == 1]["stage"].tolist() == ["identified", "planned"]


def test_land_supply_is_due_three_months_after_approval_on_the_last_day_of_february() -> None:
    events = _events(
        (1, "created", "2023-06-01"),
        (1, "action", "2023-07-01", _act("confirm_entity")),
        (1, "action", "2023-11-30", _act("approve_plan")),
    )
    clocks = _clock(DONGGUAN, _projects(1, implementation_mode=["self_renewal"]), events, "2024-02-29")
    (row,) = clocks.to_dict("records")
    assert (row["deadline"], row["due"], row["status"]) == ("land_supply", pd.Timestamp("2024-02-29"), "running")
    overdue = _clock(DONGGUAN, _projects(1, implementation_mode=["self_renewal"]), events, "2024-03-01")
    assert overdue["status"].tolist() == ["overdue"]


def test_rights_acquisition_runs_only_after_public_bidding_and_two_years_for_an_old_village() -> None:
    events = _events(
        (1, "created", "2023-06-01"),
        (1, "action", "2023-08-31", _act("confirm_entity")),
        (2, "created", "2023-06-01"),
        (2, "action", "2023-08-31", _act("confirm_entity")),
        (3, "created", "2023-06-01"),
        (3, "action", "2023-08-31", _act("confirm_entity")),
    )
    projects = _projects(
        1,
        2,
        3,
        implementation_mode=["public_bidding", "public_bidding", "self_renewal"],
        old_village=[False, True, False],
    )
    clocks = _clock(DONGGUAN, projects, events, "2024-01-01").set_index("project_id")
    assert list(clocks.index) == [1, 2]
    assert clocks.loc[1, "due"] == pd.Timestamp("2024-08-31")
    assert clocks.loc[2, "due"] == pd.Timestamp("2025-08-31")


def test_a_met_deadline_is_met_and_a_late_one_says_so() -> None:
    events = _events(
        (1, "created", "2023-01-01"),
        (1, "action", "2023-02-01", _act("confirm_entity")),
        (1, "action", "2023-03-01", _act("approve_plan")),
        (1, "action", "2023-05-20", _act("supply_land")),
        (2, "created", "2023-01-01"),
        (2, "action", "2023-02-01", _act("confirm_entity")),
        (2, "action", "2023-03-01", _act("approve_plan")),
        (2, "action", "2023-06-02", _act("supply_land")),
    )
    clocks = _clock(DONGGUAN, _projects(1, 2, implementation_mode=["x", "x"]), events, "2024-01-01")
    assert clocks.set_index("project_id")["status"].to_dict() == {1: "met", 2: "met_late"}


def test_a_suspension_moves_the_due_date_by_the_days_suspended_and_shows_while_it_lasts() -> None:
    base = [
        (1, "created", "2023-01-01"),
        (1, "action", "2023-02-01", _act("confirm_entity")),
        (1, "action", "2023-03-01", _act("approve_plan")),
    ]
    suspended = _events(*base, (1, "suspend", "2023-04-10"))
    now = _clock(DONGGUAN, _projects(1, implementation_mode=["x"]), suspended, "2023-04-19")
    assert now["status"].tolist() == ["suspended"]
    # 10 days suspended (10th–19th April), resumed on the 20th: due 2023-06-01 moves to 2023-06-11
    resumed = _events(*base, (1, "suspend", "2023-04-10"), (1, "resume", "2023-04-20"))
    clocks = _clock(DONGGUAN, _projects(1, implementation_mode=["x"]), resumed, "2023-06-05")
    assert (clocks["suspended_days"].tolist(), clocks["due"].tolist()) == ([10], [pd.Timestamp("2023-06-11")])
    assert clocks["status"].tolist() == ["running"]


def test_a_suspension_after_the_original_end_but_before_the_moved_end_counts_too() -> None:
    events = _events(
        (1, "created", "2023-01-01"),
        (1, "action", "2023-03-01", _act("confirm_entity")),
        (1, "action", "2023-03-01", _act("approve_plan")),
        (1, "suspend", "2023-05-01"),
        (1, "resume", "2023-05-31"),  # 30 days: due 06-01 → 07-01
        (1, "suspend", "2023-06-20"),
        (1, "resume", "2023-06-25"),  # after 06-01, before 07-01: 5 more
    )
    clocks = _clock(DONGGUAN, _projects(1, implementation_mode=["x"]), events, "2023-06-30")
    assert (clocks["suspended_days"].tolist(), clocks["due"].tolist()) == ([35], [pd.Timestamp("2023-07-06")])


def test_an_extension_moves_only_its_own_deadline() -> None:
    events = _events(
        (1, "created", "2023-01-01"),
        (1, "action", "2023-02-01", _act("confirm_entity")),
        (1, "action", "2023-03-01", _act("approve_plan")),
        (1, "extend", "2023-05-01", {"deadline": "land_supply", "days": 30}),
        (1, "extend", "2023-05-01", {"deadline": "rights_acquisition", "days": 99}),
    )
    clocks = _clock(DONGGUAN, _projects(1, implementation_mode=["x"]), events, "2023-05-02")
    assert (clocks["extended_days"].tolist(), clocks["due"].tolist()) == ([30], [pd.Timestamp("2023-07-01")])


def test_the_sweep_records_each_miss_once_and_a_not_exempt_miss_bans_the_land_for_five_years() -> None:
    events = _events(
        (1, "created", "2023-01-01"),
        (1, "action", "2023-02-01", _act("confirm_entity")),
        (1, "action", "2023-03-01", _act("approve_plan")),
    )
    projects = _projects(1, implementation_mode=["x"])
    clocks = _clock(DONGGUAN, projects, events, "2023-06-10")
    swept = derive.to_sweep(clocks, dt.date(2023, 6, 10))
    assert swept[["project_id", "deadline"]].values.tolist() == [[1, "land_supply"]]
    recorded = _events(
        (1, "created", "2023-01-01"),
        (1, "action", "2023-02-01", _act("confirm_entity")),
        (1, "action", "2023-03-01", _act("approve_plan")),
        (1, "missed", "2023-06-10", {"deadline": "land_supply"}),
    )
    again = _clock(DONGGUAN, projects, recorded, "2023-06-10")
    assert derive.to_sweep(again, dt.date(2023, 6, 10)).empty
    bans = derive.bans(again, CALENDAR)
    assert bans["until"].tolist() == [np.datetime64("2028-06-01")]
    exempt = _events(
        (1, "created", "2023-01-01"),
        (1, "action", "2023-02-01", _act("confirm_entity")),
        (1, "action", "2023-03-01", _act("approve_plan")),
        (1, "missed", "2023-06-10", {"deadline": "land_supply", "exempt": True}),
    )
    assert derive.bans(_clock(DONGGUAN, projects, exempt, "2023-06-10"), CALENDAR).empty


def test_projects_with_no_clock_give_an_empty_frame_with_the_columns() -> None:
    clocks = _clock(DISPOSAL, _projects(1), _events((1, "created", "2024-01-01")), "2024-06-30")
    assert clocks.empty and "due" in clocks.columns


def test_a_project_that_reaches_its_end_runs_no_clock_on() -> None:
    events = _events(
        (1, "created", "2023-01-01"),
        (1, "action", "2023-02-01", _act("confirm_entity")),
        (1, "action", "2023-02-10", _act("close")),
    )
    clocks = _clock(DONGGUAN, _projects(1, implementation_mode=["public_bidding"]), events, "2025-06-01")
    assert clocks[["deadline", "status"]].values.tolist() == [["rights_acquisition", "ended"]]
    assert derive.to_sweep(clocks, dt.date(2025, 6, 1)).empty
