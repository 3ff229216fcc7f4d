"""The demo's messages are written once per language: the reader gets one whole sentence in theirs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from landrenewal.demo.build import build_demo
from landrenewal.demo.city import generate_city
from landrenewal.domain.language import Language, speaking
from landrenewal.store.engine import open_store

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def _in_one_language(text: str, language: Language) -> bool:
    return not CJK.search(text) if language == "en" else bool(CJK.search(text)) and not LATIN.search(text)


def _steps(tmp_path: Path, language: Language) -> list[str]:
    store = open_store(tmp_path / f"demo-{language}.gpkg")
    steps: list[str] = []
    try:
        with speaking(language):
            build_demo(store, parcels=60, seed=5, on_step=steps.append)
    finally:
        store.dispose()
    return steps


def test_the_demo_builds_steps_are_told_in_the_readers_language(tmp_path: Path) -> None:
    chinese, english = _steps(tmp_path, "zh"), _steps(tmp_path, "en")
    assert chinese[0] == "正在生成示范城市（60 宗地）" and "正在导入宗地" in chinese and chinese[-1] == "完成"
    assert english[0] == "Generating the demo city (60 parcels)" and "Importing parcels" in english
    assert "Importing who uses which parcel" in english and english[-1] == "Done"
    assert [s for s in chinese if not _in_one_language(s, "zh")] == []
    assert [s for s in english if not _in_one_language(s, "en")] == []


def test_a_city_without_parcels_is_refused_in_the_readers_language() -> None:
    said = {}
    for language in ("zh", "en"):
        with speaking(language), pytest.raises(ValueError) as refused:
            generate_city(parcels=0)
        said[language] = str(refused.value)
    assert said == {"zh": "示范城市至少要有 1 宗地，不能是 0 宗", "en": "a city needs at least one parcel, not 0"}
