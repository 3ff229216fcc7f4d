"""A stored zone run for people and for GIS: XLSX with Chinese headers, GeoPackage, GeoJSON."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from sqlalchemy import Connection, Table

from landrenewal.analysis.results_out import write_xlsx
from landrenewal.analysis.zone_runs import stored_towns, stored_zone_parcels, stored_zones, zone_run_info
from landrenewal.domain.language import say
from landrenewal.files.writers import replacing
from landrenewal.store import schema
from landrenewal.store.engine import Store

FORMATS = {".xlsx": "XLSX", ".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".json": "GeoJSON"}
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


class ZoneExportError(ValueError):
    """An output path whose format cannot be written."""


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
        raise ZoneExportError(
            say(f"{out}：只能写出 .xlsx、.gpkg 或 .geojson。", f"{out}: can only write .xlsx, .gpkg or .geojson.")
        )
    zones = stored_zones(conn, store, run_id)
    about = zone_about(conn, run_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "XLSX":
        sheets = {
            "片区": _headed(zones.drop(columns="geom"), schema.zones),
            "片区宗地": _headed(stored_zone_parcels(conn, store, run_id), schema.zone_parcels),
            "镇街汇总": _headed(stored_towns(conn, store, run_id), schema.zone_towns),
        }
        write_xlsx(out, sheets, about)
        return
    epsg = store.epsg(conn)
    layer = gpd.GeoDataFrame(zones.drop(columns="geom"), geometry=zones["geom"].to_numpy(), crs=epsg)
    options = {"geometry_type": "MultiPolygon", "promote_to_multi": True}
    with replacing(out) as tmp:
        if kind == "GeoJSON":
            pyogrio.write_dataframe(
                layer.to_crs(4326), tmp, driver="GeoJSON", layer="zones", layer_options={"RFC7946": "YES"}, **options
            )
        else:
            description = "；".join(f"{k}: {v}" for k, v in about.items())
            pyogrio.write_dataframe(
                layer, tmp, layer="zones", driver="GPKG", layer_options={"DESCRIPTION": description}, **options
            )
            for name, frame in (
                ("zone_parcels", stored_zone_parcels(conn, store, run_id)),
                ("zone_towns", stored_towns(conn, store, run_id)),
            ):
                pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")


def _headed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Columns renamed to their Chinese headers: the column's comment, else a shared header."""
    names = {c: table.c[c].comment or HEADERS.get(c, c) for c in frame.columns}
    return frame.rename(columns=names)
