"""开发未达标准: built below what the land contract agreed — FAR or investment intensity
(Enping's 开发未达标准; the agreed figures come from the contract and supervision agreement)."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, below, completed, register


def far(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    evidence = {"far": land["far"].round(4), "agreed_far": land["agreed_far"]}
    return Hits(completed(land, as_of) & below(land["far"], land["agreed_far"]), evidence)


def investment(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    agreed = land["agreed_investment_intensity_wan_per_mu"]
    evidence = {
        "invested_intensity_wan_per_mu": land["invested_intensity_wan_per_mu"].round(2),
        "agreed_investment_intensity_wan_per_mu": agreed,
        "invested_wan": land["invested_wan"],
    }
    return Hits(completed(land, as_of) & below(land["invested_intensity_wan_per_mu"], agreed), evidence)


register(
    Rule(
        "agreement.far_below_agreed",
        "容积率低于出让约定",
        (),
        far,
        reads=("far", "agreed_far"),
        en="FAR below the contract",
    )
)
register(
    Rule(
        "agreement.investment_below_agreed",
        "投资强度低于出让约定",
        (),
        investment,
        reads=("invested_wan", "agreed_investment_intensity_wan_per_mu"),
        en="Investment intensity below the contract",
    )
)
