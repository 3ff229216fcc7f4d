"""What `policy check` asks of the project parameters: each workflow read whole, each consent rule
and the collective vote rules sound (docs/projects.md, docs/consent.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from landrenewal.domain.projects.consent import DEFAULT_BASIS, consent_rule_problems
from landrenewal.domain.projects.votes import vote_rules_problems
from landrenewal.domain.projects.workflow import PREFIX, Lookup, parse_workflow

VOTE_RULES = "projects.vote_rules"
_CHECKS: dict[str, Callable[[Any], list[str]]] = {
    **dict.fromkeys(DEFAULT_BASIS, consent_rule_problems),
    VOTE_RULES: vote_rules_problems,
}


def value_problems(name: str, value: Any, lookup: Lookup) -> list[str]:
    """Why the value of parameter ``name`` cannot be used (empty when it can). ``lookup`` gives the
    policy's other values on the same date, which a workflow refers to with ``$``."""
    if name.startswith(PREFIX):
        return parse_workflow(name, value, lookup)[1]
    check = _CHECKS.get(name)
    return [f"{name}：{p}" for p in check(value)] if check else []
