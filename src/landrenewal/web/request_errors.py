"""A refused request's problems in the reader's language: pydantic says them in English only, and
a Chinese reader should not meet "Input should be a valid integer"."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from landrenewal.domain.language import say

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) by what they mean
_SAID: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: say("缺少此项", "missing"),
    "extra_forbidden": lambda ctx: say("不接受此项", "not a field this request takes"),
    "int_type": lambda ctx: say("应为整数", "must be a whole number"),
    "int_parsing": lambda ctx: say("应为整数", "must be a whole number"),
    "int_from_float": lambda ctx: say("应为整数", "must be a whole number"),
    "float_type": lambda ctx: say("应为数字", "must be a number"),
    "float_parsing": lambda ctx: say("应为数字", "must be a number"),
    "finite_number": lambda ctx: say("应为有限的数字", "must be a finite number"),
    "bool_type": lambda ctx: say("应为 true 或 false", "must be true or false"),
    "bool_parsing": lambda ctx: say("应为 true 或 false", "must be true or false"),
    "string_type": lambda ctx: say("应为文字", "must be text"),
    "dict_type": lambda ctx: say("应为 JSON 对象", "must be a JSON object"),
    "model_attributes_type": lambda ctx: say("应为 JSON 对象", "must be a JSON object"),
    "json_invalid": lambda ctx: say("不是合法的 JSON", "not valid JSON"),
    "date_type": lambda ctx: say("应为日期，格式 YYYY-MM-DD", "must be a day, YYYY-MM-DD"),
    "date_parsing": lambda ctx: say("应为日期，格式 YYYY-MM-DD", "must be a day, YYYY-MM-DD"),
    "date_from_datetime_parsing": lambda ctx: say("应为日期，格式 YYYY-MM-DD", "must be a day, YYYY-MM-DD"),
    "greater_than_equal": lambda ctx: say(f"应不小于 {ctx.get('ge')}", f"must be at least {ctx.get('ge')}"),
    "greater_than": lambda ctx: say(f"应大于 {ctx.get('gt')}", f"must be more than {ctx.get('gt')}"),
    "less_than_equal": lambda ctx: say(f"应不大于 {ctx.get('le')}", f"must be at most {ctx.get('le')}"),
    "less_than": lambda ctx: say(f"应小于 {ctx.get('lt')}", f"must be less than {ctx.get('lt')}"),
    "string_too_long": lambda ctx: say(
        f"最多 {ctx.get('max_length')} 个字符", f"at most {ctx.get('max_length')} characters"
    ),
    "string_too_short": lambda ctx: say(
        f"至少 {ctx.get('min_length')} 个字符", f"at least {ctx.get('min_length')} characters"
    ),
    "literal_error": lambda ctx: say(f"应为 {ctx.get('expected')} 之一", f"must be one of {ctx.get('expected')}"),
    "enum": lambda ctx: say(f"应为 {ctx.get('expected')} 之一", f"must be one of {ctx.get('expected')}"),
}


def _one(error: Mapping[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
    said = _SAID.get(str(error.get("type")))
    if said is not None:
        reason = said(error.get("ctx") or {})
    elif error.get("type") == "value_error":  # our own validators: already in the reader's language
        reason = str((error.get("ctx") or {}).get("error") or error.get("msg", ""))
    else:
        reason = say("值无效", "invalid value")
    return f"{where}{say('：', ': ')}{reason}" if where else reason


def described(errors: Sequence[Mapping[str, Any]]) -> str:
    """Every problem of a refused request, each naming its field: ``page：应为整数；until：…``."""
    return say("；", "; ").join(_one(e) for e in errors)
