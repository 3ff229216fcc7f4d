"""The language of the person reading: every message is written once per language and chosen here
(docs/language.md).

A message is written as ``say("中文", "English")``: two sentences, each whole in its language,
and the one for the current reader is returned. The reader's language is a context variable: the
web app sets it for each request from ``Accept-Language`` (the UI sends its chosen language), the
command line from ``LANDRENEWAL_LANG``; Simplified Chinese otherwise. Because the choice is made
when the message is formed, text formed once for everyone (module constants, start-up caches)
must be formed in a function instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Literal, get_args

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT: Language = "zh"


def _from_environment() -> Language:
    wanted = os.environ.get("LANDRENEWAL_LANG", "").strip().lower()
    return "en" if wanted.startswith("en") else DEFAULT


_ENVIRONMENT = _from_environment()
_reader: ContextVar[Language] = ContextVar("landrenewal_language", default=_ENVIRONMENT)


def current() -> Language:
    """The language messages are formed in now."""
    return _reader.get()


def say(zh: str, en: str) -> str:
    """The message in the reader's language."""
    return en if _reader.get() == "en" else zh


@contextmanager
def speaking(language: Language) -> Iterator[None]:
    """Form messages in ``language`` inside the block (one request, one command)."""
    token = _reader.set(language)
    try:
        yield
    finally:
        _reader.reset(token)


def from_accept_language(header: str | None) -> Language:
    """The language an ``Accept-Language`` header prefers among ours (RFC 9110 §12.5.4 weights);
    Chinese when it names neither."""
    best: tuple[float, int, Language] | None = None
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight <= 0:
            continue
        language: Language = "en" if primary == "en" else "zh"
        candidate = (-weight, position, language)
        if best is None or candidate < best:
            best = candidate
    return best[2] if best is not None else DEFAULT
