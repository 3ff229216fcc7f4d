"""The analyses' refusals, each written once per language: run numbers, parcels, engines, gaps
and export formats named in a whole Chinese sentence or a whole English one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from landrenewal.analysis.evaluation_runs import run_info
from landrenewal.analysis.explain import explain_parcel
from landrenewal.analysis.identification_runs import identification_info
from landrenewal.analysis.zone_runs import build_zones, zone_run_info
from landrenewal.analysis.zones_out import write_zones
from landrenewal.domain.language import speaking
from landrenewal.store.engine import Store, open_store

_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
# What a Chinese message carries as written: commands, options, engines, file types and table names.
_CODES = re.compile(r"`[^`]*`|--\w+|\b(all|class|python|postgis|PostgreSQL|PostGIS|planning_zones)\b|\.\w+|/\S*|'\w+'")


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "store.gpkg")
    yield store
    store.dispose()


def _in_a_connection(store: Store, ask: Callable[..., object]) -> Callable[[], object]:
    def asked() -> object:
        with store.engine.connect() as conn:
            return ask(conn)

    return asked


CASES: list[tuple[str, str, str]] = [
    ("engine", "未知的计算方式 'spark'；可选 python、postgis。", "unknown engine 'spark'; one of: python, postgis."),
    (
        "postgis",
        "postgis 计算方式需要 PostgreSQL + PostGIS 库。",
        "the postgis engine needs a PostgreSQL + PostGIS store.",
    ),
    ("gap", "连片间距不能为负：-1.0", "the gap must not be negative: -1.0"),
    (
        "findings",
        "库中还没有低效认定结果；请先运行 `landrenewal identify`，或用 --select all / class:… 选取。",
        "there is no identification run yet: run `landrenewal identify` first, or use --select all / class:….",
    ),
    ("zones-evaluation", "没有编号为 99 的评价批次。", "no evaluation run 99."),
    ("evaluation", "没有编号为 98 的评价批次。", "no evaluation run 98."),
    ("identification", "没有编号为 97 的认定批次。", "no identification run 97."),
    ("zone-run", "没有编号为 96 的连片片区批次。", "no zone run 96."),
    ("parcel", "库中没有宗地 P-404。", "no such parcel P-404."),
    ("format", "：只能写出 .xlsx、.gpkg 或 .geojson。", ": can only write .xlsx, .gpkg or .geojson."),
]


def _asking(store: Store, case: str, tmp_path: Path) -> Callable[[], object]:
    return {
        "engine": lambda: build_zones(store, engine="spark"),
        "postgis": lambda: build_zones(store, engine="postgis"),
        "gap": lambda: build_zones(store, "all", gap=-1.0, policy_ref="cn"),
        "findings": lambda: build_zones(store, "findings", gap=50.0, policy_ref="cn"),
        "zones-evaluation": lambda: build_zones(store, "all", gap=50.0, policy_ref="cn", evaluation_run=99),
        "evaluation": _in_a_connection(store, lambda conn: run_info(conn, 98)),
        "identification": _in_a_connection(store, lambda conn: identification_info(conn, 97)),
        "zone-run": _in_a_connection(store, lambda conn: zone_run_info(conn, 96)),
        "parcel": _in_a_connection(store, lambda conn: explain_parcel(conn, store, "P-404")),
        "format": _in_a_connection(store, lambda conn: write_zones(conn, store, 1, tmp_path / "zones.txt")),
    }[case]


@pytest.mark.parametrize(("case", "zh", "en"), CASES, ids=[c[0] for c in CASES])
def test_each_reader_gets_the_refusal_whole_in_their_language(
    empty: Store, tmp_path: Path, case: str, zh: str, en: str
) -> None:
    ask = _asking(empty, case, tmp_path)
    with pytest.raises(Exception) as chinese:
        ask()
    with speaking("en"), pytest.raises(Exception) as english:
        ask()
    assert zh in str(chinese.value) and en in str(english.value)
    assert not re.search(r"[A-Za-z]{3,}", _CODES.sub("", str(chinese.value))), chinese.value
    assert not _CJK.search(str(english.value)), english.value
