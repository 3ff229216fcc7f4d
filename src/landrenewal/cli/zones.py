"""``landrenewal zones``: contiguous renewal zones, their policy checks, the 大/中/小圈 plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

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
    word,
)
from landrenewal.domain.language import say

zones_app = App(
    help=say("连片片区与“大中小圈”规划。", "Contiguous renewal zones and the big/middle/small zone plan."),
    no_args_is_help=True,
)

OutOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--out",
        help=say("写出 .xlsx、.gpkg 或 .geojson 文件，可多次给出", "write a .xlsx, .gpkg or .geojson file; repeatable"),
    ),
]


@contextmanager
def _failures(as_json: bool) -> Iterator[None]:
    from landrenewal.analysis.evaluation_runs import RunNotFound
    from landrenewal.domain.policy import PolicyError
    from landrenewal.domain.selection import SelectionError
    from landrenewal.files.writers import ExportError
    from landrenewal.store.engine import StoreError

    try:
        yield
    except (SelectionError, RunNotFound, ExportError) as exc:
        fail(str(exc), Exit.USAGE, as_json)
    except (PolicyError, StoreError) as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)


def _store(db: str) -> Any:
    from landrenewal.store.engine import open_store

    return open_store(db, create=False)


@zones_app.command(
    "build",
    help=say(
        "连片分析：把选取的宗地按间距连成片区，统计面积、企业、亩均、分类与认定，并对照政策门槛；"
        "每次生成保存为一个新版本。",
        "Join the selected parcels into contiguous zones (parcels within the gap of each other), with their "
        "figures and the policy checks; each build is stored as a new version.",
    ),
)
def build(
    select: Annotated[
        str,
        typer.Option(
            "--select",
            help=say(
                "选取：findings（有认定结果，默认）、all、class:C,D、rule:规则编号,…、category:类别,…；用 ; 并列",
                "which parcels: findings (with findings, the default) | all | class:C,D | rule:ID,… | "
                "category:…; join with ;",
            ),
        ),
    ] = "findings",
    gap: Annotated[
        float | None,
        typer.Option(
            "--gap",
            help=say("连片间距（米），默认取政策的 zones.gap_m", "the gap in metres; default the policy's zones.gap_m"),
        ),
    ] = None,
    policy: PolicyOption = None,
    identification: Annotated[
        int | None,
        typer.Option(
            "--identification",
            help=say("依据的认定批次，默认最新", "the identification run to use; default the newest"),
        ),
    ] = None,
    evaluation: Annotated[
        int | None,
        typer.Option(
            "--evaluation",
            help=say("依据的评价批次，默认为认定所用批次", "the evaluation run to use; default the identification's"),
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help=say(
                "python（进程内）或 postgis（ST_ClusterDBSCAN，仅 PostGIS 库）",
                "python (in process) or postgis (ST_ClusterDBSCAN, PostGIS stores only)",
            ),
        ),
    ] = "python",
    out: OutOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Join the selected parcels into contiguous zones, stored as a new version."""
    from landrenewal.analysis.zone_runs import build_zones
    from landrenewal.analysis.zones_out import write_zones

    with _failures(as_json):
        store = _store(db)
        run = build_zones(store, select, gap, policy, identification, evaluation, engine, by=os_user())
        with store.engine.connect() as conn:
            for path in out or []:
                write_zones(conn, store, run.info.id, path)
    summary = _summary(run)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, default=str))
        return
    _print_run(run, summary)
    for path in out or []:
        console.print(say(f"已写入 {path}", f"written: {path}"))


def _summary(run: Any) -> dict[str, Any]:
    zones = run.zones
    info = run.info

    def count(flag: str) -> dict[str, Any] | None:
        if zones[flag].isna().all():
            return None
        hit = zones[flag].fillna(0).astype(bool)
        return {"zones": int(hit.sum()), "mu": round(float(zones.loc[hit, "area_mu"].sum()), 2)}

    towns = run.towns
    return {
        "run_id": info.id,
        "selection": info.selection,
        "gap_m": info.gap_m,
        "engine": info.engine,
        "policy": info.policy_version,
        "identification_run_id": info.identification_run_id,
        "evaluation_run_id": info.evaluation_run_id,
        "parcels": info.parcel_count,
        "mu": round(info.area_mu, 2),
        "zones": info.zone_count,
        "without_geometry": run.without_geometry,
        "contiguous_candidates": count("contiguous_candidate"),
        "industrial_candidates": count("industrial_candidate"),
        "scattered": count("scattered"),
        "parking_rule": count("parking_rule"),
        "not_checked": run.not_checked,
        "notes": run.notes,
        "towns": [
            {
                "town_code": r.town_code,
                "town_name": r.town_name,
                "mu": round(float(r.area_mu), 2),
                "inside_big_share": None if pd.isna(r.inside_big_share) else round(float(r.inside_big_share), 4),
                "meets_share": None if pd.isna(r.meets_share) else bool(r.meets_share),
            }
            for r in towns.itertuples()
        ],
    }


def _flag_labels() -> dict[str, str]:
    return {
        "contiguous_candidate": say("连片", "contiguous"),
        "industrial_candidate": say("工改工", "industrial"),
        "scattered": say("零星", "scattered"),
        "parking_rule": say("停车", "parking"),
    }


def _flags(zone: Any, labels: dict[str, str]) -> str:
    """The policy flags a zone carries, in a few words (the full verdict is in the exports)."""
    hits = [label for flag, label in labels.items() if getattr(zone, flag) == 1]
    return say("、", ", ").join(hits) or "—"


def _print_run(run: Any, summary: dict[str, Any]) -> None:
    info = run.info
    title = say(
        f"连片片区 批次 {info.id}（{info.selection}，间距 {info.gap_m:g} 米，{info.policy_version}）",
        f"Zones, run {info.id} ({info.selection}, gap {info.gap_m:g} m, {info.policy_version})",
    )
    table = Table(title=title)
    for column in (say("项目", "item"), say("片区", "zones"), say("面积（亩）", "area (mu)")):
        table.add_column(column, justify="right")
    parcels = say(f"{info.parcel_count:,} 宗", f"{info.parcel_count:,} parcels")
    table.add_row(say("选取宗地", "selected parcels"), parcels, f"{info.area_mu:,.1f}")
    table.add_row(say("片区", "zones"), f"{info.zone_count:,}", "")
    for key, label in (
        ("contiguous_candidates", say("连片整治候选", "candidates for contiguous renewal")),
        ("industrial_candidates", say("连片工改工候选", "candidates for industrial-to-industrial renewal")),
        ("scattered", say("零星区块（消除清单）", "scattered blocks (to be cleared)")),
        ("parking_rule", say("适用停车配置", "under the parking rule")),
    ):
        figures = summary[key]
        if figures is None:
            table.add_row(label, say("政策未规定", "not in the policy"), "—")
        else:
            table.add_row(label, f"{figures['zones']:,}", f"{figures['mu']:,.1f}")
    console.print(table)
    top = Table(title=say("最大的片区", "Largest zones"))
    for column in (
        say("编号", "zone"),
        say("宗地", "parcels"),
        say("面积亩", "mu"),
        say("企业", "enterprises"),
        say("权利人", "holders"),
        say("集体亩", "collective mu"),
        say("亩均税收", "tax per mu"),
        say("C+D亩", "C+D mu"),
        say("镇街", "town"),
        say("政策", "policy"),
    ):
        top.add_column(column, no_wrap=True)
    labels = _flag_labels()
    for z in run.zones.head(10).itertuples():
        top.add_row(
            str(z.zone_no),
            str(z.parcel_count),
            f"{z.area_mu:,.1f}",
            str(z.enterprise_count),
            str(z.holder_count),
            f"{z.collective_mu:,.1f}",
            "—" if pd.isna(z.tax_per_mu) else f"{z.tax_per_mu:.2f}",
            f"{z.class_c_mu + z.class_d_mu:,.1f}",
            str(z.town_name or z.town_code or "—"),
            _flags(z, labels),
        )
    console.print(top)
    towns = Table(title=say("按镇街（大圈内占比）", "By town (share inside the big zones)"))
    for column in (
        say("镇街", "town"),
        say("宗地", "parcels"),
        say("面积 亩", "mu"),
        say("候选 亩", "candidate mu"),
        say("零星 亩", "scattered mu"),
        say("大圈内 亩", "mu inside big zones"),
        say("占比", "share"),
        say("达标", "meets"),
    ):
        towns.add_column(column)
    for t in run.towns.itertuples():
        meets = "—" if pd.isna(t.meets_share) else (say("是", "yes") if t.meets_share else say("否", "no"))
        share = "—" if pd.isna(t.inside_big_share) else f"{t.inside_big_share:.0%}"
        towns.add_row(
            f"{t.town_name or ''} {t.town_code}",
            str(t.parcel_count),
            f"{t.area_mu:,.1f}",
            f"{t.candidate_mu:,.1f}",
            f"{t.scattered_mu:,.1f}",
            f"{t.inside_big_mu:,.1f}",
            share,
            meets,
        )
    console.print(towns)
    for name in run.not_checked:
        console.print(
            f"[yellow]{say('未检查', 'Not checked')}[/] "
            + say(f"政策 {info.policy_id} 未规定 {name}", f"the policy {info.policy_id} does not set {name}")
        )
    note_word = say("注意", "Note")
    for note in run.notes:
        console.print(f"[yellow]{note_word}[/] {note}")
    if run.without_geometry:
        n = run.without_geometry
        console.print(
            f"[yellow]{note_word}[/] "
            + say(f"{n} 宗选取的宗地没有图形，未参与连片", f"{n} selected parcels have no geometry and were left out")
        )


@zones_app.command("list", help=say("连片片区批次列表。", "List the stored zone runs."))
def list_runs(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """The stored zone runs."""
    from landrenewal.analysis.zone_runs import list_zone_runs

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            runs = list_zone_runs(conn)
    if as_json:
        print(json.dumps([vars(r) for r in runs], ensure_ascii=False, default=str))
        return
    table = Table(title=say("连片片区批次", "Zone runs"))
    for column in (
        say("批次", "run"),
        say("选取", "selection"),
        say("间距 米", "gap m"),
        say("方式", "engine"),
        say("政策版本", "policy"),
        say("宗地", "parcels"),
        say("片区", "zones"),
        say("面积 亩", "mu"),
        say("时间", "at"),
    ):
        table.add_column(column)
    for r in runs:
        table.add_row(
            str(r.id),
            r.selection,
            f"{r.gap_m:g}",
            r.engine,
            r.policy_version,
            f"{r.parcel_count:,}",
            f"{r.zone_count:,}",
            f"{r.area_mu:,.1f}",
            f"{r.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@zones_app.command(
    "export",
    help=say(
        "写出一个连片片区批次：XLSX（片区、片区宗地、镇街汇总）、GeoPackage 或 GeoJSON。",
        "Write out a zone run: XLSX (zones, their parcels, towns), GeoPackage or GeoJSON.",
    ),
)
def export(
    run: Annotated[
        int | None, typer.Argument(help=say("批次 id，默认最新", "the zone run; default the newest"))
    ] = None,
    out: OutOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Write out a zone run."""
    from landrenewal.analysis.evaluation_runs import RunNotFound
    from landrenewal.analysis.zone_runs import latest_zone_run
    from landrenewal.analysis.zones_out import write_zones

    if not out:
        fail(say("请用 --out 给出输出文件", "give the output file with --out"), Exit.USAGE, as_json)
    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            if run is None:
                latest = latest_zone_run(conn)
                if latest is None:
                    raise RunNotFound(
                        say(
                            "库中还没有连片片区批次；请先运行 `landrenewal zones build`",
                            "the store has no zone run yet; run `landrenewal zones build` first",
                        )
                    )
                run = latest.id
            for path in out:
                write_zones(conn, store, run, path)
    if as_json:
        print(json.dumps({"run_id": run, "written": [str(p) for p in out]}, ensure_ascii=False))
        return
    for path in out:
        console.print(say(f"已写入 {path}", f"written: {path}"))


@zones_app.command(
    "plan",
    help=say(
        "检查“大中小圈”规划：面积（含弹性）、层级嵌套、同级重叠；每项违规写明数值与限值。有违规时退出码为 1。",
        "Check the big/middle/small zone plan in the store: sizes within the policy's ranges widened by its "
        "elasticity, each zone inside its parent, no overlaps within a level. Exit 1 if any fails.",
    ),
)
def plan(
    policy: PolicyOption = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on", help=say("按此日生效的政策检查，默认今天", "check the policy in force on this date; default today")
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=say("检查结果写入 XLSX", "write the violations to this XLSX file"))
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Check the 大/中/小圈 plan in the store; exit 1 if any check fails."""
    import datetime as dt

    from landrenewal.analysis.planning_check import check_store_plan
    from landrenewal.cli.common import parse_date
    from landrenewal.files.writers import write_workbook

    when = parse_date(on, as_json) if on is not None else dt.date.today()
    with _failures(as_json):
        store = _store(db)
        checked = check_store_plan(store, policy, when)
    violations = checked.violations
    if out is not None:
        about = {
            say("政策及版本", "policy and version"): checked.policy_version,
            say("政策日期", "policy date"): when.isoformat(),
            say("库", "store"): db,
        }
        about |= {say(f"未检查 {k}", f"not checked: {k}"): v for k, v in checked.not_run.items()}
        headers = {
            "zone_code": say("分区代码", "zone code"),
            "name": say("分区名称", "zone name"),
            "level": say("层级", "level"),
            "check": say("检查项", "check"),
            "value": say("数值", "value"),
            "limit": say("限值", "limit"),
            "unit": say("单位", "unit"),
            "related_code": say("相关分区", "related zone"),
            "message": say("说明", "message"),
        }
        write_workbook(out, {say("规划检查", "plan check"): violations.rename(columns=headers)}, about)
    if as_json:
        print(
            json.dumps(
                {
                    "policy": checked.policy_version,
                    "on": when.isoformat(),
                    "zones": checked.zones,
                    "ok": checked.ok,
                    "not_run": checked.not_run,
                    "violations": violations.to_dict(orient="records"),
                },
                ensure_ascii=False,
                default=str,
            )
        )
    else:
        counts = say("，", ", ").join(f"{word('level', k)} {v}" for k, v in checked.zones.items())
        console.print(
            say(
                f"“大中小圈”规划检查（{checked.policy_version}，{when}）：{counts}",
                f"The zone plan checked ({checked.policy_version}, {when}): {counts}",
            )
        )
        for row in violations.itertuples():
            console.print(f"[red]✗[/] {row.message}")
        for check, why in checked.not_run.items():
            console.print(f"[yellow]{say('未检查', 'Not checked')}[/] {check}{say('：', ': ')}{why}")
        if checked.ok:
            console.print("[green]✓[/] " + say("未发现违规", "no violations"))
        if out is not None:
            console.print(say(f"已写入 {out}", f"written: {out}"))
    raise typer.Exit(int(Exit.OK if checked.ok else Exit.REFUSED))
