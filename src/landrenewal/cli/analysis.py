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
)
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


def evaluate(
    year: Annotated[int | None, typer.Option("--year", help="评价年度 (the year evaluated)")] = None,
    policy: PolicyOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="结果写入 XLSX (write the results to XLSX)")] = None,
    rerun: Annotated[
        int | None, typer.Option("--rerun", help="按批次保存的政策重算并与原结果逐项比较 (re-run a stored run)")
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """亩均效益综合评价：评价单元、得分、分类、排名，保存为一个批次。

    Evaluate every enterprise and parcel for a year under the policy; the run is stored with
    its policy version and a hash of its inputs.
    """
    from landrenewal.analysis.evaluation_runs import evaluate_store
    from landrenewal.analysis.evaluation_runs import rerun as rerun_run

    if (year is None) == (rerun is None):
        fail("请给出 --year 或 --rerun 之一 (give --year or --rerun)", Exit.USAGE, as_json)
    with _failures(as_json):
        store = _store(db)
        if rerun is not None:
            again = rerun_run(store, rerun)
            _report_rerun("评价", again.run.id, again.same_inputs, again.differences, as_json)
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
    from landrenewal.domain.evaluation import LISTS, STATUS

    table = Table(title=f"{year} 年亩均效益评价 批次 {run.info.id}（{run.info.policy_version}）")
    classes = [c for c in ("A", "B", "C", "D") if c in shares.columns]
    for title in ("名单 list", *classes, "参评 rated"):
        table.add_column(title, justify="right")
    for lst, row in shares.iterrows():
        total = int(row.sum())
        cells = [f"{int(row[c])} ({row[c] / total:.0%})" for c in classes]
        table.add_row(LISTS.get(str(lst), str(lst)), *cells, str(total))
    console.print(table)
    console.print("，".join(f"{STATUS.get(k, k)} {v}" for k, v in summary["status"].items()))
    if out is not None:
        console.print(f"结果已写入 (written to) {out}")


def _write_evaluation(store: Store, run_id: int, out: Path) -> None:
    from landrenewal.analysis.results_out import evaluation_about, evaluation_table, write_xlsx

    with store.engine.connect() as conn:
        write_xlsx(out, {"评价结果": evaluation_table(conn, store, run_id)}, evaluation_about(conn, run_id))


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
        inputs = "输入数据与当时相同" if same_inputs else "[yellow]输入数据已变化[/] (inputs changed since)"
        if reproduced:
            console.print(f"[green]✓[/] {kind}批次 {run_id} 重算结果与保存结果完全一致 (reproduced exactly)；{inputs}")
        else:
            console.print(f"[red]✗[/] {kind}批次 {run_id} 重算有 {len(differences)} 处不同 (differences)；{inputs}")
            console.print(differences.head(20).to_string(index=False))
    if not reproduced:
        raise typer.Exit(int(Exit.REFUSED))


def identify(
    as_of: Annotated[str | None, typer.Option("--as-of", help="认定日期 YYYY-MM-DD (the date judged)")] = None,
    policy: PolicyOption = None,
    evaluation: Annotated[
        int | None, typer.Option("--evaluation", help="依据的评价批次，默认为上一年度最新批次 (evaluation run)")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="认定结果写入 XLSX (findings to XLSX)")] = None,
    layer: Annotated[
        Path | None, typer.Option("--layer", help="宗地结果图层写入 GeoPackage (parcel layer for QGIS)")
    ] = None,
    rerun: Annotated[int | None, typer.Option("--rerun", help="重算一个认定批次并比较 (re-run a stored run)")] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """低效用地认定：逐条规则判断每一宗地，每条结果写明证据、阈值与政策依据。

    Identify low-efficiency land rule by rule on a date; each finding names its rule, the
    evidence values, the threshold and the policy clause.
    """
    from landrenewal.analysis.identification_runs import identify_store, rerun_identification

    if (as_of is None) == (rerun is None):
        fail("请给出 --as-of 或 --rerun 之一 (give --as-of or --rerun)", Exit.USAGE, as_json)
    with _failures(as_json):
        store = _store(db)
        if rerun is not None:
            again = rerun_identification(store, rerun)
            _report_rerun("认定", again.run.id, again.same_inputs, again.differences, as_json)
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

    table = Table(title=f"{as_of} 低效用地认定 批次 {run.info.id}（{run.info.policy_version}）")
    for title in ("类别 category", "宗地 parcels", "面积 亩 mu"):
        table.add_column(title, justify="right")
    for name, row in categories.iterrows():
        table.add_row(str(name), f"{int(row.parcels):,}", f"{row.mu:,.1f}")
    console.print(table)
    rules = Table(title="按规则 by rule")
    rules.add_column("规则 rule")
    rules.add_column("名称 name")
    rules.add_column("宗地 parcels", justify="right")
    for rule_id, count in summary["by_rule"].items():
        rules.add_row(rule_id, RULES[rule_id].zh, f"{count:,}")
    console.print(rules)
    for rule_id, why in run.result.skipped.items():
        console.print(f"[yellow]未运行[/] {rule_id}: {why}")
    for path in (out, layer):
        if path is not None:
            console.print(f"已写入 (written) {path}")


def _write_identification(
    store: Store, run_id: int, evaluation_run: int | None, out: Path | None, layer: Path | None
) -> None:
    from landrenewal.analysis import results_out

    with store.engine.connect() as conn:
        about = results_out.identification_about(conn, run_id)
        if out is not None:
            sheets = {"认定结果": results_out.findings_table(conn, store, run_id)}
            if evaluation_run is not None:
                sheets["评价结果"] = results_out.evaluation_table(conn, store, evaluation_run)
            results_out.write_xlsx(out, sheets, about)
        if layer is not None:
            frame = results_out.parcel_layer(conn, store, evaluation_run, run_id)
            results_out.write_layer(layer, frame, "；".join(f"{k}: {v}" for k, v in about.items()))


def explain(
    parcel_code: Annotated[str, typer.Argument(help="宗地代码 (parcel code)")],
    evaluation: Annotated[int | None, typer.Option("--evaluation", help="评价批次 (evaluation run)")] = None,
    identification: Annotated[int | None, typer.Option("--identification", help="认定批次 (run)")] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """说明一宗地：指标、得分构成、类别、排名，以及每条认定结果的证据和政策依据。

    Explain a parcel: indicators, score breakdown, class, rank, and every finding with its
    evidence and clause (from the latest runs unless given).
    """
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
    """评价与认定批次列表 (the stored evaluation and identification runs)."""
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
    table = Table(title="评价批次 evaluation runs")
    for title in ("批次 id", "年度 year", "政策版本 policy", "参评/单元 rated/units", "时间 at", "输入哈希 inputs"):
        table.add_column(title)
    for r in evaluations:
        at = f"{r.created_at:%Y-%m-%d %H:%M}"
        table.add_row(
            str(r.id), str(r.year), r.policy_version, f"{r.rated_count}/{r.unit_count}", at, r.input_sha256[:12]
        )
    console.print(table)
    table = Table(title="认定批次 identification runs")
    for title in ("批次 id", "认定日期 as of", "政策版本 policy", "评价批次 evaluation", "结果 findings", "时间 at"):
        table.add_column(title)
    for i in identifications:
        at = f"{i.created_at:%Y-%m-%d %H:%M}"
        table.add_row(
            str(i.id), i.as_of.isoformat(), i.policy_version, str(i.evaluation_run_id or "—"), str(i.finding_count), at
        )
    console.print(table)


def compare(
    first: Annotated[int, typer.Argument(help="前一评价批次 (earlier evaluation run)")],
    second: Annotated[int, typer.Argument(help="后一评价批次 (later evaluation run)")],
    out: Annotated[Path | None, typer.Option("--out", help="比较结果写入 XLSX")] = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """比较两个评价批次：每家企业的类别与得分变化 (class and score changes between two runs)."""
    from landrenewal.analysis.evaluation_runs import compare_runs, run_info
    from landrenewal.analysis.results_out import write_xlsx

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
        write_xlsx(out, {"类别与得分变化": changes}, {"前一批次": str(first), "后一批次": str(second)})
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
    console.print(f"批次 {first} → {second}: {len(changes)} 家企业，{len(moved)} 家类别变化 (class changed)")
    for flow, n in flows.items():
        console.print(f"  {flow}: {n}")


def policy_use(
    policy: Annotated[str, typer.Argument(help="政策 id 或 YAML 文件路径")],
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """设定库的默认政策 (make a policy the store's default)."""
    from landrenewal.analysis.policy import set_store_policy

    with _failures(as_json):
        store = _store(db)
        with store.write() as conn:
            set_store_policy(conn, policy, by=os_user())
    if as_json:
        print(json.dumps({"db": db, "policy": policy}, ensure_ascii=False))
    else:
        console.print(f"{db}: 默认政策 (policy) {policy}")
