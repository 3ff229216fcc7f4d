"""Deadlines counted as 民法典 第二百零一条至第二百零四条 count periods (docs/periods.md): month ends,
leap years, holiday moves from the State Council's calendar, suspensions, text, and the
vectorised path giving the scalar answers."""

from __future__ import annotations

import calendar as gregorian
import re
import time
from datetime import date, timedelta
from importlib import resources
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenewal.domain.language import speaking
from landrenewal.domain.projects.periods import (
    Period,
    PeriodError,
    WorkCalendar,
    china_work_calendar,
    deadline,
    period_end,
    period_ends,
    suspended_days,
    suspended_end,
)

CN = china_work_calendar()
WEEKENDS = WorkCalendar.weekends_only()


def end(anchor: date, text: str, *, move: bool = False, calendar: WorkCalendar = CN) -> date:
    return period_end(anchor, Period.parse(text), holidays_move_end=move, calendar=calendar)


# -- counting: 第二百零一条、第二百零二条


def test_three_months_from_november_30_ends_on_february_29_in_a_leap_year() -> None:
    assert end(date(2023, 11, 30), "3 months") == date(2024, 2, 29)


def test_three_months_from_november_30_ends_on_february_28_in_a_common_year() -> None:
    assert end(date(2022, 11, 30), "3个月") == date(2023, 2, 28)


def test_one_year_from_february_29_ends_on_february_28() -> None:
    assert end(date(2024, 2, 29), "1 year") == date(2025, 2, 28)


def test_four_years_from_february_29_end_on_february_29() -> None:
    assert end(date(2024, 2, 29), "4年") == date(2028, 2, 29)


def test_one_month_from_january_31_ends_on_february_28() -> None:
    assert end(date(2023, 1, 31), "1 month") == date(2023, 2, 28)


def test_one_month_from_march_31_ends_on_the_last_day_of_april() -> None:
    assert end(date(2024, 3, 31), "1个月") == date(2024, 4, 30)


def test_a_month_ending_on_the_same_day_number_when_the_target_month_has_it() -> None:
    assert end(date(2024, 1, 15), "1 month") == date(2024, 2, 15)
    assert end(date(2024, 12, 15), "2 months") == date(2025, 2, 15)


def test_months_are_counted_from_the_anchor_never_chained_one_month_at_a_time() -> None:
    anchor = date(2023, 1, 31)
    chained = end(end(anchor, "1 month"), "1 month")
    assert chained == date(2023, 3, 28)
    assert end(anchor, "2 months") == date(2023, 3, 31)


def test_a_period_in_days_does_not_count_the_day_of_the_anchor() -> None:
    assert end(date(2024, 3, 1), "1日") == date(2024, 3, 2)
    assert end(date(2024, 1, 1), "30 days") == date(2024, 1, 31)
    assert end(date(2024, 2, 1), "29天") == date(2024, 3, 1)


def test_a_year_is_twelve_months_from_the_anchor() -> None:
    assert end(date(2023, 3, 15), "2 years") == date(2025, 3, 15)
    assert end(date(2023, 8, 31), "1 year") == end(date(2023, 8, 31), "12 months")


# -- holidays: 第二百零三条


def test_an_end_on_national_day_moves_to_october_8_when_holidays_move_the_end() -> None:
    anchor = date(2024, 7, 1)
    assert end(anchor, "3 months") == date(2024, 10, 1)
    assert end(anchor, "3 months", move=True) == date(2024, 10, 8)


def test_an_end_in_the_2024_spring_festival_moves_to_the_adjusted_working_sunday_february_18() -> None:
    # 春节：2月10日至17日放假调休 … 2月18日（星期日）上班 (国办发明电〔2023〕7号)
    assert end(date(2024, 1, 10), "1 month", move=True) == date(2024, 2, 18)


def test_an_end_on_new_years_eve_2025_moves_past_the_spring_festival_to_february_5() -> None:
    # 除夕 is a holiday from 2025 on (全国年节及纪念日放假办法, 2024 revision): 1月28日至2月4日
    assert end(date(2024, 12, 28), "1个月", move=True) == date(2025, 2, 5)


def test_an_end_in_the_2023_golden_week_moves_to_the_adjusted_working_saturday_october_7() -> None:
    assert end(date(2023, 9, 1), "1 month", move=True) == date(2023, 10, 7)


def test_an_end_on_a_saturday_moves_to_monday() -> None:
    assert date(2024, 6, 15).weekday() == 5
    assert end(date(2024, 5, 15), "1 month", move=True) == date(2024, 6, 17)


def test_an_end_on_an_adjusted_working_saturday_does_not_move() -> None:
    # 国庆节 2024: 10月12日（星期六）上班
    assert date(2024, 10, 12).weekday() == 5
    assert end(date(2024, 9, 12), "1 month", move=True) == date(2024, 10, 12)
    assert end(date(2024, 9, 12), "1 month", move=True, calendar=WEEKENDS) == date(2024, 10, 14)


def test_an_end_on_a_working_day_does_not_move() -> None:
    assert end(date(2024, 3, 12), "1 month", move=True) == date(2024, 4, 12)


def test_an_end_that_is_not_moved_stays_on_the_holiday() -> None:
    assert end(date(2024, 9, 1), "30 days", move=False) == date(2024, 10, 1)


def test_outside_its_years_the_calendar_knows_weekends_only_and_says_so() -> None:
    assert not CN.covers(2027)
    assert CN.is_working_day(date(2027, 1, 1))  # a Friday, whatever the 2027 notice will say
    assert end(date(2027, 5, 1), "1 month", move=True) == date(2027, 6, 1)
    with speaking("zh"):
        assert CN.coverage_note(2027) == "节假日安排未收录 2027 年，仅按周末顺延"
    with speaking("en"):
        assert CN.coverage_note(2027) == "the holidays of 2027 are not on record; ends move past weekends only"
    assert CN.coverage_note(2024) is None


def test_uncovered_years_are_listed_once_in_order() -> None:
    days = np.array(["2027-03-01", "NaT", "2019-01-01", "2024-05-01", "2027-09-09"], dtype="datetime64[D]")
    assert CN.uncovered_years(days) == [2019, 2027]


def test_next_working_day_is_strictly_after_the_day() -> None:
    assert CN.next_working_day(date(2024, 10, 8)) == date(2024, 10, 9)
    assert CN.next_working_day(date(2024, 9, 30)) == date(2024, 10, 8)
    assert CN.working_day_on_or_after(date(2024, 10, 8)) == date(2024, 10, 8)


def test_a_day_cannot_be_both_a_holiday_and_a_working_day() -> None:
    with pytest.raises(PeriodError, match="2024-10-12"):
        WorkCalendar([date(2024, 10, 12)], [date(2024, 10, 12)])


# -- the calendar's data: holidays_cn.yaml


NOTICES = {
    2021: "国办发明电〔2020〕27号",
    2022: "国办发明电〔2021〕11号",
    2023: "国办发明电〔2022〕16号",
    2024: "国办发明电〔2023〕7号",
    2025: "国办发明电〔2024〕12号",
    2026: "国办发明电〔2025〕7号",
}


def _data() -> dict[str, Any]:
    text = resources.files("landrenewal.data").joinpath("holidays_cn.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_the_calendar_covers_2021_to_2026_each_year_citing_its_state_council_notice() -> None:
    assert CN.years == tuple(NOTICES)
    for year, document in NOTICES.items():
        notice = CN.notices[year]
        assert notice.document == document
        assert notice.title == f"国务院办公厅关于{year}年部分节假日安排的通知"
        assert notice.issued.year == year - 1


def test_the_calendar_is_read_once() -> None:
    assert china_work_calendar() is china_work_calendar()


def test_the_data_cites_the_2024_revision_of_the_holiday_measures() -> None:
    law = _data()["law"]
    assert law["title"] == "全国年节及纪念日放假办法"
    assert "国务院令第795号" in law["revision"]
    assert law["effective"] == date(2025, 1, 1)


_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:（([^）]*)）)?")
_WEEKDAY = re.compile(r"(?:星期|周)([一二三四五六日])")


def _dates(sentence: str, year: int) -> list[date]:
    """The dates a notice's sentence names, each checked against the weekday written beside it."""
    found: list[date] = []
    month = 0
    for m in _DATE.finditer(sentence):
        month = int(m[2]) if m[2] else month
        day = date(int(m[1]) if m[1] else (found[-1].year if found else year), month, int(m[3]))
        weekday = _WEEKDAY.search(m[4] or "")
        if weekday:
            assert day.weekday() == "一二三四五六日".index(weekday[1]), (sentence, day)
        found.append(day)
    return found


def test_every_festival_agrees_with_the_sentence_it_quotes_from_its_notice() -> None:
    for year, entry in _data()["years"].items():
        for festival in entry["festivals"]:
            text = festival["text"]
            assert text.startswith(festival["name"] + "："), text
            first, last = festival["holidays"]
            sentences = text.removeprefix(festival["name"] + "：").split("。")
            off = _dates(sentences[0], year)
            assert "放假" in sentences[0] and (off[0], off[-1]) == (first, last), text
            days = re.search(r"(?:共|放假)(\d+)天", sentences[0])
            if days:
                assert int(days[1]) == (last - first).days + 1, text
            worked = [d for s in sentences[1:] if s.endswith("上班") for d in _dates(s, year)]
            assert worked == festival["working_days"], text
            assert all(d.weekday() >= 5 for d in worked), text
            assert year - 1 <= first.year <= last.year == year, text


def test_the_calendar_holds_every_day_of_every_holiday_and_every_adjusted_working_day() -> None:
    assert all(not CN.is_working_day(date(2024, 10, 1) + timedelta(days=i)) for i in range(7))
    assert not CN.is_working_day(date(2022, 12, 31))  # the 2023 notice's 元旦 begins in 2022
    assert CN.is_working_day(date(2026, 2, 28))  # 2月28日（周六）上班
    assert not CN.is_working_day(date(2026, 2, 23))  # a Monday, the last day of the 2026 春节
    assert len(CN.holidays) == sum(
        (f["holidays"][1] - f["holidays"][0]).days + 1 for e in _data()["years"].values() for f in e["festivals"]
    )


# -- suspension (中止)

ANCHOR = date(2024, 1, 1)
END = date(2024, 1, 31)  # 30 days


def test_a_suspension_moves_the_end_by_its_days() -> None:
    assert suspended_end(ANCHOR, END, [(date(2024, 1, 10), date(2024, 1, 14))]) == date(2024, 2, 5)


def test_overlapping_suspensions_count_each_day_once() -> None:
    spans = [(date(2024, 1, 10), date(2024, 1, 14)), (date(2024, 1, 12), date(2024, 1, 16))]
    assert suspended_days(ANCHOR, END, spans) == 7
    assert suspended_end(ANCHOR, END, spans) == date(2024, 2, 7)


def test_a_suspension_before_the_anchor_counts_only_its_days_after_the_anchor() -> None:
    spans = [(date(2023, 12, 20), date(2024, 1, 5))]
    assert suspended_end(ANCHOR, END, spans) == date(2024, 2, 4)  # 2, 3, 4, 5 January
    assert suspended_end(ANCHOR, END, [(date(2023, 12, 1), date(2023, 12, 31))]) == END


def test_a_suspension_on_the_day_of_the_anchor_does_not_count_that_day() -> None:
    assert suspended_end(ANCHOR, END, [(ANCHOR, date(2024, 1, 3))]) == date(2024, 2, 2)


def test_a_suspension_after_the_original_end_but_before_the_moved_end_counts() -> None:
    spans = [(date(2024, 1, 10), date(2024, 1, 14)), (date(2024, 2, 3), date(2024, 2, 10))]
    # 5 days move the end to 5 February, which reaches the second suspension: 8 more days
    assert suspended_end(ANCHOR, END, spans) == date(2024, 2, 13)


def test_a_suspension_after_the_moved_end_does_not_count() -> None:
    assert suspended_end(ANCHOR, END, [(date(2024, 3, 1), date(2024, 3, 5))]) == END
    assert suspended_end(ANCHOR, END, []) == END


def test_a_suspension_beginning_the_day_after_the_end_does_not_count() -> None:
    assert suspended_end(ANCHOR, END, [(date(2024, 2, 1), date(2024, 2, 9))]) == END


def test_a_suspension_that_ends_before_it_starts_is_refused_naming_its_days() -> None:
    with speaking("en"), pytest.raises(PeriodError, match=r"2024-01-10.*2024-01-05"):
        suspended_end(ANCHOR, END, [(date(2024, 1, 10), date(2024, 1, 5))])


def test_the_deadline_moves_off_a_holiday_reached_by_suspension() -> None:
    period = Period.parse("1个月")
    anchor = date(2024, 8, 27)
    spans = [(date(2024, 9, 2), date(2024, 9, 5))]
    assert deadline(anchor, period, holidays_move_end=True, calendar=CN) == date(2024, 9, 27)
    assert deadline(anchor, period, holidays_move_end=False, calendar=CN, suspensions=spans) == date(2024, 10, 1)
    assert deadline(anchor, period, holidays_move_end=True, calendar=CN, suspensions=spans) == date(2024, 10, 8)


spans = st.lists(
    st.tuples(st.dates(date(2023, 11, 1), date(2024, 12, 31)), st.integers(0, 40)).map(
        lambda s: (s[0], s[0] + timedelta(days=s[1]))
    ),
    max_size=6,
)


@given(st.integers(1, 200), spans)
def test_the_suspended_end_is_the_day_the_full_length_of_unsuspended_days_is_reached(
    length: int, suspensions: list[tuple[date, date]]
) -> None:
    suspended = {s + timedelta(days=i) for s, e in suspensions for i in range((e - s).days + 1)}
    day, counted = ANCHOR, 0
    while counted < length:
        day += timedelta(days=1)
        counted += day not in suspended
    assert suspended_end(ANCHOR, ANCHOR + timedelta(days=length), suspensions) == day


# -- text


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("3 months", Period(3, "months")),
        ("1 month", Period(1, "months")),
        ("1 year", Period(1, "years")),
        ("2 Years", Period(2, "years")),
        ("30 days", Period(30, "days")),
        ("1day", Period(1, "days")),
        ("3个月", Period(3, "months")),
        ("3 个月", Period(3, "months")),
        ("1年", Period(1, "years")),
        ("30日", Period(30, "days")),
        ("30天", Period(30, "days")),
        ("三个月", Period(3, "months")),
        ("十五日", Period(15, "days")),
        ("三十日", Period(30, "days")),
        ("两年", Period(2, "years")),
        ("６个月", Period(6, "months")),
        (" 90 days ", Period(90, "days")),
    ],
)
def test_a_period_is_read_from_english_or_chinese_text(text: str, period: Period) -> None:
    assert Period.parse(text) == period


@pytest.mark.parametrize("text", ["3 weeks", "3月", "0 days", "零日", "", "1.5 years", "-3 days", "三百日", "months"])
def test_a_period_that_cannot_be_read_is_refused_naming_the_text(text: str) -> None:
    with speaking("zh"), pytest.raises(PeriodError) as refused:
        Period.parse(text)
    assert f"无法识别的期限“{text}”" in str(refused.value)
    with speaking("en"), pytest.raises(PeriodError, match=re.escape(f"cannot read the period “{text}”")):
        Period.parse(text)


def test_a_period_is_at_least_one_whole_day_month_or_year() -> None:
    with pytest.raises(PeriodError, match="0"):
        Period(0, "days")
    with pytest.raises(PeriodError, match="weeks"):
        Period(3, "weeks")  # type: ignore[arg-type]


def test_a_period_is_written_back_in_the_readers_language() -> None:
    assert str(Period.parse("1个月")) == "1 month"
    with speaking("zh"):
        assert Period.parse("3 months").label == "3个月"
    with speaking("en"):
        assert Period.parse("30天").label == "30 days"


# -- whole arrays


periods = st.builds(Period, st.integers(1, 40), st.sampled_from(["days", "months", "years"]))
anchor_dates = st.dates(date(2015, 1, 1), date(2032, 12, 31))


@settings(max_examples=200)
@given(st.lists(anchor_dates, min_size=1, max_size=30), periods, st.booleans())
def test_the_vectorised_ends_are_the_scalar_ends(anchors: list[date], period: Period, move: bool) -> None:
    got = period_ends(np.array(anchors, dtype="datetime64[D]"), period, holidays_move_end=move, calendar=CN)
    expected = [period_end(a, period, holidays_move_end=move, calendar=CN) for a in anchors]
    assert got.dtype == np.dtype("datetime64[D]")
    assert got.tolist() == expected


@given(st.lists(st.dates(date(1900, 1, 1), date(2200, 12, 31)), min_size=1, max_size=30), st.integers(1, 600))
def test_the_vectorised_month_end_rule(anchors: list[date], months: int) -> None:
    got = period_ends(
        np.array(anchors, dtype="datetime64[D]"), Period(months, "months"), holidays_move_end=False, calendar=CN
    ).tolist()
    for anchor, end_day in zip(anchors, got, strict=True):
        year, month0 = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
        assert (end_day.year, end_day.month) == (year, month0 + 1)
        assert end_day.day == min(anchor.day, gregorian.monthrange(end_day.year, end_day.month)[1])


@given(st.dates(date(2014, 1, 1), date(2033, 12, 31)))
def test_the_vectorised_calendar_answers_as_the_scalar_one(day: date) -> None:
    days = np.array([day], dtype="datetime64[D]")
    assert CN.are_working_days(days).tolist() == [CN.is_working_day(day)]
    assert CN.roll_forward(days).tolist() == [CN.working_day_on_or_after(day)]
    assert WEEKENDS.roll_forward(days).tolist() == [WEEKENDS.working_day_on_or_after(day)]


def test_a_missing_anchor_gives_a_missing_end() -> None:
    anchors = np.array(["2023-11-30", "NaT", "2024-07-01"], dtype="datetime64[D]")
    got = period_ends(anchors, Period.parse("3个月"), holidays_move_end=True, calendar=CN)
    assert got[0] == np.datetime64("2024-02-29") and np.isnat(got[1]) and got[2] == np.datetime64("2024-10-08")
    assert np.isnat(period_ends(anchors, Period(5, "days"), holidays_move_end=True, calendar=CN)[1])


def test_anchors_with_times_of_day_count_from_their_day() -> None:
    anchors = np.array(["2024-07-01T18:30"], dtype="datetime64[m]")
    assert period_ends(anchors, Period(3, "months"), holidays_move_end=True, calendar=CN).tolist() == [
        date(2024, 10, 8)
    ]


def test_ten_thousand_due_dates_take_well_under_a_second() -> None:
    rng = np.random.default_rng(7)
    anchors = np.datetime64("2020-01-01") + rng.integers(0, 365 * 7, 10_000).astype("timedelta64[D]")
    started = time.perf_counter()
    for text in ("30日", "6个月", "2年"):
        period_ends(anchors, Period.parse(text), holidays_move_end=True, calendar=CN)
    assert time.perf_counter() - started < 0.5
