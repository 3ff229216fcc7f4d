"""The inventory as typed records, for code that handles one record at a time.

Bulk work (import, evaluation) runs on columns named by ``domain.fields``; these records are
the same fields, one object each, with the quantities derived from them. Units are in the
names: ``_m2`` square metres, ``_mu`` 亩, ``_ha`` hectares, money in 万元 unless named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from landrenewal.domain import uscc as uscc_codes
from landrenewal.domain.divisions import Level, level_of, parent_of
from landrenewal.domain.units import m2_to_ha, m2_to_mu


class RightsType(StrEnum):
    STATE = "state"  # 国有
    COLLECTIVE = "collective"  # 集体


class Scale(StrEnum):
    ABOVE = "above"  # 规上
    BELOW = "below"  # 规下


class Tenure(StrEnum):
    OWNED = "owned"  # 自有
    RENTED = "rented"  # 租赁


class BuildingUse(StrEnum):
    PRODUCTION = "production"
    WAREHOUSE = "warehouse"
    OFFICE = "office"
    LIVING = "living"
    OTHER = "other"


@dataclass(frozen=True)
class Division:
    division_code: str
    name: str

    @property
    def level(self) -> Level:
        return level_of(self.division_code)

    @property
    def parent_code(self) -> str | None:
        return parent_of(self.division_code)


@dataclass(frozen=True)
class ContractTerms:
    """Terms of the land-supply contract (出让合同) and supervision agreement."""

    agreed_far: float | None = None
    agreed_investment_intensity_wan_per_mu: float | None = None
    total_investment_wan: float | None = None
    land_price_wan: float | None = None


@dataclass(frozen=True)
class Lifecycle:
    """Dates from approval to production (批准 → 供地 → 动工 → 竣工 → 投产)."""

    approved: dt.date | None = None
    supplied: dt.date | None = None
    agreed_start: dt.date | None = None
    actual_start: dt.date | None = None
    agreed_completion: dt.date | None = None
    completion: dt.date | None = None
    production: dt.date | None = None


@dataclass(frozen=True)
class Parcel:
    parcel_code: str
    area_m2: float  # of the geometry, in the jurisdiction's projected CRS
    land_use_code: str | None = None
    rights_type: RightsType | None = None
    rights_holder: str | None = None
    division_code: str | None = None
    lifecycle: Lifecycle = Lifecycle()
    terms: ContractTerms = ContractTerms()

    @property
    def area_mu(self) -> float:
        return m2_to_mu(self.area_m2)

    @property
    def area_ha(self) -> float:
        return m2_to_ha(self.area_m2)


@dataclass(frozen=True)
class Building:
    building_code: str
    parcel_code: str
    floor_area_m2: float
    footprint_m2: float
    storeys: int = 1
    storeys_over_8m: int = 0
    use: BuildingUse = BuildingUse.PRODUCTION

    @property
    def far_floor_area_m2(self) -> float:
        return float(
            far_floor_area_m2(
                np.array([self.floor_area_m2]), np.array([self.storeys]), np.array([self.storeys_over_8m])
            )[0]
        )


def far_floor_area_m2(
    floor_area_m2: npt.NDArray[np.float64],
    storeys: npt.NDArray[np.float64],
    storeys_over_8m: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Floor area counted for FAR: a storey higher than 8 m counts twice (工业项目建设用地控制指标, 2008).

    Storeys are taken as equal in area; with no storey count the floor area counts once.
    """
    floor = np.asarray(floor_area_m2, dtype=np.float64)
    n = np.asarray(storeys, dtype=np.float64)
    high = np.nan_to_num(np.asarray(storeys_over_8m, dtype=np.float64), nan=0.0)
    per_storey = np.divide(floor, n, out=np.zeros_like(floor), where=(n > 0) & ~np.isnan(n))
    return floor + per_storey * np.minimum(high, np.nan_to_num(n, nan=0.0))


@dataclass(frozen=True)
class Enterprise:
    uscc: str
    name: str
    industry_code: str  # GB/T 4754-2017 digits, 2 to 4
    scale: Scale
    division_code: str | None = None

    def __post_init__(self) -> None:
        problem = uscc_codes.problem(self.uscc)
        if problem:
            raise ValueError(f"{self.uscc}: {problem}")


@dataclass(frozen=True)
class Occupancy:
    """An enterprise using a share of a parcel's land over a period (end None = still there)."""

    uscc: str
    parcel_code: str
    land_share: float
    start: dt.date
    end: dt.date | None = None
    tenure: Tenure = Tenure.OWNED

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class AnnualMetrics:
    """One enterprise's figures for one year."""

    uscc: str
    year: int
    tax_wan: float | None = None
    value_added_wan: float | None = None
    revenue_wan: float | None = None
    output_wan: float | None = None
    energy_tce: float | None = None
    electricity_wan_kwh: float | None = None
    emissions_t: float | None = None
    rd_spending_wan: float | None = None
    employees: float | None = None
