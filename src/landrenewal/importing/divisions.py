"""The divisions above imported ones that nobody gave: a bureau often has only its towns' (or
villages') boundaries, and a town needs its county. The missing counties and towns come from the
national table, with their names and without a boundary (docs/store.md)."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.codes import division_names
from landrenewal.domain.language import say

_LEVEL = {6: "county", 9: "town"}


def missing_parents(codes: pd.Series, stored: pd.Index) -> pd.DataFrame:
    """Counties and towns above ``codes`` that neither the store nor ``codes`` holds and the national
    table names: division_code, name, level, parent_code (and no geometry: they have no boundary); counties first."""
    given = pd.Index(codes.dropna().astype(str).unique())
    above = pd.Index(pd.concat([given[given.str.len() > width].str[:width].to_series() for width in (6, 9)]).unique())
    table = division_names()
    wanted = sorted(c for c in above.difference(stored).difference(given) if c in table)
    frame = pd.DataFrame({"division_code": pd.Series(wanted, dtype=object)})
    frame["name"] = frame["division_code"].map(table)
    frame["level"] = frame["division_code"].str.len().map(_LEVEL)
    frame["parent_code"] = frame["division_code"].str[:6].where(frame["level"] == "town", None)
    order = frame["division_code"].str.len().to_numpy().argsort(kind="stable")  # counties before their towns
    return frame.iloc[order].reset_index(drop=True)


def made_note(parents: pd.DataFrame) -> str:
    """What the report says of the parents it made."""
    names = "、".join(parents["name"].head(5)) + ("等" if len(parents) > 5 else "")
    names_en = ", ".join(parents["division_code"].head(5)) + (" …" if len(parents) > 5 else "")
    return say(
        f"按国家统计局 2023 年统计用区划代码补建上级区划 {len(parents)} 个（只有名称，没有边界）：{names}",
        f"{len(parents)} parent divisions made from the 2023 statistical division codes "
        f"(names only, no boundary): {names_en}",
    )
