"""居民身份证号码 (citizen identity numbers), checked and kept as 《中华人民共和国个人信息保护法》
asks: a salted hash to find the same person again and a masked form to show, never the number.

A number is 18 characters (GB 11643-1999 公民身份号码): a 6-digit address code, the birth date
YYYYMMDD, a 3-digit sequence and a check character computed from the first 17 with the weights
2¹⁷⁻ⁱ mod 11 (ISO 7064 MOD 11-2), ``X`` standing for 10.

Nothing here returns the number or any part of it beyond what :func:`mask` keeps (the first four
and the last four characters): problems say what is wrong without quoting it, and the hash is keyed
with a salt the store keeps (HMAC-SHA256), so that the hashes of the 10⁹ possible numbers cannot be
tabulated without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from landrenewal.domain.language import say

LENGTH = 18
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)  # 2^(17-i) mod 11
CHECK = "10X98765432"  # the check character for a weighted sum ≡ 0, 1, … 10 (mod 11)
# First two digits: the province-level divisions of GB/T 2260, and 81–83 of the residence permits
# of residents of Hong Kong, Macao and Taiwan (港澳台居民居住证), which use the same number format.
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83}
)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
MIN_SALT_BYTES = 16
KEPT = 4  # characters mask keeps at each end


def _normalised(number: str) -> str:
    """Surrounding spaces dropped and a lower-case x read as X: clerks type both."""
    return number.strip().upper()


def check_char(first17: str) -> str:
    """The GB 11643-1999 check character of 17 digits."""
    if len(first17) != LENGTH - 1 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(say("须为17位数字。", "needs 17 digits."))
    digits = np.frombuffer(first17.encode("ascii"), dtype=np.uint8).astype(np.int64) - ord("0")
    return CHECK[int(digits @ WEIGHTS) % 11]


def problem(number: str, today: dt.date | None = None) -> str | None:
    """Why ``number`` is not a valid 居民身份证号码, in words a clerk understands (without quoting the
    number); None when it is valid. The birth date must be a real date from 1900 on and not after
    ``today`` (the current date when not given)."""
    if not isinstance(number, str):
        return say("身份证号码须为文本。", "an identity number must be text.")
    value = _normalised(number)
    if len(value) != LENGTH:
        return say(
            f"身份证号码应为18位，实为{len(value)}位。",
            f"an identity number has 18 characters; this one has {len(value)}.",
        )
    if not (value[:17].isascii() and value[:17].isdigit()) or not (value[17].isdigit() or value[17] == "X"):
        return say(
            "身份证号码前17位须为数字，第18位为数字或X。",
            "an identity number has 17 digits and then a digit or X.",
        )
    if int(value[:2]) not in PROVINCES:
        return say(
            "身份证号码前两位不是省级行政区划代码。",
            "the first two digits of the identity number are not a province code.",
        )
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return say(
            "身份证号码第7至14位不是有效的出生日期。",
            "digits 7 to 14 of the identity number are not a valid date of birth.",
        )
    latest = today or dt.date.today()
    if not EARLIEST_BIRTH <= born <= latest:
        return say(
            "身份证号码中的出生日期不合理（早于1900年或晚于今天）。",
            "the date of birth in the identity number is implausible (before 1900 or after today).",
        )
    if check_char(value[:17]) != value[17]:
        return say(
            "身份证号码校验码错误：可能有一位输错或两位颠倒。",
            "the identity number's check character is wrong: a digit may be mistyped or two swapped.",
        )
    return None


def is_valid(number: str, today: dt.date | None = None) -> bool:
    return problem(number, today) is None


def validate_many(numbers: Iterable[object]) -> npt.NDArray[np.bool_]:
    """Vectorised check digits of many numbers (a column being imported): True where a value is 17
    digits and the right check character. Dates and provinces are :func:`problem`'s to explain."""
    items = [_normalised(n) if isinstance(n, str) else "" for n in numbers]
    count = len(items)
    shaped = np.fromiter(
        (len(n) == LENGTH and n.isascii() and n[:17].isdigit() and (n[17].isdigit() or n[17] == "X") for n in items),
        dtype=bool,
        count=count,
    )
    out = np.zeros(count, dtype=bool)
    if not shaped.any():
        return out
    where = np.flatnonzero(shaped)
    raw = np.frombuffer("".join(items[i] for i in where).encode("ascii"), dtype=np.uint8).reshape(-1, LENGTH)
    sums = (raw[:, :17].astype(np.int64) - ord("0")) @ WEIGHTS
    expected = np.frombuffer(CHECK.encode("ascii"), dtype=np.uint8)[sums % 11]
    out[where] = raw[:, 17] == expected
    return out


def mask(number: str) -> str:
    """The form lists, logs and exports show: the first and last four characters kept, the rest
    starred (``4401**********1234``). A value too short to keep both ends is starred whole."""
    value = _normalised(number)
    if len(value) <= 2 * KEPT:
        return "*" * len(value)
    return value[:KEPT] + "*" * (len(value) - 2 * KEPT) + value[-KEPT:]


def id_hash(number: str, salt: bytes) -> str:
    """The salted hash a store keeps to recognise the same person again (HMAC-SHA256, hex).

    ``salt`` is the store's own secret (at least 16 bytes), supplied by the caller: the same number
    hashes alike within a store and differently across stores. The number must be valid, so that a
    typo does not become a second person; ValueError otherwise (its message does not quote it)."""
    if not isinstance(salt, bytes | bytearray) or len(salt) < MIN_SALT_BYTES:
        raise ValueError(
            say(
                f"身份证号码的哈希须用不少于{MIN_SALT_BYTES}字节的盐。",
                f"hashing an identity number needs a salt of at least {MIN_SALT_BYTES} bytes.",
            )
        )
    found = problem(number)
    if found is not None:
        raise ValueError(found)
    return hmac.new(bytes(salt), _normalised(number).encode("ascii"), hashlib.sha256).hexdigest()
