"""What a gate (or any rule a project action must pass) found: each check with its numbers.

A refused action shows the user every check, e.g. ``面积同意率 80.0 % ≥ 80 %；人数同意率 79.9 % < 80 %``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from landrenewal.domain.language import say


@dataclass(frozen=True)
class Check:
    passed: bool
    zh: str
    en: str

    @property
    def text(self) -> str:
        return say(self.zh, self.en)


@dataclass(frozen=True)
class GateOutcome:
    """The checks of one gate; it passes when every check passes (a gate with no check passes)."""

    gate: str
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def text(self) -> str:
        return say("；".join(c.zh for c in self.checks), "; ".join(c.en for c in self.checks))


def percent(ratio: float, *, up: bool = False) -> str:
    """A ratio as a percentage to 0.1, cut rather than rounded, so that the figure never contradicts
    the comparison beside it: a failing 79.96 % reads 79.9 %, a passing 66.66…7 % (⅔) with ``up`` 66.7 %."""
    scaled = ratio * 1000
    tenths = math.ceil(scaled - 1e-6) if up else math.floor(scaled + 1e-6)
    return f"{tenths / 10:.1f} %"


def threshold(ratio: float) -> str:
    """A policy threshold as people write it: 80 %, 66.7 %, 75 %."""
    return f"{round(ratio * 100, 1):g} %"


def at_least(name_zh: str, name_en: str, value: float, minimum: float) -> Check:
    """``value ≥ minimum`` for ratios, worded with the numbers."""
    ok = value >= minimum - 1e-12
    sign = "≥" if ok else "<"
    return Check(
        ok,
        f"{name_zh} {percent(value, up=ok)} {sign} {threshold(minimum)}",
        f"{name_en} {percent(value, up=ok)} {sign} {threshold(minimum)}",
    )
