"""`landrenewal projects` and `landrenewal deadlines` as a user runs them, on a GeoPackage."""

from __future__ import annotations

import json
from pathlib import Path

from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store.engine import open_store
from tests import builders
from tests.cli import run

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_disposal_is_set_up_worked_corrected_and_shown_from_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "city.gpkg")
    store = open_store(db)
    options = ImportOptions(today=builders.TODAY)
    import_frame(store, "divisions", builders.divisions(), "d", epsg=builders.EPSG, options=options)
    import_frame(store, "parcels", builders.parcels(2), "p", epsg=builders.EPSG, options=options)
    store.dispose()
    codes = "；".join(builders.parcels(2)["parcel_code"])
    plan = tmp_path / "处置方案.pdf"
    plan.write_bytes(PDF)
    en = {"LANDRENEWAL_LANG": "en"}

    made = run(
        "projects",
        "create",
        "--db",
        db,
        "--policy",
        "gd-jiangmen-enping",
        "--name",
        "米仓木材市场地块",
        "--kind",
        "disposal",
        "--workflow",
        "disposal",
        "--town",
        builders.TOWN,
        "--parcels",
        codes,
        "--day",
        "2024-01-05",
        "--json",
        check=True,
    )
    code = json.loads(made.stdout)["code"]
    refused = run("projects", "act", code, "draw_plan", "--db", db, "--role", "town", "--day", "2024-02-01", env=en)
    assert refused.returncode == 1
    assert "missing document: Disposal plan (one plan per parcel)." in refused.stderr
    assert "Disposal mode is required." in refused.stderr
    run(
        "projects",
        "act",
        code,
        "draw_plan",
        "--db",
        db,
        "--role",
        "town",
        "--day",
        "2024-02-01",
        "--set",
        "disposal_mode=transfer",
        "--doc",
        f"disposal_plan={plan}",
        check=True,
    )
    run(
        "projects",
        "act",
        code,
        "approve_plan",
        "--db",
        db,
        "--day",
        "2024-03-01",
        "--doc",
        f"plan_approval={plan}",
        check=True,
    )
    run(
        "projects",
        "record",
        code,
        "void",
        "--db",
        db,
        "--seq",
        "3",
        "--reason",
        "审定未成，误录",
        "--day",
        "2024-03-02",
        check=True,
    )
    shown = json.loads(run("projects", "show", code, "--db", db, "--as-of", "2024-03-05", "--json", check=True).stdout)
    assert (shown["stage"], shown["stage_name"], shown["since"]) == ("planned", "处置方案", "2024-02-01")
    assert [e["kind"] for e in shown["events"]] == ["created", "action", "action", "void"]
    assert shown["attributes"]["disposal_mode"] == "transfer"
    assert shown["actions"] == ["approve_plan", "revise_plan", "close"]
    listed = json.loads(run("projects", "list", "--db", db, "--as-of", "2024-03-05", "--json", check=True).stdout)
    assert [(p["code"], p["stage"]) for p in listed] == [(code, "planned")]
    swept = json.loads(run("deadlines", "sweep", "--db", db, "--as-of", "2024-03-05", "--json", check=True).stdout)
    assert swept == {"as_of": "2024-03-05", "missed": []}
