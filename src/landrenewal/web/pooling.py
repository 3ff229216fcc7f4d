"""The policy's minimum for showing an aggregate, as the store's policy sets it today (domain/privacy.py)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from landrenewal.analysis.policy import store_policy
from landrenewal.domain.privacy import MIN_POOLED_UNITS
from landrenewal.policies.files import resolve_policy
from landrenewal.store.engine import Store

# Where no policy says otherwise: the national file's value.
FALLBACK_POLICY = "cn"


def min_pooled_units(store: Store) -> int:
    with store.engine.connect() as conn:
        ref = store_policy(conn) or FALLBACK_POLICY
    return _resolved(ref, dt.date.today())


@lru_cache(maxsize=16)
def _resolved(ref: str, on: dt.date) -> int:
    value = resolve_policy(ref, on).values.get(MIN_POOLED_UNITS)
    if value is None:
        value = resolve_policy(FALLBACK_POLICY, on).values[MIN_POOLED_UNITS]
    return int(value.value)
