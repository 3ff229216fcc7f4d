"""How reports look on a terminal."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from landrenewal.domain.fields import ENTITIES
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
