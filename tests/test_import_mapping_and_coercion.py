"""Column mapping from Chinese headers (with units) and cell coercion, as clerks' spreadsheets need."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.language import speaking
from landrenewal.importing.coerce import coerce
from landrenewal.importing.mapping import MappingError, load_user_mapping, map_columns
from landrenewal.importing.report import Problems
from tests import filemakers


def _coerce(kind: str, raw: pd.DataFrame, mapping_file: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = ENTITIES[kind]
    user = load_user_mapping(mapping_file, kind) if mapping_file else None
    columns = map_columns(spec, list(raw.columns), user)
    problems = Problems("t.xlsx", np.arange(2, len(raw) + 2))
    return coerce(raw, spec, columns, problems), problems.frame


def test_common_chinese_headers_map_and_units_convert() -> None:
    raw = pd.DataFrame(
        {
            "统一社会信用代码": ["91440300708461136T"],
            "年度": [2025],
            "税收（元）": ["1,234,500"],
            "工业增加值(万元)": [300.5],
            "用电量（千瓦时）": [125000],
            "综合能耗（吨标准煤）": [80],
            "备注": ["x"],
        }
    )
    frame, problems = _coerce("metrics", raw)
    assert problems.empty
    assert frame.loc[0, "tax_wan"] == pytest.approx(123.45)  # 元 → 万元
    assert frame.loc[0, "electricity_wan_kwh"] == pytest.approx(12.5)  # kWh → 万kWh
    assert frame.loc[0, "value_added_wan"] == pytest.approx(300.5)
    assert frame.loc[0, "energy_tce"] == pytest.approx(80.0)


def test_area_headers_route_by_their_unit() -> None:
    columns = map_columns(ENTITIES["parcels"], ["宗地代码", "宗地面积", "宗地面积（亩）", "宗地面积（公顷）"])
    assert columns.columns["registered_area_m2"].header == "宗地面积"
    assert columns.columns["registered_area_mu"].header == "宗地面积（亩）"
    assert columns.columns["registered_area_ha"].header == "宗地面积（公顷）"
    assert all(c.factor == 1.0 for c in columns.columns.values())


def test_dates_in_the_forms_clerks_write_them() -> None:
    raw = pd.DataFrame(
        {
            "统一社会信用代码": ["91440300708461136T"] * 6,
            "宗地代码": ["A"] * 6,
            "起始日期": [dt.datetime(2021, 3, 5), "2021-03-05", "2021/3/5", "2021年3月5日", "20210305", 44260],
            "用地占比": [1, "100%", 0.5, "50%", 0.25, 0.25],
        }
    )
    frame, problems = _coerce("occupancy", raw)
    assert problems.empty, problems
    assert (frame["start_date"] == pd.Timestamp("2021-03-05")).all()
    assert list(frame["land_share"]) == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]


def test_a_date_with_a_time_after_it_is_that_day_and_a_bad_time_is_still_refused() -> None:
    written = ["2021/03/05 00:00:00", "2021-3-5 13:45", "2021-03-05T00:00:00", "2021年3月5日 0时0分0秒", "2021/3/5 99"]
    uscc = ["91440300708461136T"] * 5
    raw = pd.DataFrame({"统一社会信用代码": uscc, "宗地代码": ["A"] * 5, "起始日期": written, "用地占比": [1] * 5})
    frame, problems = _coerce("occupancy", raw)
    assert (frame["start_date"][:4] == pd.Timestamp("2021-03-05")).all()
    assert {(r.row, r.field) for r in problems.itertuples()} == {(6, "start_date")}, problems


def test_unreadable_cells_name_row_field_and_reason() -> None:
    raw = pd.DataFrame(
        {
            "统一社会信用代码": ["91440300708461136T", None],
            "年度": [2025, "二〇二五"],
            "税收": ["12.5万", -5e6],
        }
    )
    _, problems = _coerce("metrics", raw)
    found = {(r.row, r.field) for r in problems.itertuples()}
    assert found == {(2, "tax_wan"), (3, "uscc"), (3, "year"), (3, "tax_wan")}
    reasons = problems.set_index(["row", "field"])["reason"]
    assert "不是数字" in reasons[(2, "tax_wan")]
    assert "必填" in reasons[(3, "uscc")]
    assert "下限" in reasons[(3, "tax_wan")]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_numbers_lose_separators_and_every_kind_of_space(dtype: object) -> None:
    """What Python's \\s is (str.isspace), no narrower: an ideographic space, a no-break space, a vertical tab."""
    written = ["1,234.5", "1，234.5", "1\u3000234.5", "1\xa0234.5", " 1\x0b234.5 ", "1\u2028234.5", "1\x1c234.5"]
    n = len(written)
    raw = pd.DataFrame(
        {"统一社会信用代码": ["91440300708461136T"] * n, "年度": list(range(2019, 2019 + n)), "税收": written},
        dtype=dtype,
    )
    frame, problems = _coerce("metrics", raw)
    assert problems.empty, problems
    assert list(frame["tax_wan"]) == [1234.5] * n


def test_codes_keep_leading_zeros_and_lose_spreadsheet_decimals() -> None:
    raw = pd.DataFrame({"宗地代码": ["0012"], "行政区划代码": [440785100201.0], "土地用途": ["0601"]})
    geom_free, _ = _coerce("parcels", raw)
    assert geom_free.loc[0, "parcel_code"] == "0012"
    assert geom_free.loc[0, "division_code"] == "440785100201"
    assert geom_free.loc[0, "land_use_code"] == "0601"


def test_enum_values_in_chinese(tmp_path: Path) -> None:
    raw = pd.DataFrame(
        {
            "统一社会信用代码": ["91440300708461136T"] * 3,
            "企业名称": ["甲", "乙", "丙"],
            "行业代码": ["C3411"] * 3,
            "是否规上": ["是", "规下", "大型"],
        }
    )
    frame, problems = _coerce("enterprises", raw)
    assert list(frame["scale"][:2]) == ["above", "below"]
    assert problems.iloc[0]["row"] == 4 and problems.iloc[0]["field"] == "scale"


def test_mapping_file_names_columns_and_units(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "parcels:\n  parcel_code: 地块号\n  registered_area_mu: 面积\n  units:\n    registered_area_mu: 亩\n",
        encoding="utf-8",
    )
    columns = map_columns(ENTITIES["parcels"], ["地块号", "面积"], load_user_mapping(mapping, "parcels"))
    assert columns.columns["parcel_code"].header == "地块号"
    assert columns.columns["registered_area_mu"].header == "面积"

    bad = tmp_path / "bad.yaml"
    bad.write_text("parcels:\n  parcel_kode: 地块号\n", encoding="utf-8")
    with pytest.raises(MappingError, match="parcel_kode"):
        load_user_mapping(bad, "parcels")
    with pytest.raises(MappingError, match="不在文件中"):
        map_columns(ENTITIES["parcels"], ["宗地号"], load_user_mapping(mapping, "parcels"))


def test_missing_required_column_is_a_file_level_problem() -> None:
    raw = pd.DataFrame({"企业名称": ["甲"]})
    _, problems = _coerce("enterprises", raw)
    assert {"uscc", "industry_code", "scale"} <= set(problems[problems["row"] == 0]["field"])


def test_cells_that_cannot_be_read_and_mapping_mistakes_are_said_whole_in_the_readers_language(
    tmp_path: Path,
) -> None:
    raw = pd.DataFrame({"USCC": [None, "91440300708461136T"], "QYMC": ["A", "B"], "GM": ["above", "huge"]})
    bad = tmp_path / "bad.yaml"
    bad.write_text("- parcel_code\n- DKH\n", encoding="utf-8")  # a list, not a dictionary
    for language, whole in (("zh", filemakers.whole_chinese), ("en", filemakers.whole_english)):
        with speaking(language):
            _, problems = _coerce("enterprises", raw)
            with pytest.raises(MappingError) as refused:
                load_user_mapping(bad, "parcels")
        assert len(problems) == 4 and all(whole(r) for r in problems["reason"]), list(problems["reason"])
        said = str(refused.value).replace(str(bad), "")
        assert whole(said), said
    with speaking("en"):
        _, problems = _coerce("enterprises", raw)
    reasons = problems.set_index(["row", "field"])["reason"]
    assert reasons[(0, "industry_code")] == (
        'the required column "Industry code" is missing; accepted headers: industry_code, HYDM, '
        "or name it in a mapping file"
    )
    assert reasons[(2, "uscc")] == 'the required value "USCC" is missing'
    assert list(reasons[(3, "scale")]) == [
        "an unknown value; expected one of: above, below",
        'the required value "Scale" is missing',
    ]
