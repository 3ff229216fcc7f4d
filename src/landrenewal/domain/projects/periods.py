"""Deadlines counted the way Chinese law counts periods (民法典 第二百零一条至第二百零四条;
docs/periods.md).

- The day of the anchor event is not counted: a period starts the next day (第二百零一条). A
  period of N days ends N days after the anchor.
- A period of months or years ends on the day of the target month with the anchor's day number,
  or on that month's last day when it has none (第二百零二条): 2023-11-30 + 3 months is
  2024-02-29. The end is always counted from the anchor, never by chaining one month at a time.
- When the last day is a statutory holiday (法定休假日: weekends and the State Council's public
  holidays; an adjusted working day, 调休上班日, is a working day), the period ends on the first
  working day after it (第二百零三条). Whether a deadline moves so is the caller's choice
  (``holidays_move_end``): deadlines set in administrative policy often do not move.
- Suspended days (中止) do not count; ``suspended_end`` moves the end by them.

The holiday calendar is data: ``landrenewal/data/holidays_cn.yaml`` (one year per State Council
notice). Outside the years it lists, only weekends are known; ``WorkCalendar.covers`` says which
years are known and ``WorkCalendar.coverage_note`` words the warning.

Pure: no I/O beyond reading the shipped calendar once.
"""

from __future__ import annotations

import calendar as _gregorian
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import yaml

from landrenewal.domain.language import say

Unit = Literal["days", "months", "years"]
UNITS: tuple[Unit, ...] = get_args(Unit)

_ONE_DAY = timedelta(days=1)
_WEEKMASK = "1111100"  # Monday to Friday work; numpy's busday functions read it so


class PeriodError(ValueError):
    """A period that cannot be read or a date range that cannot be used; the message names it."""


# ---------------------------------------------------------------------------------------------
# Periods and their text


@dataclass(frozen=True)
class Period:
    """A length of time in whole days, months or years, at least one."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise PeriodError(
                say(
                    f"期限单位只能是日、月或年：{self.unit!r}",
                    f"a period's unit must be days, months or years: {self.unit!r}",
                )
            )
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise PeriodError(
                say(
                    f"期限长度须为正整数：{self.amount!r}",
                    f"a period's length must be a positive whole number: {self.amount!r}",
                )
            )

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period as policies write it: ``30 days``, ``3 months``, ``1 year`` (singular or plural),
        or ``30日``, ``30天``, ``3个月``, ``1年``, with Arabic or Chinese numerals (``三个月``,
        ``十五日``, ``两年``) and full-width digits."""
        normal = unicodedata.normalize("NFKC", text).strip()
        english = _ENGLISH.fullmatch(normal)
        chinese = _CHINESE.fullmatch(normal)
        if english is not None:
            amount: int | None = int(english.group(1))
            unit = _ENGLISH_UNITS[english.group(2).lower().rstrip("s")]
        elif chinese is not None:
            amount = _chinese_number(chinese.group(1))
            unit = _CHINESE_UNITS[chinese.group(2)]
        else:
            amount = None
        if amount is not None and amount >= 1:
            return cls(amount, unit)
        raise PeriodError(
            say(
                f"无法识别的期限“{text}”：应写作 30日、30天、3个月、1年（或 30 days、3 months、1 year），长度至少为 1",
                f"cannot read the period “{text}”: write it as 30 days, 3 months, 1 year (or 30日, 30天, 3个月, 1年), "
                "at least 1 long",
            )
        )

    @property
    def months(self) -> int:
        """The length in months (a period in years is twelve months each); 0 for days."""
        return {"days": 0, "months": self.amount, "years": 12 * self.amount}[self.unit]

    @property
    def label(self) -> str:
        """The period in the reader's language: ``3个月`` or ``3 months``."""
        zh = {"days": "日", "months": "个月", "years": "年"}[self.unit]
        en = self.unit if self.amount != 1 else self.unit[:-1]
        return say(f"{self.amount}{zh}", f"{self.amount} {en}")

    def __str__(self) -> str:
        return f"{self.amount} {self.unit if self.amount != 1 else self.unit[:-1]}"


_ENGLISH = re.compile(r"([0-9]+)\s*(days?|months?|years?)", re.IGNORECASE)
_ENGLISH_UNITS: dict[str, Unit] = {"day": "days", "month": "months", "year": "years"}
_CHINESE = re.compile(r"([0-9〇零一二两三四五六七八九十]+)\s*(个月|個月|年|日|天)")
_CHINESE_UNITS: dict[str, Unit] = {"个月": "months", "個月": "months", "年": "years", "日": "days", "天": "days"}
_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(text: str) -> int | None:
    """An amount written in Arabic digits or in Chinese up to 九十九 (十五, 二十, 三十六); None otherwise."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 and text in _DIGITS else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or (tens and tens not in _DIGITS) or (units and units not in _DIGITS):
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[units] if units else 0)


# ---------------------------------------------------------------------------------------------
# The work calendar


@dataclass(frozen=True)
class HolidayNotice:
    """The State Council notice that fixed one year's holidays and adjusted working days."""

    year: int
    title: str  # 国务院办公厅关于YYYY年部分节假日安排的通知
    document: str  # 文号, e.g. 国办发明电〔2023〕7号
    issued: date


class WorkCalendar:
    """Which days are working days: Monday to Friday, except the public holidays it knows, plus the
    adjusted working days (调休上班日) it knows. ``covers(year)`` says whether a year's
    arrangement is known; outside those years only weekends are.

    The scalar methods take ``datetime.date``; ``are_working_days`` and ``roll_forward`` take
    numpy ``datetime64`` arrays (NaT stays NaT) and give the same answers.
    """

    def __init__(
        self,
        holidays: Iterable[date] = (),
        working_days: Iterable[date] = (),
        *,
        covered_years: Iterable[int] = (),
        notices: Iterable[HolidayNotice] = (),
    ) -> None:
        self.holidays = frozenset(holidays)
        self.working_days = frozenset(working_days)
        both = sorted(self.holidays & self.working_days)
        if both:
            days = "、".join(d.isoformat() for d in both)
            raise PeriodError(
                say(f"同一天既是放假日又是调休上班日：{days}", f"a day is both a holiday and a working day: {days}")
            )
        self.notices: Mapping[int, HolidayNotice] = {n.year: n for n in notices}
        self._years = frozenset(covered_years) | frozenset(self.notices)
        self._holiday_array = np.array(sorted(self.holidays), dtype="datetime64[D]")
        self._working_array = np.array(sorted(self.working_days), dtype="datetime64[D]")
        self._build_roll_table()

    @classmethod
    def weekends_only(cls) -> WorkCalendar:
        """A calendar that knows no holiday: only Saturdays and Sundays are off."""
        return cls()

    # -- one day at a time

    def covers(self, year: int) -> bool:
        """Whether this calendar knows the holidays and adjusted working days of ``year``."""
        return year in self._years

    @property
    def years(self) -> tuple[int, ...]:
        """The years whose arrangement is known, in order."""
        return tuple(sorted(self._years))

    def coverage_note(self, year: int) -> str | None:
        """The warning to show when an end falls in a year this calendar does not know; None when it does."""
        if self.covers(year):
            return None
        return say(
            f"节假日安排未收录 {year} 年，仅按周末顺延",
            f"the holidays of {year} are not on record; ends move past weekends only",
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day`` (``day`` itself never)."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def working_day_on_or_after(self, day: date) -> date:
        """``day`` when it is a working day, else the first working day after it (第二百零三条)."""
        return day if self.is_working_day(day) else self.next_working_day(day)

    # -- whole arrays

    def are_working_days(self, days: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """``is_working_day`` of each day; False for NaT."""
        d = np.asarray(days, dtype="datetime64[D]")
        valid = ~np.isnat(d)
        working = valid & (_weekday(d) < 5) & ~np.isin(d, self._holiday_array)
        return working | (valid & np.isin(d, self._working_array))

    def roll_forward(self, days: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
        """``working_day_on_or_after`` of each day; NaT stays NaT."""
        d = np.asarray(days, dtype="datetime64[D]")
        out = d.copy()
        valid = ~np.isnat(d)
        offset = np.where(valid, (d - self._table_start).astype(np.int64), -1)
        inside = valid & (offset >= 0) & (offset < len(self._roll))
        out[inside] = self._roll[offset[inside]]
        outside = valid & ~inside
        if outside.any():
            # no holiday or adjusted working day lies within a week of these days: weekends decide
            out[outside] = np.busday_offset(d[outside], 0, roll="forward", weekmask=_WEEKMASK)
        return out

    def uncovered_years(self, days: npt.ArrayLike) -> list[int]:
        """The years, in order, of the days (NaT ignored) that this calendar does not cover."""
        d = np.asarray(days, dtype="datetime64[D]")
        d = d[~np.isnat(d)]
        years = np.unique(d.astype("datetime64[Y]").astype(np.int64) + 1970)
        return [int(y) for y in years if not self.covers(int(y))]

    def _build_roll_table(self) -> None:
        """For every day from a week before the first special day to past the last one: the first
        working day on or after it. Outside that span, weekends alone decide."""
        specials = np.concatenate([self._holiday_array, self._working_array])
        if len(specials) == 0:
            self._table_start = np.datetime64("1970-01-01", "D")
            self._roll = np.array([], dtype="datetime64[D]")
            return
        start = specials.min() - np.timedelta64(7, "D")
        stop = specials.max() + np.timedelta64(14, "D")
        while _weekday(stop) >= 5:  # the table ends on a working day, so every day in it rolls inside it
            stop += np.timedelta64(1, "D")
        days = np.arange(start, stop + np.timedelta64(1, "D"), dtype="datetime64[D]")
        working = self.are_working_days(days)
        index = np.where(working, np.arange(len(days)), len(days))
        first_on_or_after = np.minimum.accumulate(index[::-1])[::-1]
        self._table_start = start
        self._roll = days[first_on_or_after]


def _weekday(days: Any) -> Any:
    """Monday 0 … Sunday 6 of datetime64[D] values (1970-01-01 was a Thursday)."""
    return (days.astype("datetime64[D]").astype(np.int64) + 3) % 7


@cache
def china_work_calendar() -> WorkCalendar:
    """The national calendar: the years in ``landrenewal/data/holidays_cn.yaml``, each from its State
    Council notice (docs/periods.md lists them). Read once."""
    text = resources.files("landrenewal.data").joinpath("holidays_cn.yaml").read_text(encoding="utf-8")
    return calendar_from_data(yaml.safe_load(text))


def calendar_from_data(data: Mapping[str, Any]) -> WorkCalendar:
    """A calendar from the structure of ``holidays_cn.yaml`` (``years`` → notice, document, issued,
    festivals with ``holidays: [first, last]`` and ``working_days``)."""
    holidays: list[date] = []
    working: list[date] = []
    notices: list[HolidayNotice] = []
    for year, entry in data["years"].items():
        notices.append(HolidayNotice(int(year), str(entry["notice"]), str(entry["document"]), entry["issued"]))
        for festival in entry["festivals"]:
            name, days = festival["name"], festival["holidays"]
            first, last = days
            if not (isinstance(first, date) and isinstance(last, date) and first <= last):
                raise PeriodError(
                    say(
                        f"{year} 年{name}的放假日期须为先后两个日期：{days!r}",
                        f"the holidays of {name} in {year} must be two dates in order: {days!r}",
                    )
                )
            holidays.extend(first + timedelta(days=i) for i in range((last - first).days + 1))
            working.extend(festival["working_days"])
    return WorkCalendar(holidays, working, notices=notices)


# ---------------------------------------------------------------------------------------------
# Ends of periods


def _add_months(anchor: date, months: int) -> date:
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month0 = divmod(index, 12)
    last = _gregorian.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(anchor.day, last))


def period_end(anchor: date, period: Period, *, holidays_move_end: bool, calendar: WorkCalendar) -> date:
    """The last day of ``period`` counted from the event on ``anchor`` (docs/periods.md).

    Days: ``anchor + amount`` days (the anchor's own day is not counted). Months and years: the
    same day number ``amount`` months (twelve per year) after the anchor's month, or that month's
    last day. With ``holidays_move_end``, an end on a day that is not a working day of
    ``calendar`` moves to the first working day after it.
    """
    end = anchor + timedelta(days=period.amount) if period.unit == "days" else _add_months(anchor, period.months)
    return calendar.working_day_on_or_after(end) if holidays_move_end else end


def period_ends(
    anchors: npt.ArrayLike, period: Period, *, holidays_move_end: bool, calendar: WorkCalendar
) -> npt.NDArray[np.datetime64]:
    """``period_end`` of every anchor at once: an array of ``datetime64[D]`` (times of day are
    dropped); NaT where the anchor is NaT. The same answers as the scalar function."""
    d = np.asarray(anchors).astype("datetime64[D]")
    missing = np.isnat(d)
    ends: npt.NDArray[np.datetime64]
    if period.unit == "days":
        ends = np.asarray(d + np.timedelta64(period.amount, "D"), dtype="datetime64[D]")
    else:
        filled = np.where(missing, np.datetime64("1970-01-01", "D"), d)
        month = filled.astype("datetime64[M]")
        day0 = (filled - month.astype("datetime64[D]")).astype(np.int64)  # 0-based day of the month
        target = month + np.timedelta64(period.months, "M")
        length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
            np.int64
        )
        ends = target.astype("datetime64[D]") + np.minimum(day0, length - 1).astype("timedelta64[D]")
        ends[missing] = np.datetime64("NaT")
    return calendar.roll_forward(ends) if holidays_move_end else ends


# ---------------------------------------------------------------------------------------------
# Suspension


def _merged(anchor: date, suspensions: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """The suspended intervals after ``anchor``, clipped to start after it, merged, in order."""
    clipped: list[tuple[date, date]] = []
    for start, end in suspensions:
        if start > end:
            raise PeriodError(
                say(
                    f"中止期间的开始日 {start} 晚于结束日 {end}",
                    f"a suspension starts on {start}, after it ends on {end}",
                )
            )
        if end > anchor:
            clipped.append((max(start, anchor + _ONE_DAY), end))
    clipped.sort()
    merged: list[tuple[date, date]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1] + _ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _count(intervals: list[tuple[date, date]], through: date) -> int:
    return sum((min(last, through) - first).days + 1 for first, last in intervals if first <= through)


def suspended_days(anchor: date, through: date, suspensions: Iterable[tuple[date, date]]) -> int:
    """How many distinct days after ``anchor`` and up to ``through`` (inclusive) are suspended."""
    return _count(_merged(anchor, suspensions), through)


def suspended_end(anchor: date, end: date, suspensions: Iterable[tuple[date, date]]) -> date:
    """The end of a period that ran from ``anchor`` to ``end``, moved by its suspended (中止) days.

    ``suspensions`` are (first day, last day) pairs, both days suspended; they may overlap, and
    may start before the anchor. The rule:

    1. A suspended day counts when it lies after the anchor (the anchor's own day is never part
       of the period) and on or before the moving end; a day covered by several suspensions
       counts once.
    2. The end moves to ``end`` plus the number of such days; counting again up to the moved
       end may find more (a suspension after the original end but before the moved one), so
       the count is repeated until the end no longer moves.

    The result is the day on which the period's full length of unsuspended days after the anchor
    is reached: a suspended day never ends a period. Pass the end before any holiday move and
    move it afterwards (``deadline`` does both): whether the last day is a holiday is asked of
    the final last day (docs/periods.md).
    """
    if end < anchor:
        raise PeriodError(
            say(f"期限的结束日 {end} 早于起算日 {anchor}", f"a period ending on {end} cannot start on {anchor}")
        )
    intervals = _merged(anchor, suspensions)
    moved = end
    while True:
        next_end = end + timedelta(days=_count(intervals, moved))
        if next_end == moved:
            return moved
        moved = next_end


def deadline(
    anchor: date,
    period: Period,
    *,
    holidays_move_end: bool,
    calendar: WorkCalendar,
    suspensions: Iterable[tuple[date, date]] = (),
) -> date:
    """The last day of ``period`` from ``anchor``: counted (第二百零一、二百零二条), moved by the
    suspended days (``suspended_end``), then, with ``holidays_move_end``, moved off a day that
    is not a working day (第二百零三条)."""
    end = period_end(anchor, period, holidays_move_end=False, calendar=calendar)
    end = suspended_end(anchor, end, suspensions)
    return calendar.working_day_on_or_after(end) if holidays_move_end else end
