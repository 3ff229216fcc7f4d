"""Checks of each kind of record beyond single cells: keys, codes, references, date order, areas.

Each check works on whole columns and reports through ``Problems``. Checks that need the
store (does this parcel exist?) read the keys they need once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from sqlalchemy import Connection, select

from landrenewal.domain import uscc
from landrenewal.domain.codes import division_names, industry_codes_known, land_use_codes, normalize_industry_codes
from landrenewal.domain.divisions import LEVEL_BY_LENGTH
from landrenewal.domain.fields import ENTITIES, PLANNING_LEVEL_ZH, EntitySpec
from landrenewal.domain.language import say
from landrenewal.domain.units import M2_PER_HA, M2_PER_MU
from landrenewal.importing.report import Problems, Severity
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_rows_in, read_table

# How far (metres) a parcel or building may lie outside the extent of the store's divisions: a
# survey's boundary and a town's drawn boundary differ by metres, a parcel 2 km out is elsewhere.
# A data-quality setting of the import, not a policy rule.
JURISDICTION_MARGIN_M = 2000.0
# Relative disagreement allowed between recorded areas (m², mu, ha) and the geometry: a data-quality
# setting of the import (--area-tolerance), not a policy rule.
DEFAULT_AREA_TOLERANCE = 0.05


@dataclass(frozen=True)
class CheckOptions:
    today: dt.date
    area_tolerance: float = DEFAULT_AREA_TOLERANCE
    earliest: dt.date = dt.date(1949, 10, 1)
    far_places_ok: bool = False  # features outside the jurisdiction are warnings, not errors


@dataclass
class CheckContext:
    conn: Connection
    store: Store
    problems: Problems
    options: CheckOptions


def _stored(ctx: CheckContext, table: str, column: str) -> pd.Index:
    values = ctx.conn.execute(select(schema.ENTITY_TABLES[table].c[column])).scalars().all()
    return pd.Index(values)


def check_duplicate_keys(frame: pd.DataFrame, spec: EntitySpec, problems: Problems) -> None:
    key = [k for k in spec.key if k in frame]
    if len(key) != len(spec.key):
        return
    keys = frame[key]
    complete = keys.notna().all(axis=1).to_numpy()
    dup = keys.duplicated(keep="first").to_numpy() & complete
    if not dup.any():
        return
    # Each row's key as a group number, in the order keys first appear: the first row of each group.
    group = keys.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(group, return_index=True)
    first_seen = problems.row_numbers[first[group]]
    before, after = say("与第 ", "the same key as row "), say(" 行重复", "")

    def reasons(rows: npt.NDArray[np.int64]) -> list[str]:
        return (before + pd.Series(first_seen[rows]).astype(str) + after).tolist()

    def shown(rows: npt.NDArray[np.int64]) -> list[str]:
        parts = keys.iloc[rows].astype(str)
        text = parts.iloc[:, 0]
        for i in range(1, len(key)):
            text = text + "|" + parts.iloc[:, i]
        return text.tolist()

    problems.add(dup, "+".join(key), reasons, shown)


def _check_codes_known(values: pd.Series, known: pd.Index, ctx: CheckContext, field: str, reason: str) -> None:
    present = values.notna().to_numpy()
    unknown = present & ~values.isin(known).to_numpy()
    ctx.problems.add(unknown, field, reason, values)


def _check_enterprises_exist(frame: pd.DataFrame, ctx: CheckContext) -> None:
    known = _stored(ctx, "enterprises", "uscc")
    reason = say("企业不在库中，请先导入企业", "the enterprise is not in the store: import the enterprises first")
    _check_codes_known(frame["uscc"], known, ctx, "uscc", reason)


def _check_parcels_exist(frame: pd.DataFrame, ctx: CheckContext) -> None:
    known = _stored(ctx, "parcels", "parcel_code")
    reason = say("宗地不在库中，请先导入宗地", "the parcel is not in the store: import the parcels first")
    _check_codes_known(frame["parcel_code"], known, ctx, "parcel_code", reason)


def _check_division_codes(frame: pd.DataFrame, ctx: CheckContext) -> None:
    if "division_code" not in frame:
        return
    codes = frame["division_code"]
    present = codes.notna().to_numpy()
    text = codes.astype("string")
    well_formed = (text.str.fullmatch(r"\d+").fillna(False) & text.str.len().isin(list(LEVEL_BY_LENGTH))).to_numpy()
    ctx.problems.add(
        present & ~well_formed,
        "division_code",
        say("行政区划代码应为6、9或12位数字", "a division code must be 6, 9 or 12 digits"),
        codes,
    )
    known = _stored(ctx, "divisions", "division_code")
    if len(known):
        unknown = present & well_formed & ~codes.isin(known).to_numpy()
        reason = say(
            "行政区划代码不在库中，请先导入行政区划",
            "the division code is not in the store: import the divisions first",
        )
        ctx.problems.add(unknown, "division_code", reason, codes)


_DATE_ORDER = [
    ("approved_date", "supplied_date"),
    ("supplied_date", "agreed_start_date"),
    ("agreed_start_date", "agreed_completion_date"),
    ("supplied_date", "actual_start_date"),
    ("actual_start_date", "completion_date"),
    ("completion_date", "production_date"),
]
_ACTUAL_DATES = ["actual_start_date", "completion_date", "production_date", "supplied_date", "approved_date"]


def check_dates(frame: pd.DataFrame, spec: EntitySpec, ctx: CheckContext, order: list[tuple[str, str]]) -> None:
    """Dates in a possible order, none before 1949-10-01, none that happened after today."""
    earliest = pd.Timestamp(ctx.options.earliest)
    today = pd.Timestamp(ctx.options.today)
    for name in [f.name for f in spec.fields if f.name in frame and f.kind == "date"]:
        dates = frame[name]
        ctx.problems.add(
            (dates < earliest).fillna(False).to_numpy(dtype=bool),
            name,
            say(
                f"日期早于 {ctx.options.earliest:%Y-%m-%d}，疑为录入错误",
                f"the date is before {ctx.options.earliest:%Y-%m-%d}: probably mistyped",
            ),
            _dates_at(dates),
        )
        if name in _ACTUAL_DATES:
            ctx.problems.add(
                (dates > today).fillna(False).to_numpy(dtype=bool),
                name,
                say(
                    f"已发生的日期晚于今天 {ctx.options.today:%Y-%m-%d}",
                    f"an event that has happened is dated after today, {ctx.options.today:%Y-%m-%d}",
                ),
                _dates_at(dates),
            )
    for earlier, later in order:
        if earlier not in frame or later not in frame:
            continue
        wrong = (frame[earlier] > frame[later]).fillna(False).to_numpy(dtype=bool)
        a, b = spec.field(earlier), spec.field(later)
        ctx.problems.add(
            wrong,
            later,
            say(
                f"{b.zh}早于{a.zh}，日期顺序不可能",
                f'the date "{b.en or later}" is before the date "{a.en or earlier}": the dates cannot be in this order',
            ),
            _pair_at(_dates_at(frame[earlier]), _dates_at(frame[later]), " > "),
        )


RowTexts = Callable[[npt.NDArray[np.int64]], list[str]]


def _dates_at(dates: pd.Series) -> RowTexts:
    """ISO texts of some rows' dates, built only for the rows that have a problem."""
    return lambda rows: dates.iloc[rows].dt.strftime("%Y-%m-%d").tolist()


def _pair_at(left: RowTexts, right: RowTexts, joiner: str) -> RowTexts:
    return lambda rows: [f"{a}{joiner}{b}" for a, b in zip(left(rows), right(rows), strict=True)]


def _formatted_at(template: str, *columns: npt.NDArray[Any]) -> RowTexts:
    """``template`` filled from the columns, for the rows that have a problem only."""
    return lambda rows: [template.format(*values) for values in zip(*(c[rows] for c in columns), strict=True)]


def _relative_gap(a: pd.Series, b: pd.Series | npt.NDArray[np.float64]) -> pd.Series:
    a = a.astype("float64")
    b = pd.Series(np.asarray(b, dtype="float64"), index=a.index)
    return (a - b).abs() / np.maximum(np.maximum(a.abs(), b.abs()), 1e-9)


def check_parcel_areas(frame: pd.DataFrame, area_m2: npt.NDArray[np.float64], ctx: CheckContext) -> None:
    """Recorded areas (m², mu, ha) against each other and against the geometry, within the policy's
    ``inventory.area_tolerance`` (docs/policy.md)."""
    tol = ctx.options.area_tolerance
    recorded = {
        "registered_area_m2": (1.0, "m²"),
        "registered_area_mu": (M2_PER_MU, say("亩", "mu")),
        "registered_area_ha": (M2_PER_HA, say("公顷", "ha")),
    }
    as_m2 = {n: frame[n] * f for n, (f, _) in recorded.items() if n in frame}
    geometry_mu = area_m2 / M2_PER_MU
    for name, values in as_m2.items():
        gap = _relative_gap(values, area_m2)
        bad = (gap > tol).fillna(False).to_numpy(dtype=bool) & ~np.isnan(area_m2)
        unit = recorded[name][1]
        reason = say(
            "登记面积与图形面积相差 {:.1%}，超过容差 " + f"{tol:.0%}",
            "the recorded area differs from the geometry's by {:.1%}, more than the tolerance of " + f"{tol:.0%}",
        )
        shown = say("{:.4f} " + unit + "，图形 {:.2f} 亩", "{:.4f} " + unit + " vs geometry {:.2f} mu")
        ctx.problems.add(
            bad,
            name,
            _formatted_at(reason, gap.to_numpy()),
            _formatted_at(shown, frame[name].to_numpy(dtype=float), geometry_mu),
        )
    names = list(as_m2)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            gap = _relative_gap(as_m2[first], as_m2[second])
            bad = (gap > tol).fillna(False).to_numpy(dtype=bool)
            a, b = ENTITIES["parcels"].field(first), ENTITIES["parcels"].field(second)
            ctx.problems.add(
                bad,
                second,
                say(
                    f"{b.header}与{a.header}换算后不一致，超过容差 {tol:.0%}",
                    f"{b.header_en} and {a.header_en} disagree once converted, by more than the tolerance of {tol:.0%}",
                ),
                _formatted_at("{} / {}", frame[first].to_numpy(), frame[second].to_numpy()),
            )


def _check_within_jurisdiction(frame: pd.DataFrame, ctx: CheckContext) -> None:
    """Features whose centre lies outside the extent of the store's division boundaries (with a
    margin): errors, or warnings when the user accepts far places. No boundaries, no check."""
    if "geom" not in frame:
        return
    divisions = read_table(ctx.conn, ctx.store, schema.divisions, ["geom"])
    drawn = divisions["geom"].to_numpy(dtype=object)
    drawn = drawn[~(shapely.is_missing(drawn) | shapely.is_empty(drawn))]
    geoms = frame["geom"].to_numpy(dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not len(drawn) or not present.any():
        return
    bounds = shapely.bounds(drawn)
    x0, y0 = bounds[:, 0].min() - JURISDICTION_MARGIN_M, bounds[:, 1].min() - JURISDICTION_MARGIN_M
    x1, y1 = bounds[:, 2].max() + JURISDICTION_MARGIN_M, bounds[:, 3].max() + JURISDICTION_MARGIN_M
    box = shapely.bounds(geoms)  # NaN for a missing geometry
    cx, cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
    outside = present & ~((cx >= x0) & (cx <= x1) & (cy >= y0) & (cy <= y1))
    advice = (
        ""
        if ctx.options.far_places_ok
        else say(
            "；若确属此处，导入时选择接受远处的图形",
            "; if it really is there, choose to accept far places when importing",
        )
    )
    ctx.problems.add(
        outside,
        "geom",
        say(
            f"图形位于库中行政区划的范围之外（超出 {JURISDICTION_MARGIN_M / 1000:g} 千米以上）{advice}",
            f"the feature lies outside the store's divisions (by more than {JURISDICTION_MARGIN_M / 1000:g} km)"
            f"{advice}",
        ),
        severity=Severity.WARNING if ctx.options.far_places_ok else Severity.ERROR,
    )


def check_parcels(frame: pd.DataFrame, ctx: CheckContext) -> None:
    spec = ENTITIES["parcels"]
    if "land_use_code" in frame:
        _check_codes_known(
            frame["land_use_code"],
            pd.Index(list(land_use_codes())),
            ctx,
            "land_use_code",
            say(
                "不是 GB/T 21010-2017 土地利用现状分类代码",
                "not a land-use code of GB/T 21010-2017 (Current Land Use Classification)",
            ),
        )
    _check_division_codes(frame, ctx)
    _check_within_jurisdiction(frame, ctx)
    check_dates(frame, spec, ctx, _DATE_ORDER)


def check_divisions(frame: pd.DataFrame, ctx: CheckContext) -> None:
    codes = frame["division_code"].astype("string")
    present = codes.notna().to_numpy()
    well_formed = (codes.str.fullmatch(r"\d+").fillna(False) & codes.str.len().isin(list(LEVEL_BY_LENGTH))).to_numpy()
    ctx.problems.add(
        present & ~well_formed,
        "division_code",
        say(
            "行政区划代码应为6位（县）、9位（镇街）或12位（村居）数字",
            "a division code must be 6 (county), 9 (town) or 12 (village) digits",
        ),
        codes,
    )
    length = codes.str.len()
    parent_code = codes.str[:9].where(length == 12, codes.str[:6].where(length == 9))
    parent_code = parent_code.astype(object).where(parent_code.notna(), None)
    # A missing parent is made from the national table (importing/divisions.py); only one that
    # exists nowhere refuses the row.
    known = _stored(ctx, "divisions", "division_code").union(pd.Index(codes.dropna()))
    known = known.union(pd.Index(list(division_names())))
    orphan = present & well_formed & parent_code.notna().to_numpy() & ~parent_code.isin(known).to_numpy()
    reason = say(
        "上级区划不在库中、本文件中，也不在国家统计局 2023 年统计用区划代码中",
        "the parent division is neither in the store, nor in this file, nor in the 2023 statistical division codes",
    )
    ctx.problems.add(orphan, "division_code", reason, codes)
    frame["level"] = codes.str.len().map({6: "county", 9: "town", 12: "village"}).astype(object)
    frame["parent_code"] = parent_code


def check_buildings(frame: pd.DataFrame, ctx: CheckContext) -> None:
    _check_parcels_exist(frame, ctx)
    _check_within_jurisdiction(frame, ctx)
    if "storeys" in frame and "storeys_over_8m" in frame:
        bad = (frame["storeys_over_8m"] > frame["storeys"]).fillna(False).to_numpy(dtype=bool)
        reason = say("层高超8米层数多于总层数", "more storeys are over 8 m high than the building has storeys")
        ctx.problems.add(bad, "storeys_over_8m", reason, frame["storeys_over_8m"])
    if "footprint_m2" in frame:
        bad = (frame["footprint_m2"] > frame["floor_area_m2"] * 1.0001).fillna(False).to_numpy(dtype=bool)
        ctx.problems.add(
            bad,
            "footprint_m2",
            say("基底面积大于建筑面积", "the footprint is larger than the floor area"),
            _formatted_at("{} > {}", frame["footprint_m2"].to_numpy(), frame["floor_area_m2"].to_numpy()),
        )


def check_enterprises(frame: pd.DataFrame, ctx: CheckContext) -> None:
    codes = frame["uscc"]
    present = codes.notna().to_numpy()
    valid = uscc.validate_many(codes.tolist())
    bad = present & ~valid
    reasons = np.full(len(frame), "", dtype=object)
    reasons[bad] = [uscc.problem(str(c)) for c in codes[bad]]  # words only for the few bad codes
    ctx.problems.add(bad, "uscc", reasons, codes)
    if "industry_code" in frame:
        raw = frame["industry_code"]
        digits = normalize_industry_codes(raw)
        unknown = raw.notna().to_numpy() & ~industry_codes_known(digits.fillna(""))
        ctx.problems.add(
            unknown,
            "industry_code",
            say(
                "不是 GB/T 4754-2017 国民经济行业代码（如 C3411 或 3411）",
                "not an industry code of GB/T 4754-2017 (such as C3411 or 3411)",
            ),
            raw,
        )
        frame["industry_code"] = digits.astype(object).where(digits.notna(), raw)
    _check_division_codes(frame, ctx)


def check_occupancy(frame: pd.DataFrame, ctx: CheckContext) -> None:
    _check_enterprises_exist(frame, ctx)
    _check_parcels_exist(frame, ctx)
    check_dates(frame, ENTITIES["occupancy"], ctx, [("start_date", "end_date")])
    _check_shares(frame, ctx)


def _check_shares(frame: pd.DataFrame, ctx: CheckContext) -> None:
    """On any day, the enterprises on one parcel hold at most all of it."""
    cols = ["uscc", "parcel_code", "start_date", "end_date", "land_share"]
    mine = frame.reindex(columns=cols).assign(_row=np.arange(len(frame)))
    mine["end_date"] = pd.to_datetime(mine["end_date"])
    stored = _stored_occupancy(ctx, mine["parcel_code"].dropna().unique())
    if len(stored):
        replaced = stored.merge(mine[["uscc", "parcel_code", "start_date"]], how="left", indicator=True)
        stored = stored[(replaced["_merge"] == "left_only").to_numpy()].assign(_row=-1)
    everyone = pd.concat([mine, stored], ignore_index=True) if len(stored) else mine
    pairs = mine.merge(everyone, on="parcel_code", suffixes=("", "_other"))
    far_future = pd.Timestamp("2262-01-01")
    covers = (pairs["start_date_other"] <= pairs["start_date"]) & (
        pairs["end_date_other"].fillna(far_future) > pairs["start_date"]
    )
    total = pairs[covers].groupby("_row")["land_share_other"].sum()
    over = np.zeros(len(frame), dtype=bool)
    over_rows = total[total > 1.0 + 1e-6]
    over[over_rows.index.to_numpy(dtype=np.int64)] = True
    shown = pd.Series(np.nan, index=range(len(frame)))
    shown[over_rows.index] = over_rows.round(4)
    ctx.problems.add(
        over,
        "land_share",
        say(
            "同一宗地同期各企业用地占比之和超过 100%",
            "the enterprises' shares of this parcel add up to more than 100% on this date",
        ),
        np.asarray(shown.to_numpy(), dtype=object),
    )


def _stored_occupancy(ctx: CheckContext, parcels: npt.NDArray[np.object_]) -> pd.DataFrame:
    columns = ["uscc", "parcel_code", "start_date", "end_date", "land_share"]
    return read_rows_in(ctx.conn, ctx.store, schema.occupancy, columns, "parcel_code", list(parcels))


def check_metrics(frame: pd.DataFrame, ctx: CheckContext) -> None:
    _check_enterprises_exist(frame, ctx)
    future = (frame["year"] > ctx.options.today.year).fillna(False).to_numpy(dtype=bool)
    ctx.problems.add(future, "year", say("年度晚于今年", "the year is after this year"), frame["year"])


_PARENT_LEVEL = {"middle": "big", "small": "middle"}
_LEVEL_EN = {"big": "big zone", "middle": "middle zone", "small": "small zone"}


def check_planning_zones(frame: pd.DataFrame, ctx: CheckContext) -> None:
    """A parent, when given, is a known zone one level up (中圈 in a 大圈, 小圈 in a 中圈)."""
    if "parent_code" not in frame:
        return
    stored = ctx.conn.execute(select(schema.planning_zones.c.zone_code, schema.planning_zones.c.level)).all()
    levels = pd.Series(dict(stored), dtype=object)
    levels = pd.concat([levels[~levels.index.isin(frame["zone_code"])], frame.set_index("zone_code")["level"]])
    parent = frame["parent_code"]
    present = parent.notna().to_numpy()
    parent_level = parent.map(levels)
    unknown = present & parent_level.isna().to_numpy()
    reason = say("上级分区不在库中也不在本文件中", "the parent zone is neither in the store nor in this file")
    ctx.problems.add(unknown, "parent_code", reason, parent)
    wanted = frame["level"].map(_PARENT_LEVEL)
    level_names = {level: say(zh, _LEVEL_EN[level]) for level, zh in PLANNING_LEVEL_ZH.items()}
    wrong = present & ~unknown & (parent_level != wanted).fillna(True).to_numpy(dtype=bool)
    ctx.problems.add(
        wrong,
        "parent_code",
        say(
            "上级分区应为上一层级（中圈属大圈，小圈属中圈）",
            "the parent must be a zone one level up (a middle zone in a big zone, a small zone in a middle zone)",
        ),
        parent + say("（", " (") + parent_level.map(level_names).fillna("?") + say("）", ")"),
    )


CHECKS: dict[str, Callable[[pd.DataFrame, CheckContext], None]] = {
    "divisions": check_divisions,
    "parcels": check_parcels,
    "buildings": check_buildings,
    "enterprises": check_enterprises,
    "occupancy": check_occupancy,
    "metrics": check_metrics,
    "planning_zones": check_planning_zones,
}


def geometry_area_m2(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
    return np.asarray(shapely.area(geoms), dtype=np.float64)
