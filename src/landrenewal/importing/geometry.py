"""Geometry of an import: repaired, reprojected into the store's CRS, made MultiPolygon, measured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from landrenewal.domain.crs import (
    CGCS2000_GEOGRAPHIC,
    GK3_CM_FIRST_EPSG,
    GK3_FIRST_CM,
    GK3_LAST_CM,
    GK3_ZONE_FIRST_EPSG,
    is_cgcs2000_gk3,
    suggest_gk3_epsg,
)
from landrenewal.domain.language import say
from landrenewal.domain.units import M2_PER_HA, M2_PER_MU
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
            say(
                "文件未声明坐标系，坐标为经纬度，按 CGCS2000 (EPSG:4490) 处理",
                "The file names no CRS and its coordinates look like longitude/latitude: CGCS2000 (EPSG:4490) assumed",
            )
        )
        return CRS.from_epsg(CGCS2000_GEOGRAPHIC)
    if store_epsg is not None:
        notes.append(
            say(
                f"文件未声明坐标系，按库的坐标系 EPSG:{store_epsg} 处理",
                f"The file names no CRS: the store's EPSG:{store_epsg} assumed",
            )
        )
        return CRS.from_epsg(store_epsg)
    raise CrsError(
        say(
            "文件未声明坐标系，且坐标不是经纬度；请提供 .prj 或先设定库坐标系",
            "the file names no CRS and its coordinates are not longitude/latitude: "
            "add a .prj file or set the store's CRS first",
        )
    )


def _target_epsg(source: CRS, geoms: GeometryArray, store_epsg: int | None, notes: list[str]) -> tuple[int, bool]:
    if store_epsg is not None:
        return store_epsg, False
    epsg = source.to_epsg()
    if epsg is not None and is_cgcs2000_gk3(epsg):
        notes.append(
            say(f"库尚未设定坐标系，采用文件的 EPSG:{epsg}", f"The store had no CRS: the file's EPSG:{epsg} was taken")
        )
        return epsg, True
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    to_lonlat = Transformer.from_crs(source, CGCS2000_GEOGRAPHIC, always_xy=True)
    lon, _ = to_lonlat.transform((x0 + x1) / 2, (y0 + y1) / 2)
    suggested = suggest_gk3_epsg(float(lon))
    name = CRS.from_epsg(suggested).name
    notes.append(
        say(
            f"库尚未设定坐标系，按数据中心经度 {lon:.2f}° 采用 {name} (EPSG:{suggested})",
            f"The store had no CRS: {name} (EPSG:{suggested}) was taken for the data's central longitude {lon:.2f}°",
        )
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
    far_places_ok: bool = False,
    recorded_m2: npt.NDArray[np.float64] | None = None,
) -> PreparedGeometry:
    """Validate, repair and reproject polygons; every rejected or repaired feature is reported.

    Features outside China or far outside the store's Gauss-Krüger zone are errors (a file in
    another CRS than it says, or data of somewhere else); with ``far_places_ok`` they are
    warnings and are loaded.
    """
    notes: list[str] = []
    geoms = np.asarray(geoms, dtype=object)
    original = geoms
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if required:
        problems.add(missing, "geom", say("图形为空", "the geometry is empty or missing"))
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
            np.char.add(
                say("图形无效，已自动修复：", "the geometry was invalid and has been repaired: "), reasons.astype(str)
            ).astype(object),
            severity=Severity.WARNING,
        )
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)

    polygonal = _polygonal(geoms)
    not_polygon = present & shapely.is_missing(polygonal)
    # A polygon the repair turned into a line (all its vertices on one line, often after rounding)
    # is said as such, with the area the file gave it; anything else that is no polygon by its type.
    collapsed = not_polygon & invalid
    types = np.asarray(shapely.get_type_id(geoms))
    type_names = np.array([t.name for t in shapely.GeometryType], dtype=object)
    problems.add(
        not_polygon & ~collapsed,
        "geom",
        np.char.add(
            say("图形不是面：", "the geometry is not a polygon: "), type_names[np.clip(types + 1, 0, None)].astype(str)
        ).astype(object),
    )
    usable = ~shapely.is_missing(polygonal)
    if not usable.any():
        epsg = store_epsg if store_epsg is not None else 0
        _report_collapsed(problems, collapsed, original, crs, epsg, recorded_m2)
        return PreparedGeometry(polygonal, epsg, False, notes)

    source = _source_crs(crs, polygonal[usable], store_epsg, notes)
    far = _implausible_places(polygonal, usable, source, store_epsg, problems, accept=far_places_ok)
    plausible = usable & ~far if not far_places_ok else usable
    if not plausible.any():
        plausible = usable  # every feature is far away: that has been said row by row
    try:
        epsg, set_store = _target_epsg(source, polygonal[plausible], store_epsg, notes)
    except ValueError as exc:  # no Gauss-Krüger zone of China for data centred elsewhere
        raise CrsError(
            say(
                f"数据不在中国的高斯-克吕格投影带内，无法设定库坐标系：{exc}",
                f"no Gauss-Krüger zone of China fits the data, so the store's CRS cannot be set: {exc}",
            )
        ) from None
    if not CRS.from_epsg(epsg).is_projected:
        raise CrsError(
            say(
                f"库坐标系 EPSG:{epsg} 不是投影坐标系，无法计算面积",
                f"the store's CRS EPSG:{epsg} is not projected: areas cannot be measured",
            )
        )
    if store_epsg is None:  # the zone was chosen just now: the features far from it are said too
        _implausible_places(polygonal, plausible, source, epsg, problems, accept=far_places_ok, china=False)
    _report_collapsed(problems, collapsed, original, source, epsg, recorded_m2)
    out = polygonal.copy()
    out[usable] = _reproject(polygonal[usable], source, epsg)
    if not source.equals(CRS.from_epsg(epsg)):
        notes.append(say(f"已从 {source.name} 转换到 EPSG:{epsg}", f"Reprojected from {source.name} to EPSG:{epsg}"))
    return PreparedGeometry(out, epsg, set_store, notes)


def recorded_area_m2(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The area each row's attributes give (m², else mu, else ha), NaN where none: what 'the file says'."""
    area = np.full(len(frame), np.nan)
    for name, factor in (
        ("registered_area_ha", M2_PER_HA),
        ("registered_area_mu", M2_PER_MU),
        ("registered_area_m2", 1.0),
    ):
        if name in frame:
            given = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float) * factor
            area = np.where(np.isfinite(given), given, area)
    return area


def _report_collapsed(
    problems: Problems,
    collapsed: npt.NDArray[np.bool_],
    original: GeometryArray,
    crs: CRS | None,
    epsg: int,
    recorded_m2: npt.NDArray[np.float64] | None,
) -> None:
    """'Zero area after repair, the file says 272 m²': the area the row records, else the one its own
    (invalid) ring encloses, in metres."""
    if not collapsed.any():
        return
    area = np.full(len(original), np.nan)
    if crs is not None and epsg and CRS.from_epsg(epsg).is_projected:
        area[collapsed] = shapely.area(_reproject(original[collapsed], crs, epsg))
    elif crs is not None and crs.is_projected:
        area[collapsed] = shapely.area(original[collapsed])
    area[area <= 0] = np.nan
    if recorded_m2 is not None:
        area = np.where(np.isfinite(recorded_m2), recorded_m2, area)

    def reasons(rows: npt.NDArray[np.int64]) -> list[str]:
        said = []
        for a in area[rows]:
            given = say(f"，文件中为 {a:,.0f} m²", f" (the file says {a:,.0f} m²)") if np.isfinite(a) else ""
            said.append(
                say(
                    f"修复后面积为零{given}：各顶点几乎在一条线上（常因坐标小数位被截短）",
                    f"the area is zero after repair{given}: the vertices lie on one line, "
                    "often because the coordinates were rounded",
                )
            )
        return said

    problems.add(collapsed, "geom", reasons)


# China, in CGCS2000 longitude/latitude: a feature outside it is in the wrong place or the wrong CRS.
_CHINA = (73.0, 3.0, 136.0, 54.0)
# How far (degrees of longitude) a feature may lie from its Gauss-Krüger zone's central meridian:
# a 3° zone spans ±1.5°; surveys spill over a little, a feature 3° off belongs to another zone.
_ZONE_REACH = 3.0


def gk3_meridian_of(epsg: int) -> int | None:
    """The central meridian (°E) of a CGCS2000 3° Gauss-Krüger EPSG code, else None."""
    if GK3_CM_FIRST_EPSG <= epsg <= GK3_CM_FIRST_EPSG + (GK3_LAST_CM - GK3_FIRST_CM) // 3:
        return GK3_FIRST_CM + 3 * (epsg - GK3_CM_FIRST_EPSG)
    if GK3_ZONE_FIRST_EPSG <= epsg < GK3_CM_FIRST_EPSG:
        return GK3_FIRST_CM + 3 * (epsg - GK3_ZONE_FIRST_EPSG)
    return None


def _implausible_places(
    geoms: GeometryArray,
    usable: npt.NDArray[np.bool_],
    source: CRS,
    store_epsg: int | None,
    problems: Problems,
    *,
    accept: bool,
    china: bool = True,
) -> npt.NDArray[np.bool_]:
    """Features outside China, or far outside the store's Gauss-Krüger zone: errors (warnings when
    the user said to accept them). The mask of those features."""
    far = np.zeros(len(geoms), dtype=bool)
    idx = np.flatnonzero(usable)
    bounds = shapely.bounds(geoms[idx])
    to_lonlat = Transformer.from_crs(source, CGCS2000_GEOGRAPHIC, always_xy=True)
    lon, lat = to_lonlat.transform((bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    severity = Severity.WARNING if accept else Severity.ERROR
    advice = (
        ""
        if accept
        else say(
            "；若确属此处，导入时选择接受远处的图形",
            "; if it really is there, choose to accept far places when importing",
        )
    )
    x0, y0, x1, y1 = _CHINA
    outside = ~((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
    if china and outside.any():
        far[idx[outside]] = True
        at = _places(lon, lat, idx)
        problems.add(
            far,
            "geom",
            lambda rows: [
                say(
                    f"图形位于中国境外（{p}），坐标系可能有误{advice}",
                    f"the feature lies outside China ({p}): the CRS may be wrong{advice}",
                )
                for p in at(rows)
            ],
            severity=severity,
        )
    meridian = gk3_meridian_of(store_epsg) if store_epsg is not None else None
    if meridian is not None:
        off = ~outside & (np.abs(lon - meridian) > _ZONE_REACH)
        if off.any():
            mask = np.zeros(len(geoms), dtype=bool)
            mask[idx[off]] = True
            far |= mask
            at = _places(lon, lat, idx)
            problems.add(
                mask,
                "geom",
                lambda rows: [
                    say(
                        f"图形（{p}）远在库坐标系 EPSG:{store_epsg}（中央经线 {meridian}°E）的投影带之外，"
                        f"面积与距离会失真{advice}",
                        f"the feature ({p}) is far outside the zone of the store's CRS EPSG:{store_epsg} "
                        f"(central meridian {meridian}°E): areas and distances would be distorted{advice}",
                    )
                    for p in at(rows)
                ],
                severity=severity,
            )
    return far


def _places(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64], idx: npt.NDArray[np.int64]
) -> Callable[[npt.NDArray[np.int64]], list[str]]:
    """'经度 2.35°，纬度 48.86°' of some rows (positions in the whole file), built only for them."""
    where = {int(i): k for k, i in enumerate(idx)}

    def said(rows: npt.NDArray[np.int64]) -> list[str]:
        out = []
        for r in rows:
            k = where[int(r)]
            if np.isfinite(lon[k]):
                out.append(
                    say(f"经度 {lon[k]:.2f}°，纬度 {lat[k]:.2f}°", f"longitude {lon[k]:.2f}°, latitude {lat[k]:.2f}°")
                )
            else:
                out.append(say("坐标无法换算为经纬度", "the coordinates cannot be turned into longitude/latitude"))
        return out

    return said
