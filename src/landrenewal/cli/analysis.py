"""Commands that judge the land: evaluate, identify, explain, runs, and the store's policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

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
    word,
)
from landrenewal.domain.language import say
from landrenewal.store.engine import Store


@contextmanager
def _failures(as_json: bool) -> Iterator[None]:
    """Domain errors become clear messages with the documented exit codes."""
    from landrenewal.analysis.evaluation_runs import RunNotFound
    from landrenewal.analysis.explain import ParcelNotFound
    from landrenewal.domain.policy import PolicyError
    from landrenewal.store.engine import StoreError

    try:
        yield
    except PolicyError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)
    except (RunNotFound, ParcelNotFound) as exc:
        fail(str(exc), Exit.USAGE, as_json)
    except StoreError as exc:
        fail(str(exc), Exit.UNUSABLE, as_json)


def _store(db: str) -> Store:
    from landrenewal.store.engine import open_store

    return open_store(db, create=False)


def evaluate_help() -> str:
    return say(
        "亩均效益综合评价：评价单元、得分、分类、排名，保存为一个批次（连同政策版本与输入数据的哈希）。",
        "Evaluate every enterprise and parcel for a year under the policy: units, scores, classes and ranks, "
        "stored as a run with its policy version and a hash of its inputs.",
    )


def evaluate(
    year: Annotated[int | None, typer.Option("--year", help=say("评价年度", "the year evaluated"))] = None,
    policy: PolicyOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=say("结果写入 XLSX", "write the results to this XLSX file"))
    ] = None,
    rerun: Annotated[
        int | None,
        typer.Option(
            "--rerun",
            help=say(
                "按批次保存的政策重算并与原结果逐项比较",
                "re-run a stored run under its stored policy and compare the results item by item",
            ),
        ),
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Evaluate a year (help: evaluate_help)."""
    from landrenewal.analysis.evaluation_runs import evaluate_store
    from landrenewal.analysis.evaluation_runs import rerun as rerun_run

    if (year is None) == (rerun is None):
        fail(say("请给出 --year 或 --rerun 之一", "give one of --year and --rerun"), Exit.USAGE, as_json)
    with _failures(as_json):
        store = _store(db)
        if rerun is not None:
            again = rerun_run(store, rerun)
            _report_rerun(say("评价", "evaluation"), again.run.id, again.same_inputs, again.differences, as_json)
            return
        assert year is not None
        run = evaluate_store(store, year, policy, by=os_user())
        if out is not None:
            _write_evaluation(store, run.info.id, out)
    units = run.evaluation.units
    rated = units[units["status"] == "rated"]
    shares = rated.groupby(["list", "class"]).size().unstack(fill_value=0)
    summary: dict[str, Any] = {
        "run_id": run.info.id,
        "year": year,
        "policy": run.info.policy_version,
        "input_sha256": run.info.input_sha256,
        "units": len(units),
        "status": units["status"].value_counts().to_dict(),
        "classes": {lst: {str(k): int(v) for k, v in row.items()} for lst, row in shares.iterrows()},
        "out": None if out is None else str(out),
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    table = Table(
        title=say(
            f"{year} 年亩均效益评价 批次 {run.info.id}（{run.info.policy_version}）",
            f"Evaluation of {year}, run {run.info.id} ({run.info.policy_version})",
        )
    )
    classes = [c for c in ("A", "B", "C", "D") if c in shares.columns]
    for title in (say("名单", "list"), *classes, say("参评", "rated")):
        table.add_column(title, justify="right")
    for lst, row in shares.iterrows():
        total = int(row.sum())
        cells = [f"{int(row[c])} ({row[c] / total:.0%})" for c in classes]
        table.add_row(word("list", str(lst)), *cells, str(total))
    console.print(table)
    console.print(say("，", ", ").join(f"{word('status', k)} {v}" for k, v in summary["status"].items()))
    if out is not None:
        console.print(say(f"结果已写入 {out}", f"results written to {out}"))


def _write_evaluation(store: Store, run_id: int, out: Path) -> None:
    from landrenewal.analysis.results_out import evaluation_about, evaluation_table
    from landrenewal.files.writers import write_workbook

    with store.engine.connect() as conn:
        sheets = {say("评价结果", "Evaluation results"): evaluation_table(conn, store, run_id)}
        write_workbook(out, sheets, evaluation_about(conn, run_id))


def _report_rerun(kind: str, run_id: int, same_inputs: bool, differences: Any, as_json: bool) -> None:
    reproduced = differences.empty
    if as_json:
        print(
            json.dumps(
                {
                    "run_id": run_id,
                    "same_inputs": same_inputs,
                    "reproduced": reproduced,
                    "differences": json.loads(differences.head(1000).to_json(orient="records", force_ascii=False)),
                },
                ensure_ascii=False,
            )
        )
    else:
        if same_inputs:
            inputs = say("输入数据与当时相同", "the inputs are the same as then")
        else:
            inputs = "[yellow]" + say("输入数据已变化", "the inputs have changed since") + "[/]"
        if reproduced:
            console.print(
                "[green]✓[/] "
                + say(
                    f"{kind}批次 {run_id} 重算结果与保存结果完全一致；{inputs}",
                    f"{kind} run {run_id} reproduced exactly; {inputs}",
                )
            )
        else:
            console.print(
                "[red]✗[/] "
                + say(
                    f"{kind}批次 {run_id} 重算有 {len(differences)} 处不同；{inputs}",
                    f"{kind} run {run_id} re-ran with {len(differences)} differences; {inputs}",
                )
            )
            console.print(differences.head(20).to_string(index=False))
    if not reproduced:
        raise typer.Exit(int(Exit.REFUSED))


def identify_help() -> str:
    return say(
        "低效用地认定：逐条规则判断每一宗地，每条结果写明证据、阈值与政策依据。",
        "Identify low-efficiency land rule by rule on a date; each finding names its rule, the evidence, "
        "the threshold and the policy clause.",
    )


def identify(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=say("认定日期 YYYY-MM-DD", "the date judged, YYYY-MM-DD"))
    ] = None,
    policy: PolicyOption = None,
    evaluation: Annotated[
        int | None,
        typer.Option(
            "--evaluation",
            help=say(
                "依据的评价批次，默认为上一年度最新批次",
                "the evaluation run to judge by; default the newest run of the year before",
            ),
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help=say("认定结果写入 XLSX", "write the findings to this XLSX file"))
    ] = None,
    layer: Annotated[
        Path | None,
        typer.Option(
            "--layer",
            help=say(
                "宗地结果图层写入 GeoPackage（可用 QGIS 打开）", "write a parcel layer to this GeoPackage, for QGIS"
            ),
        ),
    ] = None,
    rerun: Annotated[
        int | None,
        typer.Option("--rerun", help=say("重算一个认定批次并比较", "re-run a stored identification run and compare")),
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Identify low-efficiency land on a date (help: identify_help)."""
    from landrenewal.analysis.identification_runs import identify_store, rerun_identification

    if (as_of is None) == (rerun is None):
        fail(say("请给出 --as-of 或 --rerun 之一", "give one of --as-of and --rerun"), Exit.USAGE, as_json)
    with _failures(as_json):
        store = _store(db)
        if rerun is not None:
            again = rerun_identification(store, rerun)
            _report_rerun(say("认定", "identification"), again.run.id, again.same_inputs, again.differences, as_json)
            return
        assert as_of is not None
        run = identify_store(store, parse_date(as_of, as_json), policy, evaluation, by=os_user())
        _write_identification(store, run.info.id, run.info.evaluation_run_id, out, layer)
    findings = run.result.findings
    parcels_found = findings["parcel_code"].nunique()
    area = run.land.set_index("parcel_code")["area_mu"]
    by_category = findings.drop_duplicates(["category", "parcel_code"]).assign(mu=lambda f: f["parcel_code"].map(area))
    categories = by_category.groupby("category").agg(parcels=("parcel_code", "size"), mu=("mu", "sum"))
    summary: dict[str, Any] = {
        "run_id": run.info.id,
        "as_of": run.info.as_of.isoformat(),
        "policy": run.info.policy_version,
        "evaluation_run_id": run.info.evaluation_run_id,
        "findings": len(findings),
        "parcels": int(parcels_found),
        "by_rule": findings["rule_id"].value_counts().sort_index().to_dict(),
        "by_category": {k: {"parcels": int(r.parcels), "mu": round(float(r.mu), 2)} for k, r in categories.iterrows()},
        "skipped": run.result.skipped,
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    from landrenewal.domain.rules import RULES

    table = Table(
        title=say(
            f"{as_of} 低效用地认定 批次 {run.info.id}（{run.info.policy_version}）",
            f"Low-efficiency land on {as_of}, run {run.info.id} ({run.info.policy_version})",
        )
    )
    for title in (say("类别", "category"), say("宗地", "parcels"), say("面积（亩）", "area (mu)")):
        table.add_column(title, justify="right")
    for name, row in categories.iterrows():
        table.add_row(str(name), f"{int(row.parcels):,}", f"{row.mu:,.1f}")
    console.print(table)
    rules = Table(title=say("按规则", "By rule"))
    rules.add_column(say("规则", "rule"))
    rules.add_column(say("名称", "name"))
    rules.add_column(say("宗地", "parcels"), justify="right")
    for rule_id, count in summary["by_rule"].items():
        rules.add_row(rule_id, say(RULES[rule_id].zh, RULES[rule_id].en or rule_id), f"{count:,}")
    console.print(rules)
    for rule_id, why in run.result.skipped.items():
        console.print(f"[yellow]{say('未运行', 'Not run')}[/] {rule_id}{say('：', ': ')}{why}")
    for path in (out, layer):
        if path is not None:
            console.print(say(f"已写入 {path}", f"written: {path}"))


def _write_identification(
    store: Store, run_id: int, evaluation_run: int | None, out: Path | None, layer: Path | None
) -> None:
    from landrenewal.analysis import results_out
    from landrenewal.files.writers import write_workbook

    with store.engine.connect() as conn:
        about = results_out.identification_about(conn, run_id)
        if out is not None:
            sheets = {say("认定结果", "Findings"): results_out.findings_table(conn, store, run_id)}
            if evaluation_run is not None:
                sheets[say("评价结果", "Evaluation results")] = results_out.evaluation_table(
                    conn, store, evaluation_run
                )
            write_workbook(out, sheets, about)
        if layer is not None:
            frame = results_out.parcel_layer(conn, store, evaluation_run, run_id)
            results_out.write_layer(layer, frame, about)


def explain_help() -> str:
    return say(
        "说明一宗地：指标、得分构成、类别、排名，以及每条认定结果的证据和政策依据（默认取最新批次）。",
        "Explain a parcel: indicators, score breakdown, class, rank, and every finding with its evidence "
        "and clause (from the latest runs unless given).",
    )


def explain(
    parcel_code: Annotated[str, typer.Argument(help=say("宗地代码", "the parcel's code"))],
    evaluation: Annotated[int | None, typer.Option("--evaluation", help=say("评价批次", "the evaluation run"))] = None,
    identification: Annotated[
        int | None, typer.Option("--identification", help=say("认定批次", "the identification run"))
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Explain a parcel (help: explain_help)."""
    from landrenewal.analysis.explain import explain_parcel
    from landrenewal.cli.render import print_explanation

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            report = explain_parcel(conn, store, parcel_code, evaluation, identification)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_explanation(console, report)


def runs(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """The stored evaluation and identification runs."""
    from landrenewal.analysis.evaluation_runs import list_runs
    from landrenewal.analysis.identification_runs import list_identifications

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            evaluations, identifications = list_runs(conn), list_identifications(conn)
    if as_json:
        print(
            json.dumps(
                {
                    "evaluations": [vars(r) for r in evaluations],
                    "identifications": [vars(r) for r in identifications],
                },
                ensure_ascii=False,
                default=str,
            )
        )
        return
    table = Table(title=say("评价批次", "Evaluation runs"))
    for title in (
        say("批次", "run"),
        say("年度", "year"),
        say("政策版本", "policy"),
        say("参评/单元", "rated/units"),
        say("时间", "at"),
        say("输入哈希", "inputs"),
    ):
        table.add_column(title)
    for r in evaluations:
        at = f"{r.created_at:%Y-%m-%d %H:%M}"
        table.add_row(
            str(r.id), str(r.year), r.policy_version, f"{r.rated_count}/{r.unit_count}", at, r.input_sha256[:12]
        )
    console.print(table)
    table = Table(title=say("认定批次", "Identification runs"))
    for title in (
        say("批次", "run"),
        say("认定日期", "as of"),
        say("政策版本", "policy"),
        say("评价批次", "evaluation"),
        say("结果", "findings"),
        say("时间", "at"),
    ):
        table.add_column(title)
    for i in identifications:
        at = f"{i.created_at:%Y-%m-%d %H:%M}"
        table.add_row(
            str(i.id), i.as_of.isoformat(), i.policy_version, str(i.evaluation_run_id or "—"), str(i.finding_count), at
        )
    console.print(table)


def compare(
    first: Annotated[int, typer.Argument(help=say("前一评价批次", "the earlier evaluation run"))],
    second: Annotated[int, typer.Argument(help=say("后一评价批次", "the later evaluation run"))],
    out: Annotated[
        Path | None, typer.Option("--out", help=say("比较结果写入 XLSX", "write the comparison to this XLSX file"))
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Class and score changes between two evaluation runs."""
    from landrenewal.analysis.evaluation_runs import compare_runs, run_info
    from landrenewal.files.writers import write_workbook

    with _failures(as_json):
        store = _store(db)
        with store.engine.connect() as conn:
            run_info(conn, first)
            run_info(conn, second)
            changes = compare_runs(conn, store, first, second)
    moved = changes[changes["class_changed"]]
    pairs = moved["class_before"].fillna("—") + "→" + moved["class_after"].fillna("—")
    flows = {str(k): int(v) for k, v in pairs.value_counts().sort_index().items()}
    if out is not None:
        about = {say("前一批次", "Earlier run"): str(first), say("后一批次", "Later run"): str(second)}
        write_workbook(out, {say("类别与得分变化", "Class and score changes"): changes}, about)
    if as_json:
        print(
            json.dumps(
                {
                    "first": first,
                    "second": second,
                    "enterprises": len(changes),
                    "class_changed": len(moved),
                    "flows": flows,
                },
                ensure_ascii=False,
            )
        )
        return
    console.print(
        say(
            f"批次 {first} → {second}：{len(changes)} 家企业，{len(moved)} 家类别变化",
            f"runs {first} → {second}: {len(changes)} enterprises, {len(moved)} changed class",
        )
    )
    for flow, n in flows.items():
        console.print(f"  {flow}: {n}")


def policy_use(
    policy: Annotated[str, typer.Argument(help=say("政策 id 或 YAML 文件路径", "a policy id or YAML file"))],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Make a policy the store's default."""
    from landrenewal.analysis.policy import set_store_policy

    with _failures(as_json):
        store = _store(db)
        with store.write() as conn:
            set_store_policy(conn, policy, by=os_user())
    if as_json:
        print(json.dumps({"db": db, "policy": policy}, ensure_ascii=False))
    else:
        console.print(say(f"{db}：默认政策 {policy}", f"{db}: the store's policy is {policy}"))
