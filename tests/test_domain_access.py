"""Roles and a town officer's jurisdiction over private figures."""

from __future__ import annotations

import pandas as pd
import pytest

from landrenewal.domain.access import AccessError, Role, User, role_of

TOWN = "440785101"


def test_a_town_officer_sees_private_figures_in_its_own_town_and_villages_only() -> None:
    officer = User("li", "李", Role.TOWN, TOWN)
    assert officer.sees_private(TOWN) and officer.sees_private(TOWN + "201")
    assert not officer.sees_private("440785102201") and not officer.sees_private(None)
    codes = pd.Series([TOWN + "201", "440785102201", None, TOWN])
    assert officer.private_mask(codes).tolist() == [True, False, False, True]


@pytest.mark.parametrize(("role", "sees"), [(Role.ADMIN, True), (Role.CITY, True), (Role.VIEWER, False)])
def test_the_city_and_admin_see_every_towns_figures_and_a_viewer_none(role: Role, sees: bool) -> None:
    user = User("u", "u", role)
    assert user.sees_private("440785102201") is sees
    assert user.private_mask(pd.Series(["440785102201", None])).tolist() == [sees, sees]


def test_only_city_and_admin_import_and_only_admin_manages_users() -> None:
    assert [User("u", "u", r, TOWN).may_import for r in Role] == [True, True, False, False]
    assert [User("u", "u", r, TOWN).may_administer for r in Role] == [True, False, False, False]


def test_a_town_officer_without_a_town_and_unknown_roles_are_refused() -> None:
    with pytest.raises(AccessError, match="必须指定所属行政区划"):
        User("li", "李", Role.TOWN, None)
    with pytest.raises(AccessError, match="未知的角色"):
        role_of("mayor")


@pytest.mark.parametrize("code", ["440785", "440785101201", "44078510x", "4407851011"])
def test_a_town_officer_is_bound_to_a_town_not_to_its_county_or_a_village(code: str) -> None:
    # Jurisdiction is a prefix: bound to the county, the officer would see every town's private figures.
    with pytest.raises(AccessError, match="不是 9 位的镇街代码"):
        User("li", "李", Role.TOWN, code)
    assert User("li", "李", Role.VIEWER, None).division_code is None
