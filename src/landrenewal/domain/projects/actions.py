"""Whether an action may be taken now, and if not, every reason with its numbers (docs/projects.md).

The user is shown each refusal: the stage the project is in, the role, a missing document or
field, and each gate that failed with its figures ("面积同意率 80.0 % ≥ 80 %；人数同意率 79.9 % < 80 %").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from landrenewal.domain.language import say
from landrenewal.domain.projects.gates import Facts, run_gate
from landrenewal.domain.projects.outcome import GateOutcome
from landrenewal.domain.projects.workflow import Action, Field, Workflow


@dataclass(frozen=True)
class Verdict:
    """What taking an action now would meet: refusals (empty when it may be taken) and each gate's outcome."""

    action: str
    refusals: tuple[str, ...]
    gates: tuple[GateOutcome, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals


def judge(
    workflow: Workflow,
    stage: str,
    action_id: str,
    *,
    role: str,
    documents: Collection[str],
    values: Mapping[str, Any],
    facts: Facts,
    suspended: bool = False,
    check_fields: bool = True,
) -> Verdict:
    """Whether ``role`` may take ``action_id`` in ``stage`` with the ``documents`` attached (their kinds)
    and the field ``values`` given; the gates read ``facts``. A suspended project only resumes.
    Without ``check_fields`` the values are not judged: what a form offers before they are typed."""
    action = workflow.actions.get(action_id)
    if action is None:
        known = ", ".join(workflow.actions)
        return Verdict(
            action_id,
            (
                say(
                    f"工作流「{workflow.zh}」没有动作 {action_id!r}。",
                    f"the workflow {workflow.en} has no action {action_id!r} ({known}).",
                ),
            ),
            (),
        )
    refusals: list[str] = []
    if suspended:
        refusals.append(say("项目已中止，先恢复再办理。", "the project is suspended: resume it first."))
    if stage not in action.sources:
        refusals.append(
            say(
                f"「{action.zh}」须在{_states_zh(workflow, action)}阶段办理，项目现处于{workflow.states[stage].zh}。",
                f"{action.en} is taken in {_states_en(workflow, action)}; "
                f"the project is in {workflow.states[stage].en}.",
            )
        )
    if role not in action.roles:
        refusals.append(say(f"「{action.zh}」不是本角色可办理的动作。", f"your role may not take {action.en}."))
    for kind in action.documents:
        if kind not in documents:
            zh, en = workflow.documents[kind]
            refusals.append(say(f"缺少文件：{zh}。", f"missing document: {en}."))
    for name in action.fields if check_fields else ():
        refusals += field_problems(workflow.fields[name], values.get(name))
    outcomes = tuple(run_gate(use.gate, use.params, facts) for use in action.gates)
    refusals += [o.text for o in outcomes if not o.passed]
    return Verdict(action_id, tuple(refusals), outcomes)


def field_problems(spec: Field, value: Any) -> list[str]:
    """Why ``value`` cannot be recorded for ``spec`` (empty when it can)."""
    if value is None or value == "":
        return [say(f"须填写{spec.zh}。", f"{spec.en} is required.")]
    if spec.kind == "choice" and value not in spec.choices:
        options = "、".join(zh for zh, _ in spec.choices.values())
        return [
            say(
                f"{spec.zh}须为：{options}。",
                f"{spec.en} must be one of: {', '.join(en for _, en in spec.choices.values())}.",
            )
        ]
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if spec.kind == "number" and (not number or value < 0):
        return [say(f"{spec.zh}须为不小于 0 的数。", f"{spec.en} must be a number, 0 or more.")]
    if spec.kind == "date" and not isinstance(value, dt.date):
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return [say(f"{spec.zh}须为日期（YYYY-MM-DD）。", f"{spec.en} must be a date (YYYY-MM-DD).")]
    return []


def _states_zh(workflow: Workflow, action: Action) -> str:
    return "、".join(workflow.states[s].zh for s in action.sources)


def _states_en(workflow: Workflow, action: Action) -> str:
    return ", ".join(workflow.states[s].en for s in action.sources)
