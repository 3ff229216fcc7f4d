"""The demo city's projects: disposals in every stage, Dongguan units short of consent, overdue and
banned, suspended and completed, and a village collective's plan voted through."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from landrenewal.analysis.evaluation_runs import evaluate_store
from landrenewal.analysis.identification_runs import identify_store
from landrenewal.demo.build import build_demo
from landrenewal.demo.projects import build_projects
from landrenewal.projects import ledger, service
from landrenewal.store.engine import open_store

AS_OF = dt.date(2026, 10, 31)


def test_the_demo_city_has_projects_in_every_stage_some_overdue_some_suspended_and_a_vote(tmp_path: Path) -> None:
    store = open_store(tmp_path / "demo.gpkg")
    build_demo(store, parcels=600, seed=20261123)
    evaluate_store(store, 2025)
    identify_store(store, AS_OF)
    made = build_projects(store, as_of=AS_OF)
    with store.engine.connect() as conn:
        listed = service.listing(conn, store, AS_OF).set_index("code")
        views = {code: service.load(conn, store, code, AS_OF) for code in made}
        short = next(v for v in views.values() if v.stage == "preliminary")
        consent = ledger.facts(conn, store, short, AS_OF).consent
    store.dispose()
    disposal = listed[listed["workflow"] == "disposal"]
    assert set(disposal["stage"]) == {"identified", "planned", "implementing", "acceptance", "revitalised"}
    units = listed[listed["workflow"] == "renewal_unit"]
    assert set(units["stage"]) == {"preliminary", "entity_confirmed", "plan_approved", "done"}
    assert units["overdue"].sum() == 1
    banned = [v for v in views.values() if len(v.bans)]
    assert len(banned) == 1 and banned[0].bans["until"].iloc[0] > pd.Timestamp(AS_OF)
    assert sum(v.suspended for v in views.values()) == 1
    assert any((v.events["kind"] == "void").any() for v in views.values())
    assert short.project["workflow"] == "renewal_unit"  # a unit still gathering consent, short of 80 %
    assert consent is not None and 0.5 < consent["consented_persons_ratio"] < 0.8
    village = next(v for v in views.values() if v.workflow.id == "collective_renewal")
    assert village.stage == "implementing"
