"""The YAML policy cases (tests/policy_cases), each on a GeoPackage and on PostGIS."""

from __future__ import annotations

import pytest

from landrenewal.store.engine import Store
from tests.policy_cases import Case, load_cases, run_case

CASES = load_cases()


def test_there_are_cases_for_evaluation_and_identification() -> None:
    assert any("evaluate" in c.body for c in CASES)
    assert any("identify" in c.body for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_policy_case(store: Store, case: Case) -> None:
    problems = run_case(store, case)
    assert not problems, "\n".join([case.body.get("quote", ""), *problems])
