"""Reading policy files: shipped profiles by id, or a user's own YAML file, checked with clear errors.

A file names its parent by id; the parent is looked for beside the file first, then among
the shipped profiles. Every problem names the file, the parameter and the reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from landrenewal.domain.language import say
from landrenewal.domain.policy import DatedValue, Parameter, Policy, PolicyError, ResolvedPolicy, resolve

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_PARAMETER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# "中文 (English words)": the English belongs in its own field (a standard's code such as GB/T is Chinese text)
_ENGLISH_AFTER = re.compile(r"\([^()]*[a-z]{3,}[^()]*\)\s*$")
_ENGLISH_SENTENCE = re.compile(r"(?:\b[A-Za-z]{2,}\b[\s,.;:'’()-]+){4,}")  # four English words in a row
_TOP_KEYS = {"id", "name", "name_en", "parent", "jurisdiction", "description", "description_en", "parameters"}
_PARAMETER_KEYS = {"description", "description_en", "unit", "values"}
_ENTRY_KEYS = {"from", "value", "source"}
# A source is what users read as the clause behind a number: it names the public document
# (issuer, title, number, clause), never the project's own notes about it (docs/policy.md).
_NOT_A_CITATION = re.compile(r"SPEC|§|(?i:seed)|示范用")


@dataclass(frozen=True)
class PolicyFile:
    policy: Policy
    path: str
    text: str


def shipped_ids() -> list[str]:
    folder = resources.files("landrenewal.policies")
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


@functools.cache
def shipped_names() -> dict[str, tuple[str, str]]:
    """Each shipped policy's name in Chinese and in English, by id."""
    names = {}
    for policy_id in shipped_ids():
        policy = load_chain(policy_id)[0].policy
        names[policy_id] = (policy.name, policy.name_en or policy.name)
    return names


def _shipped_text(policy_id: str) -> tuple[str, str] | None:
    entry = resources.files("landrenewal.policies").joinpath(f"{policy_id}.yaml")
    if not entry.is_file():
        return None
    return f"landrenewal/policies/{policy_id}.yaml", entry.read_text(encoding="utf-8")


def _english_description(where: str) -> str:
    return say(
        f"{where}：description 只写中文，英文写在 description_en。",
        f"{where}: description is the Chinese one; put the English in description_en.",
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


# How a value kind reads in Chinese; the English reader sees the kind itself.
_KIND_ZH = {"boolean": "布尔值", "number": "数值", "text": "文本", "list": "列表", "mapping": "键值结构"}


def _kind_named(kind: str) -> str:
    return say(_KIND_ZH.get(kind, kind), kind)


def _unknown_key(where: str, key: object, allowed: list[str]) -> str:
    return say(
        f"{where}：未知的键 {key!r}；可用的键：{'、'.join(allowed)}。",
        f"{where}: unknown key {key!r}; allowed: {', '.join(allowed)}.",
    )


def parse(text: str, where: str) -> tuple[Policy | None, list[str]]:
    """One policy file's content, and what is wrong with it (``where`` names it in messages)."""
    problems: list[str] = []
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return None, [say(f"{where}：不是合法的 YAML：{exc}", f"{where}: not valid YAML: {exc}")]
    except ValueError as exc:  # YAML reads 2025-13-01 as a date and fails
        return None, [say(f"{where}：无效的日期：{exc}", f"{where}: invalid date: {exc}")]
    if not isinstance(data, dict):
        return None, [
            say(
                f"{where}：政策文件应为键值结构，含 id、name、parameters。",
                f"{where}: a policy file is a mapping with id, name and parameters.",
            )
        ]
    for key in sorted(set(data) - _TOP_KEYS):
        problems.append(_unknown_key(where, key, sorted(_TOP_KEYS)))
    policy_id = data.get("id")
    if not isinstance(policy_id, str) or not _ID.match(policy_id):
        problems.append(
            say(
                f"{where}：缺少 id 或格式不对；id 须为小写字母、数字和连字符，如 gd-dongguan。",
                f"{where}: id is missing or malformed; use lower-case letters, digits and hyphens, "
                "such as gd-dongguan.",
            )
        )
        policy_id = "?"
    if not isinstance(data.get("name"), str):
        problems.append(say(f"{where}：缺少 name。", f"{where}: name is missing."))
    elif _LATIN_WORD.search(data["name"]):
        problems.append(
            say(
                f"{where}：name 只写中文名称，英文名写在 name_en。",
                f"{where}: name is the Chinese name; put the English name in name_en.",
            )
        )
    about = data.get("description")
    if isinstance(about, str) and _ENGLISH_SENTENCE.search(about):
        problems.append(_english_description(where))
    parent = data.get("parent")
    if parent is not None and not isinstance(parent, str):
        problems.append(say(f"{where}：parent 须为上级政策的 id。", f"{where}: parent must be a policy id."))
    raw_parameters = data.get("parameters") or {}
    if not isinstance(raw_parameters, dict):
        problems.append(
            say(
                f"{where}：parameters 须为“参数名: 定义”的结构。",
                f"{where}: parameters must be a mapping of parameter names to definitions.",
            )
        )
        raw_parameters = {}
    parameters = {}
    for name, body in raw_parameters.items():
        parameter = _parameter(str(name), body, say(f"{where}：参数 {name}", f"{where}: parameter {name}"), problems)
        if parameter is not None:
            parameters[str(name)] = parameter
    jurisdiction = data.get("jurisdiction")
    policy = Policy(
        id=policy_id,
        name=str(data.get("name", "")),
        name_en=str(data.get("name_en", "") or ""),
        parameters=parameters,
        parent=parent if isinstance(parent, str) else None,
        jurisdiction=str(jurisdiction) if jurisdiction is not None else None,
        description=str(data.get("description", "") or "").strip(),
        description_en=str(data.get("description_en", "") or "").strip(),
    )
    return policy, problems


def _parameter(name: str, body: Any, where: str, problems: list[str]) -> Parameter | None:
    if not _PARAMETER.match(name):
        problems.append(
            say(
                f"{where}：参数名须为小写点分形式，如 zones.contiguous_renewal_min。",
                f"{where}: malformed name; use lower-case words joined by dots, such as zones.contiguous_renewal_min.",
            )
        )
        return None
    if not isinstance(body, dict):
        problems.append(say(f"{where}：参数须有 values 列表。", f"{where}: a parameter needs a values list."))
        return None
    for key in sorted(set(body) - _PARAMETER_KEYS):
        problems.append(_unknown_key(where, key, sorted(_PARAMETER_KEYS)))
    if ("description" in body) != ("unit" in body):
        problems.append(
            say(
                f"{where}：新参数须同时写 description 和 unit。",
                f"{where}: a new parameter needs both description and unit.",
            )
        )
    raw_values = body.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        problems.append(
            say(
                f"{where}：values 须为非空列表，每项含 from、value、source。",
                f"{where}: values must be a non-empty list, each entry with from, value and source.",
            )
        )
        return None
    entries = []
    for i, entry in enumerate(raw_values, start=1):
        here = say(f"{where} 第{i}项", f"{where}, entry {i}")
        if not isinstance(entry, dict):
            problems.append(say(f"{here}：须含 from、value、source。", f"{here}: needs from, value and source."))
            continue
        for key in sorted(set(entry) - _ENTRY_KEYS):
            problems.append(_unknown_key(here, key, ["from", "value", "source"]))
        start = entry.get("from")
        if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
            problems.append(
                say(f"{here}：from 须为日期，如 2023-01-10。", f"{here}: from must be a date, such as 2023-01-10.")
            )
            continue
        if "value" not in entry:
            problems.append(
                say(
                    f"{here}：缺少 value（停止适用请写 value: null）。",
                    f"{here}: value is missing (write value: null when the parameter stops applying).",
                )
            )
            continue
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(
                say(
                    f"{here}：缺少 source，请注明文件及条款。",
                    f"{here}: source is missing; every value cites its document and clause.",
                )
            )
            continue
        internal = _NOT_A_CITATION.search(source)
        if internal is not None:
            problems.append(
                say(
                    f"{here}：source 含有 {internal.group(0)!r}；请写明发文机关、文件名称、文号和条款，"
                    "无公开出处的写“本系统默认值，无公开出处”。",
                    f"{here}: source contains {internal.group(0)!r}; a source cites the public document "
                    "(issuer, title, number and clause), not the project's own notes; a value with no "
                    "public source says “本系统默认值，无公开出处”.",
                )
            )
            continue
        entries.append(DatedValue(start, entry["value"], source.strip()))
    starts = [e.start for e in entries]
    if starts != sorted(set(starts)) or len(starts) != len(set(starts)):
        problems.append(say(f"{where}：各项 from 日期须严格递增。", f"{where}: the from dates must increase."))
    description = body.get("description")
    if isinstance(description, str) and _ENGLISH_AFTER.search(description):
        problems.append(_english_description(where))
    unit = body.get("unit")
    return Parameter(
        name,
        tuple(entries),
        str(description) if description is not None else None,
        str(unit) if unit is not None else None,
        str(body.get("description_en") or ""),
    )


def _read(ref: str, beside: Path | None) -> tuple[str, str]:
    """(where, text) of a policy by id or path."""
    path = Path(ref)
    if ref.endswith((".yaml", ".yml")) or path.exists():
        if not path.is_file():
            raise PolicyError([say(f"{ref}：政策文件不存在。", f"{ref}: no such policy file.")])
        return str(path), path.read_text(encoding="utf-8")
    if beside is not None and (beside / f"{ref}.yaml").is_file():
        return str(beside / f"{ref}.yaml"), (beside / f"{ref}.yaml").read_text(encoding="utf-8")
    shipped = _shipped_text(ref)
    if shipped is None:
        shipped_list = ", ".join(shipped_ids())
        raise PolicyError(
            [
                say(
                    f"{ref}：没有这个政策；内置的有：{shipped_list}。",
                    f"{ref}: unknown policy; the shipped ones are: {shipped_list}.",
                )
            ]
        )
    return shipped


def load_chain(ref: str | Path) -> list[PolicyFile]:
    """A policy and its ancestors, nearest first, each checked; PolicyError lists every problem."""
    files: list[PolicyFile] = []
    problems: list[str] = []
    beside = Path(ref).parent if Path(str(ref)).is_file() else None
    current: str | None = str(ref)
    while current is not None:
        where, text = _read(current, beside)
        policy, found = parse(text, where)
        problems += found
        if policy is None:
            break
        if any(f.policy.id == policy.id for f in files):
            problems.append(
                say(
                    f"{where}：上级关系成环，又回到 {policy.id}。",
                    f"{where}: the parent chain loops back to {policy.id}.",
                )
            )
            break
        files.append(PolicyFile(policy, where, text))
        current = policy.parent
    problems += _chain_problems(files)
    if not problems:
        problems += _value_problems(files)
    if problems:
        raise PolicyError(problems)
    return files


def _value_problems(files: list[PolicyFile]) -> list[str]:
    """Values that are well formed but unusable: a workflow that cannot run, a consent or vote rule
    that does not read (each entry checked with the chain's other values on its own date)."""
    from landrenewal.domain.projects.policy_checks import value_problems

    problems = []
    for i, item in enumerate(files):
        chain = [f.policy for f in files[i:]]
        for name, parameter in item.policy.parameters.items():
            for entry in parameter.values:
                if entry.value is None:
                    continue
                resolved = resolve(chain, entry.start, "check")
                found = value_problems(name, entry.value, resolved.__getitem__)
                problems += [
                    say(f"{item.path}：{entry.start} 起：{p}", f"{item.path}: from {entry.start}: {p}") for p in found
                ]
    return problems


def _chain_problems(files: list[PolicyFile]) -> list[str]:
    """Overrides of parameters no ancestor defines, and units or value kinds that change."""
    problems = []
    for i, item in enumerate(files):
        ancestors = files[i + 1 :]
        for name, parameter in item.policy.parameters.items():
            defined = [a.policy.parameters[name] for a in ancestors if name in a.policy.parameters]
            defining = [p for p in defined if p.description is not None]
            where = say(f"{item.path}：参数 {name}", f"{item.path}: parameter {name}")
            if parameter.description is None and not defining:
                problems.append(
                    say(
                        f"{where}：上级政策没有此参数；新参数须写 description 和 unit。",
                        f"{where}: unknown parameter; no parent policy defines it, and a new parameter "
                        "needs description and unit.",
                    )
                )
                continue
            if parameter.description is not None and defining and parameter.unit != defining[-1].unit:
                problems.append(
                    say(
                        f"{where}：单位 {parameter.unit!r} 与上级的 {defining[-1].unit!r} 不同。",
                        f"{where}: the unit {parameter.unit!r} differs from the parent's {defining[-1].unit!r}.",
                    )
                )
            inherited = [e.value for p in defined for e in p.values if e.value is not None]
            kinds = {_kind(v) for v in inherited}
            for entry in parameter.values:
                if entry.value is not None and kinds and _kind(entry.value) not in kinds:
                    expected = "/".join(_kind_named(k) for k in sorted(kinds))
                    kind = _kind_named(_kind(entry.value))
                    problems.append(
                        say(
                            f"{where}：取值类型为{kind}，与上级的{expected}不同。",
                            f"{where}: the value kind {kind} differs from the parent's {expected}.",
                        )
                    )
    return problems


def version_of(files: list[PolicyFile]) -> str:
    """``id@hash``: the same files give the same version, any edit anywhere in the chain a new one."""
    digest = hashlib.sha256()
    for item in files:
        digest.update(item.policy.id.encode())
        digest.update(item.text.encode("utf-8"))
    return f"{files[0].policy.id}@{digest.hexdigest()[:12]}"


def resolve_policy(ref: str | Path, on: dt.date) -> ResolvedPolicy:
    files = load_chain(ref)
    return resolve([f.policy for f in files], on, version_of(files))
