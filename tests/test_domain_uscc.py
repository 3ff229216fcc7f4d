"""统一社会信用代码 check digits (GB 32100-2015), including property tests."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from landrenewal.domain import uscc

# Published codes of well-known companies (public registry data).
REAL_CODES = [
    "91110000802100433B",  # 中国石油化工股份有限公司
    "91440300708461136T",  # 华为技术有限公司
    "9111000010000093XR",  # 中国石油化工集团有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司 (Hangzhou)
]

first17 = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


def test_published_codes_are_valid() -> None:
    assert uscc.validate_many(REAL_CODES).all()
    assert all(uscc.problem(c) is None for c in REAL_CODES)


def test_a_changed_check_digit_is_caught_with_the_expected_digit() -> None:
    code = REAL_CODES[1]
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert not uscc.is_valid(wrong)
    assert f"应为 {code[17]}" in (uscc.problem(wrong) or "")


def test_length_and_alphabet_are_explained() -> None:
    assert "18位" in (uscc.problem("9144030070846113") or "")
    assert "非法字符" in (uscc.problem("91440300708461136I") or "")


@given(first17)
def test_appending_the_check_char_makes_a_valid_code(body: str) -> None:
    assert uscc.is_valid(body + uscc.check_char(body))


@given(first17, st.integers(min_value=0, max_value=16), st.sampled_from(uscc.ALPHABET))
def test_any_single_character_change_is_detected(body: str, position: int, replacement: str) -> None:
    code = body + uscc.check_char(body)
    changed = code[:position] + replacement + code[position + 1 :]
    # Weights are units modulo 31 (a prime), so one substitution always changes the sum.
    assert uscc.is_valid(changed) == (changed == code)


@given(st.lists(st.one_of(first17.map(lambda b: b + uscc.check_char(b)), st.text(max_size=20)), max_size=30))
def test_vectorized_check_agrees_with_the_scalar_one(codes: list[str]) -> None:
    expected = np.array([uscc.problem(c) is None for c in codes], dtype=bool)
    assert (uscc.validate_many(codes) == expected).all()
