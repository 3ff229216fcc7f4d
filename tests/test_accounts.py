"""Users in the store (both backends): password rules, a town officer's town, and the failed-login count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update

from landrenewal import accounts
from landrenewal.accounts.passwords import password_problem
from landrenewal.domain.language import speaking
from landrenewal.store import schema
from landrenewal.store.engine import Store
from tests.cli import run

LIMITS = accounts.LoginLimits(attempts=3, window_s=60.0, block_max_s=200.0)


@pytest.mark.parametrize(
    ("password", "why", "why_zh"),
    [
        ("12345678", "run or a repetition", "连续或重复"),
        ("87654321", "run or a repetition", "连续或重复"),
        ("qwertyuiop", "run or a repetition", "连续或重复"),
        ("abcabcabc", "different characters", "不同的字符"),
        ("12341234", "run or a repetition", "连续或重复"),
        ("password", "common password", "常见口令"),
        ("P@ssw0rd", "common password", "常见口令"),
        ("woaini1314", "common password", "常见口令"),
        ("        ", "only spaces", "只有空格"),
        ("aaaaaaaaaaaa", "different characters", "不同的字符"),
        ("zhang-2026-ok", "user name", "用户名"),
        ("Zhang2026!", "user name", "用户名"),
        ("short", "at least 8", "至少 8 个字符"),
    ],
)
def test_common_trivial_and_own_name_passwords_are_refused_with_the_reason_in_the_readers_language(
    password: str, why: str, why_zh: str
) -> None:
    chinese = password_problem(password, "zhang")
    assert chinese is not None and why_zh in chinese and not re.search(r"[a-z]{3,}", chinese)
    with speaking("en"):
        english = password_problem(password, "zhang")
    assert english is not None and why in english and not re.search(r"[\u4e00-\u9fff]", english)


def test_a_long_uncommon_password_without_the_user_name_is_accepted() -> None:
    assert password_problem("li-ming-kaifaqu-2026", "zhang") is None
    assert password_problem("tax office 7 river", "li") is None  # a two-letter name is no rule


def test_creating_or_changing_a_user_refuses_a_weak_password(store: Store) -> None:
    with store.engine.begin() as conn, pytest.raises(accounts.AccountError, match="常见口令"):
        accounts.create_user(conn, "zhang", "iloveyou", "viewer")
    with store.engine.begin() as conn:
        accounts.create_user(conn, "zhang", "river-bridge-2026", "viewer")
    with store.engine.begin() as conn, pytest.raises(accounts.AccountError, match="用户名"):
        accounts.update_user(conn, "zhang", by="test", password="zhang-river-2026")


def test_the_last_active_administrator_can_be_neither_stopped_nor_demoted(store: Store) -> None:
    with store.engine.begin() as conn:
        accounts.create_user(conn, "wang", "river-bridge-2026", "admin")
    for change in ({"active": False}, {"role": "city"}):
        with store.engine.begin() as conn, pytest.raises(accounts.AccountError, match="最后一个在用的管理员"):
            accounts.update_user(conn, "wang", by="test", **change)  # type: ignore[arg-type]
    with store.engine.begin() as conn:
        accounts.create_user(conn, "li", "mountain-path-2026", "admin")
        accounts.update_user(conn, "wang", by="test", active=False)  # another stays
        with pytest.raises(accounts.AccountError, match="最后一个在用的管理员"):
            accounts.update_user(conn, "li", by="test", role="viewer")
        assert accounts.update_user(conn, "li", by="test", display_name="李")["display_name"] == "李"


def _fail(store: Store, limits: accounts.LoginLimits = LIMITS) -> accounts.Attempt:
    with store.engine.begin() as conn:
        attempt = accounts.claim_attempt(conn, "zhang", "10.0.0.1", limits)
    if attempt.allowed:
        with store.engine.begin() as conn:
            accounts.settle_attempt(conn, attempt, False, limits)
    return attempt


def _block_ends(store: Store) -> None:
    """Move the pair's block into the past, as if its wait were over."""
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with store.engine.begin() as conn:
        conn.execute(update(schema.login_throttle).values(blocked_until=past))


def test_each_further_run_of_failures_waits_twice_as_long_up_to_the_longest_wait(store: Store) -> None:
    waits = []
    for _ in range(4):
        assert all(_fail(store).allowed for _ in range(LIMITS.attempts))
        refused = _fail(store)
        assert not refused.allowed
        waits.append(round(refused.wait_s))
        _block_ends(store)
    assert waits == [60, 120, 200, 200]


def test_a_success_clears_the_count_and_other_pairs_are_counted_apart(store: Store) -> None:
    for _ in range(LIMITS.attempts - 1):
        _fail(store)
    with store.engine.begin() as conn:
        elsewhere = accounts.claim_attempt(conn, "zhang", "10.0.0.2", LIMITS)
        other_user = accounts.claim_attempt(conn, "li", "10.0.0.1", LIMITS)
    assert (elsewhere.number, other_user.number) == (1, 1)
    with store.engine.begin() as conn:
        ok = accounts.claim_attempt(conn, "zhang", "10.0.0.1", LIMITS)
        accounts.settle_attempt(conn, ok, True, LIMITS)
    assert ok.allowed and ok.number == LIMITS.attempts
    assert _fail(store).number == 1


def test_the_users_command_refuses_a_weak_password_and_says_why(store: Store, store_location: str) -> None:
    added = run("users", "add", "zhang", "--role", "viewer", "--password", "12345678", "--db", store_location)
    assert added.returncode == 2 and "连续或重复" in added.stdout + added.stderr
    run(
        "users",
        "add",
        "zhang",
        "--role",
        "viewer",
        "--password",
        "river-bridge-2026",
        "--db",
        store_location,
        check=True,
    )
    changed = run("users", "password", "zhang", "--password", "        ", "--db", store_location)
    assert changed.returncode == 2 and "只有空格" in changed.stdout + changed.stderr
