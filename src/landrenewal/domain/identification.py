"""Identification of low-efficiency land: run the rules the policy switches on, collect findings.

A finding is (parcel, rule id, category, evidence values, threshold, policy clause, milestone);
the as-of date and the policy version belong to the run that holds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
        raise PolicyError([f"政策 {policy.policy_id} 在 {policy.on} 没有 {CATEGORIES} (no rules switched on)"])
    categories = policy[CATEGORIES]
    problems = [
        f"{CATEGORIES}: 未知规则 {rid!r} (unknown rule; known: {', '.join(sorted(RULES))})"
        for rid in categories
        if rid not in RULES
    ]
    for rid in categories:
        if rid in RULES:
            problems += [
                f"规则 {rid} 需要政策参数 {name}，政策 {policy.policy_id} 在 {policy.on} 没有 (missing parameter)"
                for name in RULES[rid].parameters
                if name not in policy.values
            ]
    if problems:
        raise PolicyError(problems)
    return {str(k): str(v) for k, v in categories.items()}


def identify(land: pd.DataFrame, policy: ResolvedPolicy, as_of: pd.Timestamp, *, evaluated: bool) -> Identification:
    """Every active rule over every parcel of ``land`` (see domain.land); evaluation rules need ``evaluated``."""
    categories = active_rules(policy)
    codes = land["parcel_code"].to_numpy(dtype=object)  # once: converting a string column costs as much as a rule
    parts: list[pd.DataFrame] = []
    run: list[str] = []
    skipped: dict[str, str] = {}
    for rule_id, category in categories.items():  # a loop over a dozen rules, each vectorized over parcels
        rule = RULES[rule_id]
        if rule.needs_evaluation and not evaluated:
            skipped[rule_id] = "没有可用的亩均评价结果，请先运行 evaluate (no evaluation run to judge by)"
            continue
        parts.append(_findings(rule, category, land, codes, policy, as_of))
        run.append(rule_id)
    findings = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FINDING_COLUMNS)
    return Identification(findings.sort_values(["parcel_code", "rule_id"], ignore_index=True), run, skipped)


def _findings(
    rule: Rule, category: str, land: pd.DataFrame, codes: np.ndarray, policy: ResolvedPolicy, as_of: pd.Timestamp
) -> pd.DataFrame:
    params = {name: policy[name] for name in rule.parameters}
    hits = rule.find(land, params, as_of)
    if not hits.mask.any():
        return pd.DataFrame(columns=FINDING_COLUMNS)
    rows = np.flatnonzero(hits.mask)
    evidence = pd.DataFrame({name: values.iloc[rows] for name, values in hits.evidence.items()})
    sources = [policy.values[name].source for name in rule.parameters] + [policy.values[CATEGORIES].source]
    out = pd.DataFrame(
        {
            "parcel_code": codes[rows],
            "rule_id": rule.id,
            "category": category,
            "evidence": evidence_json(evidence),
            "threshold": json.dumps(params, ensure_ascii=False, sort_keys=True),
            "clause": "；".join(dict.fromkeys(sources)),
            "milestone": None if hits.milestone is None else hits.milestone.to_numpy()[rows],
        }
    )
    return out


def evidence_json(evidence: pd.DataFrame) -> list[str]:
    """One JSON object per row, dates as YYYY-MM-DD, unknown values as null (one C pass, no row loop)."""
    frame = evidence.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    text = frame.to_json(orient="records", lines=True, force_ascii=False, double_precision=6)
    return text.rstrip("\n").split("\n") if len(frame) else []
