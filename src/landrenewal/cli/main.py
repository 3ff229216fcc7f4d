"""The ``landrenewal`` command line: one command, a verb per job, ``--json`` for scripts.

Exit codes: 0 done; 1 input refused (bad rows, nothing written); 2 wrong usage;
3 a file or store that cannot be used.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from landrenewal.cli import analysis, audit_log, web
from landrenewal.cli.common import (
    DEFAULT_DB,
    DbOption,
    Exit,
    JsonOption,
    PolicyOption,
    console,
    fail,
    os_user,
    parse_date,
)
from landrenewal.cli.zones import zones_app
from landrenewal.domain.fields import ENTITIES
from landrenewal.importing.checks import DEFAULT_AREA_TOLERANCE

if TYPE_CHECKING:
    from landrenewal.store.engine import Store

app = typer.Typer(
    name="landrenewal",
    help="低效工业用地整治全链管理平台 — survey, evaluate and renew low-efficiency industrial land.",
    no_args_is_help=True,
    add_completion=False,
)
KINDS_HELP = " | ".join(ENTITIES)
demo_app = typer.Typer(help="示范城市 The demo city.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
policy_app = typer.Typer(help="政策参数 Policy files: dated, cited values per jurisdiction.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")


def _kind(kind: str, as_json: bool) -> str:
    if kind not in ENTITIES:
        fail(f"未知的数据类型 {kind!r}；可选 (unknown kind; one of): {', '.join(ENTITIES)}", Exit.USAGE, as_json)
    return kind


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP)],
    file: Annotated[Path, typer.Argument(help="Shapefile、GeoPackage、GeoJSON、CSV 或 XLSX 文件")],
    db: DbOption = DEFAULT_DB,
    mapping: Annotated[Path | None, typer.Option(help="列映射 YAML 文件 (column mapping file)")] = None,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="跳过有错误的行，导入其余行 (load the good rows)")
    ] = False,
    rejects: Annotated[Path | None, typer.Option(help="问题清单 CSV 的输出路径 (write problems to this CSV)")] = None,
    area_tolerance: Annotated[
        float | None,
        typer.Option(
            help="面积核对容差，相对值；默认取政策 inventory.area_tolerance "
            f"(relative tolerance for area checks; default: the policy's, else {DEFAULT_AREA_TOLERANCE:.0%})"
        ),
    ] = None,
    accept_far_places: Annotated[
        bool,
        typer.Option(
            "--accept-far-places",
            help="接受中国境外或远离库投影带的图形（按警告导入） "
            "(load features outside China or far outside the store's zone, as warnings)",
        ),
    ] = False,
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """导入数据：校验每一行，全部合格才写入（或 --skip-bad）；重复导入同一文件不产生变化。

    Import a file. Every problem is reported by file, row, field and reason; by default
    nothing is written when any row is bad. Re-importing the same file changes nothing.
    """
    from landrenewal.cli.progress import stages
    from landrenewal.domain.policy import PolicyError
    from landrenewal.files.source import SourceError
    from landrenewal.importing.mapping import MappingError
    from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_file
    from landrenewal.store.engine import StoreError, open_store

    _kind(kind, as_json)
    if rejects is not None and rejects.resolve() == file.resolve():
        fail(
            f"--rejects 不能是要导入的文件本身 (the rejects file must not be the file imported): {rejects}",
            Exit.USAGE,
            as_json,
        )
    try:
        store = open_store(db)
        tolerance = area_tolerance if area_tolerance is not None else _policy_area_tolerance(store, policy)
        options = ImportOptions(
            skip_bad=skip_bad,
            area_tolerance=tolerance,
            mapping=mapping,
            accept_far_places=accept_far_places,
            actor=os_user(),
        )
        with stages(f"导入 {file.name}", quiet=as_json):
            report = import_file(store, kind, file, options)
        code = Exit.OK
    except ImportRefused as refused:
        report = refused.report
        code = Exit.REFUSED
    except (SourceError, MappingError, StoreError, PolicyError) as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    if rejects is not None and (len(report.problems) or code is Exit.REFUSED):
        report.write_rejects(rejects)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
    else:
        from landrenewal.cli.render import print_import_report

        print_import_report(console, report, rejects)
    raise typer.Exit(int(code))


def _policy_area_tolerance(store: Store, policy: str | None) -> float:
    """The area tolerance of the named policy, else of the store's, else the default."""
    from landrenewal.analysis.policy import area_tolerance

    with store.engine.connect() as conn:
        found = area_tolerance(conn, policy, dt.date.today())
    return DEFAULT_AREA_TOLERANCE if found is None else found[0]


@app.command()
def export(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP)],
    out: Annotated[Path, typer.Option("--out", help="输出文件路径 (output file)")],
    fmt: Annotated[str, typer.Option("--format", help="gpkg | shp | geojson | xlsx | csv")] = "gpkg",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """导出数据：Shapefile 为 UTF-8 并附 .cpg 与字段对照表；XLSX 为中文表头并注明单位。

    Export records. Shapefiles are UTF-8 with a .cpg and a field-name table; XLSX has
    Chinese headers with units.
    """
    from landrenewal.exporting import FORMATS
    from landrenewal.exporting import export as run_export
    from landrenewal.store.engine import StoreError, open_store

    _kind(kind, as_json)
    if fmt not in FORMATS:
        fail(f"未知格式 {fmt!r}；可选 (unknown format; one of): {', '.join(FORMATS)}", Exit.USAGE, as_json)
    try:
        store = open_store(db, create=False)
        count, written = run_export(store, kind, fmt, out)
    except StoreError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    if as_json:
        print(
            json.dumps(
                {"kind": kind, "format": fmt, "records": count, "files": [str(p) for p in written]}, ensure_ascii=False
            )
        )
    else:
        console.print(f"已导出 {count} 条{ENTITIES[kind].zh}记录 (exported) → " + ", ".join(map(str, written)))


@app.command()
def info(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """库概况：坐标系与各类记录数量 (what the store holds)."""
    from landrenewal.store.engine import StoreError, open_store
    from landrenewal.store.summary import summarize

    try:
        store = open_store(db, create=False)
    except StoreError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    summary = summarize(store)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return
    table = Table(title=f"{db}  (EPSG:{summary['epsg']})")
    table.add_column("类型 kind")
    table.add_column("记录数 records", justify="right")
    for kind, count in summary["counts"].items():
        table.add_row(f"{ENTITIES[kind].zh} {kind}", f"{count:,}")
    console.print(table)
    if summary.get("parcel_area_mu"):
        console.print(f"宗地总面积 {summary['parcel_area_mu']:,.2f} 亩 ({summary['parcel_area_ha']:,.2f} 公顷)")


@app.command()
def check(
    db: DbOption = DEFAULT_DB,
    repair: Annotated[bool, typer.Option("--repair", help="重建空间索引、触发器和图层范围（不改动要素本身）")] = False,
    as_json: JsonOption = False,
) -> None:
    """检查库是否完好：SQLite 完整性、GeoPackage 空间索引与触发器、图层范围、坐标系 (is the store whole?).

    Exit code 0 when whole, 1 when something is wrong (each problem is named).
    """
    from landrenewal.store.engine import StoreError, open_store
    from landrenewal.store.integrity import check_store, repair_store

    try:
        store = open_store(db, create=False)
        repaired = repair_store(store) if repair else []
        problems = check_store(store)
    except StoreError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    if as_json:
        print(
            json.dumps(
                {"db": db, "ok": not problems, "repaired": repaired, "problems": [p.as_dict() for p in problems]},
                ensure_ascii=False,
            )
        )
    else:
        for line in repaired:
            console.print(f"已修复 {line}")
        for problem in problems:
            console.print(f"[bold red]问题[/] {problem.table or '整个库'}：{problem.message}")
        if not problems:
            console.print(f"{db}：库完好（完整性、空间索引、触发器、图层范围、坐标系均已检查）")
        elif not repair and not store.is_postgis:
            console.print(f"可运行 landrenewal check --repair --db {db} 重建空间索引和图层范围")
    if problems:
        raise typer.Exit(int(Exit.REFUSED))


@app.command()
def init(
    crs: Annotated[str, typer.Option(help="库的投影坐标系，例如 EPSG:4547 (the store's projected CRS)")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """新建或设定库的坐标系 (create a store and fix its projected CRS)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    from landrenewal.accounts import audit
    from landrenewal.store.engine import StoreError, open_store

    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        fail(f"无法识别的坐标系 {crs!r}: {exc}", Exit.USAGE, as_json)
    epsg = parsed.to_epsg()
    if epsg is None or not parsed.is_projected:
        fail(f"{crs} 不是带 EPSG 代码的投影坐标系 (must be a projected CRS with an EPSG code)", Exit.USAGE, as_json)
    try:
        store = open_store(db)
        with store.write() as conn:
            before = store.epsg(conn)
            store.set_epsg(conn, epsg)
            if before != epsg:
                audit(conn, os_user(), "crs.set", "settings", "crs_epsg", before, epsg)
    except StoreError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    if as_json:
        print(json.dumps({"db": db, "epsg": epsg}))
    else:
        console.print(f"{db}: 坐标系 {parsed.name} (EPSG:{epsg})")


@demo_app.command("build")
def demo_build(
    db: DbOption = DEFAULT_DB,
    parcels: Annotated[int, typer.Option(help="宗地数量 (number of parcels)", min=50, max=2_000_000)] = 3000,
    seed: Annotated[int, typer.Option(help="随机种子：同一种子生成同一城市 (same seed, same city)")] = 20261123,
    as_json: JsonOption = False,
) -> None:
    """生成示范城市并导入库中 (generate the demo city and import it into the store)."""
    from landrenewal.cli.progress import bar
    from landrenewal.demo.build import STEPS, build_demo
    from landrenewal.importing.pipeline import ImportRefused
    from landrenewal.store.engine import open_store

    store = open_store(db)
    try:
        with bar(quiet=as_json) as progress:
            task = progress.add_task("示范城市 demo city", total=STEPS)

            def step(label: str) -> None:
                progress.update(task, description=label, completed=progress.tasks[task].completed + 1)

            progress.update(task, completed=-1)
            reports = build_demo(store, parcels=parcels, seed=seed, on_step=step, actor=os_user())
    except ImportRefused as refused:
        fail(f"示范数据未通过校验（程序缺陷，请报告）: {refused}", Exit.REFUSED, as_json)
    if as_json:
        print(json.dumps({"db": db, "imports": [r.to_dict() for r in reports]}, ensure_ascii=False, default=str))
        return
    from landrenewal.cli.render import print_demo_summary

    print_demo_summary(console, db, store, reports)


@policy_app.command("list")
def policy_list(as_json: JsonOption = False) -> None:
    """内置政策 (the shipped policy profiles)."""
    from landrenewal.policyfiles import load_chain, shipped_ids

    rows: list[dict[str, str]] = []
    for policy_id in shipped_ids():
        chain = load_chain(policy_id)
        rows.append({"id": policy_id, "name": chain[0].policy.name, "chain": " → ".join(f.policy.id for f in chain)})
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="内置政策 shipped policies")
    for title in ("id", "名称 name", "继承 inherits"):
        table.add_column(title)
    for row in rows:
        table.add_row(row["id"], row["name"], row["chain"])
    console.print(table)


@policy_app.command("show")
def policy_show(
    policy: Annotated[str, typer.Argument(help="政策 id（如 zj-quzhou）或 YAML 文件路径")],
    on: Annotated[str | None, typer.Option("--on", help="日期 YYYY-MM-DD，默认今天 (the date)")] = None,
    as_json: JsonOption = False,
) -> None:
    """某日生效的参数值及其出处 (the values in force on a date, with their sources)."""
    import datetime as dt

    from landrenewal.domain.policy import PolicyError
    from landrenewal.policyfiles import resolve_policy

    day = parse_date(on, as_json) if on else dt.date.today()
    try:
        resolved = resolve_policy(policy, day)
    except PolicyError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    if as_json:
        print(
            json.dumps(
                resolved.described(),
                ensure_ascii=False,
                default=str,
            )
        )
        return
    table = Table(title=f"{resolved.policy_id} 于 {day} 生效的参数 (version {resolved.version})", show_lines=True)
    for title in ("参数 parameter", "值 value", "单位 unit", "起 from", "出处 source", "所在 in"):
        table.add_column(title, overflow="fold")
    for name, v in resolved.values.items():
        table.add_row(f"{name}\n{v.description}", str(v.value), v.unit, v.start.isoformat(), v.source, v.defined_in)
    console.print(table)


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="自己的政策 YAML 文件 (your policy file)")],
    as_json: JsonOption = False,
) -> None:
    """检查政策文件：格式、日期、出处、继承与单位 (check a policy file and its parents)."""
    from landrenewal.domain.policy import PolicyError
    from landrenewal.policyfiles import load_chain, version_of

    try:
        chain = load_chain(str(file))
    except PolicyError as exc:
        if as_json:
            print(json.dumps({"file": str(file), "ok": False, "problems": exc.problems}, ensure_ascii=False))
        else:
            for problem in exc.problems:
                console.print(f"[red]✗[/] {problem}")
        raise typer.Exit(int(Exit.REFUSED)) from None
    summary = {
        "file": str(file),
        "ok": True,
        "id": chain[0].policy.id,
        "version": version_of(chain),
        "chain": [f.policy.id for f in chain],
        "parameters": len(chain[0].policy.parameters),
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        console.print(
            f"[green]✓[/] {file}: {summary['id']}，继承 {' → '.join(summary['chain'])}，"  # type: ignore[arg-type]
            f"{summary['parameters']} 个参数，版本 {summary['version']}"
        )


app.command()(analysis.evaluate)
app.command()(analysis.identify)
app.command()(analysis.explain)
runs_app = typer.Typer(help="评价与认定批次 Stored runs.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
runs_app.command("list")(analysis.runs)
runs_app.command("compare")(analysis.compare)
policy_app.command("use")(analysis.policy_use)
app.add_typer(zones_app, name="zones")
app.add_typer(web.users_app, name="users")
app.command()(web.serve)
app.command("audit")(audit_log.audit)


def main() -> None:  # pragma: no cover - entry point
    sys.exit(app())
