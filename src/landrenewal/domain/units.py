"""Units of area, money, energy and electricity, and conversions between them.

Areas are stored in m²; mu and ha are derived (1 mu = 10000/15 m², 1 ha = 15 mu).
Money is stored in 万元 (10⁴ yuan), energy in tce, electricity in 万kWh (万千瓦时), as statistics
report them.
Unit conversions work on scalars and numpy arrays alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

M2_PER_MU = 10000.0 / 15.0
M2_PER_HA = 10000.0
MU_PER_HA = 15.0

Num = TypeVar("Num", float, npt.NDArray[np.float64])


def m2_to_mu(m2: Num) -> Num:
    return m2 / M2_PER_MU


def mu_to_m2(mu: Num) -> Num:
    return mu * M2_PER_MU


def m2_to_ha(m2: Num) -> Num:
    return m2 / M2_PER_HA


def ha_to_m2(ha: Num) -> Num:
    return ha * M2_PER_HA


@dataclass(frozen=True)
class Unit:
    """A unit a file may use for a quantity, and its factor to our stored unit."""

    symbol: str
    quantity: str  # area | money | energy | electricity | mass | count | ratio
    to_base: float


# The stored (base) unit of each quantity, and the spellings files use for each unit.
BASE_UNITS: dict[str, str] = {
    "area": "m²",
    "money": "万元",
    "energy": "tce",
    "electricity": "万kWh",
    "mass": "t",
}

UNITS: dict[str, Unit] = {
    # area
    "m²": Unit("m²", "area", 1.0),
    "亩": Unit("亩", "area", M2_PER_MU),
    "公顷": Unit("公顷", "area", M2_PER_HA),
    # money
    "元": Unit("元", "money", 1e-4),
    "千元": Unit("千元", "money", 0.1),
    "万元": Unit("万元", "money", 1.0),
    "亿元": Unit("亿元", "money", 1e4),
    # energy
    "tce": Unit("tce", "energy", 1.0),
    "万tce": Unit("万tce", "energy", 1e4),
    # electricity
    "kWh": Unit("kWh", "electricity", 1e-4),
    "万kWh": Unit("万kWh", "electricity", 1.0),
    "MWh": Unit("MWh", "electricity", 0.1),
    # mass
    "t": Unit("t", "mass", 1.0),
    "kg": Unit("kg", "mass", 1e-3),
}

# Spellings seen in Chinese spreadsheets, normalised to a key of UNITS.
_ALIASES: dict[str, str] = {
    "平方米": "m²",
    "m2": "m²",
    "㎡": "m²",
    "平米": "m²",
    "sqm": "m²",
    "亩": "亩",
    "mu": "亩",
    "公顷": "公顷",
    "ha": "公顷",
    "hm2": "公顷",
    "hm²": "公顷",
    "元": "元",
    "千元": "千元",
    "万元": "万元",
    "亿元": "亿元",
    "吨标准煤": "tce",
    "吨标煤": "tce",
    "tce": "tce",
    "t标准煤": "tce",
    "万吨标准煤": "万tce",
    "万吨标煤": "万tce",
    "千瓦时": "kWh",
    "度": "kWh",
    "kwh": "kWh",
    "kw·h": "kWh",
    "kw.h": "kWh",
    "万千瓦时": "万kWh",
    "万度": "万kWh",
    "万kwh": "万kWh",
    "mwh": "MWh",
    "兆瓦时": "MWh",
    "吨": "t",
    "t": "t",
    "千克": "kg",
    "公斤": "kg",
    "kg": "kg",
}

_PAREN = re.compile(r"[（(\[【]\s*([^）)\]】]+?)\s*[）)\]】]\s*$")


def parse_unit(text: str) -> Unit | None:
    """The unit named in a header such as ``税收（万元）`` or ``用电量(万千瓦时)``, if any."""
    m = _PAREN.search(text.strip())
    if not m:
        return None
    key = _ALIASES.get(m.group(1).strip().lower().replace(" ", ""))
    if key is None:
        key = _ALIASES.get(m.group(1).strip().replace(" ", ""))
    return UNITS[key] if key else None


def strip_unit(text: str) -> str:
    """A header without its trailing unit in brackets: ``税收（万元）`` → ``税收``."""
    return _PAREN.sub("", text.strip()).strip()
