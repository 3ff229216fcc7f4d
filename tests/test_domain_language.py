"""The reader's language: parsed from Accept-Language, chosen per context, Chinese by default."""

from __future__ import annotations

import pytest

from landrenewal.domain.language import from_accept_language, say, speaking


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en;q=0.5, zh-Hans;q=0.9", "zh"),
        ("fr-FR, en;q=0.3", "en"),
        ("fr-FR, de", "zh"),
        ("en;q=0, zh;q=0.1", "zh"),
        ("en;q=oops, zh;q=0.2", "zh"),
        ("EN-us", "en"),
    ],
)
def test_the_language_is_the_highest_weighted_one_we_speak(header: str | None, language: str) -> None:
    assert from_accept_language(header) == language


def test_a_message_is_formed_in_the_language_of_its_context_and_chinese_outside() -> None:
    assert say("没有这个用户", "no such user") == "没有这个用户"
    with speaking("en"):
        assert say("没有这个用户", "no such user") == "no such user"
        with speaking("zh"):
            assert say("没有这个用户", "no such user") == "没有这个用户"
        assert say("甲", "A") == "A"
    assert say("甲", "A") == "甲"
