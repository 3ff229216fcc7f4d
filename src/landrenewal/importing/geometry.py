"""Geometry of an import: repaired, reprojected into the store's CRS, made MultiPolygon, measured."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer

from landrenewal.domain.crs import CGCS2000_GEOGRAPHIC, is_cgcs2000_gk3, suggest_gk3_epsg
from landrenewal.importing.report import Problems, Severity

GeometryArray = npt.NDArray[np.object_]

# Coordinates inside this box are taken for longitude/latitude in China when a file has no CRS.
_CHINA_LONLAT = (73.0, 3.0, 136.0, 54.0)


class CrsError(Exception):
    """The file's CRS cannot be determined or used."""


@dataclass
class PreparedGeometry:
    geoms: GeometryArray  # MultiPolygon in the store's CRS, None where unusable
    epsg: int  # the store's CRS
    set_store_epsg: bool  # the store had no CRS; this import fixes it
    notes: list[str] = field(default_factory=list)


def _source_crs(crs: CRS | None, geoms: GeometryArray, store_epsg: int | None, notes: list[str]) -> CRS:
    if crs is not None:
        return crs
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    lon0, lat0, lon1, lat1 = _CHINA_LONLAT
    if lon0 <= x0 and x1 <= lon1 and lat0 <= y0 and y1 <= lat1:
        notes.append(
            "文件未声明坐标系，坐标为经纬度，按 CGCS2000 (EPSG:4490) 处理 "
            "(no CRS in the file; coordinates look like lon/lat, CGCS2000 assumed)"
        )
        return CRS.from_epsg(CGCS2000_GEOGRAPHIC)
    if store_epsg is not None:
        notes.append(
            f"文件未声明坐标系，按库的坐标系 EPSG:{store_epsg} 处理 "
            f"(no CRS in the file; the store's EPSG:{store_epsg} assumed)"
        )
        return CRS.from_epsg(store_epsg)
    raise CrsError(
        "文件未声明坐标系，且坐标不是经纬度；请提供 .prj 或先设定库坐标系 "
        "(the file has no CRS and its coordinates are not lon/lat: add a .prj or set the store CRS)"
    )


def _target_epsg(source: CRS, geoms: GeometryArray, store_epsg: int | None, notes: list[str]) -> tuple[int, bool]:
    if store_epsg is not None:
        return store_epsg, False
    epsg = source.to_epsg()
    if epsg is not None and is_cgcs2000_gk3(epsg):
        notes.append(f"库尚未设定坐标系，采用文件的 EPSG:{epsg} (store CRS set from the file: EPSG:{epsg})")
        return epsg, True
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    to_lonlat = Transformer.from_crs(source, CGCS2000_GEOGRAPHIC, always_xy=True)
    lon, _ = to_lonlat.transform((x0 + x1) / 2, (y0 + y1) / 2)
    suggested = suggest_gk3_epsg(float(lon))
    name = CRS.from_epsg(suggested).name
    notes.append(
        f"库尚未设定坐标系，按数据中心经度 {lon:.2f}° 采用 {name} (EPSG:{suggested}) "
        f"(store CRS suggested from the data's longitude)"
    )
    return suggested, True


def _reproject(geoms: GeometryArray, source: CRS, epsg: int) -> GeometryArray:
    target = CRS.from_epsg(epsg)
    if source.equals(target):
        return geoms
    transformer = Transformer.from_crs(source, target, always_xy=True)

    def move(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, move), dtype=object)


def _polygonal(geoms: GeometryArray) -> GeometryArray:
    """Each geometry as a MultiPolygon of its polygonal parts (None where it has none)."""
    types = shapely.get_type_id(geoms)
    if (types == shapely.GeometryType.MULTIPOLYGON).all() and not shapely.is_empty(geoms).any():
        return geoms  # the usual case: nothing to take apart, nothing to copy
    parts, index = shapely.get_parts(geoms, return_index=True)
    # Collections from make_valid may nest; one more level catches polygons inside them.
    nested, nested_index = shapely.get_parts(parts, return_index=True)
    parts, index = nested, index[nested_index]
    polygons = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    polygons &= ~shapely.is_empty(parts)
    out = np.full(len(geoms), None, dtype=object)
    if polygons.any():
        owners = np.unique(index[polygons])
        dense = np.searchsorted(owners, index[polygons])  # multipolygons() wants indices without gaps
        out[owners] = np.asarray(shapely.multipolygons(parts[polygons], indices=dense), dtype=object)
    return out


def prepare(
    geoms: GeometryArray,
    crs: CRS | None,
    store_epsg: int | None,
    problems: Problems,
    *,
    required: bool,
) -> PreparedGeometry:
    """Validate, repair and reproject polygons; every rejected or repaired feature is reported."""
    notes: list[str] = []
    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if required:
        problems.add(missing, "geom", "图形为空 (empty or missing geometry)")
    present = ~missing
    if not present.any():
        epsg = store_epsg if store_epsg is not None else 0
        return PreparedGeometry(np.full(len(geoms), None, dtype=object), epsg, False, notes)

    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = np.asarray(shapely.is_valid_reason(geoms), dtype=object)
        problems.add(
            invalid,
            "geom",
            np.char.add("图形无效，已自动修复 (invalid geometry repaired): ", reasons.astype(str)).astype(object),
            severity=Severity.WARNING,
        )
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)

    polygonal = _polygonal(geoms)
    not_polygon = present & shapely.is_missing(polygonal)
    types = np.asarray(shapely.get_type_id(geoms))
    type_names = np.array([t.name for t in shapely.GeometryType], dtype=object)
    problems.add(
        not_polygon,
        "geom",
        np.char.add(
            "图形不是面 (geometry is not a polygon): ", type_names[np.clip(types + 1, 0, None)].astype(str)
        ).astype(object),
    )
    usable = ~shapely.is_missing(polygonal)
    if not usable.any():
        epsg = store_epsg if store_epsg is not None else 0
        return PreparedGeometry(polygonal, epsg, False, notes)

    source = _source_crs(crs, polygonal[usable], store_epsg, notes)
    epsg, set_store = _target_epsg(source, polygonal[usable], store_epsg, notes)
    if not CRS.from_epsg(epsg).is_projected:
        raise CrsError(f"库坐标系 EPSG:{epsg} 不是投影坐标系，无法计算面积 (the store CRS must be projected)")
    out = polygonal.copy()
    out[usable] = _reproject(polygonal[usable], source, epsg)
    if not source.equals(CRS.from_epsg(epsg)):
        notes.append(f"已从 {source.name} 转换到 EPSG:{epsg} (reprojected)")
    return PreparedGeometry(out, epsg, set_store, notes)
