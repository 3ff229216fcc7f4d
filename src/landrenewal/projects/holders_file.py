"""A 权益人清单 (rights-holder list) as town task forces keep it in Excel: one row per holder, Chinese
headers; read into holders for the consent ledger (docs/consent.md). Every bad row is named by
file, row, column and reason, and nothing is added while any row is bad."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from landrenewal.domain.language import say
from landrenewal.domain.units import parse_unit, strip_unit
from landrenewal.files.readers import read_source
from landrenewal.projects.ledger import Holder

# Each holder field and the headers that name it (units in brackets are read: 面积（亩）).
HEADERS: dict[str, tuple[str, ...]] = {
    "key": ("权益人编号", "编号", "序号"),
    "kind": ("权益人类型", "类型", "权利人类型"),
    "name": ("姓名或名称", "权益人", "权利人", "姓名", "名称"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码"),
    "uscc": ("统一社会信用代码", "信用代码"),
    "parcel_code": ("宗地代码", "宗地号", "地块编号"),
    "area": ("面积", "权属面积", "拆除范围内面积", "土地面积"),
    "persons": ("人数", "计人数", "共有人数"),
    "old_housing": ("旧住宅", "是否旧住宅"),
}
KINDS = {
    "个人": "person",
    "自然人": "person",
    "户": "household",
    "家庭": "household",
    "企业": "enterprise",
    "单位": "enterprise",
    "集体经济组织": "collective",
    "集体": "collective",
    "经济合作社": "collective",
    "person": "person",
    "household": "household",
    "enterprise": "enterprise",
    "collective": "collective",
}
YES = {"是", "1", "true", "True", "Y", "y"}


class HolderFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    """Holder field → the file's column naming it."""
    found: dict[str, str] = {}
    for column in frame.columns:
        bare = strip_unit(str(column))
        for name, headers in HEADERS.items():
            if bare in headers and name not in found:
                found[name] = str(column)
    return found


def read_holders(path: Path, sheet: str | None = None) -> list[Holder]:
    """The holders a list names; HolderFileError naming every bad row (file, row, column, reason)."""
    source = read_source(path, sheet=sheet)
    frame = source.frame
    columns = _columns(frame)
    problems = [
        say(f"{path.name}：缺少「{HEADERS[n][0]}」列", f"{path.name}: the column 「{HEADERS[n][0]}」 is missing")
        for n in ("kind", "name", "area")
        if n not in columns
    ]
    if problems:
        raise HolderFileError(problems)
    unit = parse_unit(columns["area"])
    factor = unit.to_base if unit is not None and unit.quantity == "area" else 1.0  # to m²
    holders = []
    for number, row in zip(source.row_numbers, frame.to_dict("records"), strict=True):  # a list of dozens
        holder, found = _holder(row, columns, factor)
        problems += [say(f"{path.name} 第 {number} 行：{p}", f"{path.name} row {number}: {p}") for p in found]
        if holder is not None:
            holders.append(holder)
    if problems:
        raise HolderFileError(problems)
    return holders


def _text(row: Mapping[Any, Any], columns: dict[str, str], name: str) -> str | None:
    column = columns.get(name)
    value = row.get(column) if column else None
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():  # 序号 1 read from Excel as 1.0
        value = int(value)
    text = str(value).strip()
    return text or None


def _number(text: str | None) -> float | None:
    try:
        value = float(str(text).replace(",", "")) if text is not None else None
    except ValueError:
        return None
    return value if value is None or value == value else None


def _holder(row: Mapping[Any, Any], columns: dict[str, str], factor: float) -> tuple[Holder | None, list[str]]:
    problems = []
    kind_text = _text(row, columns, "kind") or ""
    kind = KINDS.get(kind_text)
    if kind is None:
        problems.append(
            say(
                f"「{columns['kind']}」须为个人、户、企业或集体经济组织，而不是 {kind_text!r}",
                f"「{columns['kind']}」 must be 个人, 户, 企业 or 集体经济组织, not {kind_text!r}",
            )
        )
    name = _text(row, columns, "name")
    if name is None:
        problems.append(say(f"「{columns['name']}」为空", f"「{columns['name']}」 is empty"))
    area = _number(_text(row, columns, "area"))
    if area is None or area < 0:
        problems.append(
            say(f"「{columns['area']}」须为不小于 0 的数", f"「{columns['area']}」 must be a number, 0 or more")
        )
    persons_text = _text(row, columns, "persons")
    persons = _number(persons_text) if persons_text else 1.0
    if persons is None or persons < 1 or persons != int(persons):
        problems.append(
            say(
                f"「{columns.get('persons', '人数')}」须为正整数",
                f"「{columns.get('persons', '人数')}」 must be a whole number, 1 or more",
            )
        )
    if problems:
        return None, problems
    return (
        Holder(
            name=str(name),
            kind=str(kind),
            area_m2=float(area or 0) * factor,
            persons=int(persons or 1),
            parcel_code=_text(row, columns, "parcel_code"),
            id_number=_text(row, columns, "id_number"),
            uscc=_text(row, columns, "uscc"),
            key=_text(row, columns, "key"),
            old_housing=(_text(row, columns, "old_housing") or "") in YES,
        ),
        [],
    )
