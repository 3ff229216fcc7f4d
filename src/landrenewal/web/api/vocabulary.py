"""The names the UI shows for the domain's words, in Chinese and in English: every field of the
inventory, every piece of a finding's evidence, every rule. One source (the domain) for the
server's exports and the browser's labels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.privacy import PRIVATE
from landrenewal.domain.rules import RULES
from landrenewal.domain.rules.evidence import EVIDENCE_LABELS, PARAMETER_LABELS
from landrenewal.domain.vocabulary import RECORDS, VALUES, field_labels
from landrenewal.policies.files import shipped_names
from landrenewal.web.schemas.vocabulary import Labels

router = APIRouter(prefix="/api", tags=["vocabulary"])

Pair = tuple[str, str]


@router.get("/labels", summary="名称 The domain's names in Chinese and English (no login)", response_model=Labels)
def labels() -> dict[str, Any]:
    """``fields``: every field and derived figure; ``entities``: each inventory table's own labels
    (where a name means something else per table); ``values``: coded values in words, per field."""
    return {
        "fields": field_labels(),
        "entities": {
            kind: {
                "name": RECORDS[kind],
                "fields": {f.name: (f.header, f.header_en) for f in entity.fields},
            }
            for kind, entity in ENTITIES.items()
        },
        "values": VALUES,
        "evidence": dict(EVIDENCE_LABELS),
        "parameters": dict(PARAMETER_LABELS),
        "policies": shipped_names(),
        "rules": {rule_id: (rule.zh, rule.en) for rule_id, rule in RULES.items()},
        # the names of private values (domain/privacy.py): shown as 无权查看 where a row is restricted
        "private": sorted(PRIVATE),
    }
