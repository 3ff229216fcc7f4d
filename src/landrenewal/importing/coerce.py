"""Turning a file's raw columns into typed canonical columns, column by column, vectorized.

Each coercer returns the typed values and a mask of cells that could not be read; the
caller reports those cells with the file's row numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.fields import EntitySpec, FieldSpec, Kind
from landrenewal.domain.language import say
from landrenewal.importing.mapping import ColumnMap, MappedColumn
from landrenewal.importing.report import Problems

Mask = npt.NDArray[np.bool_]


def _numbers(raw: pd.Series) -> pd.Series:
    """The cells that are numbers already (spreadsheet numbers), as float; NaN elsewhere.

    Typed columns are handled whole; only mixed object columns (XLSX) are looked at cell by cell.
    """
    if pd.api.types.is_bool_dtype(raw.dtype):
        return pd.Series(np.nan, index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.astype("float64")
    if raw.dtype != object:
        return pd.Series(np.nan, index=raw.index)
    is_number = raw.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    return pd.to_numeric(raw.where(is_number.astype(bool)), errors="coerce").astype("float64")


def _is_numeric(raw: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype)


def _blank(raw: pd.Series) -> Mask:
    if _is_numeric(raw) or pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw.isna().to_numpy()
    as_text = raw.astype("string").str.strip()
    return np.asarray(raw.isna() | as_text.eq("").fillna(True), dtype=bool)


def _as_text_or_none(text: pd.Series) -> pd.Series:
    """Text cells as Python str, blanks as None: the form the store and comparisons expect."""
    stripped = text.astype("string").str.strip()
    keep = stripped.notna() & stripped.ne("")
    return stripped.astype(object).where(keep.fillna(False).astype(bool), None)


def _text(raw: pd.Series) -> pd.Series:
    return _as_text_or_none(raw)


def _code(raw: pd.Series) -> pd.Series:
    """Codes as text: spreadsheet numbers lose their '.0', letters are upper-case."""
    return _as_text_or_none(_code_like_text(raw).astype("string").str.upper())


# Python's \s written out (the characters for which str.isspace is true): pandas runs a pattern with \s
# in Python, a string at a time, because RE2's \s is narrower; this one runs in Arrow and means the same.
_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
_NOT_IN_NUMBERS = f"[,，{_SPACES}]"  # thousands separators (ASCII and full-width) and spaces


def _number(raw: pd.Series) -> tuple[pd.Series, Mask]:
    if _is_numeric(raw):  # a typed column (GIS files, Excel numbers): nothing to parse
        return raw.astype("float64"), np.zeros(len(raw), dtype=bool)
    text = raw.astype("string").str.strip().str.replace(_NOT_IN_NUMBERS, "", regex=True)
    text = text.str.replace("%", "", regex=False)
    numbers = _numbers(raw)
    parsed = pd.to_numeric(text.where(numbers.isna()), errors="coerce").astype("Float64")
    values = numbers.fillna(parsed.astype("float64"))
    bad = values.isna().to_numpy() & ~_blank(raw)
    return values, bad


def _float(raw: pd.Series, column: MappedColumn, spec: FieldSpec) -> tuple[pd.Series, Mask]:
    values, bad = _number(raw)
    return values * column.factor, bad


def _share(raw: pd.Series, column: MappedColumn, spec: FieldSpec) -> tuple[pd.Series, Mask]:
    values, bad = _number(raw)
    marked = raw.astype("string").str.contains("%", regex=False).fillna(False).to_numpy()
    percent = column.percent | marked
    return values.where(~percent, values / 100.0), bad


def _int(raw: pd.Series, column: MappedColumn, spec: FieldSpec) -> tuple[pd.Series, Mask]:
    values, bad = _number(raw)
    fractional = values.notna().to_numpy() & (values.fillna(0) % 1 != 0).to_numpy()
    return values.where(~fractional).astype("Int64"), bad | fractional


_DATE_TEXT = [
    (r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$", r"\1-\2-\3"),
    (r"^\s*(\d{4})[./](\d{1,2})[./](\d{1,2})\s*$", r"\1-\2-\3"),
    (r"^\s*(\d{4})(\d{2})(\d{2})\s*$", r"\1-\2-\3"),
    (r"^\s*(\d{4}-\d{1,2}-\d{1,2})\s*$", r"\1"),
]
# A time after the date, as spreadsheets and GIS exports write dates ("2024/01/23 00:00:00"): the day counts.
_TIME_AFTER = r"(?<=\d)(?:[ T]+|日\s*)\d{1,2}[:时]\d{1,2}分?(?::?\d{1,2}(?:\.\d+)?秒?)?\s*$"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _date(raw: pd.Series, column: MappedColumn, spec: FieldSpec) -> tuple[pd.Series, Mask]:
    """Dates from date cells, ISO or Chinese text (2021年3月5日, 2021/3/5, 20210305) or Excel serials."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = pd.to_datetime(raw).dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
        return values.dt.normalize().astype("datetime64[ns]"), np.zeros(len(raw), dtype=bool)
    if raw.dtype == object:
        is_date = raw.map(lambda v: isinstance(v, dt.date | pd.Timestamp)).to_numpy(dtype=bool)
    else:
        is_date = np.zeros(len(raw), dtype=bool)
    from_objects = pd.to_datetime(raw.where(is_date), errors="coerce")
    numbers = _numbers(raw)
    serial = numbers.where((numbers > 10000) & (numbers < 80000) & (numbers % 1 == 0))
    from_serial = _EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    text = raw.where(~is_date & numbers.isna()).astype("string").str.strip()
    text = text.str.replace(_TIME_AFTER, "", regex=True)
    iso = pd.Series(pd.NA, index=raw.index, dtype="string")
    for pattern, repl in _DATE_TEXT:
        hit = text.str.match(pattern).fillna(False) & iso.isna()
        iso = iso.where(~hit, text.str.replace(pattern, repl, regex=True))
    from_text = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    values = from_objects.fillna(from_serial).fillna(from_text).dt.normalize()
    bad = values.isna().to_numpy() & ~_blank(raw)
    return values.astype("datetime64[ns]"), bad


def _enum(raw: pd.Series, column: MappedColumn, spec: FieldSpec) -> tuple[pd.Series, Mask]:
    text = _code_like_text(raw)
    values = text.astype(object).map(spec.choices)
    bad = values.isna().to_numpy() & ~_blank(raw)
    return values.astype(object).where(values.notna(), None), bad


def _code_like_text(raw: pd.Series) -> pd.Series:
    """Text of each cell, with whole spreadsheet numbers written without their '.0'."""
    numbers = _numbers(raw)
    whole = numbers.notna() & (numbers % 1 == 0)
    text = raw.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    if whole.any():
        text = text.where(~whole, numbers.where(whole).astype("Int64").astype("string"))
    return text


Coercer = Callable[[pd.Series, MappedColumn, FieldSpec], tuple[pd.Series, Mask]]
_COERCERS: dict[Kind, Coercer] = {
    Kind.FLOAT: _float,
    Kind.SHARE: _share,
    Kind.INT: _int,
    Kind.DATE: _date,
    Kind.ENUM: _enum,
}


def _expected(kind: Kind) -> str:
    """Why a cell of ``kind`` could not be read, in the reader's language (formed when it is said)."""
    if kind is Kind.FLOAT:
        return say("不是数字", "not a number")
    if kind is Kind.SHARE:
        return say("不是比例或百分数", "not a share or a percentage")
    if kind is Kind.INT:
        return say("不是整数", "not a whole number")
    return say("无法识别的日期，请用 2021-03-05 或 2021年3月5日", "an unreadable date: write it as 2021-03-05")


def _accepted_values(field: FieldSpec) -> str:
    """The values a file may give for an enum field: the Chinese ones for a Chinese reader, the stored
    English ones otherwise (both are accepted)."""
    chinese = sorted({k for k in field.choices if not k.isascii()})
    english = [v for v in dict.fromkeys(field.choices.values()) if v in field.choices]
    return say("、".join(chinese), ", ".join(english))


def coerce(raw: pd.DataFrame, spec: EntitySpec, columns: ColumnMap, problems: Problems) -> pd.DataFrame:
    """The canonical typed frame of an entity from a file's raw columns; unreadable cells reported."""
    out = pd.DataFrame(index=raw.index)
    for name, column in columns.columns.items():
        field = spec.field(name)
        series = raw[column.header]
        if field.kind in (Kind.TEXT,):
            out[name] = _text(series)
            continue
        if field.kind is Kind.CODE:
            out[name] = _code(series)
            continue
        values, bad = _COERCERS[field.kind](series, column, field)
        if field.kind is Kind.ENUM:
            allowed = _accepted_values(field)
            reason = say(f"无法识别的取值，应为：{allowed}", f"an unknown value; expected one of: {allowed}")
            problems.add(bad, name, reason, series)
        else:
            problems.add(bad, name, _expected(field.kind), series)
        out[name] = values
    _check_required(out, spec, columns, problems)
    _check_ranges(out, spec, problems)
    return out


def _check_required(out: pd.DataFrame, spec: EntitySpec, columns: ColumnMap, problems: Problems) -> None:
    for field in spec.fields:
        if not field.required:
            continue
        if field.name not in columns.columns:
            chinese = "、".join(field.aliases[:4])
            english = ", ".join(dict.fromkeys([field.name, *(a for a in field.aliases if a.isascii())]))
            problems.add_file(
                field.name,
                say(
                    f"缺少必填列「{field.zh}」；可用列名：{chinese}，或在映射文件中指定",
                    f'the required column "{field.en or field.name}" is missing; accepted headers: {english}, '
                    "or name it in a mapping file",
                ),
            )
            continue
        reason = say(f"必填字段「{field.zh}」为空", f'the required value "{field.en or field.name}" is missing')
        problems.add(out[field.name].isna().to_numpy(), field.name, reason)


def _check_ranges(out: pd.DataFrame, spec: EntitySpec, problems: Problems) -> None:
    for field in spec.fields:
        if field.name not in out or field.kind not in (Kind.FLOAT, Kind.INT, Kind.SHARE):
            continue
        values = pd.to_numeric(out[field.name], errors="coerce").astype("float64")
        if field.minimum is not None:
            low = (values < field.minimum).fillna(False).to_numpy(dtype=bool)
            problems.add(low, field.name, field.below_reason, values)
        if field.maximum is not None:
            high = (values > field.maximum).fillna(False).to_numpy(dtype=bool)
            problems.add(high, field.name, field.above_reason, values)
