"""行政区划代码: GB/T 2260 counties (6 digits), towns (9) and villages (12) as one hierarchy.

A code's level is its length; its parent is its prefix one level up.
"""

from __future__ import annotations

from enum import StrEnum

from landrenewal.domain.language import say


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWN = "town"
    VILLAGE = "village"


LEVEL_BY_LENGTH: dict[int, Level] = {6: Level.COUNTY, 9: Level.TOWN, 12: Level.VILLAGE}
LEVEL_NAMES_ZH: dict[Level, str] = {
    Level.PROVINCE: "省",
    Level.CITY: "市",
    Level.COUNTY: "县（市、区）",
    Level.TOWN: "镇（街道）",
    Level.VILLAGE: "村（社区）",
}


def level_of(code: str) -> Level:
    """The level of a county, town or village code; ValueError for anything else."""
    if not code.isdigit():
        raise ValueError(say(f"区划代码只能是数字：{code!r}", f"a division code must be digits: {code!r}"))
    if len(code) == 6 and code.endswith("0000"):
        return Level.PROVINCE
    if len(code) == 6 and code.endswith("00"):
        return Level.CITY
    try:
        return LEVEL_BY_LENGTH[len(code)]
    except KeyError:
        raise ValueError(
            say(f"区划代码应为6、9或12位：{code!r}", f"a division code must have 6, 9 or 12 digits: {code!r}")
        ) from None


def parent_of(code: str) -> str | None:
    """The code one level up, or None for a county (the top of what we store)."""
    level = level_of(code)
    if level is Level.VILLAGE:
        return code[:9]
    if level is Level.TOWN:
        return code[:6]
    return None


def county_of(code: str) -> str:
    return code[:6]


def town_of(code: str) -> str | None:
    return code[:9] if len(code) >= 9 else None


def contains(ancestor: str, code: str) -> bool:
    """Whether ``code`` lies within ``ancestor`` (or is it)."""
    return code.startswith(ancestor)
