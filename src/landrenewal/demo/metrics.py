"""Three years of figures per enterprise, skewed as real ones are, from the land it uses in production.

Each enterprise draws its own productivity once — revenue per mu (lognormal, median about 320
万元/亩 times its industry's factor, a few leading firms well above their peers), tax rate,
value-added share, energy and emission intensity, R&D share, revenue per employee — and a trend.
Tax per mu comes out with a median near 14 万元/亩 and a tail to about 100; small firms (规下) pay
at lower rates, as small-scale taxpayers do, and use more energy, mostly electricity, per unit
of value added. Energy and emissions follow value added through the industry's intensity with
a bounded spread (a real firm's 万元 per tce lies within a small multiple of its industry's), so
no firm rates dozens of times its benchmark on a tiny denominator. Emission data come from the
pollutant-discharge records of the premises: enterprises that share land (one evaluation unit)
all have them or none does.
A year's figures scale with the mu-years of land it used in production that year (its share of
each parcel × the part of the year it was there), so enterprises that came or left mid-year
report part of a year, and those not yet producing none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from landrenewal.demo.arrays import BoolArray, DayArray, FloatArray, IntArray
from landrenewal.demo.names import INDUSTRIES
from landrenewal.demo.occupancy import Enterprises, Occupancy

YEARS = (2023, 2024, 2025)
MIN_DAYS_IN_YEAR = 30  # an enterprise there for less of a year reports nothing for it

# Within an industry firms differ by a factor of about 1.5 either way (the spread of a real
# county's 亩均 figures is mostly between industries and from the few leading firms); a wider
# spread puts a third of all firms below half their industry's mean.
REVENUE_PER_MU_MEDIAN, REVENUE_PER_MU_SIGMA, REVENUE_MAX_SD = 340.0, 0.27, 3.0  # 万元/亩
LEADING_FIRMS, LEADING_FACTOR = 0.05, (1.5, 2.5)  # share of firms far ahead of their peers, and by how much
TAX_RATE = (0.035, 0.055)  # tax / revenue
SMALL_FIRM_TAX_RATE_FACTOR = (0.7, 1.0)  # below the 规上 revenue line
NO_TAX_SHARE = 0.01  # loss-making or exempt: no tax paid that year
VALUE_ADDED_SHARE = (0.2, 0.3)  # value added / revenue
VA_PER_TCE_MEDIAN, INTENSITY_SIGMA, INTENSITY_MAX_SD = 2.7, 0.3, 2.5  # 万元 of value added per tce
SMALL_FIRM_ENERGY_FACTOR = 2.5  # small firms' older plant: more energy per unit of value added
ELECTRICITY_SHARE = (0.6, 0.95)  # share of energy taken as electricity
KGCE_PER_KWH = 0.1229  # electricity's standard-coal equivalent
VA_PER_TONNE_MEDIAN = 4900.0  # 万元 of value added per tonne of main pollutants, for energy factor 1
RD_SHARE_MEDIAN, RD_SHARE_MAX = 0.02, 0.08
REVENUE_PER_EMPLOYEE = (50.0, 150.0)  # 万元
MIN_EMPLOYEES = 3
TREND = (0.03, 0.08)  # mean and spread of yearly growth
LEAVING_TREND = -0.15  # enterprises that later closed or moved out were shrinking
EMISSIONS_MISSING = {"above": 0.10, "below": 0.35}  # share of enterprises without emission data
BELOW_SCALE_WITHOUT_RD = 0.4
DAY = np.timedelta64(1, "D")


COLUMNS = {  # column (domain.fields.METRICS) → decimals it is reported with
    "tax_wan": 2,
    "value_added_wan": 1,
    "revenue_wan": 1,
    "output_wan": 1,
    "energy_tce": 1,
    "electricity_wan_kwh": 2,
    "emissions_t": 3,
    "rd_spending_wan": 1,
    "employees_avg": 0,
}


@dataclass(frozen=True)
class Metrics:
    enterprise: IntArray
    year: IntArray
    values: dict[str, FloatArray]  # column name (domain.fields.METRICS) → values
    above_scale: BoolArray  # per enterprise


@dataclass(frozen=True)
class Productivity:
    """What each enterprise makes of its land, drawn once and kept over the years."""

    revenue_per_mu: FloatArray
    tax_rate: FloatArray
    small_firm_tax_rate: FloatArray
    va_share: FloatArray
    va_per_tce: FloatArray
    electricity_share: FloatArray
    va_per_tonne: FloatArray
    rd_share: FloatArray
    revenue_per_employee: FloatArray
    trend: FloatArray


def draw_metrics(
    rng: np.random.Generator,
    enterprises: Enterprises,
    occupancy: Occupancy,
    parcel_mu: FloatArray,
    production: DayArray,
    above_scale_revenue_min: float,
) -> Metrics:
    n = len(enterprises)
    firm = _productivity(rng, enterprises, occupancy)
    land = [_land_in_production(occupancy, parcel_mu, production, year, n) for year in YEARS]
    present = [np.flatnonzero(days >= MIN_DAYS_IN_YEAR) for _, days in land]
    # Columns are allocated once and filled year by year: at 10⁶ parcels each is tens of MiB.
    values = {name: np.empty(sum(map(len, present))) for name in COLUMNS}
    latest_revenue = np.zeros(n)
    start = 0
    for offset, ((mu_years, _), rows) in enumerate(zip(land, present, strict=True)):  # three years
        figures = _year_figures(rng, firm, rows, mu_years[rows], offset, above_scale_revenue_min)
        for name, decimals in COLUMNS.items():
            np.round(figures[name], decimals, out=values[name][start : start + len(rows)])
        latest_revenue[rows] = values["revenue_wan"][start : start + len(rows)]  # a later year overwrites
        start += len(rows)
    enterprise = np.concatenate(present)
    year = np.repeat(np.array(YEARS, dtype=np.int64), [len(rows) for rows in present])
    above = latest_revenue >= above_scale_revenue_min  # 规上 by the latest year reported
    _leave_gaps(rng, enterprise, values, above, _premises(occupancy, n, len(parcel_mu)))
    return Metrics(enterprise, year, values, above)


def _productivity(rng: np.random.Generator, enterprises: Enterprises, occupancy: Occupancy) -> Productivity:
    n = len(enterprises)
    tax_factor = np.array([ind.tax_factor for ind in INDUSTRIES])[enterprises.industry]
    energy_factor = np.array([ind.energy_factor for ind in INDUSTRIES])[enterprises.industry]
    tax_rate = rng.uniform(*TAX_RATE, n)
    leaving = np.zeros(n, dtype=bool)
    leaving[occupancy.enterprise[~np.isnat(occupancy.end)]] = True
    leading = np.where(rng.random(n) < LEADING_FIRMS, rng.uniform(*LEADING_FACTOR, n), 1.0)
    spread = _bounded(rng, n, REVENUE_PER_MU_SIGMA, REVENUE_MAX_SD)
    return Productivity(
        revenue_per_mu=REVENUE_PER_MU_MEDIAN * spread * leading * tax_factor,
        tax_rate=tax_rate,
        small_firm_tax_rate=tax_rate * rng.uniform(*SMALL_FIRM_TAX_RATE_FACTOR, n),
        va_share=rng.uniform(*VALUE_ADDED_SHARE, n),
        va_per_tce=VA_PER_TCE_MEDIAN * _bounded(rng, n) / energy_factor,
        electricity_share=rng.uniform(*ELECTRICITY_SHARE, n),
        # Pollutants come from burning fuel and from the process: they follow the industry's energy use.
        va_per_tonne=VA_PER_TONNE_MEDIAN * _bounded(rng, n) / energy_factor,
        rd_share=np.minimum(rng.lognormal(math.log(RD_SHARE_MEDIAN), 0.7, n), RD_SHARE_MAX),
        revenue_per_employee=rng.uniform(*REVENUE_PER_EMPLOYEE, n),
        trend=np.where(leaving, LEAVING_TREND, rng.normal(*TREND, n)),
    )


def _bounded(
    rng: np.random.Generator, n: int, sigma: float = INTENSITY_SIGMA, max_sd: float = INTENSITY_MAX_SD
) -> FloatArray:
    """A firm's factor against its industry's typical value: lognormal, cut at ``max_sd`` either way,
    so that a city of 10⁶ parcels has no firm further out than one of 10³."""
    z = np.clip(rng.normal(0.0, 1.0, n), -max_sd, max_sd)
    return np.exp(sigma * z)


def _year_figures(
    rng: np.random.Generator,
    firm: Productivity,
    rows: IntArray,
    mu_years: FloatArray,
    offset: int,
    above_scale_revenue_min: float,
) -> dict[str, FloatArray]:
    """One year's figures of the enterprises present that year (``rows``), before rounding."""
    n = len(rows)
    growth = np.exp(firm.trend[rows] * offset + rng.normal(0.0, 0.1, n))
    revenue = firm.revenue_per_mu[rows] * mu_years * growth
    small = revenue < above_scale_revenue_min
    rate = np.where(small, firm.small_firm_tax_rate[rows], firm.tax_rate[rows])
    pays = rng.random(n) >= NO_TAX_SHARE
    value_added = revenue * firm.va_share[rows] * rng.uniform(0.95, 1.05, n)
    energy = value_added / firm.va_per_tce[rows] * np.where(small, SMALL_FIRM_ENERGY_FACTOR, 1.0)
    return {
        "tax_wan": np.where(pays, revenue * rate, 0.0),
        "value_added_wan": value_added,
        "revenue_wan": revenue,
        "output_wan": revenue * rng.uniform(0.92, 1.08, n),
        "energy_tce": energy,
        "electricity_wan_kwh": energy * firm.electricity_share[rows] * 1000.0 / KGCE_PER_KWH / 1e4,
        "emissions_t": value_added / firm.va_per_tonne[rows],
        "rd_spending_wan": revenue * firm.rd_share[rows],
        "employees_avg": np.maximum(MIN_EMPLOYEES, revenue / firm.revenue_per_employee[rows]),
    }


def _land_in_production(
    occupancy: Occupancy, parcel_mu: FloatArray, production: DayArray, year: int, n: int
) -> tuple[FloatArray, FloatArray]:
    """Per enterprise: mu-years of land used in production in this year, and the most days on any parcel."""
    year_start = np.datetime64(f"{year}-01-01", "D")
    year_end = np.datetime64(f"{year + 1}-01-01", "D")
    year_days = float((year_end - year_start) / DAY)
    producing_from = production[occupancy.parcel]
    begin = np.maximum(np.maximum(occupancy.start, producing_from), year_start)
    finish = np.minimum(np.where(np.isnat(occupancy.end), year_end, occupancy.end), year_end)
    days = np.where(np.isnat(producing_from), 0.0, np.maximum((finish - begin) / DAY, 0.0))
    weights = days / year_days * occupancy.share * parcel_mu[occupancy.parcel]
    mu_years = np.asarray(np.bincount(occupancy.enterprise, weights, minlength=n), dtype=np.float64)
    most_days = np.zeros(n)
    np.maximum.at(most_days, occupancy.enterprise, days)
    return mu_years, most_days


def _premises(occupancy: Occupancy, n_enterprises: int, n_parcels: int) -> IntArray:
    """Per enterprise, its group of enterprises linked by shared land at any time (the connected pieces
    of the enterprise–parcel graph of all occupancy): every year's evaluation unit lies within one."""
    graph = coo_matrix(
        (np.ones(len(occupancy.enterprise), dtype=np.int8), (occupancy.enterprise, occupancy.parcel + n_enterprises)),
        shape=(n_enterprises + n_parcels,) * 2,
    )
    _, component = connected_components(graph, directed=False)
    return np.asarray(component[:n_enterprises], dtype=np.int64)


def _leave_gaps(
    rng: np.random.Generator,
    enterprise: IntArray,
    values: dict[str, FloatArray],
    above: BoolArray,
    premises: IntArray,
) -> None:
    """Data as it comes: some enterprises report no emissions (more often 规下), many 规下 no R&D.

    Whether emissions are on record is drawn per group of enterprises sharing land, at the rate of
    its biggest kind (规上 if any member is): a unit's value added over the emissions of only some
    of its members would rate it many times its benchmark on the tiny emissions of a small tenant."""
    n = len(above)
    groups = int(premises.max(initial=-1)) + 1
    group_above = np.bincount(premises, weights=above, minlength=groups) > 0
    rate = np.where(group_above, EMISSIONS_MISSING["above"], EMISSIONS_MISSING["below"])
    no_emissions = (rng.random(groups) < rate)[premises]
    no_rd = ~above & (rng.random(n) < BELOW_SCALE_WITHOUT_RD)
    values["emissions_t"][no_emissions[enterprise]] = np.nan
    values["rd_spending_wan"][no_rd[enterprise]] = 0.0
