"""The rule catalogue: each low-efficiency rule is one small module, registered here by import.

A policy switches rules on by giving each an entry in ``identification.categories`` (rule id →
the category its findings are reported under: 五未 in Quzhou, the four kinds in Enping, …).
"""

from landrenewal.domain.rules import (  # noqa: F401 - imported to register
    approved_not_supplied,
    below_agreed,
    built_not_producing,
    coverage_below_min,
    evaluation_based,
    far_below_industry_min,
    idle_stalled,
    idle_unstarted,
    office_living_above_max,
    supplied_not_started,
    vacated,
)
from landrenewal.domain.rules.base import RULES, Hits, Rule

__all__ = ["RULES", "Hits", "Rule"]
