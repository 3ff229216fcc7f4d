"""Benchmark of issue 4: contiguity clusters of the demo city's parcels, in process and in PostGIS.

    python benchmarks/zones.py --parcels 1000000

The city is generated once; its parcels (code, WKB, a deterministic ~30 % selection) go to a
Parquet file and into a PostGIS database (the server from LANDRENEWAL_BENCH_PG, else as
benchmarks/run.py finds or starts one). Each measurement runs in a child process that reads
them, so that its time and peak memory are its own; each child runs three times and the run
with the median time is reported, every run's time beside it.

Goals (2 cores): on the 30 % selection, PostGIS's ``ST_ClusterDBSCAN`` (warm, without JIT,
which only costs it time) takes at least twice as long as ``domain.zones.clusters``; all 10⁶
parcels cluster in < 15 s with < 6 GiB. PostGIS with the server's JIT setting is shown beside.
Both give the same partition, numbered alike, so equal label hashes mean equal answers.

A measured part is a function from the selected parcels' geometries (ordered by code) to a
dict of figures; adding one to ``PARTS`` (the zone figures and outlines, say) measures it too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _own_peak_kib, _postgres_url

GeometryArray = npt.NDArray[np.object_]
GAP_M = 30.0  # the policy's contiguity gap (cn: zones.gap_m)
SHARE = 0.3
SELECTIONS = ("some", "all")  # the ~30 % selection, every parcel


def _partition_hash(labels: npt.NDArray[np.int64]) -> str:
    return hashlib.sha256(np.ascontiguousarray(labels, dtype="<i8").tobytes()).hexdigest()


def part_clusters(geoms: GeometryArray, gap: float) -> dict[str, Any]:
    from landrenewal.domain.zones import clusters

    started = time.perf_counter()
    labels = clusters(geoms, gap)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "clusters": int(labels.max()) + 1,
        "partition_sha256": _partition_hash(labels),
    }


# The measured parts of our own: each gets the selected geometries and the gap.
PARTS: dict[str, Callable[[GeometryArray, float], dict[str, Any]]] = {"clusters": part_clusters}


def _read(folder: Path, selection: str) -> pd.DataFrame:
    parcels = pd.read_parquet(folder / "parcels.parquet")
    return parcels if selection == "all" else parcels[parcels["selected"]].reset_index(drop=True)


def child_part(name: str, folder: Path, selection: str, gap: float) -> dict[str, Any]:
    parcels = _read(folder, selection)
    geoms = np.asarray(shapely.from_wkb(parcels["wkb"].to_numpy(dtype=object)), dtype=object)
    del parcels
    figures = PARTS[name](geoms, gap)
    return {**figures, "parcels": len(geoms), "peak_rss_mib": round(_own_peak_kib() / 1024, 1)}


def child_postgis(folder: Path, selection: str, gap: float, url: str) -> dict[str, Any]:
    """``postgis_clusters`` as the store calls it (codes in, labels back), and the bare
    ``ST_ClusterDBSCAN`` query over rows already on the server, with the server's JIT setting and
    without JIT (PostGIS at its best, the figure the goal is judged by); all after one untimed call."""
    from landrenewal.store.clustering import postgis_clusters
    from landrenewal.store.engine import open_store

    codes = None if selection == "all" else _read(folder, selection)["parcel_code"]
    rows = "parcels" if selection == "all" else "bench_selection JOIN parcels USING (parcel_code)"
    bare = (
        f"SELECT count(*), max(cid) FROM (SELECT ST_ClusterDBSCAN(geom, eps := {gap!r}, minpoints := 1) "
        f"OVER () AS cid FROM {rows}) c"
    )
    store = open_store(url, create=False)
    with store.engine.connect() as conn:
        postgis_clusters(conn, codes, gap)  # warm: PostGIS loaded, the parcels' pages in cache
        started = time.perf_counter()
        conn.exec_driver_sql(bare).one()
        jit_query_s = time.perf_counter() - started
        conn.exec_driver_sql("SET jit = off")  # as postgis_clusters runs it: compiling costs more than it saves
        started = time.perf_counter()
        count, _ = conn.exec_driver_sql(bare).one()
        query_s = time.perf_counter() - started
        started = time.perf_counter()
        labels = postgis_clusters(conn, codes, gap)
        call_s = time.perf_counter() - started
    store.dispose()
    return {
        "query_s": round(query_s, 2),
        "query_server_jit_s": round(jit_query_s, 2),
        "seconds": round(call_s, 2),
        "clusters": int(labels.max()) + 1,
        "rows": int(count),
        "partition_sha256": _partition_hash(labels),
        "client_peak_rss_mib": round(_own_peak_kib() / 1024, 1),
    }


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _median_of(repeat: int, args: list[str], timed: str) -> dict[str, Any]:
    """The figures of the run with the median time, every run's time beside them: on a shared
    2-core machine one run can be seconds slower than the next."""
    runs = sorted((_child(*args) for _ in range(max(repeat, 1))), key=lambda r: float(r[timed]))
    median = dict(runs[len(runs) // 2])
    median["runs_s"] = [r[timed] for r in runs]
    for peak in ("peak_rss_mib", "client_peak_rss_mib"):
        if peak in median:
            median[peak] = max(float(r[peak]) for r in runs)
    return median


def _write_city(parcels: int, seed: int, folder: Path) -> tuple[pd.DataFrame, int]:
    """The city's parcels by code, with the deterministic selection, also written to Parquet."""
    from landrenewal.demo.city import generate_city

    city = generate_city(parcels=parcels, seed=seed)
    frame = city.parcels[["parcel_code", "geom"]].sort_values("parcel_code", ignore_index=True)
    frame["parcel_code"] = frame["parcel_code"].astype(object)
    frame["selected"] = np.random.default_rng(seed).random(len(frame)) < SHARE
    frame["wkb"] = shapely.to_wkb(frame["geom"].to_numpy(dtype=object))
    frame.drop(columns="geom").to_parquet(folder / "parcels.parquet", index=False)
    return frame, city.epsg


def _load_postgis(server: str, name: str, frame: pd.DataFrame, epsg: int) -> tuple[str, dict[str, Any]]:
    """A new database with the parcels (binary COPY through the store) and the selection as a table."""
    from landrenewal.store import schema
    from landrenewal.store.admin import create_database
    from landrenewal.store.engine import open_store
    from landrenewal.store.writes import insert_frame

    url = create_database(server, name)
    store = open_store(url)
    geoms = frame["geom"].to_numpy(dtype=object)
    rows = pd.DataFrame({"parcel_code": frame["parcel_code"], "area_m2": shapely.area(geoms), "geom": geoms})
    with store.engine.begin() as conn:
        store.set_epsg(conn, epsg)
        insert_frame(conn, store, schema.parcels, rows, epsg)
        conn.exec_driver_sql("CREATE TABLE bench_selection (parcel_code text PRIMARY KEY)")
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            chosen = frame.loc[frame["selected"], "parcel_code"].tolist()
            cur.execute("INSERT INTO bench_selection SELECT unnest(%s::text[])", (chosen,))
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE parcels")
        conn.exec_driver_sql("ANALYZE bench_selection")
        conn.commit()
        server_info = {
            name: conn.exec_driver_sql(sql).scalar()
            for name, sql in (
                ("postgis", "SELECT postgis_lib_version()"),
                ("postgresql", "SHOW server_version"),
                ("work_mem", "SHOW work_mem"),
                ("shared_buffers", "SHOW shared_buffers"),
            )
        }
    store.dispose()
    return url, server_info


def _compare(ours: dict[str, Any], postgis: dict[str, Any]) -> dict[str, Any]:
    return {
        "same_partition": ours["partition_sha256"] == postgis["partition_sha256"],
        "ratio_postgis_query_to_ours": round(float(postgis["query_s"]) / float(ours["seconds"]), 2),
        "ratio_postgis_query_server_jit_to_ours": round(
            float(postgis["query_server_jit_s"]) / float(ours["seconds"]), 2
        ),
        "ratio_postgis_call_to_ours": round(float(postgis["seconds"]) / float(ours["seconds"]), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--gap", type=float, default=GAP_M)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each child; the median is reported")
    parser.add_argument("--child", choices=[*PARTS, "postgis"], help=argparse.SUPPRESS)
    parser.add_argument("--selection", choices=SELECTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "postgis":
            result = child_postgis(args.folder, args.selection, args.gap, args.url)
        else:
            result = child_part(args.child, args.folder, args.selection, args.gap)
        print(json.dumps(result))
        return

    figures: dict[str, Any] = {"benchmark": "zones_clustering", "parcels": args.parcels, "gap_m": args.gap}
    figures["cores"] = os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="lr-bench-zones-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        frame, epsg = _write_city(args.parcels, args.seed, folder)
        figures["generate_s"] = round(time.perf_counter() - started, 1)
        figures["selected"] = int(frame["selected"].sum())
        common = ["--folder", str(folder), "--gap", repr(args.gap)]
        ours = {
            selection: {
                part: _median_of(args.repeat, ["--child", part, "--selection", selection, *common], "seconds")
                for part in PARTS
            }
            for selection in SELECTIONS
        }
        server = os.environ.get("LANDRENEWAL_BENCH_PG") or _postgres_url()
        postgis: dict[str, dict[str, Any]] = {}
        if server:
            from landrenewal.store.admin import drop_database

            name = f"lr_bench_zones_{os.getpid()}"
            started = time.perf_counter()
            url, figures["postgis_server"] = _load_postgis(server, name, frame, epsg)
            figures["load_postgis_s"] = round(time.perf_counter() - started, 1)
            del frame
            try:
                for selection in SELECTIONS:
                    postgis[selection] = _median_of(
                        args.repeat, ["--child", "postgis", "--selection", selection, "--url", url, *common], "query_s"
                    )
            finally:
                drop_database(server, name)
    for selection, key in (("some", "selection_30_percent"), ("all", "all_parcels")):
        entry: dict[str, Any] = {"ours": ours[selection]}
        if selection in postgis:
            entry["postgis"] = postgis[selection]
            entry.update(_compare(ours[selection]["clusters"], postgis[selection]))
        else:
            entry["postgis"] = "no PostgreSQL server available"
        figures[key] = entry
    figures["goals"] = {
        "selection_30_percent": {"ratio_postgis_query_to_ours_at_least": 2},
        "all_parcels": {"ours_clusters_seconds_lt": 15, "ours_clusters_peak_rss_mib_lt": 6 * 1024},
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
