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
from landrenewal.domain.language import say
from landrenewal.store import schema
from landrenewal.store.frames import plain

METRIC_FIELDS: dict[str, FieldSpec] = {f.name: f for f in ENTITIES["metrics"].fields if f.name not in ("uscc", "year")}
YEAR = next(f for f in ENTITIES["metrics"].fields if f.name == "year")


class EditError(ValueError):
    """A change that cannot be stored: names the field and the reason."""


class NeedsConfirmation(EditError):
    """A value that is possible but rare enough to be a slip (a negative tax): stored once confirmed."""


# Figures that may be negative (a refund larger than the tax paid, a loss) but seldom are.
CONFIRM_NEGATIVE = ("tax_wan",)
REASON_MAX = 500


def metrics_row(conn: Connection, uscc: str, year: int) -> dict[str, Any] | None:
    table = schema.metrics
    found = conn.execute(select(table).where((table.c.uscc == uscc) & (table.c.year == year))).mappings().first()
    return None if found is None else {k: plain(v) for k, v in found.items() if k != "id"}


def set_metrics(
    conn: Connection,
    uscc: str,
    year: int,
    values: Mapping[str, Any],
    by: str,
    today: dt.date,
    *,
    reason: str | None = None,
    confirmed_negative: bool = False,
) -> dict[str, Any]:
    """Set some of an enterprise's figures for a year (the row is made if the year has none); the
    fields not named keep their values. Returns the row as stored.

    A correction of a year already stored needs its ``reason`` (kept in the audit log with the
    change); a negative tax is stored only when ``confirmed_negative``."""
    unknown = sorted(set(values) - set(METRIC_FIELDS))
    if unknown:
        raise EditError(
            say(f"{'、'.join(unknown)}：不是企业经营指标字段", f"{', '.join(unknown)}: not a metrics field")
        )
    if not values:
        raise EditError(say("没有要修改的字段", "nothing to change"))
    problem = YEAR.range_problem(year)
    if problem or year > today.year:
        raise EditError(
            say(f"year：{problem or '年度晚于今年'}", f"year: {problem or 'a year that has not happened yet'}")
        )
    cleaned = {name: _number(METRIC_FIELDS[name], value) for name, value in values.items()}
    negative = [n for n in CONFIRM_NEGATIVE if (cleaned.get(n) or 0.0) < 0]
    if negative and not confirmed_negative:
        field = METRIC_FIELDS[negative[0]]
        raise NeedsConfirmation(
            say(
                f"「{field.zh}」为负数 {cleaned[field.name]:g}，请确认后再保存",
                f"{field.en} is negative ({cleaned[field.name]:g}); confirm it to save",
            )
        )
    why = (reason or "").strip()
    if len(why) > REASON_MAX:
        raise EditError(say(f"reason：修改原因最多 {REASON_MAX} 字", f"reason: at most {REASON_MAX} characters"))
    enterprises = schema.enterprises
    if conn.execute(select(enterprises.c.id).where(enterprises.c.uscc == uscc)).first() is None:
        raise EditError(say(f"uscc：库中没有企业 {uscc}", f"uscc: no enterprise {uscc} in the store"))
    before = metrics_row(conn, uscc, year)
    if before is not None and not why:
        raise EditError(
            say("reason：更正已有年度的指标须填写修改原因", "reason: a correction of a recorded year needs its reason")
        )
    table = schema.metrics
    if before is None:
        conn.execute(table.insert().values(uscc=uscc, year=year, **cleaned))
    else:
        conn.execute(table.update().where((table.c.uscc == uscc) & (table.c.year == year)).values(**cleaned))
    after = metrics_row(conn, uscc, year)
    action = "metrics.create" if before is None else "metrics.update"
    assert after is not None  # just written, in this transaction
    # The reason goes with the row after the change: the audit log has no column of its own for it.
    logged = after | {"reason": why} if why else after
    accounts.audit(conn, by, action, "metrics", f"{uscc}/{year}", before, logged)
    return after


def _number(field: FieldSpec, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EditError(
            say(
                f"「{field.zh}」应为数字或空，而不是 {value!r}",
                f"{field.en} must be a number or empty, not {value!r}",
            )
        )
    problem = field.range_problem(float(value))
    if problem:
        raise EditError(say(f"「{field.zh}」{value:g} {problem}", f"{field.en} {value:g} {problem}"))
    return float(value)
