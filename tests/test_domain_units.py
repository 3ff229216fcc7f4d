"""Area units: 1 mu = 10000/15 m², 1 ha = 15 mu; units read from Chinese headers."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from landrenewal.domain import units

areas = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)


def test_one_hectare_is_fifteen_mu() -> None:
    assert math.isclose(units.m2_to_mu(units.ha_to_m2(1.0)), 15.0)
    assert math.isclose(units.mu_to_m2(1.0), 666.6666666666666)


@given(areas)
def test_mu_round_trip(m2: float) -> None:
    assert math.isclose(units.mu_to_m2(units.m2_to_mu(m2)), m2, rel_tol=1e-12, abs_tol=1e-9)


@given(areas)
def test_ha_is_fifteen_times_smaller_than_mu(m2: float) -> None:
    assert math.isclose(units.m2_to_mu(m2), units.m2_to_ha(m2) * units.MU_PER_HA, rel_tol=1e-12, abs_tol=1e-12)


def test_units_are_read_from_headers() -> None:
    assert units.parse_unit("税收（万元）") == units.UNITS["万元"]
    assert units.parse_unit("用电量(万千瓦时)") == units.UNITS["万kWh"]
    assert units.parse_unit("宗地面积（亩）") == units.UNITS["亩"]
    assert units.parse_unit("综合能耗（吨标准煤）") == units.UNITS["tce"]
    assert units.parse_unit("企业名称") is None
    assert units.strip_unit("税收（万元）") == "税收"


def test_electricity_is_kept_and_headed_in_wan_kwh_as_statistics_report_it() -> None:
    from landrenewal.domain.fields import ENTITIES

    spec = ENTITIES["metrics"].field("electricity_wan_kwh")
    assert spec.header == "用电量（万千瓦时）"
    assert spec.header_en == "Electricity (10k kWh)"
    assert units.parse_unit(spec.header) == units.UNITS[spec.unit or ""]
    # a file written in 千瓦时 or 兆瓦时 converts on import
    assert units.UNITS["kWh"].to_base * 1_234_500 == 123.45
    assert units.UNITS["MWh"].to_base * 1_000 == 100.0
