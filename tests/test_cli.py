"""The command line as a user runs it: real process, real files, exit codes and --json output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from landrenewal.domain.fields import ENTITIES
from tests import builders
from tests.cli import WIDE, every_help, run

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Names that stay as they are in a Chinese sentence: formats, products, codes a user types.
NAMES = {
    *ENTITIES,
    *("GeoPackage", "GeoJSON", "Shapefile", "CSV", "XLSX", "YAML", "JSON", "SQLite", "UTF", "EPSG", "QGIS"),
    *("PostGIS", "ST_ClusterDBSCAN", "LANDRENEWAL_DB", "LANDRENEWAL_", "landrenewal", "landrenewal.gpkg"),
    *("postgresql", "cpg", "gpkg", "xlsx", "geojson", "shp", "csv", "python", "postgis", "id", "C", "D"),
    *("zj-quzhou", "inventory.area_tolerance", "zones.gap_m", "YYYY-MM-DD"),
    *("admin", "city", "town", "viewer", "findings", "all", "class", "rule", "category"),
    *("disposal", "renewal", "suspend", "resume", "extend", "void", "note"),  # what `projects` takes
    *("consent", "signed", "withdrawn", "intent", "plan", "conversion", "compensation", "partner"),  # and the ledger
    *("general", "representatives", "joint", "affected"),
}
WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z_]*(?:[.\-][A-Za-z_]+)*")


def _english_words(text: str, *allowed: str) -> set[str]:
    """The English words in ``text`` other than names that stay as they are."""
    return set(WORD.findall(text)) - NAMES - set(allowed)


def _prose_of_help(text: str) -> str:
    """Help without its syntax: usage lines, the names of commands, arguments and options, metavars, ranges."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("用法：")]
    kept = []
    for line in lines:
        line = re.sub(r"^│\s*\*?\s*[\w-]+", "│", line)  # a row's first column: the command's or parameter's name
        line = re.sub(r"--[\w-]+|<[^>]*>|\{[^}]*\}|\[[^\]]*x[^\]]*\]", " ", line)
        kept.append(line)
    return "\n".join(kept)


def test_every_verb_has_help() -> None:
    verbs = (["import"], ["export"], ["info"], ["init"], ["demo", "build"], ["evaluate"], ["identify"], ["explain"])
    for verb in (*verbs, ["runs", "list"], ["runs", "compare"], ["policy", "use"]):
        done = run(*verb, "--help", check=True)
        assert "--db" in done.stdout or "--help" in done.stdout


def test_an_english_reader_gets_the_help_and_the_errors_whole_in_english(tmp_path: Path) -> None:
    english = {"LANDRENEWAL_LANG": "en", **WIDE}
    top = run("--help", env=english, check=True).stdout
    assert "[OPTIONS] COMMAND [ARGS]..." in top and "Commands" in top
    assert "The platform for renewing low-efficiency industrial land" in top
    helps = every_help(english)
    assert helps.count("Usage: ") >= 30 and "Show this message and exit." in helps
    assert not CHINESE.findall(top + helps)

    unknown = run("import", "farms", str(tmp_path / "x.csv"), "--db", str(tmp_path / "a.gpkg"), env=english)
    assert unknown.returncode == 2
    assert "Error unknown kind 'farms'; one of: divisions, parcels, buildings" in unknown.stderr
    bad_format = run(
        "export", "parcels", "--out", "x", "--format", "doc", "--db", str(tmp_path / "a.gpkg"), env=english
    )
    assert "unknown format 'doc'; one of: gpkg, shp, geojson, xlsx, csv" in bad_format.stderr
    bad_date = run("policy", "show", "cn", "--on", "2024-13-40", "--json", env=english)
    assert json.loads(bad_date.stdout)["error"] == "a date must be YYYY-MM-DD, like 2024-06-30: '2024-13-40'"
    for done in (unknown, bad_format, bad_date):
        assert not CHINESE.findall(done.stdout + done.stderr)


def test_a_chinese_reader_gets_the_help_and_the_errors_whole_in_chinese(tmp_path: Path) -> None:
    chinese = {"LANDRENEWAL_LANG": None, **WIDE}  # Chinese is the default
    top = run("--help", env=chinese, check=True).stdout
    assert "[选项] 命令 [参数]..." in top and "低效工业用地整治全链管理平台" in top
    helps = every_help(chinese)
    assert helps.count("用法：") >= 30 and "显示本帮助并退出。" in helps
    assert not _english_words(_prose_of_help(top + helps))

    unknown = run("import", "farms", str(tmp_path / "x.csv"), "--db", str(tmp_path / "a.gpkg"), env=chinese)
    assert unknown.returncode == 2
    assert "错误 未知的数据类型 'farms'；可选：divisions、parcels、buildings" in unknown.stderr
    assert not _english_words(unknown.stderr, "farms")
    bad_date = run("policy", "show", "cn", "--on", "2024-13-40", "--json", env=chinese)
    message = json.loads(bad_date.stdout)["error"]
    assert message == "日期应为 YYYY-MM-DD 格式，如 2024-06-30：'2024-13-40'" and not _english_words(message)


def test_init_fixes_the_crs_and_info_reports_it(tmp_path: Path, store_location: str) -> None:
    run("init", "--crs", "EPSG:4547", "--db", store_location, check=True)
    info = json.loads(run("info", "--db", store_location, "--json", check=True).stdout)
    assert info["epsg"] == 4547
    assert info["counts"]["parcels"] == 0


def test_geographic_crs_is_refused_for_the_store(tmp_path: Path) -> None:
    done = run("init", "--crs", "EPSG:4490", "--db", str(tmp_path / "x.gpkg"), "--json")
    assert done.returncode == 2
    assert "投影坐标系" in json.loads(done.stdout)["error"]


def test_unknown_kind_and_missing_store_have_their_exit_codes(tmp_path: Path) -> None:
    assert run("import", "farms", str(tmp_path / "x.csv"), "--db", str(tmp_path / "a.gpkg")).returncode == 2
    assert run("info", "--db", str(tmp_path / "missing.gpkg")).returncode == 3
    assert run("import", "parcels", str(tmp_path / "missing.shp"), "--db", str(tmp_path / "a.gpkg")).returncode == 3


def test_bad_csv_is_refused_with_rejects_then_skip_bad_loads_the_rest(tmp_path: Path, store_location: str) -> None:
    csv = tmp_path / "企业名录.csv"
    ents = builders.enterprises(3)
    table = pd.DataFrame(
        {
            "统一社会信用代码": ents["uscc"],
            "企业名称": ents["name"],
            "行业代码": ents["industry_code"],
            "企业规模": ["规上", "规下", "规上"],
        }
    )
    table.loc[1, "统一社会信用代码"] = table.loc[1, "统一社会信用代码"][:17] + "Z"
    table.to_csv(csv, index=False, encoding="utf-8-sig")
    rejects = tmp_path / "rejects.csv"

    refused = run("import", "enterprises", str(csv), "--db", store_location, "--rejects", str(rejects), "--json")
    assert refused.returncode == 1, refused.stderr
    report = json.loads(refused.stdout)
    assert report["committed"] is False and report["rejected_rows"] == 1
    problems = pd.read_csv(rejects, encoding="utf-8-sig", dtype=str)
    assert list(problems.columns) == ["行号", "字段", "原因", *table.columns]
    assert problems.loc[0, "行号"] == "3" and problems.loc[0, "字段"] == "统一社会信用代码"
    assert problems.loc[0, "统一社会信用代码"] == table.loc[1, "统一社会信用代码"]
    info = json.loads(run("info", "--db", store_location, "--json", check=True).stdout)
    assert info["counts"]["enterprises"] == 0

    loaded = json.loads(run("import", "enterprises", str(csv), "--db", store_location, "--skip-bad", "--json").stdout)
    assert loaded["inserted"] == 2
    again = json.loads(run("import", "enterprises", str(csv), "--db", store_location, "--skip-bad", "--json").stdout)
    assert again["changes"] == 0 and again["unchanged"] == 2


def test_gbk_shapefile_and_xlsx_end_to_end(tmp_path: Path, store_location: str) -> None:
    """The issue's acceptance path: GBK shapefile in with correct Chinese, a bad XLSX refused with
    row-level reasons and the store unchanged, a second import reporting 0 changes, exports out."""
    from tests import filemakers

    db = store_location
    run("import", "divisions", str(_divisions_csv(tmp_path)), "--db", db, check=True)
    shp = filemakers.gbk_shapefile_without_cpg(tmp_path)
    first = json.loads(run("import", "parcels", str(shp), "--db", db, "--json", check=True).stdout)
    assert first["inserted"] == 3
    assert any("GBK" in note for note in first["notes"])
    assert any("EPSG:4547" in note for note in first["notes"])  # store CRS taken from the file
    again = json.loads(run("import", "parcels", str(shp), "--db", db, "--json", check=True).stdout)
    assert again["changes"] == 0

    out = tmp_path / "out.xlsx"
    run("export", "parcels", "--format", "xlsx", "--out", str(out), "--db", db, check=True)
    exported = pd.read_excel(out, dtype=str)
    assert set(exported["权利人"]) == set(filemakers.HOLDERS)
    assert set(exported["权利性质"]) == {"国有", "集体"}

    xlsx = filemakers.enterprises_xlsx(tmp_path)
    refused = run("import", "enterprises", str(xlsx), "--db", db, "--json")
    assert refused.returncode == 1
    problems = json.loads(refused.stdout)["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(4, "uscc")]
    assert json.loads(run("info", "--db", db, "--json", check=True).stdout)["counts"]["enterprises"] == 0
    human = run("import", "enterprises", str(xlsx), "--db", db)
    assert "校验码错误" in human.stderr and "未导入" in human.stderr

    (tmp_path / "fixed").mkdir()
    good = filemakers.enterprises_xlsx(tmp_path / "fixed", bad_row=False)
    loaded = json.loads(run("import", "enterprises", str(good), "--db", db, "--json", check=True).stdout)
    assert loaded["inserted"] == 3
    metrics = json.loads(
        run("import", "metrics", str(filemakers.metrics_xlsx(tmp_path)), "--db", db, "--json", check=True).stdout
    )
    assert metrics["inserted"] == 3
    assert any("元 换算为 万元" in note for note in metrics["notes"])


def test_import_takes_its_area_tolerance_from_the_policy(tmp_path: Path, store_location: str) -> None:
    """inventory.area_tolerance is 5 % in `cn`; a store's own policy may widen it; --area-tolerance wins."""
    import pyogrio

    from tests import filemakers

    db = store_location
    run("import", "divisions", str(_divisions_csv(tmp_path)), "--db", db, check=True)
    table = filemakers.parcel_table()
    table["宗地面积"] = (table["宗地面积"] * 1.10).round(2)  # recorded 10 % above the geometry
    shp = tmp_path / "宗地_面积偏大.shp"
    pyogrio.write_dataframe(table, shp, encoding="GBK")
    wide = tmp_path / "wide.yaml"
    wide.write_text(
        "id: wide\nname: 放宽面积容差（用例）\nparent: cn\nparameters:\n  inventory.area_tolerance:\n"
        "    values:\n      - from: 2020-01-01\n        value: 0.15\n        source: 用例自定\n",
        encoding="utf-8",
    )

    refused = run("import", "parcels", str(shp), "--db", db, "--policy", "cn", "--json")
    assert refused.returncode == 1
    reasons = [p["reason"] for p in json.loads(refused.stdout)["problems"]]
    assert reasons and all("超过容差 5%" in r for r in reasons)
    run("policy", "use", str(wide), "--db", db, check=True)
    explicit = run("import", "parcels", str(shp), "--db", db, "--area-tolerance", "0.05", "--json")
    assert explicit.returncode == 1
    loaded = json.loads(run("import", "parcels", str(shp), "--db", db, "--json", check=True).stdout)
    assert loaded["inserted"] == 3


def _divisions_csv(folder: Path) -> Path:
    path = folder / "行政区划.csv"
    builders.divisions().rename(columns={"division_code": "行政区划代码", "name": "名称"}).to_csv(
        path, index=False, encoding="utf-8-sig"
    )
    return path
