"""A workflow read from a policy parameter: states, actions with their roles, documents, fields and
gates, and deadlines (docs/projects.md).

A workflow is the value of a dated, cited parameter named ``workflows.<id>``, inherited like every
other value, in the shape of DIGIT's business services: states; actions that move a project from
some states to one state (or record something without moving it), with the roles allowed, the
documents required and the gates that must pass; deadlines that an action starts and another meets.
Numbers are not repeated inside a workflow: ``$projects.consent_min`` names the policy parameter
that holds them, each cited where it is defined.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from landrenewal.domain.access import Role
from landrenewal.domain.language import say
from landrenewal.domain.policy import ResolvedPolicy
from landrenewal.domain.projects.gates import gate_problems

PREFIX = "workflows."
PERIOD_UNITS = ("days", "months", "years")
CONSEQUENCES = ("restart_ban",)
FIELD_KINDS = ("text", "number", "date", "choice")
ROLES = frozenset(r.value for r in Role)

Lookup = Callable[[str], Any]  # a policy parameter's value on the workflow's date (KeyError if none)


@dataclass(frozen=True)
class State:
    id: str
    zh: str
    en: str
    end: bool = False


@dataclass(frozen=True)
class GateUse:
    gate: str
    params: Mapping[str, Any]  # ``$`` references already replaced by the policy's values


@dataclass(frozen=True)
class Field:
    id: str
    zh: str
    en: str
    kind: str  # text | number | date | choice
    unit: str = ""
    choices: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # value → (zh, en)


@dataclass(frozen=True)
class Action:
    id: str
    zh: str
    en: str
    sources: tuple[str, ...]  # the states it may be taken in
    target: str | None  # the state it leads to; None: recorded without moving the project
    roles: frozenset[str]
    documents: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    gates: tuple[GateUse, ...] = ()


@dataclass(frozen=True)
class Deadline:
    """A clock an action starts and other actions stop; missing it may carry a consequence."""

    id: str
    zh: str
    en: str
    starts: str  # action id
    ends: tuple[str, ...]  # action ids that meet it
    unit: str  # days | months | years
    amount: int | Mapping[str, int]  # a number, or per variant: {default: 1, old_village: 2}
    variant: str = ""  # the project attribute (a flag) choosing the amount's key
    when: Mapping[str, Any] = field(default_factory=dict)  # project attributes the clock applies to
    consequence: str = ""  # restart_ban | ""
    ban_years: int = 0
    holidays_move_end: bool = False

    def amount_for(self, attributes: Mapping[str, Any]) -> int:
        if isinstance(self.amount, int):
            return self.amount
        key = self.variant if self.variant and attributes.get(self.variant) else "default"
        return int(self.amount.get(key, self.amount["default"]))

    def applies_to(self, attributes: Mapping[str, Any]) -> bool:
        return all(attributes.get(k) == v for k, v in self.when.items())


@dataclass(frozen=True)
class Workflow:
    id: str
    zh: str
    en: str
    kinds: tuple[str, ...]
    start: str
    states: Mapping[str, State]
    actions: Mapping[str, Action]
    deadlines: Mapping[str, Deadline]
    documents: Mapping[str, tuple[str, str]]  # kind → (zh, en)
    fields: Mapping[str, Field]

    def state_name(self, state: str) -> str:
        found = self.states.get(state)
        return say(found.zh, found.en) if found else state

    def action_name(self, action: str) -> str:
        found = self.actions.get(action)
        return say(found.zh, found.en) if found else action

    def offered(self, state: str) -> list[Action]:
        """The actions that may be taken in ``state``, in the order the policy lists them."""
        return [a for a in self.actions.values() if state in a.sources]

    def stage_order(self) -> list[str]:
        """The states in the order a project passes them (breadth first from the start), ends last."""
        seen = [self.start]
        for state in seen:
            for action in self.offered(state):
                if action.target and action.target not in seen:
                    seen.append(action.target)
        ends = [s for s in seen if self.states[s].end]
        # the end the main path leads to first (reached from one state), the way out from any state last
        ends.sort(key=lambda s: min(len(a.sources) for a in self.actions.values() if a.target == s))
        return [s for s in seen if not self.states[s].end] + ends

    def stage_bar(self, current: str) -> list[str]:
        """The stages a project's bar shows: every stage on the way, then the end it reached, or the
        end the main path leads to while it has reached none."""
        order = self.stage_order()
        ends = [s for s in order if self.states[s].end]
        last = current if current in ends else ends[0] if ends else None
        return [s for s in order if not self.states[s].end] + ([last] if last else [])


class WorkflowError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _names(body: Mapping[str, Any], where: str, problems: list[str]) -> tuple[str, str]:
    zh, en = body.get("zh"), body.get("en")
    if not isinstance(zh, str) or not zh.strip() or not isinstance(en, str) or not en.strip():
        problems.append(say(f"{where}：须有中文名 zh 和英文名 en。", f"{where}: needs a Chinese zh and an English en."))
        return str(zh or ""), str(en or "")
    return zh, en


def _resolve(value: Any, lookup: Lookup, where: str, problems: list[str]) -> Any:
    """``value`` with every ``$parameter`` reference replaced by that parameter's value."""
    if isinstance(value, str) and value.startswith("$"):
        try:
            return lookup(value[1:])
        except KeyError:
            problems.append(
                say(
                    f"{where}：引用的参数 {value[1:]} 在该日期不存在。",
                    f"{where}: the parameter {value[1:]} it refers to does not exist on that date.",
                )
            )
            return None
    if isinstance(value, Mapping):
        return {k: _resolve(v, lookup, where, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, lookup, where, problems) for v in value]
    return value


def _mapping(body: Any, where: str, what: str, problems: list[str]) -> Mapping[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, Mapping):
        problems.append(say(f"{where}：{what} 须为映射。", f"{where}: {what} must be a mapping."))
        return {}
    return body


def _strings(body: Any) -> tuple[str, ...]:
    if body is None:
        return ()
    return (str(body),) if isinstance(body, str) else tuple(str(v) for v in body)


def workflows(policy: ResolvedPolicy) -> dict[str, Workflow]:
    """Every workflow the policy defines on its date, by id (``workflows.renewal_unit`` → ``renewal_unit``)."""
    out = {}
    for name, resolved in policy.values.items():
        if name.startswith(PREFIX):
            found, problems = parse_workflow(name, resolved.value, policy.__getitem__)
            if found is None:
                raise WorkflowError(problems)
            out[found.id] = found
    return out


def parse_workflow(name: str, value: Any, lookup: Lookup) -> tuple[Workflow | None, list[str]]:
    """The workflow a policy parameter holds, and every problem with it (empty when it can be used).

    Gates are checked against their registry (domain/projects/gates.py).
    """
    where = say(f"工作流 {name}", f"workflow {name}")
    problems: list[str] = []
    if not isinstance(value, Mapping):
        return None, [say(f"{where}：取值须为映射。", f"{where}: the value must be a mapping.")]
    zh, en = _names(value, where, problems)
    states: dict[str, State] = {}
    for sid, body in _mapping(value.get("states"), where, "states", problems).items():
        body = _mapping(body, f"{where} · {sid}", "state", problems)
        s_zh, s_en = _names(body, f"{where} · {sid}", problems)
        states[str(sid)] = State(str(sid), s_zh, s_en, bool(body.get("end", False)))
    if not states:
        problems.append(say(f"{where}：没有状态 states。", f"{where}: it has no states."))
    start = str(value.get("start", ""))
    if start not in states:
        problems.append(
            say(
                f"{where}：起始状态 {start!r} 不是其状态之一。",
                f"{where}: the start {start!r} is not one of its states.",
            )
        )
    documents = {
        str(k): _names(_mapping(v, f"{where} · {k}", "document", problems), f"{where} · {k}", problems)
        for k, v in _mapping(value.get("documents"), where, "documents", problems).items()
    }
    fields_ = _fields(value.get("fields"), lookup, where, problems)
    actions = {
        str(aid): _action(str(aid), body, states, documents, fields_, lookup, where, problems)
        for aid, body in _mapping(value.get("actions"), where, "actions", problems).items()
    }
    deadlines = {
        str(did): _deadline(str(did), body, actions, lookup, where, problems)
        for did, body in _mapping(value.get("deadlines"), where, "deadlines", problems).items()
    }
    workflow = Workflow(
        name.removeprefix(PREFIX),
        zh,
        en,
        _strings(value.get("kinds")),
        start,
        states,
        actions,
        deadlines,
        documents,
        fields_,
    )
    if not problems:
        problems += _reachability(workflow, where)
    return (None if problems else workflow), problems


def _fields(body: Any, lookup: Lookup, where: str, problems: list[str]) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for fid, spec in _mapping(body, where, "fields", problems).items():
        here = f"{where} · {fid}"
        spec = _mapping(spec, here, "field", problems)
        f_zh, f_en = _names(spec, here, problems)
        kind = str(spec.get("kind", "text"))
        if kind not in FIELD_KINDS:
            problems.append(say(f"{here}：未知的字段类型 {kind!r}。", f"{here}: unknown field kind {kind!r}."))
        choices: dict[str, tuple[str, str]] = {}
        for key, label in _mapping(
            _resolve(spec.get("choices"), lookup, here, problems), here, "choices", problems
        ).items():
            label = _mapping(label, f"{here} · {key}", "choice", problems)
            choices[str(key)] = _names(label, f"{here} · {key}", problems)
        if kind == "choice" and not choices:
            problems.append(say(f"{here}：选择字段须列出 choices。", f"{here}: a choice field lists its choices."))
        out[str(fid)] = Field(str(fid), f_zh, f_en, kind, str(spec.get("unit", "")), choices)
    return out


def _action(
    aid: str,
    body: Any,
    states: Mapping[str, State],
    documents: Mapping[str, Any],
    fields_: Mapping[str, Field],
    lookup: Lookup,
    where: str,
    problems: list[str],
) -> Action:
    here = say(f"{where} · 动作 {aid}", f"{where} · action {aid}")
    body = _mapping(body, here, "action", problems)
    a_zh, a_en = _names(body, here, problems)
    sources = _strings(body.get("from"))
    if sources == ("*",):  # any state that is not an end
        sources = tuple(s for s, state in states.items() if not state.end)
    for s in sources:
        if s not in states:
            problems.append(say(f"{here}：来源状态 {s!r} 未定义。", f"{here}: the from state {s!r} is not defined."))
    if not sources:
        problems.append(
            say(f"{here}：须写 from（可在哪些状态采取）。", f"{here}: needs from (the states it is taken in).")
        )
    target = body.get("to")
    if target is not None and str(target) not in states:
        problems.append(
            say(f"{here}：目标状态 {target!r} 未定义。", f"{here}: the to state {target!r} is not defined.")
        )
    roles = frozenset(_strings(body.get("roles")))
    for role in sorted(roles - ROLES):
        problems.append(say(f"{here}：未知角色 {role!r}。", f"{here}: unknown role {role!r}."))
    if not roles:
        problems.append(say(f"{here}：须写 roles（哪些角色可采取）。", f"{here}: needs roles (who may take it)."))
    docs = _strings(body.get("documents"))
    for doc in docs:
        if doc not in documents:
            problems.append(
                say(
                    f"{here}：文件类型 {doc!r} 未在 documents 中定义。",
                    f"{here}: the document kind {doc!r} is not defined under documents.",
                )
            )
    needed = _strings(body.get("fields"))
    for name in needed:
        if name not in fields_:
            problems.append(
                say(
                    f"{here}：字段 {name!r} 未在 fields 中定义。",
                    f"{here}: the field {name!r} is not defined under fields.",
                )
            )
    gates = []
    for i, use in enumerate(body.get("gates") or []):
        use = _mapping(use, f"{here} · gates[{i}]", "gate", problems)
        params = _resolve({k: v for k, v in use.items() if k != "gate"}, lookup, f"{here} · gates[{i}]", problems)
        gate = str(use.get("gate", ""))
        problems += [f"{here} · {p}" for p in gate_problems(gate, params)]
        gates.append(GateUse(gate, params))
    return Action(aid, a_zh, a_en, sources, None if target is None else str(target), roles, docs, needed, tuple(gates))


def _deadline(
    did: str, body: Any, actions: Mapping[str, Action], lookup: Lookup, where: str, problems: list[str]
) -> Deadline:
    here = say(f"{where} · 期限 {did}", f"{where} · deadline {did}")
    body = _mapping(body, here, "deadline", problems)
    d_zh, d_en = _names(body, here, problems)
    starts = str(body.get("starts", ""))
    if starts not in actions:
        problems.append(
            say(
                f"{here}：起算动作 {starts!r} 未定义，期限永远不会开始。",
                f"{here}: the starting action {starts!r} is not defined, so the clock can never start.",
            )
        )
    ends = _strings(body.get("ends"))
    for end in ends:
        if end not in actions:
            problems.append(
                say(f"{here}：完成动作 {end!r} 未定义。", f"{here}: the meeting action {end!r} is not defined.")
            )
    if not ends:
        problems.append(
            say(f"{here}：须写 ends（哪个动作完成它）。", f"{here}: needs ends (the actions that meet it).")
        )
    period = _mapping(_resolve(body.get("period"), lookup, here, problems), here, "period", problems)
    units = [u for u in PERIOD_UNITS if u in period]
    unit = units[0] if len(units) == 1 else ""
    if not unit:
        problems.append(
            say(
                f"{here}：period 须且只须写 days、months、years 之一。",
                f"{here}: period needs exactly one of days, months, years.",
            )
        )
    amount = period.get(unit) if unit else 0
    variant = str(period.get("variant", ""))
    if not _amount_ok(amount):
        problems.append(
            say(
                f"{here}：期限长度 {amount!r} 须为正整数（或含 default 的映射）。",
                f"{here}: the length {amount!r} must be a positive whole number (or a mapping with default).",
            )
        )
        amount = 0
    consequence = str(body.get("consequence", "") or "")
    ban_years = 0
    if consequence and consequence not in CONSEQUENCES:
        problems.append(
            say(f"{here}：未知的逾期后果 {consequence!r}。", f"{here}: unknown consequence {consequence!r}.")
        )
    if consequence == "restart_ban":
        ban = _resolve(body.get("ban_years"), lookup, here, problems)
        if not isinstance(ban, int) or isinstance(ban, bool) or ban <= 0:
            problems.append(
                say(
                    f"{here}：restart_ban 须有正整数 ban_years。",
                    f"{here}: restart_ban needs a positive whole ban_years.",
                )
            )
        else:
            ban_years = ban
    when = _mapping(body.get("when"), here, "when", problems)
    amount_value: int | dict[str, int] = (
        {str(k): int(v) for k, v in amount.items() if k != "variant"}
        if isinstance(amount, Mapping)
        else int(amount or 0)
    )
    return Deadline(
        did,
        d_zh,
        d_en,
        starts,
        ends,
        unit,
        amount_value,
        variant,
        dict(when),
        consequence,
        ban_years,
        bool(body.get("holidays_move_end", False)),
    )


def _amount_ok(amount: Any) -> bool:
    def whole(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool) and v > 0

    if isinstance(amount, Mapping):
        return "default" in amount and all(whole(v) for v in amount.values())
    return whole(amount)


def _reachability(workflow: Workflow, where: str) -> list[str]:
    """States no action reaches, states with no way out, and deadlines whose start can never be taken."""
    problems = []
    reached = set(workflow.stage_order())
    for sid, state in workflow.states.items():
        if sid not in reached:
            problems.append(
                say(
                    f"{where}：状态 {sid}（{state.zh}）无法到达。",
                    f"{where}: the state {sid} ({state.en}) cannot be reached.",
                )
            )
        elif not state.end and not any(a.target for a in workflow.offered(sid)):
            problems.append(
                say(
                    f"{where}：状态 {sid}（{state.zh}）不是终点却无路可走。",
                    f"{where}: the state {sid} ({state.en}) is not an end yet has no way out.",
                )
            )
    for deadline in workflow.deadlines.values():
        action = workflow.actions[deadline.starts]
        if not any(s in reached for s in action.sources):
            problems.append(
                say(
                    f"{where}：期限 {deadline.id} 的起算动作 {action.id} 只能在无法到达的状态采取，期限永远不会开始。",
                    f"{where}: deadline {deadline.id} starts with {action.id}, which is only taken in states "
                    "that cannot be reached, so the clock can never start.",
                )
            )
    return problems
