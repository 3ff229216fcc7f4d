"""The 大/中/小圈 renewal plan against the policy (docs/zones.md; 东府〔2023〕4号).

Dongguan plans renewal on three levels: the special plan draws 5–10 km² key renewal areas
(大圈, ``big``); within them, district plans draw 1–3 km² key renewal districts (中圈,
``middle``); unit plans draw renewal units of at most 300 mu (小圈, ``small``). The document adds
"各层级传导预留10%的弹性调整空间": each level, as it carries the level above down to the ground,
keeps 10 % room to adjust. The numbers come from the policy (``zones.*``); this module only says
what they mean:

* Size — the stated range is widened by the elasticity at both ends: ``[lo × (1 − e),
  hi × (1 + e)]``, i.e. 大圈 4.5–11 km², 中圈 0.9–3.3 km², 小圈 ≤ 330 mu with e = 10 %. A zone
  of exactly 11 km² passes; the message names both the stated and the widened bound.
* Nesting — a lower-level plan may move the boundary it was given by up to the elasticity: a
  child may lie outside its parent by at most ``e`` of its own area (a 2 km² 中圈 may have
  0.2 km² outside its 大圈). The parent is ``parent_code`` when given, else the zone one level up
  holding the largest part of the child; a child meeting no such zone has no parent.
* Siblings — the elasticity lets a plan adjust what the level above gave it; it does not let
  two zones of one level claim the same land, so any overlap between zones of a level (beyond
  floating-point noise) is reported, with its area.
* The 70 % rule (``zones.share_inside_big_circle_min``, "不少于70%的改造规模落实在…大圈内") is a
  floor of its own, not widened: the document's elasticity is about passing plans down the levels.

A value the policy does not define is never invented: the checks that need it do not run, and
``not_run`` says which and why. Checks that need no number (no parent, a wrong or unknown parent
code, overlaps) always run. Everything is vectorized over zones: one STRtree query for parents,
one for overlaps, intersections over the candidate pairs only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from landrenewal.domain import keys, overlay
from landrenewal.domain.fields import PLANNING_LEVEL_ZH
from landrenewal.domain.language import say
from landrenewal.domain.policy import PolicyError, ResolvedPolicy
from landrenewal.domain.units import M2_PER_MU
from landrenewal.domain.zone_policy import SHARE_INSIDE_BIG_MIN

Geoms = npt.NDArray[np.object_]

BIG_KM2 = "zones.big_circle_km2"
MIDDLE_KM2 = "zones.middle_circle_km2"
SMALL_MAX = "zones.small_circle_max"
ELASTICITY = "zones.level_elasticity"
PARAMETERS = (BIG_KM2, MIDDLE_KM2, SMALL_MAX, ELASTICITY, SHARE_INSIDE_BIG_MIN)

LEVELS = ("big", "middle", "small")
PARENT_LEVEL = {"middle": "big", "small": "middle"}
M2_PER_KM2 = 1_000_000.0
KM2, MU = "km²", "亩"
# How each level's area is shown and judged: the unit its policy parameter is given in.
LEVEL_UNIT = {"big": (KM2, M2_PER_KM2), "middle": (KM2, M2_PER_KM2), "small": (MU, M2_PER_MU)}
SHARE_UNIT = "比例"
# The levels and units as the English reader names them (vocabulary.py has the labels the UI shows).
LEVEL_EN = {"big": "big zone", "middle": "middle zone", "small": "small zone"}
UNIT_EN = {MU: "mu"}

# Areas come from coordinates and differ from exact figures in their last bits: a zone drawn at
# exactly the bound must pass, so comparisons allow this much relative (areas) or absolute
# (shares) noise. Not a policy number: far below any surveyed precision.
AREA_RTOL = 1e-9
SHARE_ATOL = 1e-9

VIOLATION_COLUMNS = ["zone_code", "name", "level", "check", "value", "limit", "unit", "related_code", "message"]
CHECKS = (
    "size_too_small",
    "size_too_large",
    "parent_missing",
    "parent_wrong_level",
    "no_parent",
    "outside_parent",
    "overlaps_sibling",
)
TOWN_COLUMNS = ["town", "area_mu", "inside_big_mu", "share", "share_min", "meets"]


@dataclass(frozen=True)
class PlanLimits:
    """The policy's numbers for the plan, None where the policy has none on the date."""

    big_km2: tuple[float, float] | None  # stated range of a 大圈 (Dongguan 5–10)
    middle_km2: tuple[float, float] | None  # stated range of a 中圈 (Dongguan 1–3)
    small_max_mu: float | None  # stated maximum of a 小圈 (Dongguan 300)
    elasticity: float | None  # room each level keeps to adjust the one above (Dongguan 0.1)
    share_inside_big_min: float | None  # of a town's renewal inside 大圈 (Dongguan 0.7)
    sources: dict[str, str] = field(default_factory=dict)  # parameter → the clause it cites

    @classmethod
    def of(cls, policy: ResolvedPolicy) -> PlanLimits:
        """The limits in ``policy``; a value of the wrong shape is a PolicyError naming it."""
        problems: list[str] = []

        def value(name: str) -> Any:
            return policy.values[name].value if name in policy.values else None

        limits = cls(
            big_km2=_range(BIG_KM2, value(BIG_KM2), problems),
            middle_km2=_range(MIDDLE_KM2, value(MIDDLE_KM2), problems),
            small_max_mu=_positive(SMALL_MAX, value(SMALL_MAX), problems),
            elasticity=_share(ELASTICITY, value(ELASTICITY), problems),
            share_inside_big_min=_share(SHARE_INSIDE_BIG_MIN, value(SHARE_INSIDE_BIG_MIN), problems),
            sources={name: policy.values[name].source for name in PARAMETERS if name in policy.values},
        )
        if problems:
            raise PolicyError(
                [say(f"政策 {policy.policy_id}：{p}", f"policy {policy.policy_id}: {p}") for p in problems]
            )
        return limits

    def missing(self) -> list[str]:
        """The parameters the policy does not define."""
        given = {
            BIG_KM2: self.big_km2,
            MIDDLE_KM2: self.middle_km2,
            SMALL_MAX: self.small_max_mu,
            ELASTICITY: self.elasticity,
            SHARE_INSIDE_BIG_MIN: self.share_inside_big_min,
        }
        return [name for name, v in given.items() if v is None]

    def stated(self, level: str) -> tuple[float | None, float | None]:
        """The stated (low, high) of a level in its unit; None where the policy states no bound."""
        if level == "big":
            return self.big_km2 or (None, None)
        if level == "middle":
            return self.middle_km2 or (None, None)
        return None, self.small_max_mu

    def widened(self, level: str) -> tuple[float | None, float | None]:
        """The stated bounds with the elasticity's room: lower × (1 − e), upper × (1 + e)."""
        low, high = self.stated(level)
        e = self.elasticity
        if e is None:
            return None, None
        return (None if low is None else low * (1 - e)), (None if high is None else high * (1 + e))


def _range(name: str, value: Any, problems: list[str]) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        problems.append(
            say(f"{name} 应为 [下限, 上限] 两个数，而不是 {value!r}", f"{name} must be [low, high], not {value!r}")
        )
        return None
    if not 0 <= low <= high:
        problems.append(
            say(
                f"{name} 的下限应不大于上限且不为负：{value!r}",
                f"{name} needs a low bound of at least 0 and no higher than the high one (0 ≤ low ≤ high): {value!r}",
            )
        )
        return None
    return low, high


def _positive(name: str, value: Any, problems: list[str]) -> float | None:
    return _number(name, value, problems, lambda n: n > 0, ("应为正数", "must be a positive number"))


def _share(name: str, value: Any, problems: list[str]) -> float | None:
    return _number(name, value, problems, lambda n: 0 <= n <= 1, ("应为 0–1 之间的比例", "must be a share from 0 to 1"))


def _number(
    name: str, value: Any, problems: list[str], fits: Callable[[float], bool], wanted: tuple[str, str]
) -> float | None:
    """``value`` as a number if it fits; None (with a problem named) if it does not; None if absent."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not fits(number):
        problems.append(say(f"{name} {wanted[0]}，而不是 {value!r}", f"{name} {wanted[1]}, not {value!r}"))
        return None
    return number


def not_run(zones: pd.DataFrame, limits: PlanLimits) -> dict[str, str]:
    """The checks that cannot run on this plan under these limits, ``check:level`` → why."""
    out: dict[str, str] = {}
    if not len(zones):
        out["plan"] = say(
            "没有改造规划分区（planning_zones），请先导入大/中/小圈。",
            "there are no planning zones (planning_zones) to check; import the big, middle and small zones first.",
        )
        return out
    no_elasticity_zh = f"政策未规定 {ELASTICITY}（各层级弹性调整空间）"
    no_elasticity_en = f"the policy has no {ELASTICITY} (the room each level keeps for adjustment)"
    for level, name in (("big", BIG_KM2), ("middle", MIDDLE_KM2), ("small", SMALL_MAX)):
        zh, en = PLANNING_LEVEL_ZH[level], LEVEL_EN[level]
        if limits.stated(level) == (None, None):
            out[f"size:{level}"] = say(
                f"政策未规定 {name}（{zh}面积），未检查{zh}面积",
                f"the policy has no {name} (the size of a {en}): the sizes of {en}s were not checked",
            )
        elif limits.elasticity is None:
            out[f"size:{level}"] = say(
                f"{no_elasticity_zh}，未检查{zh}面积", f"{no_elasticity_en}: the sizes of {en}s were not checked"
            )
    present = set(zones["level"].astype(str))
    for level, up in PARENT_LEVEL.items():
        zh, up_zh = PLANNING_LEVEL_ZH[level], PLANNING_LEVEL_ZH[up]
        en, up_en = LEVEL_EN[level], LEVEL_EN[up]
        if level not in present:
            continue
        if up not in present:
            why = say(
                f"规划中没有{up_zh}，未检查{zh}是否位于{up_zh}内",
                f"the plan has no {up_en}: whether each {en} lies inside one was not checked",
            )
            out[f"no_parent:{level}"] = why
            out[f"outside_parent:{level}"] = why
        elif limits.elasticity is None:
            out[f"outside_parent:{level}"] = say(
                f"{no_elasticity_zh}，未检查{zh}超出{up_zh}的比例",
                f"{no_elasticity_en}: the share of each {en} outside its {up_en} was not checked",
            )
    return out


def check_plan(zones: pd.DataFrame, limits: PlanLimits) -> pd.DataFrame:
    """One row per violation (VIOLATION_COLUMNS), by level, zone code and check.

    ``zones`` has zone_code (unique), name, level (big | middle | small), parent_code (may be
    missing) and geom (shapely polygons in a projected CRS, metres)."""
    skip = not_run(zones, limits)
    if "plan" in skip:
        return _empty()
    plan = _Plan.of(zones)
    parts = [_sizes(plan, limits, level) for level in LEVELS if f"size:{level}" not in skip]
    parent, problems = _parents(plan)
    parts += problems
    for level in PARENT_LEVEL:
        if f"no_parent:{level}" not in skip:
            parts.append(_no_parent(plan, parent, level))
        if f"outside_parent:{level}" not in skip:
            assert limits.elasticity is not None
            parts.append(_outside(plan, parent, level, limits.elasticity))
    parts.append(_overlaps(plan))
    found = pd.concat([p for p in parts if len(p)] or [_empty()], ignore_index=True)
    order = np.lexsort(
        (
            found["check"].map(CHECKS.index).to_numpy(),
            found["zone_code"].to_numpy(dtype=object).astype(str),
            found["level"].map(LEVELS.index).to_numpy(),
        )
    )
    return found.iloc[order].reset_index(drop=True)


@dataclass(frozen=True)
class _Plan:
    code: npt.NDArray[np.object_]
    name: npt.NDArray[np.object_]
    level: npt.NDArray[np.object_]
    parent_code: npt.NDArray[np.object_]  # None where not given
    geom: Geoms
    area_m2: npt.NDArray[np.float64]

    @classmethod
    def of(cls, zones: pd.DataFrame) -> _Plan:
        codes = zones["zone_code"].astype(str).to_numpy(dtype=object)
        if len(set(codes)) != len(codes):
            raise ValueError(say("分区代码（zone_code）有重复", "zone_code must be unique"))
        parent = zones["parent_code"] if "parent_code" in zones else pd.Series(None, index=zones.index)
        parent = parent.astype(object).where(parent.notna() & (parent.astype(str).str.strip() != ""), None)
        geom = np.asarray(zones["geom"].to_numpy(dtype=object), dtype=object)
        return cls(
            code=codes,
            name=zones["name"].astype(str).to_numpy(dtype=object),
            level=zones["level"].astype(str).to_numpy(dtype=object),
            parent_code=parent.to_numpy(dtype=object),
            geom=geom,
            area_m2=np.asarray(shapely.area(geom), dtype=np.float64),
        )


def _empty() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in VIOLATION_COLUMNS})
    frame["value"] = frame["value"].astype(np.float64)
    frame["limit"] = frame["limit"].astype(np.float64)
    return frame


def _rows(
    plan: _Plan,
    rows: npt.NDArray[np.int64],
    check: str,
    value: npt.NDArray[np.float64] | float,
    limit: float,
    unit: str,
    message: npt.NDArray[np.object_] | list[str],
    related: npt.NDArray[np.object_] | None = None,
) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame(
        {
            "zone_code": plan.code[rows],
            "name": plan.name[rows],
            "level": plan.level[rows],
            "check": [check] * n,
            "value": np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy(),
            "limit": np.full(n, limit, dtype=np.float64),
            "unit": [unit] * n,
            "related_code": np.full(n, None, dtype=object) if related is None else related,
            "message": np.asarray(message, dtype=object),
        }
    )


def _label(plan: _Plan, rows: npt.NDArray[np.int64]) -> list[str]:
    """大圈 DG-01（东城重点改造区域）, big zone DG-01 (东城重点改造区域): how a message names a zone."""
    return [
        say(f"{PLANNING_LEVEL_ZH.get(lv, lv)} {code}（{name}）", f"{LEVEL_EN.get(lv, lv)} {code} ({name})")
        for lv, code, name in zip(plan.level[rows], plan.code[rows], plan.name[rows], strict=True)
    ]


def _level(level: str) -> str:
    """A level's name in the reader's language: 大圈, big zone."""
    return say(PLANNING_LEVEL_ZH.get(level, level), LEVEL_EN.get(level, level))


def _unit(unit: str) -> str:
    return say(unit, UNIT_EN.get(unit, unit))


def _amount(value: float, unit: str) -> str:
    return f"{value:.2f} {_unit(unit)}" if unit == KM2 else f"{value:.1f} {_unit(unit)}"


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def _sizes(plan: _Plan, limits: PlanLimits, level: str) -> pd.DataFrame:
    unit, factor = LEVEL_UNIT[level]
    assert limits.elasticity is not None
    room = _percent(limits.elasticity)
    (low, high), (wide_low, wide_high) = limits.stated(level), limits.widened(level)
    rows = np.flatnonzero(plan.level == level)
    value = plan.area_m2[rows] / factor
    parts = []
    if wide_high is not None and high is not None:
        over = rows[value > wide_high * (1 + AREA_RTOL)]
        v = plan.area_m2[over] / factor
        text = [
            say(
                f"{who}面积 {_amount(x, unit)}，超过 {high:g} {unit}（含{room}弹性 {_amount(wide_high, unit)}）",
                f"{who} has an area of {_amount(x, unit)}, above {high:g} {_unit(unit)} "
                f"({_amount(wide_high, unit)} with the {room} elasticity)",
            )
            for who, x in zip(_label(plan, over), v, strict=True)
        ]
        parts.append(_rows(plan, over, "size_too_large", v, wide_high, unit, text))
    if wide_low is not None and low is not None:
        under = rows[value < wide_low * (1 - AREA_RTOL)]
        v = plan.area_m2[under] / factor
        text = [
            say(
                f"{who}面积 {_amount(x, unit)}，小于 {low:g} {unit}（含{room}弹性 {_amount(wide_low, unit)}）",
                f"{who} has an area of {_amount(x, unit)}, below {low:g} {_unit(unit)} "
                f"({_amount(wide_low, unit)} with the {room} elasticity)",
            )
            for who, x in zip(_label(plan, under), v, strict=True)
        ]
        parts.append(_rows(plan, under, "size_too_small", v, wide_low, unit, text))
    return pd.concat(parts, ignore_index=True) if parts else _empty()


def _parents(plan: _Plan) -> tuple[npt.NDArray[np.int64], list[pd.DataFrame]]:
    """The parent row of each zone (-1 where none), and the problems with given parent codes.

    A given ``parent_code`` wins; a zone without one gets the zone one level up that holds the
    largest part of it (ties: the smaller code)."""
    n = len(plan.code)
    wanted = pd.Series(plan.level).map(PARENT_LEVEL).fillna("").to_numpy(dtype=object)
    given = pd.notna(plan.parent_code)
    row_of = pd.Index(plan.code)
    given_row = np.full(n, -1, dtype=np.int64)
    if given.any():
        given_row[given] = row_of.get_indexer(pd.Index(plan.parent_code[given].astype(str)))
    unknown = np.flatnonzero(given & (given_row < 0))
    known = given & (given_row >= 0)
    wrong = np.flatnonzero(known & (plan.level[np.maximum(given_row, 0)] != wanted))
    problems = [
        _rows(
            plan,
            unknown,
            "parent_missing",
            np.nan,
            np.nan,
            "",
            [
                say(f"{who}的上级分区代码 {p} 不在规划分区中", f"{who}: its parent zone code {p} is not in the plan")
                for who, p in zip(_label(plan, unknown), plan.parent_code[unknown], strict=True)
            ],
            plan.parent_code[unknown],
        ),
        _rows(
            plan,
            wrong,
            "parent_wrong_level",
            np.nan,
            np.nan,
            "",
            [
                _wrong_level_text(who, lv, plan.code[p], plan.level[p])
                for who, lv, p in zip(_label(plan, wrong), plan.level[wrong], given_row[wrong], strict=True)
            ],
            plan.code[given_row[wrong]],
        ),
    ]
    parent = np.where(known & (plan.level[np.maximum(given_row, 0)] == wanted), given_row, -1)

    # Spatial parents for the zones without a parent code: intersecting zones one level up.
    child, candidate = shapely.STRtree(plan.geom).query(plan.geom, predicate="intersects")
    keep = ~given[child] & (wanted[child] != "") & (plan.level[candidate] == wanted[child])
    child, candidate = child[keep], candidate[keep]
    shared = np.asarray(shapely.area(shapely.intersection(plan.geom[child], plan.geom[candidate])), dtype=np.float64)
    real = shared > AREA_RTOL * plan.area_m2[child]  # touching along an edge holds no part of it
    child, candidate, shared = child[real], candidate[real], shared[real]
    _, code_rank = keys.encode(plan.code)
    best = keys.first_of_groups(child, -shared, code_rank[candidate])
    parent[child[best]] = candidate[best]
    return parent, problems


def _wrong_level_text(who: str, level: str, parent: str, parent_level: str) -> str:
    found = _level(parent_level)
    if level not in PARENT_LEVEL:
        return say(
            f"{who}是最上一级，不应有上级分区（填了{found} {parent}）",
            f"{who} is at the top level and has no parent zone ({found} {parent} is given)",
        )
    wanted = _level(PARENT_LEVEL[level])
    return say(
        f"{who}的上级分区 {parent} 是{found}，应为{wanted}",
        f"{who}: its parent zone {parent} is a {found}; it should be a {wanted}",
    )


def _no_parent(plan: _Plan, parent: npt.NDArray[np.int64], level: str) -> pd.DataFrame:
    up = _level(PARENT_LEVEL[level])
    rows = np.flatnonzero((plan.level == level) & pd.isna(plan.parent_code) & (parent < 0))
    text = [
        say(
            f"{who}不在任何{up}内（未填上级分区代码，也没有与之相交的{up}）",
            f"{who} lies in no {up} (no parent zone code is given and no {up} intersects it)",
        )
        for who in _label(plan, rows)
    ]
    return _rows(plan, rows, "no_parent", np.nan, np.nan, "", text)


def _outside(plan: _Plan, parent: npt.NDArray[np.int64], level: str, elasticity: float) -> pd.DataFrame:
    """Children lying outside their parent by more than the elasticity share of their own area."""
    rows = np.flatnonzero((plan.level == level) & (parent >= 0) & (plan.area_m2 > 0))
    up = parent[rows]
    inside = np.asarray(shapely.area(shapely.intersection(plan.geom[rows], plan.geom[up])), dtype=np.float64)
    outside_m2 = np.maximum(plan.area_m2[rows] - inside, 0.0)
    share = outside_m2 / plan.area_m2[rows]
    hit = share > elasticity + SHARE_ATOL
    rows, up, share, outside_m2 = rows[hit], up[hit], share[hit], outside_m2[hit]
    unit, factor = LEVEL_UNIT[level]
    up_name = _level(PARENT_LEVEL[level])
    text = [
        say(
            f"{who}有 {s:.1%} 的面积（{_amount(m2 / factor, unit)}）在所属{up_name} {code} 之外，"
            f"超过{_percent(elasticity)}的弹性调整空间",
            f"{who} has {s:.1%} of its area ({_amount(m2 / factor, unit)}) outside its {up_name} {code}, "
            f"more than the {_percent(elasticity)} elasticity",
        )
        for who, s, m2, code in zip(_label(plan, rows), share, outside_m2, plan.code[up], strict=True)
    ]
    return _rows(plan, rows, "outside_parent", share, elasticity, SHARE_UNIT, text, plan.code[up])


def _overlaps(plan: _Plan) -> pd.DataFrame:
    """Pairs of zones of one level sharing land, reported once, on the zone with the smaller code."""
    left, right = shapely.STRtree(plan.geom).query(plan.geom, predicate="intersects")
    first = plan.code[left].astype(str) < plan.code[right].astype(str)
    pair = first & (plan.level[left] == plan.level[right])
    left, right = left[pair], right[pair]
    shared = np.asarray(shapely.area(shapely.intersection(plan.geom[left], plan.geom[right])), dtype=np.float64)
    real = shared > AREA_RTOL * np.minimum(plan.area_m2[left], plan.area_m2[right])
    left, right, shared = left[real], right[real], shared[real]
    units = [LEVEL_UNIT[lv] for lv in plan.level[left]]
    value = np.array([m2 / factor for m2, (_, factor) in zip(shared, units, strict=True)], dtype=np.float64)
    text = [
        say(
            f"{who}与{_level(lv)} {other} 重叠 {_amount(v, unit)}",
            f"{who} overlaps {_level(lv)} {other} by {_amount(v, unit)}",
        )
        for who, lv, other, v, (unit, _) in zip(
            _label(plan, left), plan.level[right], plan.code[right], value, units, strict=True
        )
    ]
    frame = _rows(plan, left, "overlaps_sibling", value, 0.0, "", text, plan.code[right])
    frame["unit"] = [unit for unit, _ in units]
    return frame


def area_inside_big(geoms: Geoms, zones: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The area (m²) of each geometry inside the plan's 大圈, overlapping 大圈 dissolved first so
    land is counted once; one STRtree query, intersections over candidate pairs only."""
    big = zones["level"].astype(str).to_numpy() == "big"
    return overlay.area_inside(np.asarray(geoms, dtype=object), zones["geom"].to_numpy(dtype=object)[big])


def share_inside_big(
    town: pd.Series,
    area_m2: npt.NDArray[np.float64],
    inside_big_m2: npt.NDArray[np.float64],
    share_min: float | None,
) -> pd.DataFrame:
    """Per town (TOWN_COLUMNS): renewal area, the part inside 大圈, its share and whether it
    reaches ``share_min`` (missing when the policy has no minimum or the town has no area).

    Rows are parcels or pieces of them; a piece's inside area is capped at its own area. A
    missing town is a group of its own. At exactly the minimum a town meets it."""
    area = np.asarray(area_m2, dtype=np.float64)
    inside = np.minimum(np.asarray(inside_big_m2, dtype=np.float64), area)
    frame = pd.DataFrame(
        {"town": town.reset_index(drop=True), "area_mu": area / M2_PER_MU, "inside_big_mu": inside / M2_PER_MU}
    )
    towns = frame.groupby("town", sort=True, dropna=False)[["area_mu", "inside_big_mu"]].sum().reset_index()
    towns["share"] = towns["inside_big_mu"] / towns["area_mu"].where(towns["area_mu"] > 0)
    towns["share_min"] = np.nan if share_min is None else share_min
    if share_min is None:
        towns["meets"] = pd.array([pd.NA] * len(towns), dtype="boolean")
    else:
        meets = (towns["share"] >= share_min - SHARE_ATOL).astype("boolean")
        towns["meets"] = meets.mask(towns["share"].isna())
    return towns[TOWN_COLUMNS]
