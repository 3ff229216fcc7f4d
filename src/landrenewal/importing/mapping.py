"""Which column of a file holds which field, and in what unit.

By default a header matches a field by the field's canonical name or one of its common
Chinese headers (``宗地代码``, ``统一社会信用代码``, ``税收（万元）`` …); a unit in brackets is
read and converted. A mapping file overrides or completes this:

    parcel_code: 地块号            # field: header
    registered_area_mu: 面积       # a header whose unit is not in the header text …
    units:
      registered_area_mu: 亩       # … gets its unit here
      tax: 元

A mapping file may hold one such section per kind (``parcels:``, ``metrics:`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from landrenewal.domain.fields import ENTITIES, UNITS_EN, EntitySpec, FieldSpec
from landrenewal.domain.language import say
from landrenewal.domain.units import UNITS, Unit, parse_unit, strip_unit


class MappingError(Exception):
    """A mapping file that cannot be used; names the file and the entry."""


@dataclass(frozen=True)
class MappedColumn:
    field: str
    header: str
    factor: float = 1.0  # multiply the file's numbers by this to get the stored unit
    unit_note: str | None = None
    percent: bool = False


@dataclass
class ColumnMap:
    columns: dict[str, MappedColumn] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UserMapping:
    headers: dict[str, str] = field(default_factory=dict)  # field → header
    units: dict[str, str] = field(default_factory=dict)  # field → unit symbol


_SPACES = re.compile(r"[\s\u3000_\-]+")


def _norm(text: str) -> str:
    return _SPACES.sub("", strip_unit(str(text))).lower()


def load_user_mapping(path: Path, kind: str) -> UserMapping:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(
            say(f"{path}：无法读取映射文件：{exc}", f"{path}: the mapping file cannot be read: {exc}")
        ) from exc
    if data is None:
        return UserMapping()
    if not isinstance(data, dict):
        raise MappingError(
            say(
                f"{path}：映射文件应为「字段: 列名」形式的字典",
                f'{path}: a mapping file must be a dictionary of "field: header"',
            )
        )
    if kind in data and isinstance(data[kind], dict):
        data = data[kind]
    elif any(k in ENTITIES for k in data):
        return UserMapping()  # sections for other kinds only
    spec = ENTITIES[kind]
    units = data.pop("units", {}) or {}
    headers: dict[str, str] = {}
    for name, header in data.items():
        if name not in spec.names:
            raise MappingError(
                say(
                    f"{path}：未知字段 {name!r}，{kind} 的字段有：{', '.join(spec.names)}",
                    f"{path}: unknown field {name!r}; the fields of {kind} are: {', '.join(spec.names)}",
                )
            )
        headers[str(name)] = str(header)
    for name, unit in units.items():
        if name not in spec.names:
            raise MappingError(
                say(f"{path}：units 中有未知字段 {name!r}", f"{path}: unknown field {name!r} under units")
            )
        if _resolve_unit_symbol(str(unit)) is None:
            raise MappingError(
                say(
                    f"{path}：字段 {name} 的单位 {unit!r} 无法识别",
                    f"{path}: the unit {unit!r} of field {name} is unknown",
                )
            )
    return UserMapping(headers, {str(k): str(v) for k, v in units.items()})


def _resolve_unit_symbol(symbol: str) -> Unit | None:
    return UNITS.get(symbol) or parse_unit(f"({symbol})")


def _en(symbol: str) -> str:
    """A unit as English text writes it (亩 → mu)."""
    return UNITS_EN.get(symbol, symbol)


def _factor(spec: FieldSpec, unit: Unit | None, header: str) -> tuple[float, str | None]:
    """The factor from the file's unit to the field's stored unit (1 when either is unknown)."""
    target = UNITS.get(spec.unit or "")
    if unit is None or target is None:
        return 1.0, None
    if unit.quantity != target.quantity:
        raise MappingError(
            say(
                f"列 {header!r} 的单位 {unit.symbol} 不能换算为{spec.zh}的单位 {target.symbol}",
                f"the unit {_en(unit.symbol)} of column {header!r} cannot be converted to "
                f"the unit {_en(target.symbol)} of {(spec.en or spec.name).lower()}",
            )
        )
    factor = unit.to_base / target.to_base
    note = (
        None
        if factor == 1.0
        else say(
            f"{header} → {spec.name}：{unit.symbol} 换算为 {target.symbol}（×{factor:g}）",
            f"{header} → {spec.name}: {_en(unit.symbol)} converted to {_en(target.symbol)} (×{factor:g})",
        )
    )
    return factor, note


def _candidates(spec: EntitySpec, header: str) -> list[FieldSpec]:
    key = _norm(header)
    return [f for f in spec.fields if key in {_norm(a) for a in (f.name, *f.aliases, f.zh, f.short)}]


def _pick(candidates: list[FieldSpec], unit: Unit | None, taken: set[str]) -> FieldSpec | None:
    """Among fields a header could be, the one whose stored unit the header names, else the first free."""
    free = [f for f in candidates if f.name not in taken]
    if not free:
        return None
    if unit is not None:
        exact = [f for f in free if f.unit == unit.symbol]
        if exact:
            return exact[0]
        same_quantity = [f for f in free if f.unit in UNITS and UNITS[f.unit].quantity == unit.quantity]
        if same_quantity:
            return same_quantity[0]
    return free[0]


def map_columns(spec: EntitySpec, headers: list[str], user: UserMapping | None = None) -> ColumnMap:
    """Match a file's headers to the fields of an entity."""
    user = user or UserMapping()
    result = ColumnMap()
    taken: set[str] = set()
    used: set[str] = set()
    for name, header in user.headers.items():
        if header not in headers:
            raise MappingError(
                say(
                    f"映射的列 {header!r}（字段 {name}）不在文件中；文件的列：{', '.join(map(str, headers))}",
                    f"the mapped column {header!r} (field {name}) is not in the file; "
                    f"the file's columns: {', '.join(map(str, headers))}",
                )
            )
        result.columns[name] = _mapped(spec.field(name), header, user)
        taken.add(name)
        used.add(header)
    for header in headers:
        if header in used or header == "geometry":
            continue
        unit = parse_unit(str(header))
        chosen = _pick(_candidates(spec, str(header)), unit, taken)
        if chosen is None:
            result.unused.append(str(header))
            continue
        result.columns[chosen.name] = _mapped(chosen, str(header), user, unit)
        taken.add(chosen.name)
        used.add(header)
    for column in result.columns.values():
        if column.unit_note:
            result.notes.append(column.unit_note)
    if result.unused:
        unused = ", ".join(result.unused)
        result.notes.append(say(f"未使用的列：{unused}", f"Columns not used: {unused}"))
    return result


def _mapped(spec: FieldSpec, header: str, user: UserMapping, unit: Unit | None = None) -> MappedColumn:
    if spec.name in user.units:
        unit = _resolve_unit_symbol(user.units[spec.name])
    elif unit is None:
        unit = parse_unit(header)
    factor, note = _factor(spec, unit, header)
    percent = "%" in header or "百分比" in header
    return MappedColumn(spec.name, header, factor, note, percent)
