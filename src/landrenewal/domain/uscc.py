"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z); the 18th is a check
character computed from the first 17 with fixed weights, modulo 31.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from landrenewal.domain.language import say

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
LENGTH = 18

_VALUE = np.full(256, -1, dtype=np.int64)
for _i, _c in enumerate(ALPHABET):
    _VALUE[ord(_c)] = _i


def check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code."""
    if len(first17) != LENGTH - 1:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    values = _VALUE[np.frombuffer(first17.upper().encode("ascii"), dtype=np.uint8)]
    if (values < 0).any():
        raise ValueError(f"characters outside the GB 32100 alphabet in {first17!r}")
    return ALPHABET[(31 - int(values @ WEIGHTS) % 31) % 31]


def is_valid(code: str) -> bool:
    return bool(validate_many([code])[0])


def validate_many(codes: Iterable[object]) -> npt.NDArray[np.bool_]:
    """Vectorized check of many codes: True where a code is 18 valid characters with the right check digit."""
    items = ["" if not isinstance(c, str) else c for c in codes]
    n = len(items)
    ok = np.fromiter((len(c) == LENGTH and c.isascii() for c in items), dtype=bool, count=n)
    out = np.zeros(n, dtype=bool)
    if not ok.any():
        return out
    idx = np.flatnonzero(ok)
    raw = np.frombuffer("".join(items[i] for i in idx).encode("ascii"), dtype=np.uint8)
    values = _VALUE[raw.reshape(-1, LENGTH)]
    alphabet_ok = (values >= 0).all(axis=1)
    expected = (31 - (values[:, :17] @ WEIGHTS) % 31) % 31
    out[idx] = alphabet_ok & (values[:, 17] == expected)
    return out


def problem(code: str) -> str | None:
    """Why a code is not a valid USCC, in words a clerk understands; None when it is valid."""
    if len(code) != LENGTH:
        return say(
            f"统一社会信用代码应为18位，实为{len(code)}位",
            f"a unified social credit code must have 18 characters, this one has {len(code)}",
        )
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return say(
            f"含非法字符 {''.join(bad)!r}（不在 GB 32100 规定的字符集内）",
            f"characters outside the GB 32100 alphabet: {''.join(bad)!r}",
        )
    expected = check_char(code[:17])
    if code[17] != expected:
        return say(
            f"校验码错误：应为 {expected}，实为 {code[17]}",
            f"wrong check character: should be {expected}, is {code[17]}",
        )
    return None
