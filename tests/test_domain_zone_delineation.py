"""Zone delineation without a store: chosen parcels and their clusters become numbered zones with
town labels, verdicts and each town's account."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from landrenewal.domain.selection import parse_selection
from landrenewal.domain.units import M2_PER_MU
from landrenewal.domain.zone_delineation import ZoneInputs, choose, delineate
from landrenewal.domain.zone_policy import ZoneThresholds
from landrenewal.domain.zones import clusters

TOWN_A, TOWN_B = "440785001", "440785100"


def _inputs() -> ZoneInputs:
    # two touching 30-mu parcels of town A, one 10-mu parcel of town B far away, one without geometry
    side_30, side_10 = np.sqrt(30 * M2_PER_MU), np.sqrt(10 * M2_PER_MU)
    geoms = [
        shapely.box(0, 0, side_30, side_30),
        shapely.box(side_30, 0, 2 * side_30, side_30),
        shapely.box(5000, 0, 5000 + side_10, side_10),
        None,
    ]
    parcels = pd.DataFrame(
        {
            "parcel_code": ["P1", "P2", "P3", "P4"],
            "area_m2": [30 * M2_PER_MU, 30 * M2_PER_MU, 10 * M2_PER_MU, 5 * M2_PER_MU],
            "rights_type": ["state", "state", "collective", "state"],
            "rights_holder": ["甲", "乙", "丙", "丁"],
            "division_code": [TOWN_A + "201", TOWN_A + "202", TOWN_B + "201", TOWN_A + "201"],
            "geom": np.array(geoms, dtype=object),
        }
    )
    empty = pd.DataFrame({"division_code": [], "name": [], "level": [], "geom": []})
    return ZoneInputs(
        parcels=parcels,
        findings=pd.DataFrame({"parcel_code": ["P1", "P3"], "rule_id": ["idle.stalled"] * 2, "category": ["闲置"] * 2}),
        per_parcel=pd.DataFrame({"parcel_code": [], "class": [], "tax_wan": [], "value_added_wan": []}),
        occupants=pd.DataFrame({"uscc": [], "parcel_code": []}, dtype=object),
        divisions=empty,
        planning=pd.DataFrame({"zone_code": [], "name": [], "level": [], "geom": []}),
    )


def test_touching_parcels_make_one_zone_numbered_from_the_largest_and_each_town_has_its_account() -> None:
    inputs = _inputs()
    chosen = choose(inputs, parse_selection("all"))
    assert list(chosen.parcels["parcel_code"]) == ["P1", "P2", "P3"] and chosen.without_geometry == 1
    thresholds = ZoneThresholds(50.0, None, 20.0, None, None, None)
    done = delineate(chosen, clusters(chosen.geoms, 30.0), inputs, 30.0, thresholds)
    zones = done.zones.set_index("zone_no")
    assert list(zones.index) == [1, 2]
    assert zones.loc[1, "area_mu"] == 60.0 and zones.loc[2, "area_mu"] == 10.0
    assert (zones.loc[1, "town_code"], zones.loc[2, "town_code"]) == (TOWN_A, TOWN_B)  # from the parcels' codes
    assert bool(zones.loc[1, "contiguous_candidate"]) and bool(zones.loc[2, "scattered"])
    assert dict(zip(done.parcels["parcel_code"], done.parcels["zone_no"], strict=True)) == {"P1": 1, "P2": 1, "P3": 2}
    towns = done.towns.set_index("town_code")
    assert towns.loc[TOWN_A, "candidate_mu"] == 60.0 and towns.loc[TOWN_B, "scattered_mu"] == 10.0
    assert done.notes  # no 大圈 in the inputs: the share inside it is not judged, and the run says so


def test_a_selection_of_findings_takes_only_parcels_with_findings() -> None:
    inputs = _inputs()
    chosen = choose(inputs, parse_selection("findings"))
    assert list(chosen.parcels["parcel_code"]) == ["P1", "P3"]
