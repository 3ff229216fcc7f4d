"""Typed records of the inventory and the quantities derived from them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from landrenewal.domain.divisions import Level
from landrenewal.domain.model import Building, Division, Enterprise, Occupancy, Parcel, Scale, far_floor_area_m2


def test_parcel_area_in_mu_and_ha() -> None:
    parcel = Parcel("440785100201GB00001", area_m2=20000.0)
    assert parcel.area_mu == pytest.approx(30.0)
    assert parcel.area_ha == pytest.approx(2.0)


def test_storeys_over_8m_count_twice_for_far() -> None:
    shed = Building("B1", "P1", floor_area_m2=3000.0, footprint_m2=1000.0, storeys=3, storeys_over_8m=1)
    assert shed.far_floor_area_m2 == pytest.approx(4000.0)
    plain = far_floor_area_m2(np.array([3000.0, 500.0]), np.array([3.0, np.nan]), np.array([0.0, 1.0]))
    assert list(plain) == [3000.0, 500.0]


def test_enterprise_refuses_a_bad_uscc() -> None:
    Enterprise("91440300708461136T", "华为技术有限公司", "3921", Scale.ABOVE)
    with pytest.raises(ValueError, match="校验码"):
        Enterprise("91440300708461136A", "x", "3921", Scale.ABOVE)


def test_occupancy_period_and_division_hierarchy() -> None:
    occ = Occupancy("91440300708461136T", "P1", 0.5, dt.date(2020, 1, 1), dt.date(2023, 1, 1))
    assert occ.active_on(dt.date(2022, 12, 31)) and not occ.active_on(dt.date(2023, 1, 1))
    village = Division("440785100201", "黄角村委会")
    assert village.level is Level.VILLAGE and village.parent_code == "440785100"
