"""Lists as a town officer gets them: private sorts, own parts of zones (pure, no server)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from landrenewal.domain.access import Role, User
from landrenewal.domain.zone_figures import town_parts
from landrenewal.web import tables
from landrenewal.web.tables import ENTERPRISES, ZONES, Disclosure

OFFICER = User("o", "恩城", Role.TOWN, "440785001")
CITY = User("c", "市", Role.CITY)


def _enterprises() -> pd.DataFrame:
    mine = "440785001201"
    theirs = "440785002201"
    return pd.DataFrame(
        {
            "uscc": ["U5", "U1", "U4", "U2", "U3"],
            "division_code": [mine, theirs, mine, theirs, theirs],
            "figures_division": ["440785001", "440785002", "440785001", "440785002", "440785002"],
            "tax_wan": [5.0, 100.0, 4.0, 1.0, 50.0],
        }
    )


def test_a_private_sort_orders_the_officers_rows_and_puts_the_others_after_in_key_order() -> None:
    for order in ("asc", "desc"):
        rows = tables.filtered(_enterprises(), ENTERPRISES, {"sort": "tax_wan", "order": order}, OFFICER)
        assert rows["uscc"].tolist()[2:] == ["U1", "U2", "U3"]
        assert rows["uscc"].tolist()[:2] == (["U4", "U5"] if order == "asc" else ["U5", "U4"])
    everyone = tables.filtered(_enterprises(), ENTERPRISES, {"sort": "tax_wan"}, CITY)
    assert everyone["uscc"].tolist() == ["U2", "U4", "U5", "U3", "U1"]


def test_a_zone_spanning_towns_gives_the_officer_its_own_part_and_the_city_the_whole() -> None:
    shares = pd.DataFrame(
        {
            "zone_no": [1, 1, 1, 2],
            "unit_key": ["a", "b", "c", "d"],
            "owner": ["440785001", "440785002", "440785001", "440785001"],
            "land_mu": [10.0, 30.0, 10.0, 5.0],
            "tax_wan": [20.0, 150.0, 40.0, 7.5],
            "value_added_wan": [np.nan, 1.0, 2.0, 3.0],
        }
    )
    zones = pd.DataFrame(
        {
            "zone_no": [1, 2, 3],
            "town_code": ["440785001"] * 3,
            "tax_per_mu": [4.2, 1.5, np.nan],
            "area_mu": [50.0, 5, 1],
        }
    )
    disclosure = Disclosure(parts=town_parts(shares))
    seen = tables.own_parts(zones, ZONES, OFFICER, disclosure)
    assert seen["partial"].tolist() == [True, False, False]
    assert seen["tax_per_mu"].tolist()[:2] == [3.0, 1.5]  # zone 1: (20 + 40) / 20 mu of its own units
    assert np.isnan(seen["tax_per_mu"].iloc[2])
    assert tables.own_parts(zones, ZONES, CITY, disclosure)["tax_per_mu"].tolist()[:2] == [4.2, 1.5]
    viewer = User("v", "看", Role.VIEWER)
    assert np.isnan(tables.own_parts(zones, ZONES, viewer, disclosure)["tax_per_mu"].iloc[0])
