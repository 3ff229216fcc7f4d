"""What makes a password too easy to guess: too short, common, trivial, or the user's own name.

The common ones come from a word list shipped with the package (data/common_passwords.txt), so the
check needs nothing off the machine. Each refusal says which rule the password broke.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from landrenewal.domain.language import say

MIN_LENGTH = 8
MIN_DISTINCT = 4  # "aaaaaaaa", "abababab", "11112222" are not passwords
# Rows of keys and runs of letters and digits that people type as passwords ("12345678", "qwertyui").
RUNS = (
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("landrenewal.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _is_run(text: str) -> bool:
    return any(text in run or text in run[::-1] for run in RUNS)


def _repeats_a_unit(text: str) -> bool:
    """Whether ``text`` is a shorter piece said again and again ("12341234", "abcabcabc")."""
    return any(len(text) % n == 0 and text[:n] * (len(text) // n) == text for n in range(1, len(text) // 2 + 1))


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` may not be used by ``username``, or None when it may."""
    if len(password) < MIN_LENGTH:
        return say(f"口令至少 {MIN_LENGTH} 个字符", f"a password needs at least {MIN_LENGTH} characters")
    folded = password.casefold()
    bare = "".join(folded.split())
    if not bare:
        return say("口令不能只有空格", "a password cannot be only spaces")
    if len(set(folded)) < MIN_DISTINCT:
        return say(f"口令至少要有 {MIN_DISTINCT} 个不同的字符", f"a password needs {MIN_DISTINCT} different characters")
    if _is_run(bare) or _repeats_a_unit(folded):
        return say("口令是连续或重复的字符，容易猜到", "a run or a repetition of characters is easy to guess")
    if folded in common_passwords() or bare in common_passwords():
        return say("这是常见口令，容易猜到", "this is a common password, easy to guess")
    name = username.strip().casefold()
    if len(name) >= 3 and (name in folded or folded in name):
        return say("口令不能包含用户名", "a password cannot contain the user name")
    return None
