"""The one privacy rule: which values are private, whose they are, when an aggregate may show."""

from __future__ import annotations

import pandas as pd

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.privacy import Pools, figures_owner, is_private, pooled_enough


def test_figures_and_everything_computed_from_them_are_private_but_classes_areas_and_counts_are_not() -> None:
    assert all(
        is_private(c)
        for c in ("tax_wan", "tax_per_mu", "value_added_per_tce", "energy_tce", "rd_share", "score", "rank")
    )
    assert not any(is_private(c) for c in ("class", "area_mu", "land_mu", "parcel_count", "rank_size", "year"))


def test_no_name_is_private_by_a_shared_substring() -> None:
    # The old rule matched stems: "rd_" made password_hash private and "tax" hid policy parameters.
    assert not is_private("password_hash")
    assert not is_private("identification.tax_per_mu_industry_share_min")
    assert not is_private("standard_tax_note")


def test_every_metrics_figure_is_marked_private_in_the_field_table() -> None:
    fields = ENTITIES["metrics"].fields
    assert {f.name for f in fields if f.private} == {f.name for f in fields} - {"uscc", "year"}


def test_an_aggregate_shows_when_it_pools_none_or_at_least_three_hidden_units() -> None:
    assert pooled_enough([0, 1, 2, 3, 7, -1], 3).tolist() == [True, False, False, True, True, False]


def test_pools_count_only_the_pooled_units_and_know_nothing_of_units_outside_them() -> None:
    units = pd.DataFrame(
        {
            "unit_key": ["a", "b", "c", "d", "e"],
            "group": ["x", "x", "x", "x", "y"],
            "owner": ["T1", "T2", "T2", pd.NA, "T1"],
            "pooled": [True, True, False, True, True],  # c is overdue: judged, but not in the mean
        }
    )
    pools = Pools.of(units)
    sees_t1 = (pools.towns == "T1").to_numpy()
    hidden = pools.hidden(pd.Series(["a", "c", "e", "zz"]), sees_t1)
    assert hidden.tolist() == [2, 2, 0, -1]  # b and the unit spanning towns; c's group; e alone; unknown


def test_a_units_figures_belong_to_its_town_and_to_nobody_below_the_city_when_it_spans_towns() -> None:
    units = pd.Series(["u1", "u1", "u2", "u3", "u3"])
    divisions = pd.Series(["440785001201", "440785001202", "440785002201", "440785001201", "440785003201"])
    assert figures_owner(divisions, units).tolist() == ["440785001", "440785001", "440785002", pd.NA, pd.NA]
