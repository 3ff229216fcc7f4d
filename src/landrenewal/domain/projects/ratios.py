"""Ratios as policy files write them (0.8, "2/3", 1) read into exact fractions.

Rules of consent and of votes compare counts against fractions such as ⅔; read as a float, ⅔ is
0.666…6 and "2 of 3 present" would compare against a rounded number. A ratio is therefore kept
as a :class:`fractions.Fraction`: a decimal written in a file (0.8) is read as the decimal it shows
(4/5), never as the binary float nearest to it.
"""

from __future__ import annotations

import re
from fractions import Fraction

_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def read_ratio(value: object) -> Fraction | None:
    """``value`` as a fraction in (0, 1], or None when it is not one (a bool, text that is not
    ``a/b``, zero, more than one, a negative number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        found = Fraction(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        found = Fraction(repr(value))  # 0.8 → 4/5, as written
    elif isinstance(value, str):
        match = _FRACTION.match(value)
        if match is None or int(match.group(2)) == 0:
            return None
        found = Fraction(int(match.group(1)), int(match.group(2)))
    else:
        return None
    return found if 0 < found <= 1 else None


def ratio_text(value: Fraction) -> str:
    """A threshold as rules write it: halves, thirds and quarters as fractions (1/2, 2/3, 3/4: 半数、
    三分之二、四分之三), other shares as percentages (80 %, 95 %), and a fraction with no short decimal
    as itself."""
    if value.denominator in (2, 3, 4):
        return f"{value.numerator}/{value.denominator}"
    hundred = value * 100
    if hundred.denominator in (1, 2, 4, 5, 10):
        return f"{float(hundred):g} %"
    return f"{value.numerator}/{value.denominator}"
