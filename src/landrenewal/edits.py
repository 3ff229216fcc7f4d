"""Changes made one record at a time (the web app's forms), checked as an import checks them and
audited in the same transaction: who, when, the row before and after.

Who may make a change is the caller's to decide (web/api, with domain/access); this module only
refuses what no one may store.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from landrenewal import accounts
from landrenewal.domain.fields import ENTITIES, FieldSpec
from landrenewal.store import schema
from landrenewal.store.frames import plain

METRIC_FIELDS: dict[str, FieldSpec] = {f.name: f for f in ENTITIES["metrics"].fields if f.name not in ("uscc", "year")}
YEAR = next(f for f in ENTITIES["metrics"].fields if f.name == "year")


class EditError(ValueError):
    """A change that cannot be stored: names the field and the reason."""


def metrics_row(conn: Connection, uscc: str, year: int) -> dict[str, Any] | None:
    table = schema.metrics
    found = conn.execute(select(table).where((table.c.uscc == uscc) & (table.c.year == year))).mappings().first()
    return None if found is None else {k: plain(v) for k, v in found.items() if k != "id"}


def set_metrics(
    conn: Connection, uscc: str, year: int, values: Mapping[str, Any], by: str, today: dt.date
) -> dict[str, Any]:
    """Set some of an enterprise's figures for a year (the row is made if the year has none); the
    fields not named keep their values. Returns the row as stored."""
    unknown = sorted(set(values) - set(METRIC_FIELDS))
    if unknown:
        raise EditError(f"{', '.join(unknown)}: 不是企业经营指标字段 (not a metrics field)")
    if not values:
        raise EditError("没有要修改的字段 (nothing to change)")
    problem = YEAR.range_problem(year)
    if problem or year > today.year:
        raise EditError(f"year: {problem or '年度晚于今年 (a year that has not happened)'}")
    cleaned = {name: _number(METRIC_FIELDS[name], value) for name, value in values.items()}
    enterprises = schema.enterprises
    if conn.execute(select(enterprises.c.id).where(enterprises.c.uscc == uscc)).first() is None:
        raise EditError(f"uscc: 库中没有企业 {uscc} (no such enterprise)")
    before = metrics_row(conn, uscc, year)
    table = schema.metrics
    if before is None:
        conn.execute(table.insert().values(uscc=uscc, year=year, **cleaned))
    else:
        conn.execute(table.update().where((table.c.uscc == uscc) & (table.c.year == year)).values(**cleaned))
    after = metrics_row(conn, uscc, year)
    action = "metrics.create" if before is None else "metrics.update"
    accounts.audit(conn, by, action, "metrics", f"{uscc}/{year}", before, after)
    assert after is not None  # just written, in this transaction
    return after


def _number(field: FieldSpec, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EditError(f"{field.name}: 「{field.zh}」应为数字或空 (must be a number or null), 而不是 {value!r}")
    problem = field.range_problem(float(value))
    if problem:
        raise EditError(f"{field.name}: 「{field.zh}」{value:g} {problem}")
    return float(value)
