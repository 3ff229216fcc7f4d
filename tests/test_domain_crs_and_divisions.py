"""CGCS2000 Gauss-Krüger zone suggestion and the division-code hierarchy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import CRS

from landrenewal.domain import crs, divisions


def test_jiangmen_gets_central_meridian_114() -> None:
    assert crs.suggest_gk3_epsg(113.0) == 4547
    assert crs.suggest_gk3_epsg(113.0, zone_prefix=True) == 4526


@given(st.floats(min_value=73.5, max_value=136.49))
def test_suggested_zone_is_the_pyproj_zone_for_that_meridian(lon: float) -> None:
    epsg = crs.suggest_gk3_epsg(lon)
    cm = crs.gk3_central_meridian(lon)
    assert abs(cm - lon) <= 1.5
    params = {p.name: p.value for p in CRS.from_epsg(epsg).coordinate_operation.params}
    assert params["Longitude of natural origin"] == cm
    assert "CGCS2000" in CRS.from_epsg(epsg).name


def test_longitude_outside_china_is_refused() -> None:
    with pytest.raises(ValueError, match="不在我国 CGCS2000 3° 分带范围内"):
        crs.suggest_gk3_epsg(10.0)


def test_division_levels_and_parents() -> None:
    assert divisions.level_of("440785") is divisions.Level.COUNTY
    assert divisions.level_of("440785100") is divisions.Level.TOWN
    assert divisions.level_of("440785100201") is divisions.Level.VILLAGE
    assert divisions.parent_of("440785100201") == "440785100"
    assert divisions.parent_of("440785100") == "440785"
    assert divisions.parent_of("440785") is None
    assert divisions.contains("440785", "440785100201")
    with pytest.raises(ValueError):
        divisions.level_of("44078")
