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
    App,
    DbOption,
    Exit,
    JsonOption,
    PolicyOption,
    console,
    fail,
    os_user,
    parse_date,
    word,
)
from landrenewal.cli.ledger import consent_app, holders_app, votes_app
from landrenewal.cli.projects import deadlines_app, projects_app
from landrenewal.cli.zones import zones_app
from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.language import say
from landrenewal.importing.checks import DEFAULT_AREA_TOLERANCE

if TYPE_CHECKING:
    from landrenewal.store.engine import Store

app = App(
    name="landrenewal",
    help=say(
        "低效工业用地整治全链管理平台：调查、评价与整治低效工业用地。",
        "The platform for renewing low-efficiency industrial land: survey, evaluate and renew it.",
    ),
    no_args_is_help=True,
    add_completion=False,
)
KINDS_HELP = " | ".join(ENTITIES)
demo_app = App(help=say("示范城市。", "The demo city."), no_args_is_help=True)
app.add_typer(demo_app, name="demo")
policy_app = App(
    help=say("政策参数：各地注明日期与出处的参数值。", "Policy files: dated, cited values per jurisdiction."),
    no_args_is_help=True,
)
app.add_typer(policy_app, name="policy")


def _kind(kind: str, as_json: bool) -> str:
    if kind not in ENTITIES:
        kinds = say("、", ", ").join(ENTITIES)
        fail(
            say(f"未知的数据类型 {kind!r}；可选：{kinds}", f"unknown kind {kind!r}; one of: {kinds}"),
            Exit.USAGE,
            as_json,
        )
    return kind


@app.command(
    "import",
    help=say(
        "导入数据：校验每一行，全部合格才写入（或用 --skip-bad 只导入合格行）；重复导入同一文件不产生变化。\n\n"
        "每个问题都写明文件、行、字段和原因；默认只要有一行不合格就什么也不写入。",
        "Import a file: every row is checked, and it is written only when all rows are good (or --skip-bad). "
        "Re-importing the same file changes nothing.\n\n"
        "Every problem is reported by file, row, field and reason; by default nothing is written when any row is bad.",
    ),
)
def import_(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP)],
    file: Annotated[
        Path,
        typer.Argument(
            help=say(
                "Shapefile、GeoPackage、GeoJSON、CSV 或 XLSX 文件", "a Shapefile, GeoPackage, GeoJSON, CSV or XLSX file"
            )
        ),
    ],
    db: DbOption = DEFAULT_DB,
    mapping: Annotated[
        Path | None, typer.Option(help=say("列映射 YAML 文件", "a YAML file mapping the file's columns"))
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help=say("跳过有错误的行，导入其余行", "skip the bad rows and load the good ones")),
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help=say("问题清单 CSV 的输出路径", "write the problems to this CSV file"))
    ] = None,
    area_tolerance: Annotated[
        float | None,
        typer.Option(
            help=say(
                "面积核对容差，相对值；默认取政策的 inventory.area_tolerance，"
                f"政策未规定时为 {DEFAULT_AREA_TOLERANCE:.0%}",
                "relative tolerance for area checks; default: the policy's inventory.area_tolerance, "
                f"else {DEFAULT_AREA_TOLERANCE:.0%}",
            )
        ),
    ] = None,
    accept_far_places: Annotated[
        bool,
        typer.Option(
            "--accept-far-places",
            help=say(
                "接受中国境外或远离库投影带的图形（按警告导入）",
                "load features outside China or far outside the store's projection zone, as warnings",
            ),
        ),
    ] = False,
    policy: PolicyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a file; nothing is written when any row is bad unless --skip-bad (help: above)."""
    from landrenewal.cli.progress import stages
    from landrenewal.domain.policy import PolicyError
    from landrenewal.files.source import SourceError
    from landrenewal.importing.mapping import MappingError
    from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_file
    from landrenewal.store.engine import StoreError, open_store

    _kind(kind, as_json)
    if rejects is not None and rejects.resolve() == file.resolve():
        fail(
            say(
                f"--rejects 不能是要导入的文件本身：{rejects}",
                f"the --rejects file must not be the file imported: {rejects}",
            ),
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
        with stages(say(f"导入 {file.name}", f"importing {file.name}"), quiet=as_json):
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


@app.command(
    help=say(
        "导出数据：Shapefile 为 UTF-8 编码并附 .cpg 与字段对照表；XLSX 为中文表头并注明单位。",
        "Export records. Shapefiles are UTF-8 with a .cpg and a field-name table; XLSX has Chinese headers with units.",
    )
)
def export(
    kind: Annotated[str, typer.Argument(help=KINDS_HELP)],
    out: Annotated[Path, typer.Option("--out", help=say("输出文件路径", "the output file"))],
    fmt: Annotated[str, typer.Option("--format", help="gpkg | shp | geojson | xlsx | csv")] = "gpkg",
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Export records of one kind in one format."""
    from landrenewal.exporting import FORMATS
    from landrenewal.exporting import export as run_export
    from landrenewal.store.engine import StoreError, open_store

    _kind(kind, as_json)
    if fmt not in FORMATS:
        formats = say("、", ", ").join(FORMATS)
        fail(
            say(f"未知格式 {fmt!r}；可选：{formats}", f"unknown format {fmt!r}; one of: {formats}"), Exit.USAGE, as_json
        )
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
        files = ", ".join(map(str, written))
        console.print(
            say(f"已导出 {count} 条{word('entity', kind)}记录 → {files}", f"exported {count} {kind} → {files}")
        )


@app.command(
    help=say("库概况：坐标系与各类记录数量。", "What the store holds: its CRS and how many records of each kind.")
)
def info(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """What the store holds."""
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
    table.add_column(say("类型", "kind"))
    table.add_column(say("记录数", "records"), justify="right")
    for kind, count in summary["counts"].items():
        table.add_row(word("entity", kind), f"{count:,}")
    console.print(table)
    if summary.get("parcel_area_mu"):
        mu, ha = summary["parcel_area_mu"], summary["parcel_area_ha"]
        console.print(say(f"宗地总面积 {mu:,.2f} 亩（{ha:,.2f} 公顷）", f"parcels in all: {mu:,.2f} mu ({ha:,.2f} ha)"))


@app.command(
    help=say(
        "检查库是否完好：SQLite 完整性、GeoPackage 空间索引与触发器、图层范围、坐标系。\n\n"
        "完好时退出码为 0，有问题时为 1（逐项写明问题）。",
        "Check that the store is whole: SQLite integrity, the GeoPackage spatial indexes and triggers, "
        "layer extents and the CRS.\n\nExit code 0 when whole, 1 when something is wrong (each problem is named).",
    )
)
def check(
    db: DbOption = DEFAULT_DB,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help=say(
                "重建空间索引、触发器和图层范围（不改动要素本身）",
                "rebuild the spatial indexes, triggers and layer extents (the features themselves are not changed)",
            ),
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Is the store whole? Exit 1 when not."""
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
            console.print(say(f"已修复 {line}", f"repaired {line}"))
        for problem in problems:
            where = problem.table or say("整个库", "the whole store")
            console.print(f"[bold red]{say('问题', 'Problem')}[/] {where}{say('：', ': ')}{problem.message}")
        if not problems:
            console.print(
                say(
                    f"{db}：库完好（完整性、空间索引、触发器、图层范围、坐标系均已检查）",
                    f"{db}: the store is whole (integrity, spatial indexes, triggers, layer extents and CRS checked)",
                )
            )
        elif not repair and not store.is_postgis:
            console.print(
                say(
                    f"可运行 landrenewal check --repair --db {db} 重建空间索引和图层范围",
                    f"run landrenewal check --repair --db {db} to rebuild the spatial indexes and layer extents",
                )
            )
    if problems:
        raise typer.Exit(int(Exit.REFUSED))


@app.command(help=say("新建库或设定库的坐标系。", "Create a store, or fix its projected CRS."))
def init(
    crs: Annotated[
        str, typer.Option(help=say("库的投影坐标系，例如 EPSG:4547", "the store's projected CRS, e.g. EPSG:4547"))
    ],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Create a store and fix its projected CRS."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    from landrenewal.accounts import audit
    from landrenewal.store.engine import StoreError, open_store

    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        fail(say(f"无法识别的坐标系 {crs!r}：{exc}", f"not a CRS: {crs!r}: {exc}"), Exit.USAGE, as_json)
    epsg = parsed.to_epsg()
    if epsg is None or not parsed.is_projected:
        fail(
            say(f"{crs} 不是带 EPSG 代码的投影坐标系", f"{crs} is not a projected CRS with an EPSG code"),
            Exit.USAGE,
            as_json,
        )
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
        console.print(say(f"{db}：坐标系 {parsed.name}（EPSG:{epsg}）", f"{db}: CRS {parsed.name} (EPSG:{epsg})"))


@demo_app.command("build", help=say("生成示范城市并导入库中。", "Generate the demo city and import it into the store."))
def demo_build(
    db: DbOption = DEFAULT_DB,
    parcels: Annotated[int, typer.Option(help=say("宗地数量", "the number of parcels"), min=50, max=2_000_000)] = 3000,
    seed: Annotated[
        int, typer.Option(help=say("随机种子：同一种子生成同一城市", "the random seed: the same seed, the same city"))
    ] = 20261123,
    as_json: JsonOption = False,
) -> None:
    """Generate the demo city and import it into the store."""
    from landrenewal.cli.progress import bar
    from landrenewal.demo.build import STEPS, build_demo
    from landrenewal.importing.pipeline import ImportRefused
    from landrenewal.store.engine import open_store

    store = open_store(db)
    try:
        with bar(quiet=as_json) as progress:
            task = progress.add_task(say("示范城市", "the demo city"), total=STEPS)

            def step(label: str) -> None:
                progress.update(task, description=label, completed=progress.tasks[task].completed + 1)

            progress.update(task, completed=-1)
            reports = build_demo(store, parcels=parcels, seed=seed, on_step=step, actor=os_user())
    except ImportRefused as refused:
        fail(
            say(
                f"示范数据未通过校验（程序缺陷，请报告）：{refused}",
                f"the demo data failed its checks (a bug; please report it): {refused}",
            ),
            Exit.REFUSED,
            as_json,
        )
    if as_json:
        print(json.dumps({"db": db, "imports": [r.to_dict() for r in reports]}, ensure_ascii=False, default=str))
        return
    from landrenewal.cli.render import print_demo_summary

    print_demo_summary(console, db, store, reports)


@demo_app.command(
    "projects",
    help=say(
        "为示范城市生成整治项目（据最近一次低效认定）：各阶段的处置项目、改造单元、村级工业园改造。",
        "Give the demo city its projects (on the latest identification's land): disposals in every stage, "
        "renewal units, a village park.",
    ),
)
def demo_projects(
    db: DbOption = DEFAULT_DB,
    as_of: Annotated[
        str, typer.Option("--as-of", help=say("示范城市的当天 YYYY-MM-DD", "the city's day"))
    ] = "2026-10-31",
    as_json: JsonOption = False,
) -> None:
    from landrenewal.demo.projects import build_projects
    from landrenewal.store.engine import open_store

    made = build_projects(open_store(db, create=False), as_of=parse_date(as_of, as_json), actor=os_user())
    if as_json:
        print(json.dumps({"projects": made}, ensure_ascii=False))
        return
    console.print(say(f"已生成 {len(made)} 个示范项目", f"{len(made)} demo projects made"))


@policy_app.command("list", help=say("内置的政策。", "The policy profiles shipped with landrenewal."))
def policy_list(as_json: JsonOption = False) -> None:
    """The shipped policy profiles."""
    from landrenewal.policies.files import load_chain, shipped_ids

    rows: list[dict[str, str]] = []
    for policy_id in shipped_ids():
        chain = load_chain(policy_id)
        rows.append({"id": policy_id, "name": chain[0].policy.name, "chain": " → ".join(f.policy.id for f in chain)})
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=say("内置政策", "Shipped policies"))
    for title in ("id", say("名称", "name"), say("继承", "inherits")):
        table.add_column(title)
    for row in rows:
        table.add_row(row["id"], row["name"], row["chain"])
    console.print(table)


@policy_app.command(
    "show", help=say("某日生效的参数值及其出处。", "The values in force on a date, with their sources.")
)
def policy_show(
    policy: Annotated[
        str,
        typer.Argument(
            help=say("政策 id（如 zj-quzhou）或 YAML 文件路径", "a policy id (e.g. zj-quzhou) or YAML file")
        ),
    ],
    on: Annotated[
        str | None, typer.Option("--on", help=say("日期 YYYY-MM-DD，默认今天", "the date, YYYY-MM-DD; default today"))
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The values in force on a date, with their sources."""
    import datetime as dt

    from landrenewal.domain.policy import PolicyError
    from landrenewal.policies.files import resolve_policy

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
    title = say(
        f"{resolved.policy_id} 于 {day} 生效的参数（版本 {resolved.version}）",
        f"{resolved.policy_id}: values in force on {day} (version {resolved.version})",
    )
    table = Table(title=title, show_lines=True)
    for title in (
        say("参数", "parameter"),
        say("值", "value"),
        say("单位", "unit"),
        say("起", "from"),
        say("出处", "source"),
        say("所在", "in"),
    ):
        table.add_column(title, overflow="fold")
    for name, v in resolved.values.items():
        table.add_row(f"{name}\n{v.description}", str(v.value), v.unit, v.start.isoformat(), v.source, v.defined_in)
    console.print(table)


@policy_app.command(
    "check",
    help=say(
        "检查政策文件：格式、日期、出处、继承与单位。",
        "Check a policy file and its parents: format, dates, sources, inheritance and units.",
    ),
)
def policy_check(
    file: Annotated[Path, typer.Argument(help=say("自己的政策 YAML 文件", "your policy YAML file"))],
    as_json: JsonOption = False,
) -> None:
    """Check a policy file and its parents."""
    from landrenewal.domain.policy import PolicyError
    from landrenewal.policies.files import load_chain, version_of

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
        chain_shown = " → ".join(summary["chain"])  # type: ignore[arg-type]
        console.print(
            "[green]✓[/] "
            + say(
                f"{file}：{summary['id']}，继承 {chain_shown}，"
                f"{summary['parameters']} 个参数，版本 {summary['version']}",
                f"{file}: {summary['id']}, inherits {chain_shown}, {summary['parameters']} parameters, "
                f"version {summary['version']}",
            )
        )


app.command(help=analysis.evaluate_help())(analysis.evaluate)
app.command(help=analysis.identify_help())(analysis.identify)
app.command(help=analysis.explain_help())(analysis.explain)
runs_app = App(help=say("评价与认定批次。", "The stored evaluation and identification runs."), no_args_is_help=True)
app.add_typer(runs_app, name="runs")
runs_app.command("list", help=say("评价与认定批次列表。", "List the stored evaluation and identification runs."))(
    analysis.runs
)
runs_app.command(
    "compare",
    help=say(
        "比较两个评价批次：每家企业的类别与得分变化。",
        "Compare two evaluation runs: how each enterprise's class and score changed.",
    ),
)(analysis.compare)
policy_app.command("use", help=say("设定库的默认政策。", "Make a policy the store's default."))(analysis.policy_use)
app.add_typer(zones_app, name="zones")
app.add_typer(projects_app, name="projects")
app.add_typer(deadlines_app, name="deadlines")
app.add_typer(holders_app, name="holders")
app.add_typer(consent_app, name="consent")
app.add_typer(votes_app, name="votes")
app.add_typer(web.users_app, name="users")
app.command(
    help=say(
        "启动网页服务（设置也可来自 LANDRENEWAL_* 环境变量）。",
        "Serve the web app (settings also come from LANDRENEWAL_* environment variables).",
    )
)(web.serve)
app.command("audit", help=audit_log.audit_help())(audit_log.audit)


def main() -> None:  # pragma: no cover - entry point
    sys.exit(app())
