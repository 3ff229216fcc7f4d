"""Which parcels a zone analysis clusters: ``all``, ``findings``, ``class:C,D``, ``rule:ID,…``,
``category:闲置土地,…``; criteria joined with ``;`` select parcels meeting any of them.

The default, ``findings``, is every parcel with at least one finding of the identification run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.language import say

DEFAULT_SELECTION = "findings"
_KINDS = ("all", "findings", "class", "rule", "category")
_NEEDS_VALUES = ("class", "rule", "category")


class SelectionError(ValueError):
    """A selection that cannot be understood, with the reason in the reader's language."""


@dataclass(frozen=True)
class Criterion:
    kind: str  # all | findings | class | rule | category
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selection:
    criteria: tuple[Criterion, ...]

    @property
    def text(self) -> str:
        return ";".join(c.kind + (":" + ",".join(c.values) if c.values else "") for c in self.criteria)

    @property
    def needs_findings(self) -> bool:
        return any(c.kind in ("findings", "rule", "category") for c in self.criteria)

    @property
    def needs_classes(self) -> bool:
        return any(c.kind == "class" for c in self.criteria)


def parse_selection(
    text: str, rules: Iterable[str] = (), classes: Iterable[str] = ("A", "B", "C", "D", "T")
) -> Selection:
    """The selection a ``--select`` text names; unknown kinds, rules or classes are refused."""
    known_rules, known_classes = set(rules), set(classes)
    criteria = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        kind, _, rest = part.partition(":")
        kind = kind.strip().lower()
        values = tuple(v.strip() for v in rest.replace("，", ",").split(",") if v.strip())
        if kind not in _KINDS:
            raise SelectionError(
                say(
                    f"无法识别的选取条件 {part!r}；可用 all、findings、class:C,D、rule:规则编号、category:类别。",
                    f"unknown selection {part!r}; use all, findings, class:C,D, rule:rule ids or category:categories.",
                )
            )
        if kind in _NEEDS_VALUES and not values:
            raise SelectionError(
                say(
                    f"选取条件 {kind} 需要列出取值，如 {kind}:…。",
                    f"selection {kind} needs its values listed after a colon ({kind}:…).",
                )
            )
        if kind not in _NEEDS_VALUES and values:
            raise SelectionError(
                say(f"选取条件 {kind} 不带取值：{part!r}", f"selection {kind} takes no values: {part!r}")
            )
        if kind == "class":
            values = tuple(v.upper() for v in values)
            _refuse_unknown(values, known_classes, "分类", "class")
        if kind == "rule" and known_rules:
            _refuse_unknown(values, known_rules, "规则", "rule")
        criteria.append(Criterion(kind, values))
    if not criteria:
        raise SelectionError(say("选取条件为空。", "the selection is empty."))
    return Selection(tuple(criteria))


def _refuse_unknown(values: tuple[str, ...], known: set[str], zh: str, en: str) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise SelectionError(
            say(
                f"未知的{zh} {'、'.join(unknown)}；可选：{'、'.join(sorted(known))}。",
                f"unknown {en} {', '.join(unknown)}; one of: {', '.join(sorted(known))}.",
            )
        )


def selected(
    selection: Selection,
    parcel_codes: pd.Series,
    classes: pd.Series | None = None,
    findings: pd.DataFrame | None = None,
) -> npt.NDArray[np.bool_]:
    """Which of ``parcel_codes`` the selection takes. ``classes`` is the 亩均 class of each parcel
    (aligned with the codes); ``findings`` has parcel_code, rule_id and category."""
    chosen = np.zeros(len(parcel_codes), dtype=bool)
    for criterion in selection.criteria:
        if criterion.kind == "all":
            chosen[:] = True
        elif criterion.kind == "class":
            if classes is None:
                raise SelectionError(say("按分类选取需要一次亩均评价。", "selecting by class needs an evaluation run."))
            chosen |= classes.isin(criterion.values).to_numpy(dtype=bool, na_value=False)
        else:
            if findings is None:
                raise SelectionError(
                    say("按认定结果选取需要一次低效认定。", "selecting by findings needs an identification run.")
                )
            rows = findings
            if criterion.kind == "rule":
                rows = findings[findings["rule_id"].isin(criterion.values)]
            elif criterion.kind == "category":
                rows = findings[findings["category"].isin(criterion.values)]
            chosen |= parcel_codes.isin(rows["parcel_code"]).to_numpy(dtype=bool, na_value=False)
    return chosen
