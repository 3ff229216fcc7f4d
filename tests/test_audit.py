"""Every write is audited: who (the web user, or the OS user for the command line), when (UTC,
with the zone), and what changed (an import's id, and each record's changed fields before and after)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select

from landrenewal import accounts
from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store import schema
from landrenewal.store.changes import GEOMETRY_MARK, change_rows
from landrenewal.store.engine import Store
from tests import builders
from tests.cli import run

ME = f"os:{getpass.getuser()}"


def _counts(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (schema.imports, schema.audit_log, schema.import_changes)
        )


def _enterprises_csv(path: Path, names: list[str]) -> Path:
    ents = builders.enterprises(3)
    pd.DataFrame(
        {
            "统一社会信用代码": ents["uscc"],
            "企业名称": names,
            "行业代码": ents["industry_code"],
            "企业规模": ["规上", "规下", "规上"],
        }
    ).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_a_cli_import_is_audited_as_the_os_user_with_the_old_and_new_value_of_each_changed_field(
    tmp_path: Path, store_location: str
) -> None:
    names = ["甲五金有限公司", "乙五金有限公司", "丙五金有限公司"]
    csv = _enterprises_csv(tmp_path / "企业.csv", names)
    first = json.loads(run("import", "enterprises", str(csv), "--db", store_location, "--json", check=True).stdout)
    _enterprises_csv(csv, [names[0], "乙五金制品有限公司", names[2]])
    second = json.loads(run("import", "enterprises", str(csv), "--db", store_location, "--json", check=True).stdout)

    log = json.loads(run("audit", "--db", store_location, "--json", check=True).stdout)
    imports = [r for r in log["items"] if r["action"] == "import"]
    assert [r["key"] for r in imports] == [str(second["import_id"]), str(first["import_id"])]  # newest first
    assert all(r["username"] == ME and r["entity"] == "enterprises" for r in imports)
    assert all(r["at"].endswith("+00:00") for r in log["items"])
    after = json.loads(imports[0]["after"])
    assert (after["inserted"], after["updated"], after["unchanged"]) == (0, 1, 2)
    assert after["file"] == str(csv) and len(after["sha256"]) == 64

    changed = json.loads(
        run("audit", "--import", str(second["import_id"]), "--db", store_location, "--json", check=True).stdout
    )
    uscc = builders.enterprises(3)["uscc"][1]
    assert changed["import"]["by"] == ME and changed["total"] == 1
    assert changed["items"] == [
        {"key": uscc, "change": "update", "before": {"name": "乙五金有限公司"}, "after": {"name": "乙五金制品有限公司"}}
    ]
    inserted = json.loads(
        run("audit", "--import", str(first["import_id"]), "--db", store_location, "--json", check=True).stdout
    )
    assert inserted["total"] == 3 and {i["change"] for i in inserted["items"]} == {"insert"}
    assert all(i["before"] is None and i["after"]["uscc"] == i["key"] for i in inserted["items"])

    third = json.loads(run("import", "enterprises", str(csv), "--db", store_location, "--json", check=True).stdout)
    again = json.loads(
        run("audit", "--import", str(third["import_id"]), "--db", store_location, "--json", check=True).stdout
    )
    assert again["total"] == 0 and again["items"] == [] and again["import"]["unchanged"] == 3


def test_an_update_logs_only_its_changed_fields_a_geometry_as_a_mark_and_a_dry_run_writes_no_log(
    store: Store,
) -> None:
    options = ImportOptions(today=builders.TODAY, actor="someone")
    import_frame(store, "divisions", builders.divisions(), "divisions", options=options)
    loaded = import_frame(store, "parcels", builders.parcels(), "p", epsg=builders.EPSG, options=options)
    with store.engine.connect() as conn:
        new = change_rows(conn, loaded.import_id or 0, 0, 100)
    assert len(new) == 4 and all(r["after"]["geom"] == GEOMETRY_MARK for r in new)

    frame = builders.parcels()
    old_far = frame.loc[2, "agreed_far"]
    frame.loc[2, "agreed_far"] = 1.5
    before = _counts(store)
    dry = ImportOptions(today=builders.TODAY, dry_run=True, actor="someone")
    assert import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=dry).changes.updated == 1
    assert _counts(store) == before

    updated = import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=options)
    assert _counts(store) == (before[0] + 1, before[1] + 1, before[2] + 1)
    with store.engine.connect() as conn:
        rows = change_rows(conn, updated.import_id or 0, 0, 100)
        entry = accounts.audit_rows(conn, 0, 1)[0]
    assert rows == [
        {
            "key": frame.loc[2, "parcel_code"],
            "change": "update",
            "before": {"agreed_far": old_far},
            "after": {"agreed_far": 1.5},
        }
    ]
    assert (entry["username"], entry["action"], entry["entity"], entry["key"]) == (
        "someone",
        "import",
        "parcels",
        str(updated.import_id),
    )

    unchanged = import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=options)
    assert unchanged.committed and unchanged.changes.changed == 0
    assert _counts(store) == (before[0] + 2, before[1] + 2, before[2] + 1)  # its import and audit rows only


def test_the_store_settings_set_from_the_command_line_are_audited_as_the_os_user(tmp_path: Path) -> None:
    db = str(tmp_path / "s.gpkg")
    run("init", "--crs", "EPSG:4547", "--db", db, check=True)
    run("policy", "use", "zj-quzhou", "--db", db, check=True)
    log = json.loads(run("audit", "--db", db, "--json", check=True).stdout)
    done = {r["action"]: r for r in log["items"]}
    assert done["crs.set"]["username"] == done["policy.use"]["username"] == ME
    assert json.loads(done["crs.set"]["after"]) == 4547 and done["crs.set"]["before"] is None
    assert json.loads(done["policy.use"]["after"]) == "zj-quzhou"
    assert log["total"] == 2
