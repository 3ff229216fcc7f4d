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

from landrenewal.cli.common import DEFAULT_DB, DbOption, Exit, JsonOption, PolicyOption, console, fail, os_user

zones_app = typer.Typer(help="连片片区 Contiguous renewal zones and the 大/中/小圈 plan.", no_args_is_help=True)

OutOption = Annotated[
    list[Path] | None,
    typer.Option("--out", help="写出 .xlsx、.gpkg 或 .geojson，可多次给出 (write zones; repeatable)"),
]


@contextmanager
def _failures(as_json: bool) -> Iterator[None]:
    from landrenewal.analysis.evaluation_runs import RunNotFound
    from landrenewal.analysis.zones_out import ZoneExportError
    from landrenewal.domain.policy import PolicyError
    from landrenewal.domain.selection import SelectionError
    from landrenewal.store.engine import StoreError

    try:
        yield
    except (SelectionError, RunNotFound, ZoneExportError) as exc:
        fail(str(exc), Exit.USAGE, as_json)
    except (PolicyError, StoreError) as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)


def _store(db: str) -> Any:
    from landrenewal.store.engine import open_store

    return open_store(db, create=False)


@zones_app.command("build")
def build(
    select: Annotated[
        str,
        typer.Option(
            "--select",
            help="选取：findings（有认定结果，默认）、all、class:C,D、rule:规则编号,…、category:类别,…；用 ; 并列 "
            "(which parcels: findings | all | class:C,D | rule:ID,… | category:…; join with ;)",
        ),
    ] = "findings",
    gap: Annotated[
        float | None, typer.Option("--gap", help="连片间距（米），默认取政策 zones.gap_m (gap in metres)")
    ] = None,
    policy: PolicyOption = None,
    identification: Annotated[
        int | None, typer.Option("--identification", help="依据的认定批次，默认最新 (identification run)")
    ] = None,
    evaluation: Annotated[
        int | None, typer.Option("--evaluation", help="依据的评价批次，默认认定所用批次 (evaluation run)")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="python（进程内）或 postgis（ST_ClusterDBSCAN，仅 PostGIS 库）")
    ] = "python",
    out: OutOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """连片分析：把选取的宗地按间距连成片区，统计面积、企业、亩均、分类与认定，并对照政策门槛。

    Join the selected parcels into contiguous zones (parcels within the gap of each other), with
    their figures and the policy checks; each build is stored as a new version.
    """
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
        console.print(f"已写入 (written) {path}")


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


FLAG_LABELS = {
    "contiguous_candidate": "连片",
    "industrial_candidate": "工改工",
    "scattered": "零星",
    "parking_rule": "停车",
}


def _flags(zone: Any) -> str:
    """The policy flags a zone carries, in a few characters (the full verdict is in the exports)."""
    hits = [label for flag, label in FLAG_LABELS.items() if getattr(zone, flag) == 1]
    return "、".join(hits) or "—"


def _print_run(run: Any, summary: dict[str, Any]) -> None:
    info = run.info
    title = f"连片片区 批次 {info.id}（{info.selection}，间距 {info.gap_m:g} 米，{info.policy_version}）"
    table = Table(title=title)
    for column in ("项目 item", "片区 zones", "面积 亩 mu"):
        table.add_column(column, justify="right")
    table.add_row("选取宗地 selected", f"{info.parcel_count:,} 宗", f"{info.area_mu:,.1f}")
    table.add_row("片区 zones", f"{info.zone_count:,}", "")
    for key, label in (
        ("contiguous_candidates", "连片整治候选 contiguous candidates"),
        ("industrial_candidates", "连片工改工候选 工改工 candidates"),
        ("scattered", "零星区块（消除清单）scattered"),
        ("parking_rule", "适用停车配置 parking rule"),
    ):
        figures = summary[key]
        if figures is None:
            table.add_row(label, "政策未规定", "—")
        else:
            table.add_row(label, f"{figures['zones']:,}", f"{figures['mu']:,.1f}")
    console.print(table)
    top = Table(title="最大的片区 largest zones")
    for column in ("编号", "宗地", "面积亩", "企业", "权利人", "集体亩", "亩均税收", "C+D亩", "镇街", "政策"):
        top.add_column(column, no_wrap=True)
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
            _flags(z),
        )
    console.print(top)
    towns = Table(title="按镇街 by town（大圈内占比 share inside 大圈）")
    for column in ("镇街 town", "宗地", "面积 亩", "候选 亩", "零星 亩", "大圈内 亩", "占比", "达标"):
        towns.add_column(column)
    for t in run.towns.itertuples():
        meets = "—" if pd.isna(t.meets_share) else ("是" if t.meets_share else "否")
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
        console.print(f"[yellow]未检查[/] 政策 {info.policy_id} 未规定 {name} (not in the policy)")
    for note in run.notes:
        console.print(f"[yellow]注意[/] {note}")
    if run.without_geometry:
        console.print(f"[yellow]注意[/] {run.without_geometry} 宗选取的宗地没有图形，未参与连片 (no geometry)")


@zones_app.command("list")
def list_runs(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """连片片区批次列表 (the stored zone runs)."""
    from landrenewal.analysis.zone_runs import list_zone_runs

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            runs = list_zone_runs(conn)
    if as_json:
        print(json.dumps([vars(r) for r in runs], ensure_ascii=False, default=str))
        return
    table = Table(title="连片片区批次 zone runs")
    for column in ("批次 id", "选取 selection", "间距 米", "方式", "政策版本", "宗地", "片区", "面积 亩", "时间 at"):
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


@zones_app.command("export")
def export(
    run: Annotated[int | None, typer.Argument(help="批次 id，默认最新 (zone run; default the newest)")] = None,
    out: OutOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """写出一个连片片区批次：XLSX（片区、片区宗地、镇街汇总）、GeoPackage 或 GeoJSON。"""
    from landrenewal.analysis.evaluation_runs import RunNotFound
    from landrenewal.analysis.zone_runs import latest_zone_run
    from landrenewal.analysis.zones_out import write_zones

    if not out:
        fail("请用 --out 给出输出文件 (give --out)", Exit.USAGE, as_json)
    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            if run is None:
                latest = latest_zone_run(conn)
                if latest is None:
                    raise RunNotFound("库中还没有连片片区批次；请先运行 `landrenewal zones build` (no zone run yet)")
                run = latest.id
            for path in out:
                write_zones(conn, store, run, path)
    if as_json:
        print(json.dumps({"run_id": run, "written": [str(p) for p in out]}, ensure_ascii=False))
        return
    for path in out:
        console.print(f"已写入 (written) {path}")


@zones_app.command("plan")
def plan(
    policy: PolicyOption = None,
    on: Annotated[str | None, typer.Option("--on", help="按此日生效的政策检查，默认今天 (policy date)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="检查结果写入 XLSX (write the violations)")] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """检查“大中小圈”规划：面积（含弹性）、层级嵌套、同级重叠；每项违规写明数值与限值。

    Check the 大/中/小圈 plan in the store: sizes within the policy's ranges widened by its
    elasticity, each zone inside its parent, no overlaps within a level. Exit 1 if any fails.
    """
    import datetime as dt

    from landrenewal.analysis.planning_check import check_store_plan
    from landrenewal.analysis.results_out import write_xlsx
    from landrenewal.cli.common import parse_date
    from landrenewal.domain.fields import PLANNING_LEVEL_ZH

    when = parse_date(on, as_json) if on is not None else dt.date.today()
    with _failures(as_json):
        store = _store(db)
        checked = check_store_plan(store, policy, when)
    violations = checked.violations
    if out is not None:
        about = {"政策及版本": checked.policy_version, "政策日期": when.isoformat(), "库": db}
        about |= {f"未检查 {k}": v for k, v in checked.not_run.items()}
        headers = {
            "zone_code": "分区代码",
            "name": "分区名称",
            "level": "层级",
            "check": "检查项",
            "value": "数值",
            "limit": "限值",
            "unit": "单位",
            "related_code": "相关分区",
            "message": "说明",
        }
        write_xlsx(out, {"规划检查": violations.rename(columns=headers)}, about)
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
        counts = "，".join(f"{PLANNING_LEVEL_ZH[k]} {v}" for k, v in checked.zones.items())
        console.print(f"“大中小圈”规划检查（{checked.policy_version}，{when}）：{counts}")
        for row in violations.itertuples():
            console.print(f"[red]✗[/] {row.message}")
        for check, why in checked.not_run.items():
            console.print(f"[yellow]未检查[/] {check}: {why}")
        if checked.ok:
            console.print("[green]✓[/] 未发现违规 (no violations)")
        if out is not None:
            console.print(f"已写入 (written) {out}")
    raise typer.Exit(int(Exit.OK if checked.ok else Exit.REFUSED))
