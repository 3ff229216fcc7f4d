"""Who may see and do what in the web app: four roles and a town officer's jurisdiction.

Private data (what it is: domain/privacy.py) is shown to a town officer only inside its own
division; the city, the bureau's analysts and the administrator see all of it; a viewer sees none
of it. Everything else (where parcels are, their class and findings) is shared across the city:
the leading group publishes it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.divisions import Level, level_of
from landrenewal.domain.language import say


class Role(StrEnum):
    ADMIN = "admin"
    CITY = "city"
    TOWN = "town"
    VIEWER = "viewer"


ROLE_NAMES_ZH = {Role.ADMIN: "系统管理员", Role.CITY: "市级用户", Role.TOWN: "镇街用户", Role.VIEWER: "只读用户"}


class AccessError(ValueError):
    """A user definition that cannot be right (a town officer with no town, an unknown role)."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    division_code: str | None = None

    def __post_init__(self) -> None:
        if self.role is not Role.TOWN:
            return
        if not self.division_code:
            raise AccessError(
                say(
                    f"镇街用户 {self.username} 必须指定所属行政区划。",
                    f"town officer {self.username} needs a division.",
                )
            )
        # Jurisdiction is a prefix of the code: a county's code would open every town in it.
        try:
            level = level_of(self.division_code)
        except ValueError:
            level = None
        if level is not Level.TOWN:
            raise AccessError(
                say(
                    f"镇街用户 {self.username} 只能绑定到镇（街道）：{self.division_code} 不是 9 位的镇街代码。",
                    f"town officer {self.username} needs a town: {self.division_code} is not a 9-digit town code.",
                )
            )

    @property
    def may_import(self) -> bool:
        return self.role in (Role.ADMIN, Role.CITY)

    @property
    def may_administer(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def sees_all_private(self) -> bool:
        return self.role in (Role.ADMIN, Role.CITY)

    def sees_private(self, division_code: str | None) -> bool:
        """Whether this user may read the private figures of something in ``division_code``."""
        if self.sees_all_private:
            return True
        if self.role is not Role.TOWN or not division_code or not self.division_code:
            return False
        return division_code.startswith(self.division_code)

    def may_edit(self, division_code: str | None) -> bool:
        """Whether this user may change the private figures of something in ``division_code``: the city
        everywhere, a town officer in its own town; a viewer nowhere."""
        return self.role is not Role.VIEWER and self.sees_private(division_code)

    def private_mask(self, division_codes: pd.Series) -> npt.NDArray[np.bool_]:
        """``sees_private`` for each division code of a column at once."""
        if self.sees_all_private:
            return np.ones(len(division_codes), dtype=bool)
        if self.role is not Role.TOWN or not self.division_code:
            return np.zeros(len(division_codes), dtype=bool)
        codes = division_codes.astype("string").fillna("")
        return codes.str.startswith(self.division_code).to_numpy(dtype=bool)


def role_of(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccessError(
            say(f"未知的角色 {text!r}；可选：{choices}。", f"unknown role {text!r}; one of: {choices}.")
        ) from None
