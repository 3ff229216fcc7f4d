"""What a rule is: an id, a name, the policy parameters it reads, and a vectorized test."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.dates import add_years, days_between
from landrenewal.domain.rules.evidence import PARAMETER_LABELS

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Hits:
    """The parcels a rule finds (a mask over the land frame) and the evidence for each."""

    mask: npt.NDArray[np.bool_]
    evidence: dict[str, pd.Series]
    milestone: pd.Series | None = None  # e.g. 征缴闲置费 / 无偿收回, where the rule has stages


@dataclass(frozen=True)
class Rule:
    id: str
    zh: str
    parameters: tuple[str, ...]  # the policy values it compares with; their sources are its clause
    find: Callable[[pd.DataFrame, Params, pd.Timestamp], Hits]
    needs_evaluation: bool = False
    reads: tuple[str, ...] = field(default=())  # land columns it needs, for documentation and checks
    en: str = ""  # its name in English, for the UI's English labels


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.id in RULES:
        raise ValueError(f"rule {rule.id} registered twice")
    if not rule.zh or not rule.en:
        raise ValueError(f"rule {rule.id} needs its name in Chinese and in English")
    if unnamed := [p for p in rule.parameters if p not in PARAMETER_LABELS]:
        raise ValueError(f"rule {rule.id} compares with parameters that have no name: {', '.join(unnamed)}")
    RULES[rule.id] = rule
    return rule


def before(dates: pd.Series, as_of: pd.Timestamp) -> npt.NDArray[np.bool_]:
    """True where a date is set and on or before ``as_of``."""
    return np.asarray((dates <= as_of).fillna(False), dtype=bool)


def not_by(dates: pd.Series, as_of: pd.Timestamp) -> npt.NDArray[np.bool_]:
    """True where the event had not happened by ``as_of`` (no date, or a later one)."""
    return ~before(dates, as_of)


def completed(land: pd.DataFrame, as_of: pd.Timestamp) -> npt.NDArray[np.bool_]:
    """Built land: the control indicators judge what was built, not a site under construction."""
    return before(land["completion_date"], as_of)


def below(values: pd.Series, limit: pd.Series | float) -> npt.NDArray[np.bool_]:
    """values < limit, with a tolerance for the last bits of floating point, unknown never below."""
    return np.asarray((values < limit - 1e-9).fillna(False), dtype=bool)


def above(values: pd.Series, limit: pd.Series | float) -> npt.NDArray[np.bool_]:
    return np.asarray((values > limit + 1e-9).fillna(False), dtype=bool)


def waited_without(land: pd.DataFrame, since: str, awaited: str, years: float, as_of: pd.Timestamp) -> Hits:
    """Land where ``years`` full years have passed since ``since`` and ``awaited`` has not happened."""
    waited = before(add_years(land[since], years), as_of)
    evidence = {since: land[since], f"days_since_{since.removesuffix('_date')}": days_between(land[since], as_of)}
    return Hits(waited & not_by(land[awaited], as_of), evidence)
