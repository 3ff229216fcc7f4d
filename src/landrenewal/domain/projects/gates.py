"""The gates a workflow's actions may require, registered in one place like the rules
(docs/projects.md). A gate reads the project's facts as of the action's day and says, with the
numbers, whether it passes; its parameters come from the policy and are checked by ``policy check``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from landrenewal.domain.language import say
from landrenewal.domain.projects.consent import check_consent, consent_rule_problems
from landrenewal.domain.projects.outcome import Check, GateOutcome
from landrenewal.domain.projects.votes import MATTERS


@dataclass(frozen=True)
class Facts:
    """What a project has recorded, as of the day an action is taken."""

    attributes: Mapping[str, Any] = field(default_factory=dict)
    recorded: frozenset[str] = frozenset()  # the actions recorded and not voided
    votes: Mapping[str, GateOutcome] = field(default_factory=dict)  # matter → the latest vote's result
    consent: pd.Series | None = None  # the project's consent tally (domain/projects/consent.py)
    consent_parcels: pd.DataFrame | None = None  # … and per parcel


@dataclass(frozen=True)
class Gate:
    name: str
    zh: str
    en: str
    check: Callable[[Mapping[str, Any], Facts], GateOutcome]
    problems: Callable[[Mapping[str, Any]], list[str]]


GATES: dict[str, Gate] = {}


def gate(
    name: str, zh: str, en: str, problems: Callable[[Mapping[str, Any]], list[str]]
) -> Callable[[Callable[[Mapping[str, Any], Facts], GateOutcome]], Callable[[Mapping[str, Any], Facts], GateOutcome]]:
    def register(
        check: Callable[[Mapping[str, Any], Facts], GateOutcome],
    ) -> Callable[[Mapping[str, Any], Facts], GateOutcome]:
        if name in GATES:
            raise ValueError(f"gate {name} registered twice")
        GATES[name] = Gate(name, zh, en, check, problems)
        return check

    return register


def gate_problems(name: str, params: Mapping[str, Any]) -> list[str]:
    """Why a workflow cannot use gate ``name`` with ``params`` (empty when it can)."""
    found = GATES.get(name)
    if found is None:
        known = "、".join(sorted(GATES))
        return [
            say(f"未知的关口 {name!r}；可用：{known}。", f"unknown gate {name!r}; known: {', '.join(sorted(GATES))}.")
        ]
    return found.problems(params)


def run_gate(name: str, params: Mapping[str, Any], facts: Facts) -> GateOutcome:
    return GATES[name].check(params, facts)


def _text_param(key: str, *optional: str) -> Callable[[Mapping[str, Any]], list[str]]:
    def problems(params: Mapping[str, Any]) -> list[str]:
        value = params.get(key)
        if not isinstance(value, str) or not value:
            return [say(f"关口须写 {key}。", f"the gate needs {key}.")]
        extra = sorted(set(params) - {key, *optional})
        return [say(f"关口不认识参数 {extra}。", f"the gate does not know the parameters {extra}.")] if extra else []

    return problems


@gate("recorded", "已记录某动作", "An action recorded", _text_param("action", "zh", "en"))
def _recorded(params: Mapping[str, Any], facts: Facts) -> GateOutcome:
    """An earlier action is on record (not voided), e.g. 协商调解不成 before 提请征收."""
    action = str(params["action"])
    name_zh, name_en = str(params.get("zh", action)), str(params.get("en", action))
    ok = action in facts.recorded
    return GateOutcome(
        "recorded",
        (
            Check(
                ok, f"{name_zh}：{'已记录' if ok else '未记录'}", f"{name_en}: {'recorded' if ok else 'not recorded'}"
            ),
        ),
    )


def _vote_params(params: Mapping[str, Any]) -> list[str]:
    problems = _text_param("matter")(params)
    if not problems and params["matter"] not in MATTERS:
        known = ", ".join(MATTERS)
        problems.append(
            say(
                f"未知的表决事项 {params['matter']!r}；可用：{known}。",
                f"unknown matter {params['matter']!r}; known: {known}.",
            )
        )
    return problems


@gate("vote_passed", "表决通过", "Vote passed", _vote_params)
def _vote_passed(params: Mapping[str, Any], facts: Facts) -> GateOutcome:
    """The collective's latest vote on the matter passed (its result computed from the counts)."""
    zh, en = MATTERS[str(params["matter"])]
    found = facts.votes.get(str(params["matter"]))
    if found is None:
        return GateOutcome("vote_passed", (Check(False, f"「{zh}」尚无表决", f"no vote yet on the {en}"),))
    verdict = Check(
        found.passed,
        f"「{zh}」表决{'通过' if found.passed else '未通过'}",
        f"the vote on the {en} {'passed' if found.passed else 'did not pass'}",
    )
    return GateOutcome("vote_passed", (verdict, *found.checks))


def _consent_rule(params: Mapping[str, Any]) -> dict[str, Any]:
    rule = dict(params.get("rule") or {})
    if "basis" in params:
        rule["basis"] = params["basis"]
    return rule


def _consent_params(params: Mapping[str, Any]) -> list[str]:
    extra = sorted(set(params) - {"rule", "basis"})
    if extra:
        return [say(f"关口不认识参数 {extra}。", f"the gate does not know the parameters {extra}.")]
    if not isinstance(params.get("rule"), Mapping):
        return [
            say(
                "关口须写 rule（同意规则，如 $projects.consent_min）。",
                "the gate needs rule (a consent rule, e.g. $projects.consent_min).",
            )
        ]
    return consent_rule_problems(_consent_rule(params))


@gate("consent", "权益人同意", "Rights holders' consent", _consent_params)
def _consent(params: Mapping[str, Any], facts: Facts) -> GateOutcome:
    """The consent ledger meets the rule as of the action's day (docs/consent.md)."""
    if facts.consent is None:
        return GateOutcome("consent", (Check(False, "尚未登记权益人", "no rights holders are recorded yet"),))
    return check_consent(_consent_rule(params), facts.consent, facts.consent_parcels, gate="consent")
