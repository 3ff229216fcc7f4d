"""Who may see and do what in the web app (README: The web application): four roles and a town officer's jurisdiction.

Private data — an enterprise's tax, output, energy, emissions, R&D and staff, and consent — is
shown to a town officer only inside its own division; the city, the bureau's analysts and the
administrator see all of it; a viewer sees none of it. Everything else (where parcels are, their
class and findings) is shared across the city: the leading group publishes it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd


class Role(StrEnum):
    ADMIN = "admin"
    CITY = "city"
    TOWN = "town"
    VIEWER = "viewer"


ROLE_NAMES_ZH = {Role.ADMIN: "系统管理员", Role.CITY: "市级用户", Role.TOWN: "镇街用户", Role.VIEWER: "只读用户"}

# The figures that are private to an enterprise and its town; per-mu and per-unit figures derived
# from them are private too (a name containing one of these stems).
PRIVATE_STEMS = (
    "tax",
    "value_added",
    "revenue",
    "output",
    "energy",
    "electricity",
    "emission",
    "rd_",
    "employee",
    "consent",
)


class AccessError(ValueError):
    """A user definition that cannot be right (a town officer with no town, an unknown role)."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    division_code: str | None = None

    def __post_init__(self) -> None:
        if self.role is Role.TOWN and not self.division_code:
            raise AccessError(f"镇街用户必须指定所属行政区划 (a town officer needs a division): {self.username}")

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


def is_private(column: str) -> bool:
    """Whether a figure named ``column`` is private (see PRIVATE_STEMS)."""
    return any(stem in column for stem in PRIVATE_STEMS)


def role_of(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccessError(f"未知的角色 (unknown role) {text!r}; 可选 (one of): {choices}") from None
