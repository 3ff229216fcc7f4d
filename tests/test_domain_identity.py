"""居民身份证号码: GB 11643-1999 check characters, plausible birth dates, masking and salted hashes,
and no message or result that hands the number back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landrenewal.domain import identity
from landrenewal.domain.language import speaking

# The example number of GB 11643-1999 itself (北京市朝阳区, born 1949-12-31, check character X).
EXAMPLE = "11010519491231002X"
SALT = b"store-salt-0123456789"
TODAY = dt.date(2025, 1, 1)


def _with_check(first17: str) -> str:
    return first17 + identity.check_char(first17)


def test_the_standards_example_is_valid_and_its_check_character_is_x() -> None:
    assert identity.problem(EXAMPLE, TODAY) is None
    assert identity.check_char(EXAMPLE[:17]) == "X"
    assert identity.is_valid(EXAMPLE.lower(), TODAY) and identity.is_valid(f" {EXAMPLE} ", TODAY)


def test_a_wrong_check_character_is_caught_without_quoting_the_number() -> None:
    wrong = EXAMPLE[:17] + "1"
    found = identity.problem(wrong, TODAY)
    assert found == "身份证号码校验码错误：可能有一位输错或两位颠倒。"
    with speaking("en"):
        assert identity.problem(wrong, TODAY) == (
            "the identity number's check character is wrong: a digit may be mistyped or two swapped."
        )
    assert EXAMPLE[:17] not in found and EXAMPLE[6:14] not in found


@pytest.mark.parametrize(
    ("number", "zh", "en"),
    [
        (EXAMPLE[:17], "身份证号码应为18位，实为17位。", "an identity number has 18 characters; this one has 17."),
        ("1101051949123100XX", "前17位须为数字，第18位为数字或X", "17 digits and then a digit or X"),
        (_with_check("99010519491231002"), "前两位不是省级行政区划代码", "not a province code"),
        (_with_check("11010519490230002"), "第7至14位不是有效的出生日期", "not a valid date of birth"),
        (_with_check("11010518991231002"), "出生日期不合理", "date of birth in the identity number is implausible"),
        (_with_check("11010520250102002"), "出生日期不合理", "implausible (before 1900 or after today)"),
    ],
)
def test_malformed_numbers_are_explained_in_both_languages(number: str, zh: str, en: str) -> None:
    assert zh in (identity.problem(number, TODAY) or "")
    with speaking("en"):
        assert en in (identity.problem(number, TODAY) or "")


def test_a_birth_on_today_is_plausible_and_one_tomorrow_is_not() -> None:
    born_today = _with_check("440103" + TODAY.strftime("%Y%m%d") + "123")
    assert identity.is_valid(born_today, TODAY)
    assert not identity.is_valid(born_today, TODAY - dt.timedelta(days=1))


def test_masking_keeps_the_first_four_and_the_last_four_characters() -> None:
    number = _with_check("44010219900101123")
    assert identity.mask(number) == "4401" + "*" * 10 + number[-4:]
    assert identity.mask(EXAMPLE.lower()) == "1101**********002X"
    assert identity.mask("4401021234") == "4401**1234"
    assert identity.mask("12345678") == "********"


def test_the_hash_is_salted_stable_within_a_store_and_never_the_number() -> None:
    digest = identity.id_hash(EXAMPLE, SALT)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert identity.id_hash(EXAMPLE.lower(), SALT) == digest  # a lower-case x is the same person
    assert identity.id_hash(EXAMPLE, SALT + b"!") != digest  # another store, another hash
    assert EXAMPLE not in digest and EXAMPLE.lower() not in digest


def test_hashing_refuses_a_short_salt_and_an_invalid_number_without_quoting_it() -> None:
    with pytest.raises(ValueError, match="不少于16字节的盐"):
        identity.id_hash(EXAMPLE, b"short")
    with speaking("en"), pytest.raises(ValueError, match="at least 16 bytes"):
        identity.id_hash(EXAMPLE, "a text salt")  # type: ignore[arg-type]
    with pytest.raises(ValueError) as error:
        identity.id_hash(EXAMPLE[:17] + "1", SALT)
    assert EXAMPLE[:17] not in str(error.value)


def test_a_column_of_numbers_is_checked_at_once() -> None:
    numbers = [EXAMPLE, EXAMPLE.lower(), EXAMPLE[:17] + "1", EXAMPLE[:17], None, 11010519491231002]
    assert identity.validate_many(numbers).tolist() == [True, True, False, False, False, False]


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16), st.sampled_from("0123456789"))
def test_any_single_digit_change_is_detected(body: str, position: int, digit: str) -> None:
    number = body + identity.check_char(body)
    changed = number[:position] + digit + number[position + 1 :]
    # Every weight is a unit modulo the prime 11, so one substitution always changes the sum.
    assert bool(identity.validate_many([changed])[0]) == (changed == number)


@given(st.lists(st.text(alphabet="0123456789X", min_size=16, max_size=19), max_size=20))
def test_the_vectorised_check_agrees_with_the_check_character(numbers: list[str]) -> None:
    expected = [len(n) == 18 and n[:17].isdigit() and identity.check_char(n[:17]) == n[17] for n in numbers]
    assert (identity.validate_many(numbers) == np.array(expected, dtype=bool)).all()
