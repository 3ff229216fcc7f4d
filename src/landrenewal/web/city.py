"""What the web app shows of the city, read from the store once and kept in memory.

Lists, search, the dashboard and the tiles all read the same frames: every parcel with its town,
class, finding categories and zone; every enterprise with its class and land. Building them costs
a second or so per 10⁵ parcels; a request costs a filter of a frame. The view is rebuilt when the
store's fingerprint (newest import and runs) changes, so a new import or run shows at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from sqlalchemy import Connection, func, select

from landrenewal.analysis.evaluation_runs import RunInfo, enterprise_results, latest_run, run_policy
from landrenewal.analysis.identification_runs import IdentificationInfo, latest_identification, stored_findings
from landrenewal.analysis.zone_runs import ZoneRunInfo, latest_zone_run
from landrenewal.domain.privacy import figures_owner
from landrenewal.domain.units import M2_PER_MU
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import plain, read_table
from landrenewal.tiles.mercator import to_lonlat, to_mercator
from landrenewal.web.memory import give_back

CLASS_NAMES = "evaluation.classes.names"


@dataclass(frozen=True)
class CityView:
    fingerprint: tuple[Any, ...]
    epsg: int | None
    evaluation: RunInfo | None
    identification: IdentificationInfo | None
    zone_run: ZoneRunInfo | None
    divisions: pd.DataFrame  # division_code, name, level, parent_code
    parcels: pd.DataFrame  # one row per parcel: see _parcels
    geoms: npt.NDArray[np.object_]  # parcel geometry in the store's CRS, row for row with ``parcels``
    mercator: npt.NDArray[np.object_]  # parcel geometry in EPSG:3857, row for row with ``parcels``
    enterprises: pd.DataFrame  # one row per enterprise: see _enterprises
    categories: list[str]  # finding categories in the order the policy lists its rules
    class_names: dict[str, str]  # class code → its name in the evaluation's policy (A: 优先发展类 …)
    bounds: tuple[float, float, float, float] | None  # lon/lat of all parcels

    @cached_property
    def parcel_rows(self) -> dict[str, int]:
        """parcel_code → its row in ``parcels`` (a dossier looks one up; a mask over 10⁵ rows costs ~1 ms)."""
        return dict(zip(self.parcels["parcel_code"].tolist(), range(len(self.parcels)), strict=True))

    def parcel(self, code: str) -> dict[str, Any] | None:
        """One parcel's row of ``parcels`` as plain values, or None if the view does not have it yet."""
        row = self.parcel_rows.get(code)
        if row is None:
            return None
        return {str(k): plain(v) for k, v in self.parcels.iloc[row].to_dict().items()}


def fingerprint(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever an import or a run may have changed what the app shows."""
    return tuple(
        conn.execute(
            select(
                *(
                    select(func.max(t.c.id)).scalar_subquery()
                    for t in (
                        schema.imports,
                        schema.evaluation_runs,
                        schema.identification_runs,
                        schema.zone_runs,
                    )
                )
            )
        ).one()
    )


def build_view(store: Store) -> CityView:
    with store.engine.connect() as conn:
        mark = fingerprint(conn)
        epsg = store.epsg(conn)
        evaluation = latest_run(conn)
        identification = latest_identification(conn)
        zone_run = latest_zone_run(conn)
        divisions = read_table(conn, store, schema.divisions, ["division_code", "name", "level", "parent_code"])
        raw = read_table(
            conn,
            store,
            schema.parcels,
            ["id", "parcel_code", "division_code", "land_use_code", "rights_type", "rights_holder", "area_m2", "geom"],
        )
        classes = parcel_classes(conn, store, evaluation.id if evaluation else None)
        found = stored_findings(conn, store, identification.id) if identification else None
        zoned = _zone_numbers(conn, store, zone_run)
        occupancy = read_table(
            conn, store, schema.occupancy, ["uscc", "parcel_code", "start_date", "end_date", "land_share"]
        )
        companies = read_table(
            conn, store, schema.enterprises, ["uscc", "name", "industry_code", "scale", "division_code"]
        )
        units = enterprise_results(conn, store, evaluation.id) if evaluation else None
        names = run_policy(conn, evaluation).values.get(CLASS_NAMES) if evaluation else None
    geoms = raw.pop("geom").to_numpy(dtype=object)
    parcels, categories = _parcels(raw, divisions, classes, found, zoned)
    mercator = to_mercator(geoms, epsg) if epsg else np.full(len(geoms), None, dtype=object)
    parcels["lon"], parcels["lat"] = np.nan, np.nan
    bounds: tuple[float, float, float, float] | None = None
    if epsg and len(geoms):
        points = to_lonlat(shapely.point_on_surface(geoms), epsg)
        parcels["lon"], parcels["lat"] = shapely.get_x(points), shapely.get_y(points)
        outline = to_lonlat(shapely.box(*shapely.total_bounds(geoms)), epsg)
        west, south, east, north = (float(v) for v in shapely.total_bounds(outline))
        bounds = (west, south, east, north)
    enterprises = _enterprises(companies, occupancy, parcels, units, divisions)
    return CityView(
        mark,
        epsg,
        evaluation,
        identification,
        zone_run,
        divisions,
        parcels,
        geoms,
        mercator,
        enterprises,
        categories,
        dict(names.value) if names is not None else {},
        bounds,
    )


def parcel_classes(conn: Connection, store: Store, run_id: int | None) -> pd.DataFrame:
    """parcel_code → class, score and unit of the evaluation run (a parcel of a merged unit takes the unit's)."""
    if run_id is None:
        return _empty(parcel_code=object, **{"class": object}, score="float64", unit_key=object)
    table = schema.evaluation_parcels
    links = read_table(conn, store, table, ["parcel_code", "unit_key"], table.c.run_id == run_id)
    units = schema.evaluation_units
    rated = read_table(conn, store, units, ["unit_key", "class", "score"], units.c.run_id == run_id)
    return links.drop_duplicates("parcel_code").merge(rated, on="unit_key", how="left")


def _empty(**dtypes: Any) -> pd.DataFrame:
    """A frame with no rows and typed columns: ``pd.DataFrame({"parcel_code": []})`` holds floats,
    which pandas refuses to merge with the text codes of a store's (empty) table."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})


def _zone_numbers(conn: Connection, store: Store, zone_run: ZoneRunInfo | None) -> pd.DataFrame:
    if zone_run is None:
        return _empty(parcel_code=object, zone_no="int64")
    table = schema.zone_parcels
    return read_table(conn, store, table, ["parcel_code", "zone_no"], table.c.run_id == zone_run.id)


def _parcels(
    raw: pd.DataFrame,
    divisions: pd.DataFrame,
    classes: pd.DataFrame,
    found: pd.DataFrame | None,
    zoned: pd.DataFrame,
) -> tuple[pd.DataFrame, list[str]]:
    names = divisions.set_index("division_code")["name"]
    frame = raw.assign(
        area_mu=(raw["area_m2"] / M2_PER_MU).round(3),
        town_code=raw["division_code"].str[:9],
    ).drop(columns="area_m2")
    frame["town_name"] = frame["town_code"].map(names)
    frame["village_name"] = frame["division_code"].where(frame["division_code"].str.len() >= 12).map(names)
    frame = frame.merge(classes, on="parcel_code", how="left")
    frame["class"] = frame["class"].fillna("")
    categories: list[str] = []
    if found is not None and len(found):
        categories = list(dict.fromkeys(found["category"].tolist()))
        order = {c: i for i, c in enumerate(categories)}
        ranked = found.assign(order=found["category"].map(order)).sort_values(["parcel_code", "order"])
        grouped = ranked.groupby("parcel_code", sort=False)
        summary = pd.DataFrame(
            {
                "finding_count": grouped.size(),
                "rules": grouped["rule_id"].agg("|".join),
                "categories": ranked.drop_duplicates(["parcel_code", "category"])
                .groupby("parcel_code", sort=False)["category"]
                .agg("|".join),
            }
        )
        frame = frame.merge(summary, left_on="parcel_code", right_index=True, how="left")
    else:
        frame["finding_count"], frame["rules"], frame["categories"] = 0, "", ""
    frame["finding_count"] = frame["finding_count"].fillna(0).astype("int64")
    frame["rules"] = frame["rules"].fillna("")
    frame["categories"] = frame["categories"].fillna("")
    frame["category"] = frame["categories"].str.split("|").str[0].fillna("")
    frame = frame.merge(zoned, on="parcel_code", how="left")
    frame["zone_no"] = frame["zone_no"].fillna(0).astype("int64")
    return frame.reset_index(drop=True), categories


def _enterprises(
    companies: pd.DataFrame,
    occupancy: pd.DataFrame,
    parcels: pd.DataFrame,
    units: pd.DataFrame | None,
    divisions: pd.DataFrame,
) -> pd.DataFrame:
    """Each enterprise with the land it holds now (open occupancy) and its unit's class."""
    current = occupancy[occupancy["end_date"].isna()]
    held = current.merge(parcels[["parcel_code", "area_mu"]], on="parcel_code", how="left")
    held = held.assign(share_mu=held["area_mu"] * held["land_share"].fillna(1.0))
    land = held.groupby("uscc").agg(
        parcel_count=("parcel_code", "nunique"), land_mu=("share_mu", "sum"), first_parcel=("parcel_code", "min")
    )
    frame = companies.merge(land, left_on="uscc", right_index=True, how="left")
    frame["parcel_count"] = frame["parcel_count"].fillna(0).astype("int64")
    frame["land_mu"] = frame["land_mu"].fillna(0.0).round(3)
    if units is not None:
        columns = ["uscc", "unit_key", "class", "score", "rank", "tax_wan", "tax_per_mu", "value_added_per_mu"]
        frame = frame.merge(units[columns], on="uscc", how="left")
        frame["figures_division"] = unit_figures_division(frame)
        frame = frame.drop(columns=["unit_key"])
    else:
        for column in ("class", "score", "rank", "tax_wan", "tax_per_mu", "value_added_per_mu"):
            frame[column] = np.nan
        frame["figures_division"] = frame["division_code"]
    frame["class"] = frame["class"].fillna("")
    names = divisions.set_index("division_code")["name"]
    frame["town_code"] = frame["division_code"].str[:9]
    frame["town_name"] = frame["town_code"].map(names)
    return frame.reset_index(drop=True)


def unit_figures_division(members: pd.DataFrame) -> pd.Series:
    """Whose the evaluation figures on each member row are (uscc, division_code, unit_key): the
    unit's town, or nobody's below the city when the unit spans towns; an enterprise of no unit, its own."""
    owner = figures_owner(members["division_code"], members["unit_key"].fillna(members["uscc"]))
    return owner.fillna("").astype(object)


class LiveView:
    """The current CityView, rebuilt when the store's fingerprint changes (checked at most every ``refresh_s``).

    Made empty; ``start`` (the app's start-up) reads the city. A request before that reads it then.
    """

    def __init__(self, store: Store, refresh_s: float) -> None:
        self.store = store
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._view: CityView | None = None
        self._checked = 0.0

    def start(self) -> CityView:
        with self._lock:
            if self._view is None:
                self._view = build_view(self.store)
                give_back()
                self._checked = time.monotonic()
            return self._view

    def current(self) -> CityView | None:
        """The view when no check against the store is due (cheap: for the event loop), else None."""
        if self._view is None or time.monotonic() - self._checked >= self.refresh_s:
            return None
        return self._view

    def get(self) -> CityView:
        view = self.current()
        if view is not None:
            return view
        if self._view is None:
            return self.start()
        with self._lock:
            assert self._view is not None  # started above, never unset
            if time.monotonic() - self._checked >= self.refresh_s:
                with self.store.engine.connect() as conn:
                    mark = fingerprint(conn)
                if mark != self._view.fingerprint:
                    self._view = build_view(self.store)
                    give_back()
                self._checked = time.monotonic()
            return self._view

    def rebuild(self) -> CityView:
        """At once, after a write made through the app."""
        with self._lock:
            self._view = build_view(self.store)
            give_back()
            self._checked = time.monotonic()
        return self._view
