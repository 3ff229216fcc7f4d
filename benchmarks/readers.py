"""Benchmark: reading 10⁶ polygons from a GeoPackage with ``files.readers.read_source``.

    python benchmarks/readers.py --parcels 1000000

Writes a GeoPackage of square parcels (100 m sides on a 120 m grid, EPSG:4547) with a 宗地代码
and a 宗地面积 column, then reads it back in a child process per run, so that each run's time
and peak memory are its own; three runs, the median reported with every run's time beside it.
Target (2 cores): 10⁶ polygons in < 15 s (about 2 s measured on the project machine). The
functional check — every row and geometry read, in order — is tests/test_files_readers.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _own_peak_kib

EPSG = 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E, where the demo city lies


def write_parcels(n: int, path: Path) -> float:
    """A GeoPackage layer 宗地 of ``n`` square parcels; the seconds it took."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    started = time.perf_counter()
    i = np.arange(n)
    x, y = 500_000 + (i % 1000) * 120.0, 2_400_000 + (i // 1000) * 120.0
    geoms = shapely.multipolygons(shapely.get_parts(shapely.box(x, y, x + 100, y + 100)), indices=i)
    frame = pd.DataFrame({"宗地代码": [f"440785100201GB{k:07d}" for k in i], "宗地面积": np.full(n, 10000.0)})
    gpd.GeoDataFrame(frame, geometry=geoms, crs=EPSG).to_file(path, layer="宗地", engine="pyogrio")
    return round(time.perf_counter() - started, 2)


def child_read(path: Path) -> dict[str, Any]:
    from landrenewal.files.readers import read_source

    started = time.perf_counter()
    source = read_source(path)
    seconds = time.perf_counter() - started
    geometries = 0 if source.geometry is None else len(source.geometry)
    return {
        "seconds": round(seconds, 2),
        "rows": len(source.frame),
        "geometries": geometries,
        "peak_rss_mib": round(_own_peak_kib() / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="child runs; the median time is reported")
    parser.add_argument("--child-read", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_read is not None:
        print(json.dumps(child_read(args.child_read)))
        return
    with tempfile.TemporaryDirectory(prefix="lr-bench-readers-") as tmp:
        path = Path(tmp) / "parcels.gpkg"
        written = write_parcels(args.parcels, path)
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, __file__, "--child-read", str(path)], capture_output=True, text=True, check=True
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    chosen = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]  # the median run
    figures = {
        "benchmark": "read_source of a GeoPackage",
        "parcels": args.parcels,
        "write_seconds": written,
        "read_seconds": chosen["seconds"],
        "read_seconds_each_run": [r["seconds"] for r in runs],
        "rows": chosen["rows"],
        "geometries": chosen["geometries"],
        "peak_rss_mib": chosen["peak_rss_mib"],
        "target_seconds": 15,
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
