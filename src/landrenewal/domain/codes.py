"""Code tables of national standards: GB/T 21010-2017 land use, GB/T 4754-2017 industries, and the
county (GB/T 2260) and town division codes of the National Bureau of Statistics.

The tables ship as CSV files in ``landrenewal/data``; they are reference data, read once.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("landrenewal.data").joinpath(name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
@cache
def division_names() -> dict[str, str]:
    """County (6-digit) and town (9-digit) division codes → names: 国家统计局《2023年统计用区划代码和
    城乡划分代码》 (data/divisions_nbs_2023.SOURCE.txt). Villages are not in it."""
    return {row["code"]: row["name"] for row in _read_csv("divisions_nbs_2023.csv")}


def land_use_codes() -> dict[str, str]:
    """GB/T 21010-2017 codes (first and second level) → name."""
    return {r["code"]: r["name"] for r in _read_csv("land_use_gbt21010_2017.csv")}


@cache
def industry_divisions() -> dict[str, tuple[str, str]]:
    """GB/T 4754-2017 two-digit division → (section letter, name)."""
    return {r["division"]: (r["section"], r["name"]) for r in _read_csv("industry_gbt4754_2017_divisions.csv")}


# An industry code as files give it: "C3411", "3411", "34", "C34" → digits "3411", "34".
_INDUSTRY = re.compile(r"^(?:[A-T])?(\d{2}(?:\d{1,2})?)$")


def normalize_industry_codes(codes: pd.Series) -> pd.Series:
    """Industry codes reduced to their GB/T 4754 digits (2 to 4), NA where the form is wrong."""
    s = codes.astype("string").str.strip().str.upper()
    return s.str.extract(_INDUSTRY, expand=False).astype("string")


def industry_codes_known(digits: pd.Series) -> npt.NDArray[np.bool_]:
    """True where the two-digit division of a normalized code exists in GB/T 4754-2017."""
    known = set(industry_divisions())
    return np.asarray(digits.str[:2].isin(known).fillna(False), dtype=bool)


def industry_division(digits: pd.Series) -> pd.Series:
    return digits.str[:2]


def is_manufacturing(digits: pd.Series) -> npt.NDArray[np.bool_]:
    """Section C (manufacturing) of GB/T 4754-2017: divisions 13–43."""
    sections = {d: s for d, (s, _) in industry_divisions().items()}
    return np.asarray(digits.str[:2].map(sections).eq("C").fillna(False), dtype=bool)


@cache
def industry_2017_to_2002() -> dict[str, str]:
    """GB/T 4754-2017 division (or group, where a division split) → GB/T 4754-2002 division.

    The 2008 land-control table is keyed by 2002 divisions. Where a 2017 division took parts of
    several 2002 ones, the 3-digit group decides (e.g. 292 塑料制品 → 30, the rest of 29 → 29).
    2017 division 43 (repair of metal products and machinery) had no 2002 division: no mapping.
    """
    return {r["code_2017"]: r["code_2002"] for r in _read_csv("industry_gbt4754_2017_to_2002.csv")}


def division_2002(digits: pd.Series) -> pd.Series:
    """The GB/T 4754-2002 division of normalized 2017 codes: by 3-digit group first, then division."""
    table = industry_2017_to_2002()
    codes, index = pd.factorize(digits)  # a few hundred distinct codes in a city: map those
    distinct = pd.Series(index, dtype="string")
    mapped = distinct.str[:3].map(table).fillna(distinct.str[:2].map(table)).astype("string")
    return pd.Series(mapped.array.take(codes, allow_fill=True), index=digits.index, dtype="string")
