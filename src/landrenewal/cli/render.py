"""How reports look on a terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from landrenewal.cli.common import word
from landrenewal.domain.language import say
from landrenewal.domain.rules.evidence import described
from landrenewal.importing.report import FILE_ROW, PROBLEM_COLUMNS, ImportReport
from landrenewal.store.engine import Store
from landrenewal.store.summary import summarize

SHOWN_PROBLEMS = 20


def print_import_report(console: Console, report: ImportReport, rejects: Path | None) -> None:
    for note in report.notes:
        console.print(f"[cyan]{say('说明', 'Note')}[/] {note}")
    problems = report.problems[PROBLEM_COLUMNS]
    if len(problems):
        errors, warnings = len(report.errors), len(report.warnings)
        table = Table(
            title=say(f"问题（{errors} 个错误，{warnings} 个警告）", f"Problems ({errors} errors, {warnings} warnings)")
        )
        for title in (
            say("文件", "file"),
            say("行", "row"),
            say("字段", "field"),
            say("值", "value"),
            say("原因", "reason"),
            say("级别", "severity"),
        ):
            table.add_column(title, overflow="fold")
        for row in problems.head(SHOWN_PROBLEMS).itertuples(index=False):
            cells = [str(v) for v in row]
            if row.row == FILE_ROW:
                cells[1] = say("全文件", "whole file")
            table.add_row(*cells)
        console.print(table)
        if len(problems) > SHOWN_PROBLEMS:
            more = len(problems) - SHOWN_PROBLEMS
            console.print(say(f"… 另有 {more} 条", f"… and {more} more"))
        if rejects is not None:
            console.print(say(f"问题清单已写入 {rejects}", f"problems written to {rejects}"))
    if not report.committed:
        bad, read = report.rejected_rows, report.rows_read
        console.print(
            f"[bold red]{say('未导入', 'Not imported')}[/] "
            + say(
                f"{report.file}：{bad}/{read} 行有错误，库未改变。修正后重试，或用 --skip-bad 只导入合格行。",
                f"{report.file}: {bad} of {read} rows have errors; nothing was written. "
                "Fix them and try again, or load only the good rows with --skip-bad.",
            )
        )
        return
    c = report.changes
    kind = word("entity", report.kind)
    console.print(
        f"[bold green]{say('已导入', 'Imported')}[/] "
        + say(
            f"{kind} {report.file}：读入 {report.rows_read} 行，合格 {report.rows_loaded} 行；"
            f"新增 {c.inserted}，更新 {c.updated}，未变 {c.unchanged}（共 {c.changed} 处变化）"
            + (f"；跳过 {report.rejected_rows} 行" if report.rejected_rows else ""),
            f"{kind} {report.file}: {report.rows_read} rows read, {report.rows_loaded} good; "
            f"{c.inserted} inserted, {c.updated} updated, {c.unchanged} unchanged ({c.changed} changes)"
            + (f"; {report.rejected_rows} rows skipped" if report.rejected_rows else ""),
        )
    )


def print_demo_summary(console: Console, db: str, store: Store, reports: list[ImportReport]) -> None:
    summary = summarize(store)
    table = Table(
        title=say(f"示范城市 → {db}（EPSG:{summary['epsg']}）", f"The demo city → {db} (EPSG:{summary['epsg']})")
    )
    table.add_column(say("类型", "kind"))
    table.add_column(say("记录", "records"), justify="right")
    table.add_column(say("新增", "inserted"), justify="right")
    table.add_column(say("更新", "updated"), justify="right")
    for report in reports:
        table.add_row(
            word("entity", report.kind),
            f"{summary['counts'][report.kind]:,}",
            f"{report.changes.inserted:,}",
            f"{report.changes.updated:,}",
        )
    console.print(table)
    mu = summary["parcel_area_mu"]
    console.print(
        say(
            f"宗地总面积 {mu:,.1f} 亩；库文件 {db}（QGIS 可直接打开）",
            f"parcels in all: {mu:,.1f} mu; the store {db} opens in QGIS",
        )
    )


def print_explanation(console: Console, report: dict[str, Any]) -> None:
    """A parcel's explanation (see analysis.explain) as a few readable tables."""
    p = report["parcel"]
    console.print(
        say(
            f"[bold]宗地 {p['parcel_code']}[/]  {p['area_mu']:,.2f} 亩  "
            f"用途 {p['land_use_code']}  区划 {p['division_code']}",
            f"[bold]Parcel {p['parcel_code']}[/]  {p['area_mu']:,.2f} mu  "
            f"use {p['land_use_code']}  division {p['division_code']}",
        )
    )
    labels = _date_labels()
    console.print("  " + "  ".join(f"{label}{say('：', ': ')}{p[d] or '—'}" for d, label in labels.items()))
    e = report["evaluation"]
    if e is None:
        console.print(
            "[yellow]"
            + say(
                "还没有评价批次：请运行 `landrenewal evaluate --year 年度`",
                "no evaluation run yet: run `landrenewal evaluate --year YEAR`",
            )
            + "[/]"
        )
    elif "unit_key" not in e:
        console.print(
            say(f"评价 {e['year']}（批次 {e['run_id']}）：", f"Evaluation {e['year']} (run {e['run_id']}): ")
            + e["note"]
        )
    else:
        names = say("、", ", ").join(f"{x['name']}（{x['uscc']}）" for x in e["enterprises"])
        if e["rank"] is None:
            rank = say("未排名", "not ranked")
        else:
            rank = say(
                f"名单内第 {e['rank']}/{e['rank_size']}，行业内第 {e['rank_industry']}/{e['rank_industry_size']}",
                f"rank {e['rank']} of {e['rank_size']} in the list, "
                f"{e['rank_industry']} of {e['rank_industry_size']} in the industry",
            )
        standing = f"{e['list_name']} · {e['status_name']} · [bold]{e['class'] or '—'} {e['class_name'] or ''}[/]"
        console.print(
            say(
                f"评价 {e['year']}（批次 {e['run_id']}，{e['policy']}）："
                f"{standing} · 得分 {_or_dash(e['score'])} · {rank}",
                f"Evaluation {e['year']} (run {e['run_id']}, {e['policy']}): {standing} · "
                f"score {_or_dash(e['score'])} · {rank}",
            )
        )
        console.print(
            "  "
            + say(
                f"评价单元 {e['unit_key']}：{names}；用地 {e['land_mu']} 亩",
                f"evaluation unit {e['unit_key']}: {names}; land {e['land_mu']} mu",
            )
        )
        if e["score_breakdown"]:
            table = Table(title=say("得分构成", "Score breakdown"))
            for title in (
                say("指标", "indicator"),
                say("值", "value"),
                say("基准", "benchmark"),
                say("权重", "weight"),
                say("得分", "points"),
            ):
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
            filled = say("、", ", ").join(e["filled_with_list_mean"])
            console.print(
                "  " + say(f"缺数据取名单均值：{filled}", f"missing figures filled with the list mean: {filled}")
            )
        previous = e["previous_year"]
        if previous:
            score, change = _or_dash(previous["score"]), _or_dash(previous["score_change"])
            console.print(
                "  "
                + say(
                    f"上年 {previous['year']}：{previous['class']} 得分 {score}，变化 {change}",
                    f"the year before, {previous['year']}: {previous['class']}, score {score}, change {change}",
                )
            )
    if report["identification"] is None:
        console.print(
            "[yellow]"
            + say(
                "还没有认定批次：请运行 `landrenewal identify --as-of 日期`",
                "no identification run yet: run `landrenewal identify --as-of DATE`",
            )
            + "[/]"
        )
        return
    i = report["identification"]
    if not report["findings"]:
        console.print(
            say(
                f"认定（{i['as_of']}，批次 {i['run_id']}）：未发现低效情形",
                f"Identification ({i['as_of']}, run {i['run_id']}): no findings",
            )
        )
        return
    title = say(
        f"认定结果（{i['as_of']}，批次 {i['run_id']}，{i['policy']}）",
        f"Findings ({i['as_of']}, run {i['run_id']}, {i['policy']})",
    )
    table = Table(title=title, show_lines=True)
    for title in (
        say("类别", "category"),
        say("规则", "rule"),
        say("证据", "evidence"),
        say("阈值", "threshold"),
        say("依据", "clause"),
        say("节点", "milestone"),
    ):
        table.add_column(title, overflow="fold")
    for f in report["findings"]:
        table.add_row(
            f["category"],
            f"{f['rule_name']}\n{f['rule_id']}",
            described(f["evidence"]).replace(say("；", "; "), "\n"),
            described(f["threshold"], f["evidence"]).replace(say("；", "; "), "\n") or "—",
            f["clause"],
            f["milestone"] or "",
        )
    console.print(table)


def _date_labels() -> dict[str, str]:
    """A parcel's dates, in the order of its life."""
    return {
        "approved_date": say("批准", "approved"),
        "supplied_date": say("供地", "supplied"),
        "agreed_start_date": say("约定开工", "agreed start"),
        "actual_start_date": say("实际开工", "actual start"),
        "completion_date": say("竣工", "completed"),
        "production_date": say("投产", "producing"),
    }


def _or_dash(value: object) -> str:
    return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)
