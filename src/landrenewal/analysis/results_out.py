"""Results for people and for GIS: XLSX with Chinese headers, a styled GeoPackage parcel layer."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection

from landrenewal.analysis.evaluation_runs import enterprise_results, latest_run, run_info, stored_policy
from landrenewal.analysis.identification_runs import identification_info, stored_findings
from landrenewal.domain.evaluation import LISTS, STATUS
from landrenewal.domain.indicators import INDICATORS
from landrenewal.domain.rules import RULES
from landrenewal.domain.rules.evidence import readable
from landrenewal.domain.units import M2_PER_MU
from landrenewal.files.writers import Layer, write_layers
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.frames import read_table

LAYER = "parcel_results"
CLASS_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fee08b", "D": "#d73027", "T": "#bdbdbd"}


def evaluation_table(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    """One row per enterprise, Chinese headers with units, last year's class and score beside."""
    info = run_info(conn, run_id)
    names = stored_policy(conn, run_id).values.get("evaluation.classes.names")
    rows = enterprise_results(conn, store, run_id)
    enterprises = read_table(conn, store, schema.enterprises, ["uscc", "name", "scale", "industry_code"])
    rows = rows.merge(enterprises.rename(columns={"industry_code": "own_industry"}), on="uscc", how="left")
    previous = latest_run(conn, year=info.year - 1)
    if previous is not None:
        before = enterprise_results(conn, store, previous.id)[["uscc", "class", "score"]]
        rows = rows.merge(before.rename(columns={"class": "prev_class", "score": "prev_score"}), on="uscc", how="left")
    else:
        rows["prev_class"], rows["prev_score"] = None, float("nan")
    labels = {} if names is None else dict(names.value)
    table = pd.DataFrame(
        {
            "统一社会信用代码": rows["uscc"],
            "企业名称": rows["name"],
            "行业代码": rows["own_industry"],
            "评价单元": rows["unit_key"],
            "名单": rows["list"].map(LISTS),
            "评价状态": rows["status"].map(STATUS),
            "类别": rows["class"],
            "类别名称": rows["class"].map(labels),
            "得分": rows["score"].round(2),
            "名单内排名": rows["rank"],
            "参评数": rows["rank_size"],
            "行业内排名": rows["rank_industry"],
            "行业参评数": rows["rank_industry_size"],
            "用地面积（亩）": rows["land_mu"].round(3),
        }
    )
    for name, ind in INDICATORS.items():
        table[f"{ind.zh}（{ind.unit}）"] = rows[name].round(4)
    table[f"{info.year - 1}年类别"] = rows["prev_class"]
    table[f"{info.year - 1}年得分"] = rows["prev_score"].round(2)
    table["得分变化"] = (rows["score"] - rows["prev_score"]).round(2)
    return table.sort_values(["名单", "名单内排名", "统一社会信用代码"], ignore_index=True, na_position="last")


def findings_table(conn: Connection, store: Store, run_id: int) -> pd.DataFrame:
    found = stored_findings(conn, store, run_id)
    parcels = read_table(conn, store, schema.parcels, ["parcel_code", "division_code", "area_m2"])
    found = found.merge(parcels, on="parcel_code", how="left")
    return pd.DataFrame(
        {
            "宗地代码": found["parcel_code"],
            "行政区划代码": found["division_code"],
            "面积（亩）": (found["area_m2"] / M2_PER_MU).round(3),
            "类别": found["category"],
            "规则编号": found["rule_id"],
            "规则": found["rule_id"].map({k: r.zh for k, r in RULES.items()}),
            "证据": found["evidence"].map(readable),
            "阈值": found["threshold"].map(readable),
            "政策依据": found["clause"],
            "处置节点": found["milestone"],
        }
    )


def parcel_layer(
    conn: Connection, store: Store, evaluation_run: int | None, identification_run: int | None
) -> gpd.GeoDataFrame:
    """Every parcel with its class, score and finding categories: one layer QGIS can colour."""
    parcels = read_table(conn, store, schema.parcels, ["parcel_code", "division_code", "area_m2", "geom"])
    frame = parcels.assign(area_mu=(parcels["area_m2"] / M2_PER_MU).round(3)).drop(columns="area_m2")
    if evaluation_run is not None:
        units = enterprise_results(conn, store, evaluation_run).drop_duplicates("unit_key")
        table = schema.evaluation_parcels
        links = read_table(conn, store, table, ["parcel_code", "unit_key"], table.c.run_id == evaluation_run)
        joined = links.merge(units[["unit_key", "class", "score", "status", "rank", "rank_size"]], on="unit_key")
        frame = frame.merge(joined.drop_duplicates("parcel_code"), on="parcel_code", how="left")
        frame["score"] = frame["score"].round(2)
    if identification_run is not None:
        found = stored_findings(conn, store, identification_run)
        grouped = found.groupby("parcel_code")
        summary = pd.DataFrame(
            {
                "categories": grouped["category"].agg(lambda s: "；".join(sorted(set(s)))),
                "rules": grouped["rule_id"].agg(lambda s: "；".join(s)),
                "finding_count": grouped.size(),
            }
        )
        frame = frame.merge(summary, left_on="parcel_code", right_index=True, how="left")
        frame["finding_count"] = frame["finding_count"].fillna(0).astype("int64")
        frame["low_efficiency"] = frame["finding_count"] > 0
    epsg = store.epsg(conn)
    return gpd.GeoDataFrame(frame, geometry="geom", crs=f"EPSG:{epsg}" if epsg else None)


def write_layer(out: Path, layer: gpd.GeoDataFrame, about: Mapping[str, str]) -> None:
    """The parcel layer as a GeoPackage, its default QGIS style (by class) stored in layer_styles."""
    rows = pd.DataFrame(layer.drop(columns=layer.geometry.name))
    geoms = layer.geometry.to_numpy(dtype=object)
    epsg = layer.crs.to_epsg() if layer.crs is not None else None
    style = _store_style if "class" in layer.columns else None
    write_layers(out, "gpkg", [Layer(LAYER, rows, geoms, epsg, about)], finish=style)


def _store_style(path: Path) -> None:
    categories = "".join(
        f'<category render="true" symbol="{i}" value="{c}" label="{c}"/>' for i, c in enumerate(CLASS_COLOURS)
    )
    symbols = "".join(
        f'<symbol type="fill" name="{i}" alpha="0.8"><layer class="SimpleFill">'
        f'<Option type="Map"><Option name="color" value="{colour}" type="QString"/>'
        f'<Option name="outline_color" value="#555555" type="QString"/>'
        f'<Option name="outline_width" value="0.1" type="QString"/></Option></layer></symbol>'
        for i, colour in enumerate(CLASS_COLOURS.values())
    )
    qml = (
        '<!DOCTYPE qgis PUBLIC "http://mrcc.com/qgis.dtd" "SYSTEM"><qgis version="3.28" styleCategories="Symbology">'
        f'<renderer-v2 type="categorizedSymbol" attr="class"><categories>{categories}</categories>'
        f"<symbols>{symbols}</symbols></renderer-v2></qgis>"
    )
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT, "
            "f_table_schema TEXT, f_table_name TEXT, f_geometry_column TEXT, styleName TEXT, styleQML TEXT, "
            "styleSLD TEXT, useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, update_time DATETIME "
            "DEFAULT CURRENT_TIMESTAMP)"
        )
        db.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, "
            "styleQML, styleSLD, useAsDefault, description) VALUES ('', '', ?, 'geom', ?, ?, '', 1, ?)",
            (LAYER, "按评价类别 by class", qml, json.dumps({"colours": CLASS_COLOURS}, ensure_ascii=False)),
        )


def identification_about(conn: Connection, run_id: int) -> dict[str, str]:
    info = identification_info(conn, run_id)
    return {
        "认定批次": str(info.id),
        "认定日期": info.as_of.isoformat(),
        "政策及版本": info.policy_version,
        "依据的评价批次": str(info.evaluation_run_id or "无"),
        "输入数据哈希": info.input_sha256,
        "规则": "、".join(info.rules),
    }


def evaluation_about(conn: Connection, run_id: int) -> dict[str, str]:
    info = run_info(conn, run_id)
    return {
        "评价批次": str(info.id),
        "评价年度": str(info.year),
        "政策及版本": info.policy_version,
        "输入数据哈希": info.input_sha256,
        "参评单元": f"{info.rated_count}/{info.unit_count}",
    }
