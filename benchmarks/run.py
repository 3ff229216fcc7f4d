"""Benchmarks of issue targets; prints JSON figures (no pass/fail, no timing assertions).

    make bench                       # 10⁶ parcels
    python benchmarks/run.py --parcels 100000

Import of parcels from a GeoPackage into the embedded store and into PostGIS (target on
this 2-core machine: 10⁶ parcels in < 60 s with < 4 GiB peak in the embedded store; PostGIS
reported side by side as a ratio). Each import runs in a child process so that its peak
memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from landrenewal.store.admin import create_database

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _own_peak_kib() -> int:
    """This process's own peak RSS. ru_maxrss would start from the parent's size at fork, and the
    parent holds the generated city; VmHWM belongs to the memory map made at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child_import(db: str, file: str) -> None:
    from landrenewal.importing.pipeline import import_file
    from landrenewal.store.engine import open_store

    started = time.perf_counter()
    store = open_store(db)
    report = import_file(store, "parcels", file)
    seconds = time.perf_counter() - started
    peak_kib = _own_peak_kib()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_rss_mib": round(peak_kib / 1024, 1),
                "inserted": report.changes.inserted,
                "unchanged": report.changes.unchanged,
                "rows": report.rows_read,
            }
        )
    )


def _run_child(db: str, file: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child-import", db, file], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _source_file(parcels: int, seed: int, folder: Path) -> tuple[Path, float]:
    import pyogrio

    from landrenewal.demo.city import generate_city

    started = time.perf_counter()
    city = generate_city(parcels=parcels, seed=seed)
    frame = city.parcels
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(frame.drop(columns=["geom"]), geometry=frame["geom"].to_numpy(), crs=city.epsg)
    path = folder / f"parcels_{parcels}.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="parcels", use_arrow=True)
    return path, time.perf_counter() - started


def _postgres_url() -> str | None:
    url = os.environ.get("LANDRENEWAL_TEST_PG")
    if url:
        return url
    done = subprocess.run(
        [str(ROOT / ".ci" / "start-postgres")], capture_output=True, text=True, env={**os.environ, "PGPORT": "55433"}
    )
    return done.stdout.strip().splitlines()[-1] if done.returncode == 0 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--child-import", nargs=2, metavar=("DB", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import:
        _child_import(*args.child_import)
        return
    results: dict[str, object] = {"parcels": args.parcels, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="lr-bench-") as tmp:
        folder = Path(tmp)
        source, generate_s = _source_file(args.parcels, args.seed, folder)
        results["generate_and_write_source_s"] = round(generate_s, 2)
        embedded = _run_child(str(folder / "store.gpkg"), str(source))
        results["import_gpkg"] = embedded
        results["reimport_gpkg_no_changes"] = _run_child(str(folder / "store.gpkg"), str(source))
        results["import_gpkg_target"] = {"seconds_lt": 60, "peak_rss_mib_lt": 4096}
        url = _postgres_url()
        if url:
            postgis = _run_child(create_database(url, f"lr_bench_{os.getpid()}"), str(source))
            results["import_postgis"] = postgis
            results["postgis_over_gpkg_time_ratio"] = round(float(postgis["seconds"]) / float(embedded["seconds"]), 2)
        else:
            results["import_postgis"] = "no PostgreSQL server available"
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
