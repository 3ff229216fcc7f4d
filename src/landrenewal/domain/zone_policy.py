"""Zones against the policy (docs/zones.md): candidate contiguous renewal areas, contiguous 工改工
areas, scattered blocks listed for elimination, and the parking rule for contiguous 工改工.

A value the active policy does not define is not checked: the flag stays empty and the
verdict says which check did not run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.language import say
from landrenewal.domain.policy import ResolvedPolicy

GAP = "zones.gap_m"
CONTIGUOUS_MIN = "zones.contiguous_renewal_min"
INDUSTRIAL_MIN = "zones.contiguous_industrial_min"
SCATTERED_MAX = "zones.scattered_block_max"
PARKING = "zones.parking"
SHARE_INSIDE_BIG_MIN = "zones.share_inside_big_circle_min"


@dataclass(frozen=True)
class ZoneThresholds:
    contiguous_min: float | None  # 亩: a candidate contiguous renewal area from this size (Quzhou 300)
    industrial_min: float | None  # 亩: a government-led contiguous 工改工 area from this size (Dongguan 500)
    scattered_max: float | None  # 亩: a scattered block below this size (Quzhou 50)
    parking_min: float | None  # 亩: contiguous 工改工 from this size provides parking (Dongguan 75)
    parking_spaces_per_100m2: float | None
    share_inside_big_min: float | None  # of each town's renewal area inside 大圈 (Dongguan 70 %)

    @classmethod
    def of(cls, policy: ResolvedPolicy) -> ZoneThresholds:
        def value(name: str) -> Any:
            return policy.values[name].value if name in policy.values else None

        parking = value(PARKING) or {}
        return cls(
            contiguous_min=_number(value(CONTIGUOUS_MIN)),
            industrial_min=_number(value(INDUSTRIAL_MIN)),
            scattered_max=_number(value(SCATTERED_MAX)),
            parking_min=_number(parking.get("area_min_mu")),
            parking_spaces_per_100m2=_number(parking.get("spaces_per_100m2")),
            share_inside_big_min=_number(value(SHARE_INSIDE_BIG_MIN)),
        )

    def not_checked(self) -> list[str]:
        names = {
            CONTIGUOUS_MIN: self.contiguous_min,
            INDUSTRIAL_MIN: self.industrial_min,
            SCATTERED_MAX: self.scattered_max,
            PARKING: self.parking_min,
            SHARE_INSIDE_BIG_MIN: self.share_inside_big_min,
        }
        return [name for name, v in names.items() if v is None]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def judge(area_mu: npt.NDArray[np.float64], t: ZoneThresholds) -> pd.DataFrame:
    """Flags per zone (1 / 0, empty when the policy has no such value) and a verdict in the reader's
    language (stored with the run: it stays in the language of whoever ran it)."""
    area = np.asarray(area_mu, dtype=np.float64)
    checks: list[tuple[str, float, npt.NDArray[np.bool_], str]] = []
    if t.contiguous_min is not None:
        checks.append(
            (
                "contiguous_candidate",
                t.contiguous_min,
                area >= t.contiguous_min,
                say(
                    f"连片整治候选（≥{t.contiguous_min:g}亩）",
                    f"candidate contiguous renewal area (≥ {t.contiguous_min:g} mu)",
                ),
            )
        )
    if t.industrial_min is not None:
        checks.append(
            (
                "industrial_candidate",
                t.industrial_min,
                area >= t.industrial_min,
                say(
                    f"连片工改工候选（≥{t.industrial_min:g}亩）",
                    f"candidate contiguous industrial-to-industrial renewal (≥ {t.industrial_min:g} mu)",
                ),
            )
        )
    if t.scattered_max is not None:
        text = say(
            f"零星区块（<{t.scattered_max:g}亩），列入消除清单",
            f"scattered block (< {t.scattered_max:g} mu), listed for elimination",
        )
        checks.append(("scattered", t.scattered_max, area < t.scattered_max, text))
    if t.parking_min is not None:
        checks.append(("parking_rule", t.parking_min, area >= t.parking_min, _parking_text(t.parking_min, t)))
    out = pd.DataFrame(
        {c: pd.array([pd.NA] * len(area), dtype="Int8") for c in FLAGS},
        index=range(len(area)),
    )
    verdict = np.full(len(area), "", dtype=object)
    for column, _, hit, text in checks:
        out[column] = pd.array(hit.astype(np.int8), dtype="Int8")
        verdict = np.where(hit, verdict + np.where(verdict == "", "", say("；", "; ")) + text, verdict)
    if t.contiguous_min is None:
        below = say("政策未规定连片面积门槛", "the policy sets no contiguous area threshold")
    else:
        below = say(
            f"未达连片整治面积（<{t.contiguous_min:g}亩）",
            f"below the contiguous renewal area (< {t.contiguous_min:g} mu)",
        )
    out["verdict"] = np.where(verdict == "", below, verdict)
    return out


FLAGS = ("contiguous_candidate", "industrial_candidate", "scattered", "parking_rule")


def _parking_text(minimum: float, t: ZoneThresholds) -> str:
    per_100m2 = t.parking_spaces_per_100m2
    if per_100m2 is None:
        return say(f"适用连片工改工停车配置（≥{minimum:g}亩）", f"the parking rule applies (≥ {minimum:g} mu)")
    return say(
        f"适用连片工改工停车配置（≥{minimum:g}亩，每100㎡建筑面积{per_100m2:g}个车位）",
        f"the parking rule applies (≥ {minimum:g} mu, {per_100m2:g} spaces per 100 m² of floor area)",
    )
