"""Policy as dated data (docs/policy.md): every threshold, weight and deadline is a parameter whose
values take effect on dates and cite their source, as OpenFisca parameters do.

A jurisdiction's policy inherits from its parent (national → province → city → district).
On a given date a parameter has the value of the latest entry that took effect on or before
that date, looking at the policy and its ancestors together; on equal dates the nearer
policy wins. A value of None ends a parameter from its date on.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from landrenewal.domain.language import say


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: Any
    source: str


@dataclass(frozen=True)
class Parameter:
    name: str
    values: tuple[DatedValue, ...]
    description: str | None = None  # None when the parameter only overrides an ancestor's
    unit: str | None = None
    description_en: str = ""  # ``description`` is Chinese; this is what the English UI shows


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    parameters: dict[str, Parameter]
    parent: str | None = None
    jurisdiction: str | None = None
    description: str = ""  # Chinese, like ``name``
    name_en: str = ""  # ``name`` is Chinese; this is what the English UI shows
    description_en: str = ""


@dataclass(frozen=True)
class ResolvedValue:
    name: str
    value: Any
    unit: str
    description: str
    start: dt.date
    source: str
    defined_in: str  # the policy id whose entry applies
    description_en: str = ""


@dataclass(frozen=True)
class ResolvedPolicy:
    """The values of a policy chain on one date, with the version that identifies its inputs."""

    policy_id: str
    version: str
    on: dt.date
    chain: tuple[str, ...]
    values: dict[str, ResolvedValue] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        try:
            return self.values[name].value
        except KeyError:
            raise KeyError(
                say(
                    f"政策 {self.policy_id} 在 {self.on} 没有参数 {name!r}。",
                    f"policy {self.policy_id} has no parameter {name!r} on {self.on}.",
                )
            ) from None

    def described(self) -> dict[str, Any]:
        """The values in force with their units, dates and sources, as plain data (for JSON)."""
        return {
            "policy": self.policy_id,
            "version": self.version,
            "on": self.on.isoformat(),
            "chain": list(self.chain),
            "values": {
                n: {
                    "value": v.value,
                    "unit": v.unit,
                    "description": v.description,
                    "description_en": v.description_en,
                    "from": v.start.isoformat(),
                    "source": v.source,
                    "defined_in": v.defined_in,
                }
                for n, v in self.values.items()
            },
        }


class PolicyError(Exception):
    """A policy that cannot be used; each problem names file, parameter and reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def resolve(chain: list[Policy], on: dt.date, version: str) -> ResolvedPolicy:
    """The values in force on ``on``. ``chain`` runs from the policy itself up to the national one."""
    described: dict[str, Parameter] = {}
    for policy in reversed(chain):  # ancestors first: descriptions and units come from where defined
        for name, parameter in policy.parameters.items():
            if parameter.description is not None:
                described.setdefault(name, parameter)
    values: dict[str, ResolvedValue] = {}
    for name, definition in described.items():
        best: tuple[dt.date, int, DatedValue, str] | None = None
        for nearness, policy in enumerate(chain):
            if name not in policy.parameters:
                continue
            for entry in policy.parameters[name].values:
                if entry.start > on:
                    continue
                candidate = (entry.start, -nearness, entry, policy.id)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        if best is None or best[2].value is None:
            continue
        _, _, entry, owner = best
        values[name] = ResolvedValue(
            name,
            entry.value,
            definition.unit or "",
            definition.description or "",
            entry.start,
            entry.source,
            owner,
            definition.description_en,
        )
    return ResolvedPolicy(chain[0].id, version, on, tuple(p.id for p in chain), dict(sorted(values.items())))


def snapshot(policy: ResolvedPolicy) -> dict[str, Any]:
    """The resolved values as plain JSON data, stored with every computed result."""
    return {
        "policy_id": policy.policy_id,
        "version": policy.version,
        "on": policy.on.isoformat(),
        "chain": list(policy.chain),
        "values": {
            name: {
                "value": v.value,
                "unit": v.unit,
                "description": v.description,
                "description_en": v.description_en,
                "start": v.start.isoformat(),
                "source": v.source,
                "defined_in": v.defined_in,
            }
            for name, v in policy.values.items()
        },
    }


def snapshot_json(policy: ResolvedPolicy) -> str:
    """The snapshot as stored text; dates inside values become ISO strings."""
    return json.dumps(snapshot(policy), ensure_ascii=False, sort_keys=True, default=str)


def from_snapshot(data: dict[str, Any]) -> ResolvedPolicy:
    """The resolved policy a stored result used, exactly as it was, whatever the files say today."""
    values = {
        name: ResolvedValue(
            name,
            v["value"],
            v["unit"],
            v["description"],
            dt.date.fromisoformat(v["start"]),
            v["source"],
            v["defined_in"],
            v.get("description_en", ""),  # results stored before descriptions had an English one
        )
        for name, v in data["values"].items()
    }
    return ResolvedPolicy(
        data["policy_id"], data["version"], dt.date.fromisoformat(data["on"]), tuple(data["chain"]), values
    )
