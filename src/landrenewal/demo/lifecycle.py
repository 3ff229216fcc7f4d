"""Where each parcel stands in its life, and the dates and contract terms that say so.

A parcel's stage is drawn first; its dates are a chain of events (approval → supply → agreed
start → agreed completion; supply → actual start → completion → production) whose latest
reached event lies some time before the demo's "today". So every date is in a possible order
and in the past, and the cases the rules must find are there by construction: land approved
but not supplied, supplied but idle past the agreed start by under one, one to two or over two
years, building stalled, built but not producing, producing, and closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from landrenewal.demo.arrays import NAT, BoolArray, DayArray, FloatArray, IntArray, after, days_between, year_of
from landrenewal.domain.units import M2_PER_MU


class Stage(IntEnum):
    APPROVED_NOT_SUPPLIED = 0  # 批而未供
    SUPPLIED_NOT_DUE = 1  # supplied, the agreed start still ahead
    SUPPLIED_IDLE = 2  # 供而未用: the agreed start has passed, never started
    UNDER_CONSTRUCTION = 3  # started, on schedule
    STALLED = 4  # started, the agreed completion long passed, not completed
    BUILT_NOT_PRODUCING = 5  # 建而未投
    PRODUCING = 6
    CLOSED = 7  # produced, then the enterprise on it shut down (关停)


# Idle, stalled, empty and unsupplied land is a per cent or two each of a county's industrial land,
# together some 7 % of it; the rest is being built or in production. The holders of idle, stalled
# and empty land past its agreed completion go straight to D in the 亩均 evaluation: at these
# shares they are about 3 % of the evaluated units, which with the bottom 5 % of the ranked ones
# gives a D class of about 8 %, as a real county's (天台县 2022: 100 of 1,248 enterprises).
STATE_LAND_MIX = {
    Stage.APPROVED_NOT_SUPPLIED: 0.02,
    Stage.SUPPLIED_NOT_DUE: 0.025,
    Stage.SUPPLIED_IDLE: 0.013,
    Stage.UNDER_CONSTRUCTION: 0.035,
    Stage.STALLED: 0.012,
    Stage.BUILT_NOT_PRODUCING: 0.008,
    Stage.PRODUCING: 0.869,
    Stage.CLOSED: 0.018,
}
# 村级工业园: old collective land, built long ago and let to tenants; some stand empty.
COLLECTIVE_LAND_MIX = {Stage.BUILT_NOT_PRODUCING: 0.04, Stage.PRODUCING: 0.91, Stage.CLOSED: 0.05}
COLLECTIVE_PARK_SHARE = 0.2  # villages with a 村级工业园
COLLECTIVE_IN_PARK = 0.7  # parcels of such a village that are collective land

# Days between events, as [low, high) ranges.
APPROVAL_TO_SUPPLY = (60, 720)
SUPPLY_TO_AGREED_START = (90, 366)  # land contracts ask for a start within a year
AGREED_BUILD_TIME = (365, 1096)
START_DELAY = (-90, 270)  # actual start against the agreed start
BUILD_TIME = (300, 1000)
COMMISSIONING = (30, 366)
# How long ago each stage's latest event happened.
NOT_SUPPLIED_FOR = (60, 2500)
IDLE_FOR = (100, 1800)  # past the agreed start: under one, one to two and over two years
STALLED_AT_LEAST = 540
STALLED_EXTRA = (0, 1500)
BUILT_IDLE_FOR = (90, 1200)
PRODUCING_FOR = (30, 7000)
CLOSED_PRODUCED_FOR = (1500, 7000)
CLOSED_FOR = (90, 1400)
MIN_RUN_BEFORE_CLOSING = 400
STOPPED_AFTER_START = (90, 450)  # a stalled site stopped this long after it started
# How far building has got, as shares of the site and of the agreed total investment.
BUILDING_DEVELOPED, BUILDING_INVESTED = (0.3, 0.9), (0.2, 0.8)
STALLED_DEVELOPED, STALLED_INVESTED = (0.05, 0.6), (0.05, 0.5)
BUILT_INVESTED = (0.95, 1.3)  # of the total investment agreed (which is the agreed intensity or above)
SHORT_OF_INVESTMENT, SHORT_INVESTED = 0.02, (0.5, 0.85)  # built parcels that finish under it

# Contract terms (出让合同 and 投资产出监管协议), by the year the land was supplied.
AGREEMENTS_COMMON_FROM = 2012  # before it, half the parcels carry no FAR or investment terms
PRICE_WAN_PER_MU_2005, PRICE_GROWTH = 12.0, 0.06
INTENSITY_WAN_PER_MU_2005, INTENSITY_STEP = 180.0, 8.0
FAR_2008, FAR_STEP, FAR_RANGE = 1.0, 0.04, (0.8, 2.5)


@dataclass(frozen=True)
class Lifecycle:
    stage: IntArray
    collective: BoolArray
    approved: DayArray
    supplied: DayArray
    agreed_start: DayArray
    agreed_completion: DayArray
    actual_start: DayArray
    completion: DayArray
    production: DayArray
    closed: DayArray  # when a CLOSED parcel's enterprise shut down; NaT otherwise
    stopped: DayArray  # when a STALLED site stopped building; NaT otherwise
    agreed_far: FloatArray
    agreed_intensity_wan_per_mu: FloatArray
    total_investment_wan: FloatArray
    land_price_wan: FloatArray
    invested_wan: FloatArray  # investment made so far, land price excluded
    developed_area_m2: FloatArray

    @property
    def is_supplied(self) -> BoolArray:
        return self.stage >= Stage.SUPPLIED_NOT_DUE

    @property
    def has_produced(self) -> BoolArray:
        return self.stage >= Stage.PRODUCING


def collective_land(rng: np.random.Generator, village_of_lot: IntArray, n_villages: int) -> BoolArray:
    """Parcels of the villages that run a 村级工业园, most of them collective land."""
    park_villages = rng.permutation(n_villages)[: max(1, round(n_villages * COLLECTIVE_PARK_SHARE))]
    in_park = np.isin(village_of_lot, park_villages)
    return in_park & (rng.random(len(village_of_lot)) < COLLECTIVE_IN_PARK)


def draw_lifecycle(rng: np.random.Generator, collective: BoolArray, area_m2: FloatArray, today: dt.date) -> Lifecycle:
    n = len(collective)
    stage = np.where(collective, _draw_stage(rng, COLLECTIVE_LAND_MIX, n), _draw_stage(rng, STATE_LAND_MIX, n))
    chain = _event_chain(rng, n)
    approved, closed = _anchor(rng, stage, chain, np.datetime64(today, "D"))
    reached = {
        "supplied": stage >= Stage.SUPPLIED_NOT_DUE,
        "agreed": (stage >= Stage.SUPPLIED_NOT_DUE) & ~collective,  # collective leases carry no such terms
        "actual_start": stage >= Stage.UNDER_CONSTRUCTION,
        "completion": stage >= Stage.BUILT_NOT_PRODUCING,
        "production": stage >= Stage.PRODUCING,
    }

    def date(event: str, offset: IntArray) -> DayArray:
        return np.where(reached[event], after(approved, offset), NAT)

    supplied = date("supplied", chain["supplied"])
    terms = _contract_terms(rng, supplied, reached["agreed"], area_m2)
    actual_start = date("actual_start", chain["actual_start"])
    progress = _progress(rng, stage, area_m2, terms["total_investment_wan"])
    stopped = np.where(stage == Stage.STALLED, after(actual_start, days_between(rng, *STOPPED_AFTER_START, n)), NAT)
    return Lifecycle(
        stage=stage,
        collective=collective,
        approved=approved,
        supplied=supplied,
        agreed_start=date("agreed", chain["agreed_start"]),
        agreed_completion=date("agreed", chain["agreed_completion"]),
        actual_start=actual_start,
        completion=date("completion", chain["completion"]),
        production=date("production", chain["production"]),
        closed=closed,
        stopped=stopped,
        **terms,
        **progress,
    )


def _draw_stage(rng: np.random.Generator, mix: dict[Stage, float], n: int) -> IntArray:
    stages = np.array([int(s) for s in mix], dtype=np.int64)
    shares = np.array(list(mix.values()), dtype=np.float64)
    return stages[rng.choice(len(stages), n, p=shares / shares.sum())]


def _event_chain(rng: np.random.Generator, n: int) -> dict[str, IntArray]:
    """Each event as days after approval, every one drawn for every parcel (only reached ones are kept)."""
    supplied = days_between(rng, *APPROVAL_TO_SUPPLY, n)
    agreed_start = supplied + days_between(rng, *SUPPLY_TO_AGREED_START, n)
    agreed_completion = agreed_start + days_between(rng, *AGREED_BUILD_TIME, n)
    actual_start = np.maximum(agreed_start + days_between(rng, *START_DELAY, n), supplied + 30)
    completion = actual_start + days_between(rng, *BUILD_TIME, n)
    production = completion + days_between(rng, *COMMISSIONING, n)
    return {
        "approved": np.zeros(n, dtype=np.int64),
        "supplied": supplied,
        "agreed_start": agreed_start,
        "agreed_completion": agreed_completion,
        "actual_start": actual_start,
        "completion": completion,
        "production": production,
    }


def _anchor(
    rng: np.random.Generator, stage: IntArray, chain: dict[str, IntArray], today: np.datetime64
) -> tuple[DayArray, DayArray]:
    """Approval dates such that each stage's latest event lies the right time before today; closing dates."""
    n = len(stage)
    not_due_room = chain["agreed_start"] - chain["supplied"]  # supplied, and the agreed start still ahead
    building_room = chain["agreed_completion"] - chain["actual_start"]  # started, the agreed completion ahead
    stalled_from = np.maximum(STALLED_AT_LEAST, building_room + 90)
    latest_and_ago = {
        Stage.APPROVED_NOT_SUPPLIED: ("approved", days_between(rng, *NOT_SUPPLIED_FOR, n)),
        Stage.SUPPLIED_NOT_DUE: ("supplied", days_between(rng, 5, not_due_room - 5, n)),
        Stage.SUPPLIED_IDLE: ("agreed_start", days_between(rng, *IDLE_FOR, n)),
        Stage.UNDER_CONSTRUCTION: ("actual_start", days_between(rng, 20, building_room - 10, n)),
        Stage.STALLED: ("actual_start", stalled_from + days_between(rng, *STALLED_EXTRA, n)),
        Stage.BUILT_NOT_PRODUCING: ("completion", days_between(rng, *BUILT_IDLE_FOR, n)),
        Stage.PRODUCING: ("production", days_between(rng, *PRODUCING_FOR, n)),
        Stage.CLOSED: ("production", days_between(rng, *CLOSED_PRODUCED_FOR, n)),
    }
    latest = np.zeros(n, dtype=np.int64)
    ago = np.zeros(n, dtype=np.int64)
    for s, (event, days) in latest_and_ago.items():  # eight stages: a loop over kinds, not parcels
        mine = stage == s
        latest[mine] = chain[event][mine]
        ago[mine] = days[mine]
    approved = after(np.full(n, today), -(ago + latest))
    # A closed enterprise ran for a while before it shut, and shut some time before today.
    produced = after(approved, chain["production"])
    shut = np.maximum(
        after(np.full(n, today), -days_between(rng, *CLOSED_FOR, n)),
        after(produced, np.full(n, MIN_RUN_BEFORE_CLOSING, dtype=np.int64)),
    )
    return approved, np.where(stage == Stage.CLOSED, shut, NAT)


def _contract_terms(
    rng: np.random.Generator, supplied: DayArray, agreed: BoolArray, area_m2: FloatArray
) -> dict[str, FloatArray]:
    """Agreed FAR, investment intensity, total investment and land price, rising with the year of supply."""
    n = len(supplied)
    year = np.where(agreed, year_of(np.where(agreed, supplied, np.datetime64("2020-01-01", "D"))), 2020)
    mu = area_m2 / M2_PER_MU
    older = year < AGREEMENTS_COMMON_FROM
    with_terms = agreed & ~(older & (rng.random(n) < 0.5))
    far = np.clip(rng.normal(FAR_2008 + FAR_STEP * (year - 2008), 0.25, n), *FAR_RANGE)
    intensity = np.round((INTENSITY_WAN_PER_MU_2005 + INTENSITY_STEP * (year - 2005)) * rng.lognormal(0.0, 0.3, n), -1)
    investment = intensity * mu * rng.uniform(1.0, 1.3, n)
    price_per_mu = PRICE_WAN_PER_MU_2005 * (1 + PRICE_GROWTH) ** (year - 2005) * rng.lognormal(0.0, 0.2, n)
    return {
        "agreed_far": np.where(with_terms, np.round(far, 1), np.nan),
        "agreed_intensity_wan_per_mu": np.where(with_terms, intensity, np.nan),
        "total_investment_wan": np.where(with_terms, np.round(investment, 1), np.nan),
        "land_price_wan": np.where(agreed, np.round(price_per_mu * mu, 1), np.nan),
    }


def _progress(
    rng: np.random.Generator, stage: IntArray, area_m2: FloatArray, total_investment_wan: FloatArray
) -> dict[str, FloatArray]:
    """Developed area and investment made: partial on sites being built or stalled, full once built."""
    n = len(stage)
    building, stalled, built = (
        stage == Stage.UNDER_CONSTRUCTION,
        stage == Stage.STALLED,
        stage >= Stage.BUILT_NOT_PRODUCING,
    )
    developed = np.select(
        [building, stalled, built],
        [rng.uniform(*BUILDING_DEVELOPED, n), rng.uniform(*STALLED_DEVELOPED, n), np.ones(n)],
        np.nan,
    )
    short = rng.random(n) < SHORT_OF_INVESTMENT
    built_invested = np.where(short, rng.uniform(*SHORT_INVESTED, n), rng.uniform(*BUILT_INVESTED, n))
    invested = np.select(
        [building, stalled, built],
        [rng.uniform(*BUILDING_INVESTED, n), rng.uniform(*STALLED_INVESTED, n), built_invested],
        np.nan,
    )
    return {
        "invested_wan": np.round(invested * total_investment_wan, 1),
        "developed_area_m2": np.round(developed * area_m2, 1),
    }
