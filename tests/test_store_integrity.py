"""The embedded store stays whole: dry runs, kills at any moment, two writers at once, and `check`."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from landrenewal.importing.pipeline import ImportOptions, import_frame
from landrenewal.store.engine import open_store
from landrenewal.store.integrity import check_store, repair_store
from tests import builders
from tests.cli import run

OPTIONS = ImportOptions(today=builders.TODAY)
CITY_PARCELS = 1500


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("parcels", "rtree_parcels_geom", "divisions", "imports")
        }


def _whole(path: Path) -> None:
    done = run("check", "--db", str(path), "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["ok"], report


def test_a_dry_run_then_a_real_import_adds_parcels_to_the_spatial_index(tmp_path: Path) -> None:
    path = tmp_path / "city.gpkg"
    store = open_store(path)
    import_frame(store, "divisions", builders.divisions(), "d", options=OPTIONS)
    frame = builders.parcels(4)
    dry = import_frame(
        store, "parcels", frame, "p", epsg=builders.EPSG, options=ImportOptions(today=builders.TODAY, dry_run=True)
    )
    assert dry.changes.inserted == 4 and not dry.committed
    assert check_store(store) == []
    report = import_frame(store, "parcels", frame, "p", epsg=builders.EPSG, options=OPTIONS)
    assert report.changes.inserted == 4
    store.dispose()
    assert _counts(path)["rtree_parcels_geom"] == 4
    _whole(path)


def test_a_dry_run_leaves_the_file_byte_for_byte_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "city.gpkg"
    store = open_store(path)
    import_frame(store, "divisions", builders.divisions(), "d", options=OPTIONS)
    before = path.read_bytes()
    import_frame(
        store,
        "parcels",
        builders.parcels(4),
        "p",
        epsg=builders.EPSG,
        options=ImportOptions(today=builders.TODAY, dry_run=True),
    )
    store.dispose()
    assert path.read_bytes() == before


def test_check_names_a_lost_trigger_a_short_index_and_a_wrong_extent_and_repair_mends_them(tmp_path: Path) -> None:
    path = tmp_path / "city.gpkg"
    store = open_store(path)
    import_frame(store, "divisions", builders.divisions(), "d", options=OPTIONS)
    import_frame(store, "parcels", builders.parcels(4), "p", epsg=builders.EPSG, options=OPTIONS)
    with sqlite3.connect(path) as raw:  # what the old dry run did, and a tool that edits extents
        raw.execute("DROP TRIGGER rtree_parcels_geom_insert")
        raw.execute("DELETE FROM rtree_parcels_geom WHERE id = 1")
        raw.execute("UPDATE gpkg_contents SET max_x = min_x + 1 WHERE table_name = 'parcels'")
    codes = {(p.code, p.table) for p in check_store(store)}
    assert {("trigger_missing", "parcels"), ("rtree_count", "parcels"), ("rtree_unindexed", "parcels")} <= codes
    assert ("extent", "parcels") in codes
    done = run("check", "--db", str(path))
    said = "".join((done.stdout + done.stderr).split())
    assert done.returncode == 1 and "rtree_parcels_geom_insert缺失" in said and "check--repair" in said

    assert any(line.startswith("parcels") for line in repair_store(store))
    assert check_store(store) == []
    more = builders.parcels(6)
    import_frame(store, "parcels", more, "p", epsg=builders.EPSG, options=OPTIONS)  # the trigger works again
    store.dispose()
    assert _counts(path)["rtree_parcels_geom"] == 6


@pytest.fixture(scope="module")
def city_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A demo city's divisions and parcels as files a user would import."""
    folder = tmp_path_factory.mktemp("files")
    demo = folder / "demo.gpkg"
    run("demo", "build", "--db", str(demo), "--parcels", str(CITY_PARCELS), check=True)
    files = {}
    for kind in ("divisions", "parcels"):
        files[kind] = folder / f"{kind}.gpkg"
        run("export", kind, "--db", str(demo), "--format", "gpkg", "--out", str(files[kind]), check=True)
    return files


def _import_command(kind: str, file: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "landrenewal", "import", kind, str(file), "--db", str(db), "--json"]


def _kill_while_writing(command: list[str], db: Path, delay_s: float) -> None:
    """Start ``command``, wait until it has begun writing ``db`` (SQLite's rollback journal exists),
    let it write for ``delay_s`` more, then kill it (SIGKILL: no clean-up of any kind)."""
    journal = db.with_name(db.name + "-journal")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not journal.exists():
        assert process.poll() is None, "it ended before it wrote anything"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(delay_s)
    assert process.poll() is None, "it ended before it could be killed"
    process.kill()
    process.wait()


def test_an_import_killed_at_random_moments_leaves_the_store_as_before_or_after(
    city_files: dict[str, Path], tmp_path: Path
) -> None:
    db = tmp_path / "city.gpkg"
    run("import", "divisions", str(city_files["divisions"]), "--db", str(db), check=True)
    before = _counts(db)
    rng = random.Random(14)
    for _ in range(3):
        _kill_while_writing(_import_command("parcels", city_files["parcels"], db), db, rng.uniform(0.0, 0.3))
        counts = _counts(db)
        assert counts == before
        _whole(db)
    final = run("import", "parcels", str(city_files["parcels"]), "--db", str(db), "--json", check=True)
    again = run("import", "parcels", str(city_files["parcels"]), "--db", str(db), "--json", check=True)
    assert json.loads(again.stdout)["changes"] == 0, final.stdout
    assert _counts(db)["parcels"] == CITY_PARCELS
    _whole(db)


def test_a_demo_build_killed_half_way_leaves_an_empty_store(tmp_path: Path) -> None:
    build = [sys.executable, "-m", "landrenewal", "demo", "build", "--parcels", "800", "--json", "--db"]
    db = tmp_path / "demo.gpkg"
    run("init", "--crs", "EPSG:4547", "--db", str(db), check=True)
    for delay in (0.0, 1.0):  # while divisions or parcels, then later kinds, are written
        _kill_while_writing([*build, str(db)], db, delay)
        assert _counts(db)["parcels"] == 0 and _counts(db)["divisions"] == 0
        _whole(db)
    subprocess.run([*build, str(db)], check=True, capture_output=True)
    assert _counts(db)["parcels"] == 800
    _whole(db)


def test_two_imports_at_once_both_land_one_after_the_other(city_files: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "city.gpkg"
    run("init", "--crs", "EPSG:4547", "--db", str(db), check=True)
    first = subprocess.Popen(_import_command("divisions", city_files["divisions"], db), stdout=subprocess.PIPE)
    second = subprocess.Popen(_import_command("divisions", city_files["divisions"], db), stdout=subprocess.PIPE)
    outs = [json.loads(p.communicate()[0]) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0
    assert sorted(o["inserted"] for o in outs)[0] == 0  # the second saw the first's rows
    parcels = subprocess.Popen(_import_command("parcels", city_files["parcels"], db), stdout=subprocess.PIPE)
    again = subprocess.Popen(_import_command("parcels", city_files["parcels"], db), stdout=subprocess.PIPE)
    for p in (parcels, again):
        p.communicate()
        assert p.returncode == 0
    assert _counts(db)["parcels"] == CITY_PARCELS and _counts(db)["imports"] == 4
    _whole(db)


def test_a_writer_that_waits_too_long_says_the_store_is_busy(tmp_path: Path) -> None:
    db = tmp_path / "city.gpkg"
    run("init", "--crs", "EPSG:4547", "--db", str(db), check=True)
    frame = builders.divisions()
    csv = tmp_path / "divisions.csv"
    frame.rename(columns={"division_code": "行政区划代码", "name": "名称"}).to_csv(csv, index=False)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = subprocess.run(
            _import_command("divisions", csv, db),
            capture_output=True,
            text=True,
            env={**os.environ, "LANDRENEWAL_BUSY_TIMEOUT": "1"},
            timeout=60,
        )
    finally:
        holder.rollback()
        holder.close()
    assert done.returncode == 3, done.stdout + done.stderr
    assert "库正被另一个写入占用" in "".join((done.stdout + done.stderr).split())
    _whole(db)
