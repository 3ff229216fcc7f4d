"""The names the UI shows for the domain's words, in Chinese and in English: every field of the
inventory, every piece of a finding's evidence, every rule. One source (the domain) for the
server's exports and the browser's labels."""

from __future__ import annotations

from fastapi import APIRouter

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.rules import RULES
from landrenewal.domain.rules.evidence import EVIDENCE_LABELS

router = APIRouter(prefix="/api", tags=["vocabulary"])

Pair = tuple[str, str]


@router.get("/labels", summary="名称 The domain's names in Chinese and English (no login)")
def labels() -> dict[str, dict[str, Pair]]:
    fields: dict[str, Pair] = {}
    for entity in ENTITIES.values():
        for f in entity.fields:
            fields.setdefault(f.name, (f.header, f.header_en))
    return {
        "fields": fields,
        "evidence": dict(EVIDENCE_LABELS),
        "rules": {rule_id: (rule.zh, rule.en) for rule_id, rule in RULES.items()},
    }
