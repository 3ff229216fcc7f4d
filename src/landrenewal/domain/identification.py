"""Identification of low-efficiency land: run the rules the policy switches on, collect findings.

A finding is (parcel, rule id, category, evidence values, threshold, policy clause, milestone);
the as-of date and the policy version belong to the run that holds it.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from landrenewal.domain import keys
from landrenewal.domain.language import say
from landrenewal.domain.policy import PolicyError, ResolvedPolicy
from landrenewal.domain.rules import RULES, Rule

CATEGORIES = "identification.categories"
FINDING_COLUMNS = ["parcel_code", "rule_id", "category", "evidence", "threshold", "clause", "milestone"]


@dataclass(frozen=True)
class Identification:
    findings: pd.DataFrame  # FINDING_COLUMNS
    rules_run: list[str]
    skipped: dict[str, str]  # rule id → why it did not run


def active_rules(policy: ResolvedPolicy) -> dict[str, str]:
    """Rule id → category, as the policy lists them; every unknown rule or missing value named."""
    if CATEGORIES not in policy.values:
        raise PolicyError(
            [
                say(
                    f"政策 {policy.policy_id} 在 {policy.on} 没有 {CATEGORIES}，没有启用任何认定规则。",
                    f"policy {policy.policy_id} has no {CATEGORIES} on {policy.on}: no rules are switched on.",
                )
            ]
        )
    categories = policy[CATEGORIES]
    problems = [
        say(
            f"{CATEGORIES}：未知规则 {rid!r}；已有的规则：{'、'.join(sorted(RULES))}。",
            f"{CATEGORIES}: unknown rule {rid!r}; the known rules are {', '.join(sorted(RULES))}.",
        )
        for rid in categories
        if rid not in RULES
    ]
    for rid in categories:
        if rid in RULES:
            problems += [
                say(
                    f"规则 {rid} 需要政策参数 {name}，政策 {policy.policy_id} 在 {policy.on} 没有此参数。",
                    f"rule {rid} needs the policy parameter {name}, which policy {policy.policy_id} "
                    f"does not have on {policy.on}.",
                )
                for name in RULES[rid].parameters
                if name not in policy.values
            ]
    if problems:
        raise PolicyError(problems)
    return {str(k): str(v) for k, v in categories.items()}


def identify(land: pd.DataFrame, policy: ResolvedPolicy, as_of: pd.Timestamp, *, evaluated: bool) -> Identification:
    """Every active rule over every parcel of ``land`` (see domain.land); evaluation rules need ``evaluated``."""
    categories = active_rules(policy)
    skipped = {
        rule_id: say(
            "没有可用的亩均评价结果，请先运行 evaluate。", "there is no evaluation run to judge by; run evaluate first."
        )
        for rule_id in categories
        if RULES[rule_id].needs_evaluation and not evaluated
    }
    run = [(RULES[rule_id], category) for rule_id, category in categories.items() if rule_id not in skipped]
    # A dozen rules, each vectorized over parcels; they only read the land frame, so two run at
    # a time (their NumPy and Arrow kernels release the GIL).
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(lambda job: _part(job[0], job[1], land, policy, as_of), run))
    return Identification(_findings(parts, land["parcel_code"]), [p.rule_id for p in parts], skipped)


@dataclass(frozen=True)
class _Part:
    """One rule's findings: the land rows it found, and what each finding says."""

    rule_id: str
    category: str
    threshold: str
    clause: str
    rows: npt.NDArray[np.int64]
    evidence: pa.Array
    milestone: pa.Array


def _part(rule: Rule, category: str, land: pd.DataFrame, policy: ResolvedPolicy, as_of: pd.Timestamp) -> _Part:
    params = {name: policy[name] for name in rule.parameters}
    hits = rule.find(land, params, as_of)
    rows = np.flatnonzero(hits.mask)
    evidence = pd.DataFrame({name: values.iloc[rows].reset_index(drop=True) for name, values in hits.evidence.items()})
    sources = [policy.values[name].source for name in rule.parameters] + [policy.values[CATEGORIES].source]
    milestone = None if hits.milestone is None else hits.milestone.iloc[rows]
    return _Part(
        rule.id,
        category,
        json.dumps(params, ensure_ascii=False, sort_keys=True),
        "；".join(dict.fromkeys(sources)),
        rows,
        json_lines(evidence),
        pa.nulls(len(rows), pa.large_string()) if milestone is None else keys.strings(milestone),
    )


def _findings(parts: list[_Part], parcel_codes: pd.Series) -> pd.DataFrame:
    """The parts as one table, rule by rule in the policy's order, each in land order; columns
    built once (a rule's constant columns as categories). Readers of stored runs sort them."""
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype="str") for column in FINDING_COLUMNS})
    part = np.repeat(np.arange(len(parts)), [len(p.rows) for p in parts])

    def per_part(values: list[str]) -> pd.Categorical[str]:
        distinct = list(dict.fromkeys(values))
        code = np.array([distinct.index(v) for v in values], dtype=np.int64)
        return pd.Categorical.from_codes(code[part], categories=pd.Index(distinct))

    return pd.DataFrame(
        {
            "parcel_code": keys.take(keys.strings(parcel_codes), np.concatenate([p.rows for p in parts])),
            "rule_id": per_part([p.rule_id for p in parts]),
            "category": per_part([p.category for p in parts]),
            "evidence": pd.Series(pa.concat_arrays([p.evidence for p in parts]), dtype="str"),
            "threshold": per_part([p.threshold for p in parts]),
            "clause": per_part([p.clause for p in parts]),
            "milestone": pd.Series(pa.concat_arrays([p.milestone for p in parts]), dtype="str"),
        }
    )


def json_lines(frame: pd.DataFrame) -> pa.Array:
    """One JSON object per row: dates as "YYYY-MM-DD", unknown values as null; built column-wise
    in Arrow's string kernels, because a Python call per finding costs seconds over a city."""
    pieces: list[pa.Array | str] = []
    for i, column in enumerate(frame.columns):
        pieces.append(("{" if i == 0 else ",") + json.dumps(str(column), ensure_ascii=False) + ":")
        pieces.append(_json_values(frame[column]).fill_null("null"))
    if not pieces:
        return pa.array(["{}"] * len(frame), pa.large_string())
    pieces.append("}")
    return _concat(*pieces)


def _concat(*pieces: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of arrays and constant strings."""
    large = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string()) for p in pieces]
    return pc.binary_join_element_wise(*large, pa.scalar("", pa.large_string()))


def _json_values(values: pd.Series) -> pa.Array:
    """The JSON text of each value of one column; null where the value is unknown."""
    if pd.api.types.is_datetime64_any_dtype(values):
        days = pa.array(values.to_numpy(dtype="datetime64[D]"), pa.date32())  # date → text is ISO, and fast
        return _concat('"', pc.cast(days, pa.large_string()), '"')
    if pd.api.types.is_bool_dtype(values):
        flags = pa.array(values, pa.bool_(), from_pandas=True)
        return pc.if_else(flags, pa.scalar("true", pa.large_string()), pa.scalar("false", pa.large_string()))
    if pd.api.types.is_integer_dtype(values):
        return pc.cast(pa.array(values, pa.int64(), from_pandas=True), pa.large_string())
    if pd.api.types.is_numeric_dtype(values):
        numbers = pa.array(values.to_numpy(dtype="float64", na_value=np.nan), pa.float64())
        text = pc.cast(numbers, pa.large_string())
        # Arrow writes 8225.0 as "8225"; keep it a float for whoever reads the JSON back.
        whole = pc.and_(pc.equal(pc.floor(numbers), numbers), pc.less(pc.abs(numbers), 1e15))
        text = pc.if_else(whole, _concat(text, ".0"), text)
        return pc.if_else(pc.is_finite(numbers), text, pa.scalar(None, pa.large_string()))
    text = keys.strings(values.astype("str") if values.dtype == object else values)
    if pc.any(pc.match_substring_regex(text, r"[\x00-\x1f]")).as_py():
        # Control characters need \uXXXX escapes: rare enough to leave to the json module.
        quoted = [None if v is None else json.dumps(v, ensure_ascii=False) for v in text.to_pylist()]
        return pa.array(quoted, pa.large_string())
    escaped = pc.replace_substring(pc.replace_substring(text, "\\", "\\\\"), '"', '\\"')
    return _concat('"', escaped, '"')
