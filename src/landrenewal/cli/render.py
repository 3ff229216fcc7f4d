"""How reports look on a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.rules.evidence import described
from landrenewal.importing.report import FILE_ROW, PROBLEM_COLUMNS, ImportReport
from landrenewal.store.engine import Store
from landrenewal.store.summary import summarize

SHOWN_PROBLEMS = 20


def print_import_report(console: Console, report: ImportReport, rejects: Path | None) -> None:
    zh = ENTITIES[report.kind].zh
    for note in report.notes:
        console.print(f"[cyan]说明[/] {note}")
    problems = report.problems[PROBLEM_COLUMNS]
    if len(problems):
        table = Table(title=f"问题 problems（{len(report.errors)} 错误 errors，{len(report.warnings)} 警告 warnings）")
        for title in ("文件 file", "行 row", "字段 field", "值 value", "原因 reason", "级别 severity"):
            table.add_column(title, overflow="fold")
        for row in problems.head(SHOWN_PROBLEMS).itertuples(index=False):
            cells = [str(v) for v in row]
            if row.row == FILE_ROW:
                cells[1] = "全文件"
            table.add_row(*cells)
        console.print(table)
        if len(problems) > SHOWN_PROBLEMS:
            console.print(f"… 另有 {len(problems) - SHOWN_PROBLEMS} 条 (more)")
        if rejects is not None:
            console.print(f"问题清单已写入 (problems written to) {rejects}")
    if not report.committed:
        console.print(
            f"[bold red]未导入[/] {report.file}: {report.rejected_rows}/{report.rows_read} 行有错误，库未改变 "
            f"(refused: nothing written). 修正后重试，或用 --skip-bad 只导入合格行。"
        )
        return
    c = report.changes
    console.print(
        f"[bold green]已导入[/] {zh} {report.file}: 读入 {report.rows_read} 行，合格 {report.rows_loaded} 行；"
        f"新增 {c.inserted}，更新 {c.updated}，未变 {c.unchanged}（共 {c.changed} 处变化 changes）"
        + (f"；跳过 {report.rejected_rows} 行 (skipped)" if report.rejected_rows else "")
    )


def print_demo_summary(console: Console, db: str, store: Store, reports: list[ImportReport]) -> None:
    summary = summarize(store)
    table = Table(title=f"示范城市 demo city → {db}  (EPSG:{summary['epsg']})")
    table.add_column("类型 kind")
    table.add_column("记录 records", justify="right")
    table.add_column("新增 inserted", justify="right")
    table.add_column("更新 updated", justify="right")
    for report in reports:
        table.add_row(
            f"{ENTITIES[report.kind].zh} {report.kind}",
            f"{summary['counts'][report.kind]:,}",
            f"{report.changes.inserted:,}",
            f"{report.changes.updated:,}",
        )
    console.print(table)
    console.print(f"宗地总面积 {summary['parcel_area_mu']:,.1f} 亩；库文件 {db}（QGIS 可直接打开 / opens in QGIS）")


def print_explanation(console: Console, report: dict[str, Any]) -> None:
    """A parcel's explanation (see analysis.explain) as a few readable tables."""
    p = report["parcel"]
    console.print(
        f"[bold]宗地 {p['parcel_code']}[/]  {p['area_mu']:,.2f} 亩  "
        f"用途 {p['land_use_code']}  区划 {p['division_code']}"
    )
    dates = ("approved_date", "supplied_date", "agreed_start_date", "actual_start_date", "completion_date")
    console.print("  " + "  ".join(f"{d.removesuffix('_date')}: {p[d] or '—'}" for d in (*dates, "production_date")))
    e = report["evaluation"]
    if e is None:
        console.print("[yellow]没有评价批次 (no evaluation run yet: run `landrenewal evaluate --year Y`)[/]")
    elif "unit_key" not in e:
        console.print(f"评价 {e['year']}（批次 {e['run_id']}）：{e['note']}")
    else:
        names = "、".join(f"{x['name']}（{x['uscc']}）" for x in e["enterprises"])
        rank = f"名单内第 {e['rank']}/{e['rank_size']}，行业内第 {e['rank_industry']}/{e['rank_industry_size']}"
        console.print(
            f"评价 {e['year']}（批次 {e['run_id']}，{e['policy']}）：{e['list_name']} · {e['status_name']} · "
            f"[bold]{e['class'] or '—'} {e['class_name'] or ''}[/] · 得分 {_or_dash(e['score'])} · "
            + (rank if e["rank"] is not None else "未排名")
        )
        console.print(f"  评价单元 {e['unit_key']}：{names}；用地 {e['land_mu']} 亩")
        if e["score_breakdown"]:
            table = Table(title="得分构成 score breakdown")
            for title in ("指标", "值", "基准", "权重", "得分"):
                table.add_column(title, justify="right")
            for part in e["score_breakdown"]:
                table.add_row(
                    f"{part['name']}（{part['unit']}）",
                    "—" if part["value"] is None else f"{part['value']:,.4g}",
                    str(part["benchmark"] if part["benchmark"] is not None else "—"),
                    str(part["weight"]),
                    "—" if part["points"] is None else f"{part['points']:.2f}",
                )
            console.print(table)
        if e["filled_with_list_mean"]:
            console.print(f"  缺数据取名单均值 (filled with the list mean): {', '.join(e['filled_with_list_mean'])}")
        previous = e["previous_year"]
        if previous:
            console.print(
                f"  上年 {previous['year']}：{previous['class']} 得分 {_or_dash(previous['score'])}，"
                f"变化 {_or_dash(previous['score_change'])}"
            )
    if report["identification"] is None:
        console.print("[yellow]没有认定批次 (no identification run yet: run `landrenewal identify --as-of DATE`)[/]")
        return
    i = report["identification"]
    if not report["findings"]:
        console.print(f"认定（{i['as_of']}，批次 {i['run_id']}）：未发现低效情形 (no findings)")
        return
    table = Table(title=f"认定结果 findings（{i['as_of']}，批次 {i['run_id']}，{i['policy']}）", show_lines=True)
    for title in ("类别", "规则", "证据 evidence", "阈值 threshold", "依据 clause", "节点"):
        table.add_column(title, overflow="fold")
    for f in report["findings"]:
        table.add_row(
            f["category"],
            f"{f['rule_name']}\n{f['rule_id']}",
            described(f["evidence"]).replace("；", "\n"),
            described(f["threshold"], f["evidence"]).replace("；", "\n") or "—",
            f["clause"],
            f["milestone"] or "",
        )
    console.print(table)


def _or_dash(value: object) -> str:
    return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)
