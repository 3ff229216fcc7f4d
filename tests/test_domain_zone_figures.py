"""Zone figures, the policy flags, the selection and the overlays, on hand-made parcels."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from landrenewal.domain.overlay import area_inside, containing, dominant
from landrenewal.domain.selection import SelectionError, parse_selection, selected
from landrenewal.domain.zone_figures import ZoneParcels, zone_figures
from landrenewal.domain.zone_policy import ZoneThresholds, judge


def _parcels() -> ZoneParcels:
    # Zone 0: parcels 0, 1, 2; zone 1: parcel 3.
    return ZoneParcels(
        area_mu=np.array([10.0, 20.0, 30.0, 5.0]),
        rights_type=pd.Series(["state", "collective", "state", None], dtype="string"),
        rights_holder=pd.Series(["甲公司", "乙经济社", "甲公司", None], dtype="string"),
        eval_class=pd.Series(["C", "D", None, "A"], dtype="string"),
        tax_wan=np.array([50.0, np.nan, 100.0, np.nan]),
        value_added_wan=np.array([200.0, 10.0, np.nan, np.nan]),
        occupant_row=np.array([0, 0, 1, 2, 3]),
        occupant_uscc=np.array([7, 8, 7, 9, 7]),
        finding_row=np.array([0, 0, 2]),
        finding_rule=pd.Series(["idle", "far", "far"], dtype="string"),
    )


def test_zone_figures_add_up_their_parcels() -> None:
    figures = zone_figures(np.array([0, 0, 0, 1]), _parcels())
    first, second = figures.iloc[0], figures.iloc[1]
    assert first["parcel_count"] == 3 and first["area_mu"] == 60.0
    assert first["enterprise_count"] == 3  # 7, 8 and 9; 7 counted once
    assert second["enterprise_count"] == 1  # enterprise 7 again, in the other zone
    assert first["holder_count"] == 2 and second["holder_count"] == 0
    assert (first["state_mu"], first["collective_mu"]) == (40.0, 20.0)
    assert first["tax_wan"] == 150.0 and first["tax_per_mu"] == pytest.approx(150.0 / 60.0)
    assert np.isnan(second["tax_wan"]) and np.isnan(second["tax_per_mu"])  # nothing known is not zero
    assert first["value_added_per_mu"] == pytest.approx(210.0 / 60.0)
    assert (first["class_c_mu"], first["class_d_mu"], first["class_a_mu"], first["unrated_mu"]) == (10, 20, 0, 30)
    assert second["class_a_mu"] == 5.0
    assert (first["finding_parcels"], first["finding_mu"]) == (2, 40.0)
    assert json.loads(first["findings"]) == {"far": 2, "idle": 1}
    assert json.loads(second["findings"]) == {}


def test_policy_flags_fire_at_their_thresholds() -> None:
    t = ZoneThresholds(300.0, 500.0, 50.0, 75.0, 0.4, 0.7)
    flags = judge(np.array([49.99, 50.0, 75.0, 299.99, 300.0, 500.0]), t)
    assert flags["scattered"].tolist() == [1, 0, 0, 0, 0, 0]
    assert flags["parking_rule"].tolist() == [0, 0, 1, 1, 1, 1]
    assert flags["contiguous_candidate"].tolist() == [0, 0, 0, 0, 1, 1]
    assert flags["industrial_candidate"].tolist() == [0, 0, 0, 0, 0, 1]
    assert "零星区块（<50亩）" in flags["verdict"][0]
    assert flags["verdict"][1] == "未达连片整治面积（<300亩）"
    assert "0.4个车位" in flags["verdict"][5] and "连片工改工候选（≥500亩）" in flags["verdict"][5]


def test_a_value_the_policy_lacks_is_not_checked() -> None:
    t = ZoneThresholds(300.0, None, 50.0, None, None, None)
    flags = judge(np.array([600.0]), t)
    assert flags["industrial_candidate"].isna().all() and flags["parking_rule"].isna().all()
    assert flags["contiguous_candidate"].tolist() == [1]
    assert t.not_checked() == ["zones.contiguous_industrial_min", "zones.parking", "zones.share_inside_big_circle_min"]


def test_selection_by_findings_rules_categories_and_classes() -> None:
    codes = pd.Series(["P1", "P2", "P3", "P4"], dtype="string")
    classes = pd.Series(["C", "A", None, "D"], dtype="string")
    findings = pd.DataFrame({"parcel_code": ["P2", "P3"], "rule_id": ["idle", "far"], "category": ["闲置", "低效"]})

    def chosen(text: str) -> list[bool]:
        return selected(parse_selection(text, rules=["idle", "far"]), codes, classes, findings).tolist()

    assert chosen("findings") == [False, True, True, False]
    assert chosen("all") == [True] * 4
    assert chosen("class:c,D") == [True, False, False, True]
    assert chosen("rule:far") == [False, False, True, False]
    assert chosen("category:闲置") == [False, True, False, False]
    assert chosen("rule:far; class:D") == [False, False, True, True]
    for bad in ("class:", "everything", "rule:nope", "class:E", "all:x", ""):
        with pytest.raises(SelectionError):
            parse_selection(bad, rules=["idle", "far"])


def test_overlays_label_by_the_holding_area_and_weigh_by_area() -> None:
    towns = np.array([shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)])
    parcels = np.array([shapely.box(10, 10, 20, 20), shapely.box(150, 10, 160, 20), shapely.box(300, 0, 310, 10)])
    assert containing(parcels, towns, pd.Series(["T1", "T2"])).tolist()[:2] == ["T1", "T2"]
    assert containing(parcels, towns, pd.Series(["T1", "T2"])).isna().tolist() == [False, False, True]
    # A parcel half inside the union of two overlapping areas.
    big = np.array([shapely.box(0, 0, 50, 100), shapely.box(25, 0, 50, 100)])
    assert area_inside(np.array([shapely.box(25, 0, 75, 10)]), big).tolist() == [250.0]
    best, count = dominant(
        np.array([0, 0, 0, 1]), pd.Series(["T2", "T1", "T2", None]), np.array([1.0, 5.0, 3.0, 9.0]), 3
    )
    assert best.tolist()[0] == "T1" and best.isna().tolist() == [False, True, True]
    assert count.tolist() == [2, 0, 0]
