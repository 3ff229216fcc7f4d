"""Small canonical inventories for tests: a county, a town, two villages, parcels near Jiangmen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from landrenewal.domain import uscc
from landrenewal.domain.units import M2_PER_MU

EPSG = 4547
TODAY = dt.date(2026, 11, 23)
COUNTY, TOWN = "440785", "440785100"
VILLAGES = ["440785100201", "440785100202"]
ORIGIN = Transformer.from_crs(4490, EPSG, always_xy=True).transform(112.8, 22.3)


def make_uscc(n: int, county: str = COUNTY) -> list[str]:
    bodies = [f"91{county}MA{i:07d}" for i in range(n)]
    bodies = [b.replace("I", "1").replace("O", "0") for b in bodies]
    return [b + uscc.check_char(b) for b in bodies]


def divisions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "division_code": [COUNTY, TOWN, *VILLAGES],
            "name": ["恩平市", "恩城街道", "黄角村委会", "西门村委会"],
        }
    )


def squares(n: int, side_m: float = 100.0, gap_m: float = 20.0) -> np.ndarray:
    """n square parcels in a row, ``gap_m`` apart, as MultiPolygons in EPSG:4547."""
    x0, y0 = ORIGIN
    xs = x0 + np.arange(n) * (side_m + gap_m)
    boxes = shapely.box(xs, y0, xs + side_m, y0 + side_m)
    return np.asarray(shapely.multipolygons(shapely.get_parts(boxes), indices=np.arange(n)), dtype=object)


def parcels(n: int = 4) -> pd.DataFrame:
    geoms = squares(n)
    area = shapely.area(geoms)
    return pd.DataFrame(
        {
            "parcel_code": [f"{VILLAGES[i % 2]}GB{i + 1:05d}" for i in range(n)],
            "division_code": [VILLAGES[i % 2] for i in range(n)],
            "land_use_code": ["0601"] * n,
            "rights_type": ["state"] * (n - 1) + ["collective"],
            "rights_holder": [f"恩平市第{i + 1}五金制品有限公司" for i in range(n)],
            "registered_area_m2": area,
            "registered_area_mu": area / M2_PER_MU,
            "approved_date": pd.to_datetime(["2015-03-01"] * n),
            "supplied_date": pd.to_datetime(["2016-05-10"] * n),
            "agreed_start_date": pd.to_datetime(["2016-11-10"] * n),
            "actual_start_date": pd.to_datetime(["2017-01-15"] * (n - 1) + [None]),
            "agreed_completion_date": pd.to_datetime(["2018-11-10"] * n),
            "agreed_far": [1.2] * n,
            "total_investment_wan": [5000.0] * n,
            "land_price_wan": [800.0] * n,
            "geom": geoms,
        }
    )


def enterprises(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": make_uscc(n),
            "name": [f"恩平市第{i + 1}五金制品有限公司" for i in range(n)],
            "industry_code": ["C3311", "3899", "C17"][:n] + ["3311"] * max(0, n - 3),
            "scale": ["above", "below", "above"][:n] + ["above"] * max(0, n - 3),
            "division_code": [TOWN] * n,
        }
    )


def disposal_project(**changes: object) -> Any:
    """A disposal of the first two parcels, under Enping's policy (docs/projects.md)."""
    from landrenewal.store.projects import NewProject

    project = NewProject(
        code="",
        name="恩城米仓木材市场地块处置",
        kind="disposal",
        workflow="disposal",
        policy_id="gd-jiangmen-enping",
        division_code=TOWN,
        parcels=tuple(parcels(4)["parcel_code"][:2]),
    )
    return NewProject(**{**project.__dict__, **changes})
