"""The lists the web app pages through: their columns, filters, text search, sort and privacy.

A list is a frame and a spec. ``page`` filters, sorts and slices it in a few vectorized steps, and
blanks the private figures of the rows the user may not see (flagging them ``restricted``), so that
a town officer never receives another town's tax, in the list, the export or anything else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.access import User
from landrenewal.domain.fields import ENTITIES, Kind
from landrenewal.domain.language import say
from landrenewal.domain.privacy import Pools, is_private
from landrenewal.domain.zone_figures import PRIVATE_FIGURES as ZONE_PRIVATE_FIGURES
from landrenewal.domain.zone_figures import visible_part


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    en: str
    kind: str = "text"  # text | number | date | code
    # a code only programs read (a rule's id beside its name): GIS files keep it, a spreadsheet does not
    for_programs: bool = False


@dataclass(frozen=True)
class ListSpec:
    name: str
    columns: tuple[Column, ...]
    search: tuple[str, ...]  # columns that ``q`` looks in (contains, case-insensitive)
    filters: Mapping[str, str]  # query parameter → column; comma-separated values match any
    default_sort: str
    division_column: str = "division_code"  # whose town owns each row's private figures
    place_column: str = ""  # where each row lies, for the ``town`` filter (default: division_column)
    # public columns that order the rows whose sort value the user may not see (default: the first column)
    key: tuple[str, ...] = ()
    multi: frozenset[str] = frozenset()  # filter columns holding "|"-joined values (a row matches any)
    # Text columns that may quote private figures → their copy with those figures taken out.
    public_versions: Mapping[str, str] = field(default_factory=dict)
    # … → their copy with only the aggregates taken out (for rows whose aggregates pool too few units),
    # and the column naming each row's evaluation unit, whose group the aggregates pool.
    pooled_versions: Mapping[str, str] = field(default_factory=dict)
    pool_column: str = "unit_key"
    # Rows (zones) whose private figures sum several towns' units: a town officer reads its own part.
    split_by_town: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", (self.columns[0].name,))
        if not self.place_column:
            object.__setattr__(self, "place_column", self.division_column)

    @property
    def private(self) -> list[str]:
        return [c.name for c in self.columns if is_private(c.name)]

    def described(self) -> list[dict[str, str | bool]]:
        return [
            {"name": c.name, "label_zh": c.zh, "label_en": c.en, "kind": c.kind, "private": is_private(c.name)}
            for c in self.columns
        ]


class ListError(ValueError):
    """A query the list cannot answer: names the parameter and the reason."""


MAX_PAGE_SIZE = 500


def filtered(frame: pd.DataFrame, spec: ListSpec, params: Mapping[str, str], user: User) -> pd.DataFrame:
    """The rows matching the filters and the text search, sorted as asked.

    A private column sorts and filters only the rows ``user`` may see; the others match no filter
    on it and come after them, in the order of the list's public key, as if their values were unknown.
    """
    keep = np.ones(len(frame), dtype=bool)
    private = set(spec.private)
    # Rows split by town already hold only the user's own part of their figures (own_parts): those
    # are the user's to sort by, and a row with no part of the user's has none (unknown, last).
    judged = private and not spec.split_by_town
    visible = user.private_mask(frame[spec.division_column]) if judged else np.ones(len(frame), dtype=bool)
    town = params.get("town")
    if town:
        keep &= frame[spec.place_column].astype("string").fillna("").str.startswith(town).to_numpy(dtype=bool)
    for param, column in spec.filters.items():
        raw = params.get(param)
        if not raw:
            continue
        wanted = [v for v in raw.split(",") if v]
        values = frame[column].astype("string").fillna("")
        if column in spec.multi:
            hits = np.zeros(len(frame), dtype=bool)
            for value in wanted:
                hits |= ("|" + values + "|").str.contains(f"|{value}|", regex=False).to_numpy(dtype=bool)
            keep &= hits
        else:
            keep &= values.isin(wanted).to_numpy(dtype=bool)
        if column in private:
            keep &= visible
    text = (params.get("q") or "").strip()
    if text:
        hits = np.zeros(len(frame), dtype=bool)
        for column in spec.search:
            hits |= (
                frame[column]
                .astype("string")
                .str.contains(text, case=False, regex=False)
                .fillna(False)
                .to_numpy(dtype=bool)
            )
        keep &= hits
    sort = params.get("sort") or spec.default_sort
    if sort not in {c.name for c in spec.columns}:
        raise ListError(say(f"sort：不能按 {sort!r} 排序", f"sort: no column {sort!r} to sort by"))
    order = params.get("order") or "asc"
    if order not in ("asc", "desc"):
        raise ListError(say(f"order：应为 asc 或 desc，而不是 {order!r}", f"order: must be asc or desc, not {order!r}"))
    ascending = order == "asc"
    if sort not in private or visible[keep].all():
        return frame[keep].sort_values(sort, ascending=ascending, na_position="last", kind="stable")
    seen = frame[keep & visible].sort_values(sort, ascending=ascending, na_position="last", kind="stable")
    unseen = frame[keep & ~visible].sort_values(list(spec.key), kind="stable")
    return pd.concat([seen, unseen])


@dataclass(frozen=True)
class Disclosure:
    """What a list needs besides its rows to decide what a user may read of them."""

    pools: Pools | None = None  # who the industry means quoted in the rows pool
    min_pooled: int = 0
    parts: pd.DataFrame | None = None  # zone_no, owner and the private figures of each town's part


NOTHING_MORE = Disclosure()


def own_parts(frame: pd.DataFrame, spec: ListSpec, user: User, disclosure: Disclosure) -> pd.DataFrame:
    """Rows whose figures sum several towns' units, as ``user`` may read them: a zone holding other
    towns' figures shows the user's own town's part of them (none when it has none), marked ``partial``.
    Done before filtering and sorting, so that neither can use the other towns' part."""
    if not spec.split_by_town:
        return frame
    if user.sees_all_private or disclosure.parts is None:
        return frame.assign(partial=False)
    parts = disclosure.parts
    seen = visible_part(parts, user.private_mask(parts["owner"]))
    own = seen.reindex(frame["zone_no"].to_numpy())
    partial = own["partial"].fillna(False).to_numpy(dtype=bool)
    out = frame.assign(partial=partial)
    for column in ZONE_PRIVATE_FIGURES:
        if column in out.columns:
            out[column] = np.where(partial, own[column].to_numpy(dtype="float64"), out[column].astype("float64"))
    return out


def private_hidden(
    rows: pd.DataFrame, spec: ListSpec, user: User, disclosure: Disclosure = NOTHING_MORE
) -> pd.DataFrame:
    """``rows`` with the private figures blanked where ``user`` may not see them, and a ``restricted`` flag.

    Text quoting an aggregate (an industry mean) keeps it only where the units it pools that the
    user may not see are none or at least ``min_pooled`` (domain/privacy.py). Rows split by town
    (``own_parts``) already hold only what the user may read; ``restricted`` says they are a part.
    """
    if spec.split_by_town:
        # ``partial``: the figures are the user's town's part; ``restricted``: not even a part is the user's
        partial = rows["partial"] if "partial" in rows.columns else pd.Series(False, index=rows.index)
        figures = [c for c in ZONE_PRIVATE_FIGURES if c in rows.columns]
        none_own = rows[figures].isna().all(axis=1) if figures else pd.Series(True, index=rows.index)
        return rows.assign(partial=partial, restricted=partial & none_own)
    columns = [c for c in spec.private if c in rows.columns]
    quoting = {c: p for c, p in spec.public_versions.items() if c in rows.columns}
    hiding = bool(columns or quoting)
    allowed = user.private_mask(rows[spec.division_column]) if hiding else np.ones(len(rows), dtype=bool)
    out = rows.copy()
    for column in columns:
        out[column] = out[column].astype("float64").where(allowed)
    pooled = _pooled(rows, spec, user, disclosure.pools, disclosure.min_pooled)
    for column, own in spec.pooled_versions.items():
        if column in rows.columns:
            out[column] = out[column].where(pooled, out[own])
    for column, public in quoting.items():
        out[column] = out[column].where(allowed, out[public])
    out["restricted"] = ~allowed if hiding else False
    return out


def _pooled(
    rows: pd.DataFrame, spec: ListSpec, user: User, pools: Pools | None, min_pooled: int
) -> npt.NDArray[np.bool_]:
    """Per row: may its aggregates be shown to ``user``?"""
    if user.sees_all_private:
        return np.ones(len(rows), dtype=bool)
    if pools is None or spec.pool_column not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    return pools.shown(rows[spec.pool_column], user.private_mask(pd.Series(pools.towns, dtype="string")), min_pooled)


MAX_PAGE = 10**9


def page(
    frame: pd.DataFrame, spec: ListSpec, params: Mapping[str, str], user: User, disclosure: Disclosure = NOTHING_MORE
) -> dict[str, Any]:
    """One page of a list, as the API returns it."""
    number = _positive(params, "page", 1)
    size = _positive(params, "page_size", 50)
    if size > MAX_PAGE_SIZE:
        raise ListError(say(f"page_size：每页最多 {MAX_PAGE_SIZE} 行", f"page_size: at most {MAX_PAGE_SIZE} rows"))
    rows = filtered(own_parts(frame, spec, user, disclosure), spec, params, user)
    chunk = rows.iloc[(number - 1) * size : number * size]
    shown = private_hidden(chunk, spec, user, disclosure)
    names = [c.name for c in spec.columns] + ["restricted"] + (["partial"] if spec.split_by_town else [])
    return {
        "items": records(shown[[n for n in names if n in shown.columns]]),
        "total": len(rows),
        "page": number,
        "page_size": size,
        "columns": spec.described(),
    }


def _positive(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PAGE:  # a page past any list, and far below the stores' integers
        raise ListError(
            say(
                f"{name}：应为 1 到 {MAX_PAGE} 的整数，而不是 {raw!r}",
                f"{name}: a whole number from 1 to {MAX_PAGE}, not {raw!r}",
            )
        )
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: NaN → null, timestamps → ISO dates, numpy scalars → Python."""
    out: list[dict[str, Any]] = frame.astype(object).where(frame.notna(), None).to_dict("records")  # type: ignore[assignment]
    for row in out:
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                row[key] = value.date().isoformat()
            elif isinstance(value, np.generic):
                row[key] = value.item()
            if isinstance(row[key], float) and not math.isfinite(row[key]):
                row[key] = None
    return out


def labelled(rows: pd.DataFrame, spec: ListSpec, *, for_reading: bool) -> pd.DataFrame:
    """The columns of ``spec`` under the reader's headers; ``for_reading`` (a spreadsheet) leaves
    out the codes only programs read."""
    present = [c for c in spec.columns if c.name in rows.columns and not (for_reading and c.for_programs)]
    return rows[[c.name for c in present]].rename(columns={c.name: say(c.zh, c.en) for c in present})


_TOWN = Column("town_name", "镇街", "Town")
_VILLAGE = Column("village_name", "村", "Village")
_MU = Column("area_mu", "面积（亩）", "Area (mu)", "number")
_CLASS = Column("class", "类别", "Class", "code")

PARCELS = ListSpec(
    "parcels",
    (
        Column("parcel_code", "宗地代码", "Parcel code", "code"),
        Column("division_code", "行政区划代码", "Division code", "code"),
        _TOWN,
        _VILLAGE,
        Column("land_use_code", "土地用途代码", "Land use", "code"),
        Column("rights_type", "权利性质", "Rights type"),
        Column("rights_holder", "权利人", "Rights holder"),
        _MU,
        _CLASS,
        Column("finding_count", "认定条数", "Findings", "number"),
        Column("categories", "低效类型", "Categories"),
        Column("zone_no", "所在片区", "Zone", "number"),
    ),
    search=("parcel_code", "rights_holder"),
    filters={"class": "class", "category": "categories", "rule": "rules", "zone": "zone_no"},
    default_sort="parcel_code",
    multi=frozenset({"categories", "rules"}),
)

ENTERPRISES = ListSpec(
    "enterprises",
    (
        Column("uscc", "统一社会信用代码", "USCC", "code"),
        Column("name", "企业名称", "Name"),
        Column("industry_code", "行业代码", "Industry", "code"),
        Column("scale", "企业规模", "Scale"),
        Column("division_code", "行政区划代码", "Division code", "code"),
        _TOWN,
        _CLASS,
        Column("score", "得分", "Score", "number"),
        Column("rank", "排名", "Rank", "number"),
        Column("parcel_count", "在用宗地数", "Parcels", "number"),
        Column("land_mu", "用地面积（亩）", "Land (mu)", "number"),
        Column("tax_wan", "税收（万元）", "Tax (10k yuan)", "number"),
        Column("tax_per_mu", "亩均税收（万元/亩）", "Tax per mu", "number"),
        Column("value_added_per_mu", "亩均增加值（万元/亩）", "Value added per mu", "number"),
    ),
    search=("uscc", "name"),
    filters={"class": "class", "scale": "scale", "industry": "industry_code"},
    default_sort="uscc",
    division_column="figures_division",  # the unit's figures: its town's, or the city's when it spans towns
    place_column="division_code",
)

EVALUATION = ListSpec(
    "evaluation",
    (
        Column("unit_key", "评价单元", "Unit", "code"),
        Column("uscc", "统一社会信用代码", "USCC", "code"),
        Column("name", "企业名称", "Name"),
        Column("division_code", "行政区划代码", "Division code", "code"),
        _TOWN,
        Column("list", "名单", "List", "code"),
        Column("status", "评价状态", "Status", "code"),
        _CLASS,
        Column("score", "得分", "Score", "number"),
        Column("rank", "名单内排名", "Rank", "number"),
        Column("rank_size", "参评数", "Ranked", "number"),
        Column("land_mu", "用地面积（亩）", "Land (mu)", "number"),
        Column("tax_per_mu", "亩均税收（万元/亩）", "Tax per mu", "number"),
        Column("value_added_per_mu", "亩均增加值（万元/亩）", "Value added per mu", "number"),
        Column("value_added_per_tce", "单位能耗增加值（万元/吨标煤）", "Value added per tce", "number"),
        Column("rd_share", "研发经费占比", "R&D share", "number"),
    ),
    search=("uscc", "name", "unit_key"),
    filters={"class": "class", "list": "list", "status": "status"},
    default_sort="rank",
    division_column="figures_division",
    place_column="division_code",
    key=("uscc",),
)

FINDINGS = ListSpec(
    "findings",
    (
        Column("parcel_code", "宗地代码", "Parcel code", "code"),
        Column("division_code", "行政区划代码", "Division code", "code"),
        _TOWN,
        _MU,
        Column("category", "低效类型", "Category"),
        Column("rule_id", "规则编号", "Rule", "code", for_programs=True),
        Column("rule_name", "规则", "Rule name"),
        Column("evidence", "证据", "Evidence"),
        Column("threshold", "阈值", "Threshold"),
        Column("clause", "政策依据", "Clause"),
        Column("milestone", "处置节点", "Milestone"),
    ),
    search=("parcel_code", "rule_name", "evidence_public"),
    filters={"category": "category", "rule": "rule_id"},
    default_sort="parcel_code",
    division_column="figures_division",  # an evaluation finding quotes its unit's figures
    place_column="division_code",
    public_versions={"evidence": "evidence_public", "threshold": "threshold_public"},
    pooled_versions={"evidence": "evidence_own", "threshold": "threshold_own"},
    key=("parcel_code", "rule_id"),
)

ZONES = ListSpec(
    "zones",
    (
        Column("zone_no", "片区编号", "Zone", "number"),
        Column("town_name", "所在镇街", "Town"),
        Column("village_name", "所在村", "Village"),
        Column("area_mu", "宗地面积合计（亩）", "Area (mu)", "number"),
        Column("outline_mu", "片区范围面积（亩）", "Outline (mu)", "number"),
        Column("parcel_count", "宗地数", "Parcels", "number"),
        Column("enterprise_count", "在地企业数", "Enterprises", "number"),
        Column("holder_count", "权利人数", "Rights holders", "number"),
        Column("state_mu", "国有土地（亩）", "State land (mu)", "number"),
        Column("collective_mu", "集体土地（亩）", "Collective land (mu)", "number"),
        Column("tax_per_mu", "亩均税收（万元/亩）", "Tax per mu", "number"),
        Column("class_c_mu", "C类用地（亩）", "Class C (mu)", "number"),
        Column("class_d_mu", "D类用地（亩）", "Class D (mu)", "number"),
        Column("finding_mu", "有认定结果的面积（亩）", "Finding area (mu)", "number"),
        Column("verdict", "政策判断", "Verdict"),
        Column("big_zone_name", "所在大圈", "Big zone"),
        Column("middle_zone_name", "所在中圈", "Middle zone"),
        Column("small_zone_name", "所在小圈", "Small zone"),
    ),
    search=("town_name", "village_name", "verdict", "big_zone_name", "middle_zone_name", "small_zone_name"),
    filters={"verdict": "verdict"},
    default_sort="zone_no",
    division_column="town_code",
    split_by_town=True,
)


def _entity_columns(entity: str, *skip: str) -> tuple[Column, ...]:
    """A store table's own fields, under the headers its imports use."""
    kinds = {Kind.FLOAT: "number", Kind.INT: "number", Kind.SHARE: "number", Kind.DATE: "date", Kind.CODE: "code"}
    return tuple(
        Column(f.name, f.header, f.header_en, kinds.get(f.kind, "text"))
        for f in ENTITIES[entity].fields
        if f.name not in skip
    )


_DIVISION = Column("division_code", "行政区划代码", "Division code", "code")

BUILDINGS = ListSpec(
    "buildings",
    (
        *_entity_columns("buildings")[:2],
        _DIVISION,
        _TOWN,
        _VILLAGE,
        *_entity_columns("buildings", "building_code", "parcel_code"),
    ),
    search=("building_code", "parcel_code"),
    filters={"use_type": "use_type", "parcel": "parcel_code"},
    default_sort="building_code",
)

METRICS = ListSpec(
    "metrics",
    (
        Column("uscc", "统一社会信用代码", "USCC", "code"),
        Column("name", "企业名称", "Name"),
        _DIVISION,
        _TOWN,
        *_entity_columns("metrics", "uscc"),
    ),
    search=("uscc", "name"),
    filters={"year": "year", "uscc": "uscc"},
    default_sort="uscc",
    key=("uscc", "year"),
)

LISTS = {spec.name: spec for spec in (PARCELS, ENTERPRISES, EVALUATION, FINDINGS, ZONES, BUILDINGS, METRICS)}
