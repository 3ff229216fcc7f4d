"""投而未达标 and the local 亩均 thresholds: judged from the evaluation the run is based on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landrenewal.domain.rules.base import Hits, Params, Rule, below, register

TAX_MIN = "identification.tax_per_mu_min"
INDUSTRY_SHARE = "identification.tax_per_mu_industry_share_min"
JUDGED = ("rated", "overdue")  # units whose figures were judged (T, out-of-scope and no-data are not)


def _evidence(land: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "class": land["eval_class"],
        "score": pd.to_numeric(land["eval_score"]).round(2),
        "rank": land["eval_rank"],
        "rank_size": land["eval_rank_size"],
        "unit_key": land["eval_unit_key"],
        "tax_per_mu": pd.to_numeric(land["eval_tax_per_mu"]).round(3),
    }


def _judged(land: pd.DataFrame) -> np.ndarray:
    return np.asarray(land["eval_status"].isin(JUDGED).fillna(False), dtype=bool)


def class_d(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    return Hits(np.asarray(land["eval_class"].eq("D").fillna(False), dtype=bool), _evidence(land))


def tax_below(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    tax = pd.to_numeric(land["eval_tax_per_mu"]).fillna(0.0)
    return Hits(_judged(land) & below(tax, float(params[TAX_MIN])), _evidence(land))


def tax_below_industry(land: pd.DataFrame, params: Params, as_of: pd.Timestamp) -> Hits:
    tax = pd.to_numeric(land["eval_tax_per_mu"]).fillna(0.0)
    mean = pd.to_numeric(land["eval_industry_mean_tax_per_mu"])
    limit = mean * float(params[INDUSTRY_SHARE])
    evidence = {**_evidence(land), "industry_mean_tax_per_mu": mean.round(3), "limit": limit.round(3)}
    return Hits(_judged(land) & below(tax, limit), evidence)


register(Rule("evaluation.class_d", "亩均效益评价为D类", (), class_d, needs_evaluation=True, en="Rated class D"))
register(
    Rule(
        "local.tax_per_mu_below",
        "亩均税收低于地方标准",
        (TAX_MIN,),
        tax_below,
        needs_evaluation=True,
        en="Tax per mu below the local standard",
    )
)
register(
    Rule(
        "local.tax_per_mu_below_industry_share",
        "亩均税收低于行业平均水平的规定比例",
        (INDUSTRY_SHARE,),
        tax_below_industry,
        needs_evaluation=True,
        en="Tax per mu below the set share of the industry mean",
    )
)
