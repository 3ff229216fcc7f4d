"""A stored zone run for people and for GIS: XLSX with Chinese headers, GeoPackage, GeoJSON."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Table

from landrenewal.analysis.zone_runs import stored_towns, stored_zone_parcels, stored_zones, zone_run_info
from landrenewal.domain.language import say
from landrenewal.files.writers import ExportError, Layer, write_layers, write_workbook
from landrenewal.store import schema
from landrenewal.store.engine import Store

FORMATS = {".xlsx": "xlsx", ".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson"}
HEADERS = {
    "zone_no": "片区编号",
    "parcel_code": "宗地代码",
    "town_code": "镇街代码",
    "town_name": "镇街",
    "village_code": "村代码",
    "village_name": "村",
    "area_mu": "面积（亩）",
    "middle_zone_code": "所在中圈",
    "small_zone_code": "所在小圈",
    "big_zone_code": "所在大圈",
    "parcel_count": "宗地数",
    "tax_per_mu": "亩均税收（万元/亩）",
}


def zone_about(conn: Connection, run_id: int) -> dict[str, str]:
    info = zone_run_info(conn, run_id)
    return {
        "连片片区批次": str(info.id),
        "选取条件": info.selection,
        "连片间距（米）": f"{info.gap_m:g}",
        "计算方式": info.engine,
        "政策及版本": info.policy_version,
        "依据的认定批次": str(info.identification_run_id or "无"),
        "依据的评价批次": str(info.evaluation_run_id or "无"),
        "输入数据哈希": info.input_sha256,
        "片区数": str(info.zone_count),
        "宗地数": str(info.parcel_count),
        "面积（亩）": f"{info.area_mu:.2f}",
    }


def write_zones(conn: Connection, store: Store, run_id: int, out: Path) -> None:
    """Write the run's zones (with parcels and town summary where the format allows) to ``out``."""
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise ExportError(
            say(f"{out}：只能写出 .xlsx、.gpkg 或 .geojson。", f"{out}: can only write .xlsx, .gpkg or .geojson.")
        )
    zones = stored_zones(conn, store, run_id)
    about = zone_about(conn, run_id)
    if kind == "xlsx":
        sheets = {
            say("片区", "Zones"): _headed(zones.drop(columns="geom"), schema.zones),
            say("片区宗地", "Zone parcels"): _headed(stored_zone_parcels(conn, store, run_id), schema.zone_parcels),
            say("镇街汇总", "Towns"): _headed(stored_towns(conn, store, run_id), schema.zone_towns),
        }
        write_workbook(out, sheets, about)
        return
    outlines = Layer(
        "zones",
        zones.drop(columns="geom"),
        zones["geom"].to_numpy(dtype=object),
        store.epsg(conn),
        about,
    )
    tables = [
        Layer("zone_parcels", stored_zone_parcels(conn, store, run_id)),
        Layer("zone_towns", stored_towns(conn, store, run_id)),
    ]
    write_layers(out, kind, [outlines, *tables])


def _headed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Columns renamed to their Chinese headers: the column's comment, else a shared header."""
    names = {c: table.c[c].comment or HEADERS.get(c, c) for c in frame.columns}
    return frame.rename(columns=names)
