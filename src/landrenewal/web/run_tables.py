"""The rows of one run for the lists: evaluation results, findings and zones; and the inventory
tables the city view does not hold (buildings, yearly figures).

A run never changes once stored, so its rows are read once and kept (a few runs at a time). An
inventory table is kept per city view and, for the figures people edit in the app, per last edit.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

import pandas as pd
from sqlalchemy import func, select

from landrenewal.analysis.evaluation_runs import enterprise_results
from landrenewal.analysis.identification_runs import identification_info, stored_findings
from landrenewal.analysis.zone_runs import stored_zones, zone_unit_shares
from landrenewal.domain.privacy import Pools, is_aggregate, is_private
from landrenewal.domain.rules import RULES
from landrenewal.domain.rules.evidence import json_object, readable
from landrenewal.domain.zone_figures import town_parts
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table
from landrenewal.web.city import CityView, parcel_classes, unit_figures_division

KEPT_RUNS = 8
ZONE_LEVELS = ("big", "middle", "small")  # 大圈, 中圈, 小圈
RESTRICTED = "无权查看"
Kept = TypeVar("Kept")


class RunTables:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._kept: OrderedDict[tuple[str, Hashable], object] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, kind: str, run_id: Hashable, read: Callable[[], Kept]) -> Kept:
        key = (kind, run_id)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return cast(Kept, self._kept[key])
        frame = read()
        with self._lock:
            self._kept[key] = frame
            while len(self._kept) > KEPT_RUNS:
                self._kept.popitem(last=False)
        return frame

    def exists(self, table: str, run_id: int) -> bool:
        runs = schema.metadata.tables[table]
        with self.store.engine.connect() as conn:
            return conn.execute(select(runs.c.id).where(runs.c.id == run_id)).first() is not None

    def evaluation(self, run_id: int, view: CityView) -> pd.DataFrame:
        def read() -> pd.DataFrame:
            with self.store.engine.connect() as conn:
                rows = enterprise_results(conn, self.store, run_id)
            names = view.enterprises[["uscc", "name", "division_code", "town_name"]]
            rows = rows.drop(columns=["division_code"]).merge(names, on="uscc", how="left")
            return rows.assign(figures_division=unit_figures_division(rows))

        return self._get("evaluation", run_id, read)

    def findings(self, run_id: int, view: CityView) -> pd.DataFrame:
        """The run's findings, each with whose figures its evidence quotes (``figures_division``: the
        evaluation unit's owner, else the parcel's division) and its evidence and threshold three ways:
        in full, without aggregates (``_own``) and without any private value (``_public``)."""

        def read() -> pd.DataFrame:
            with self.store.engine.connect() as conn:
                found = stored_findings(conn, self.store, run_id)
                evaluation_run = identification_info(conn, run_id).evaluation_run_id
            parcels = view.parcels[["parcel_code", "division_code", "town_name", "area_mu"]]
            found = found.merge(parcels, on="parcel_code", how="left")
            found["rule_name"] = found["rule_id"].map({k: r.zh for k, r in RULES.items()})
            evidence = found["evidence"].map(json_object)  # read once: the unit, and each threshold's industry
            found["unit_key"] = evidence.map(lambda v: v.get("unit_key")).astype("string")
            owners = self.unit_owners(evaluation_run, view)
            found["figures_division"] = (
                found["unit_key"].map(owners).where(found["unit_key"].notna(), found["division_code"]).fillna("")
            ).astype(object)
            found["pool_run"] = evaluation_run
            for column in ("evidence", "threshold"):
                pairs = list(zip(found[column], evidence, strict=True))
                for suffix, hide in (("_public", is_private), ("_own", is_aggregate)):
                    found[column + suffix] = [readable(text, hide, RESTRICTED, facts) for text, facts in pairs]
                found[column] = [readable(text, evidence=facts) for text, facts in pairs]
            return found

        return self._get("findings", run_id, read)

    def unit_owners(self, evaluation_run: int | None, view: CityView) -> pd.Series:
        """unit_key → whose the unit's figures are (a town code, or "" when it spans towns)."""
        if evaluation_run is None:
            return pd.Series(dtype=object)
        rows = self.evaluation(evaluation_run, view)
        return rows.drop_duplicates("unit_key").set_index("unit_key")["figures_division"]

    def pools(self, evaluation_run: int | None, view: CityView) -> Pools | None:
        """Who each industry mean of an evaluation run pools (rated units by list and industry division)."""
        if evaluation_run is None:
            return None

        def read() -> Pools:
            # the means are over the rated units of a list and industry division (domain/land.py)
            units = self.evaluation(evaluation_run, view).drop_duplicates("unit_key")
            group = units["list"].astype("string") + "|" + units["industry_code"].astype("string").str[:2]
            frame = {"unit_key": units["unit_key"], "group": group, "owner": units["figures_division"]}
            return Pools.of(pd.DataFrame(frame | {"pooled": units["status"] == "rated"}))

        return self._get("pools", evaluation_run, read)

    def unit_classes(self, run_id: int) -> pd.DataFrame:
        """Each unit's class and division in one evaluation run (the dashboard's years)."""

        def read() -> pd.DataFrame:
            units = schema.evaluation_units
            with self.store.engine.connect() as conn:
                return read_table(conn, self.store, units, ["class", "division_code"], units.c.run_id == run_id)

        return self._get("unit_classes", run_id, read)

    def zones(self, run_id: int) -> pd.DataFrame:
        """The zones of a run, each with the names of the 大圈, 中圈 and 小圈 it lies in (beside their codes)."""

        def read() -> pd.DataFrame:
            with self.store.engine.connect() as conn:
                zones = stored_zones(conn, self.store, run_id)
                planned = read_table(conn, self.store, schema.planning_zones, ["zone_code", "name"])
            names = planned.set_index("zone_code")["name"]
            for level in ZONE_LEVELS:
                zones[f"{level}_zone_name"] = zones[f"{level}_zone_code"].map(names)
            return zones

        return self._get("zones", run_id, read)

    def zone_parts(self, run_id: int, view: CityView) -> pd.DataFrame:
        """Each zone's private figures split by whose they are (domain/zone_figures.town_parts)."""

        def read() -> pd.DataFrame:
            runs = schema.zone_runs
            with self.store.engine.connect() as conn:
                shares = zone_unit_shares(conn, self.store, run_id)
                evaluation_run = conn.execute(select(runs.c.evaluation_run_id).where(runs.c.id == run_id)).scalar()
            owners = self.unit_owners(evaluation_run, view)
            return town_parts(shares.assign(owner=shares["unit_key"].map(owners).fillna("").astype(str)))

        return self._get("zone_parts", run_id, read)

    def parcel_classes(self, run_id: int) -> pd.DataFrame:
        """parcel_code → class in one evaluation run (the dashboard of an earlier run)."""

        def read() -> pd.DataFrame:
            with self.store.engine.connect() as conn:
                return parcel_classes(conn, self.store, run_id)[["parcel_code", "class"]]

        return self._get("parcel_classes", run_id, read)

    def buildings(self, view: CityView) -> pd.DataFrame:
        """Every building with its parcel's division, town and village; geometry in the store's CRS."""

        def read() -> pd.DataFrame:
            with self.store.engine.connect() as conn:
                rows = read_table(conn, self.store, schema.buildings)
            places = view.parcels[["parcel_code", "division_code", "town_name", "village_name"]]
            return rows.drop(columns=["id"]).merge(places, on="parcel_code", how="left")

        return self._get("buildings", view.fingerprint, read)

    def metrics(self, view: CityView) -> pd.DataFrame:
        """Every enterprise's yearly figures with its name and town; read again after an edit."""
        log = schema.audit_log
        with self.store.engine.connect() as conn:
            edited = conn.execute(select(func.max(log.c.id)).where(log.c.entity == "metrics")).scalar()

        def read() -> pd.DataFrame:
            with self.store.engine.connect() as conn:
                rows = read_table(conn, self.store, schema.metrics)
            names = view.enterprises[["uscc", "name", "division_code", "town_name"]]
            return rows.drop(columns=["id"]).merge(names, on="uscc", how="left")

        return self._get("metrics", (view.fingerprint, edited), read)
