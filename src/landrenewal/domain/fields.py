"""The fields of every inventory record: one table that drives import, validation and export.

Each field has a canonical name (the column in the store), a Chinese label and unit for
spreadsheet headers, the headers files commonly use for it, its kind, whether it is
required, its plausible range, and a short ASCII name for shapefiles (10 bytes at most).
Change a field here and import, validation, the store and export follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from landrenewal.domain.language import say


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"  # text of digits/letters, never a number: leading zeros matter
    INT = "int"
    FLOAT = "float"
    DATE = "date"
    ENUM = "enum"
    SHARE = "share"  # 0–1; files may give a percentage


@dataclass(frozen=True)
class FieldSpec:
    name: str
    zh: str
    kind: Kind
    short: str
    unit: str | None = None  # the stored unit (a key of units.UNITS, or a label such as "年")
    required: bool = False
    key: bool = False
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    choices: dict[str, str] = field(default_factory=dict)  # value in a file → stored value
    labels: dict[str, str] = field(default_factory=dict)  # stored value → Chinese label
    en: str = ""  # the English name, for the UI's English labels
    # An enterprise's own figure: shown only inside the enterprise's jurisdiction (domain/privacy.py).
    private: bool = False

    @property
    def header(self) -> str:
        """The Chinese header for spreadsheets, with the unit as people write it: ``综合能耗（吨标准煤）``."""
        return f"{self.zh}（{UNITS_ZH.get(self.unit, self.unit)}）" if self.unit else self.zh

    @property
    def header_en(self) -> str:
        """The English header, with the unit in English: ``Registered area (m²)``."""
        unit = UNITS_EN.get(self.unit, self.unit) if self.unit else None
        return f"{self.en} ({unit})" if unit else self.en

    @property
    def below_reason(self) -> str:
        """Why a value under ``minimum`` is refused, as import reports and edit forms say it."""
        if self.minimum == 0:
            return say("不能为负数", "must not be negative")
        zh, en = self._units()
        return say(f"小于合理下限 {self.minimum:g}{zh}", f"below the plausible minimum of {self.minimum:g}{en}")

    @property
    def above_reason(self) -> str:
        zh, en = self._units()
        share = self.kind is Kind.SHARE
        return say(
            f"超过合理上限 {self.maximum:g}{zh}，疑为单位错误" + ("；若为百分数请写 %" if share else ""),
            f"above the plausible maximum of {self.maximum:g}{en}: wrong unit?"
            + ("; write % for a percentage" if share else ""),
        )

    def _units(self) -> tuple[str, str]:
        """The unit after a number, as the Chinese and the English reader write it."""
        if not self.unit:
            return "", ""
        return f" {UNITS_ZH.get(self.unit, self.unit)}", f" {UNITS_EN.get(self.unit, self.unit)}"

    def range_problem(self, value: float) -> str | None:
        """The reason one number is out of this field's plausible range, or None."""
        if self.minimum is not None and value < self.minimum:
            return self.below_reason
        if self.maximum is not None and value > self.maximum:
            return self.above_reason
        return None


@dataclass(frozen=True)
class EntitySpec:
    kind: str  # divisions | parcels | buildings | enterprises | occupancy | metrics | planning_zones
    zh: str
    table: str
    fields: tuple[FieldSpec, ...]
    geometry: str | None = None  # MultiPolygon geometry column, if the entity has one
    geometry_required: bool = False

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.key)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# The stored units as Chinese headers write them (units.parse_unit reads them back to the same unit).
UNITS_ZH = {"tce": "吨标准煤", "kWh": "千瓦时", "万kWh": "万千瓦时", "t": "吨"}
# The stored units' English names (the others read the same in both languages).
UNITS_EN = {
    "亩": "mu",
    "公顷": "ha",
    "万元": "10k yuan",
    "万元/亩": "10k yuan/mu",
    "人": "persons",
    "万kWh": "10k kWh",
}

RIGHTS_TYPE = {
    "国有": "state",
    "国有土地": "state",
    "国有建设用地": "state",
    "state": "state",
    "集体": "collective",
    "集体土地": "collective",
    "集体建设用地": "collective",
    "collective": "collective",
}
RIGHTS_TYPE_ZH = {"state": "国有", "collective": "集体"}

SCALE = {
    "规上": "above",
    "规模以上": "above",
    "是": "above",
    "1": "above",
    "above": "above",
    "Y": "above",
    "y": "above",
    "true": "above",
    "True": "above",
    "规下": "below",
    "规模以下": "below",
    "否": "below",
    "0": "below",
    "below": "below",
    "N": "below",
    "n": "below",
    "false": "below",
    "False": "below",
}
SCALE_ZH = {"above": "规上", "below": "规下"}

TENURE = {
    "自有": "owned",
    "自用": "owned",
    "自建": "owned",
    "owned": "owned",
    "租赁": "rented",
    "租用": "rented",
    "承租": "rented",
    "rented": "rented",
}
TENURE_ZH = {"owned": "自有", "rented": "租赁"}

BUILDING_USE = {
    "生产": "production",
    "厂房": "production",
    "生产用房": "production",
    "production": "production",
    "仓储": "warehouse",
    "仓库": "warehouse",
    "warehouse": "warehouse",
    "办公": "office",
    "行政办公": "office",
    "office": "office",
    "生活": "living",
    "宿舍": "living",
    "生活服务": "living",
    "living": "living",
    "其他": "other",
    "other": "other",
}
BUILDING_USE_ZH = {"production": "生产", "warehouse": "仓储", "office": "办公", "living": "生活服务", "other": "其他"}

_F, _D, _T, _C, _E, _I, _S = (Kind.FLOAT, Kind.DATE, Kind.TEXT, Kind.CODE, Kind.ENUM, Kind.INT, Kind.SHARE)

DIVISIONS = EntitySpec(
    "divisions",
    "行政区划",
    "divisions",
    (
        FieldSpec(
            "division_code",
            "行政区划代码",
            _C,
            "XZQDM",
            required=True,
            key=True,
            aliases=("行政区划代码", "区划代码", "行政区代码", "XZQDM", "code"),
            en="Division code",
        ),
        FieldSpec(
            "name",
            "名称",
            _T,
            "XZQMC",
            required=True,
            aliases=("名称", "行政区名称", "区划名称", "XZQMC", "name"),
            en="Name",
        ),
    ),
    geometry="geom",
)

PARCELS = EntitySpec(
    "parcels",
    "宗地",
    "parcels",
    (
        FieldSpec(
            "parcel_code",
            "宗地代码",
            _C,
            "ZDDM",
            required=True,
            key=True,
            aliases=(
                "宗地代码",
                "宗地编码",
                "宗地编号",
                "地块编号",
                "地块编码",
                "地块代码",
                "不动产单元号",
                "ZDDM",
                "DKBM",
                "parcel_code",
            ),
            en="Parcel code",
        ),
        FieldSpec(
            "division_code",
            "行政区划代码",
            _C,
            "XZQDM",
            aliases=("行政区划代码", "所在村代码", "村代码", "区划代码", "XZQDM"),
            en="Division code",
        ),
        FieldSpec(
            "land_use_code",
            "土地用途代码",
            _C,
            "DLBM",
            aliases=("土地用途代码", "地类编码", "地类代码", "用途代码", "土地用途", "DLBM"),
            en="Land use code",
        ),
        FieldSpec(
            "rights_type",
            "权利性质",
            _E,
            "QLXZ",
            aliases=("权利性质", "土地所有权性质", "所有权性质", "权属性质", "QLXZ"),
            choices=RIGHTS_TYPE,
            labels=RIGHTS_TYPE_ZH,
            en="Rights type",
        ),
        FieldSpec(
            "rights_holder",
            "权利人",
            _T,
            "QLR",
            aliases=("权利人", "土地使用权人", "使用权人", "权属单位", "QLR"),
            en="Rights holder",
        ),
        FieldSpec(
            "registered_area_m2",
            "宗地面积",
            _F,
            "ZDMJ",
            unit="m²",
            minimum=0.0,
            maximum=1e8,
            aliases=("宗地面积", "登记面积", "用地面积", "土地面积", "ZDMJ"),
            en="Registered area",
        ),
        FieldSpec(
            "registered_area_mu",
            "宗地面积",
            _F,
            "MJ_MU",
            unit="亩",
            minimum=0.0,
            maximum=1.5e5,
            aliases=("面积亩", "用地面积亩", "亩数", "用地面积", "土地面积", "MJ_MU"),
            en="Registered area",
        ),
        FieldSpec(
            "registered_area_ha",
            "宗地面积",
            _F,
            "MJ_HA",
            unit="公顷",
            minimum=0.0,
            maximum=1e4,
            aliases=("面积公顷", "公顷数", "用地面积", "土地面积", "MJ_HA"),
            en="Registered area",
        ),
        FieldSpec(
            "approved_date",
            "批准日期",
            _D,
            "PZRQ",
            aliases=("批准日期", "批准时间", "农转用批准日期", "PZRQ"),
            en="Approved",
        ),
        FieldSpec(
            "supplied_date",
            "供地日期",
            _D,
            "GDRQ",
            aliases=("供地日期", "供地时间", "出让日期", "合同签订日期", "GDRQ"),
            en="Supplied",
        ),
        FieldSpec(
            "agreed_start_date",
            "约定动工日期",
            _D,
            "YDDG",
            aliases=("约定动工日期", "约定开工日期", "约定开工时间", "YDDG"),
            en="Agreed start",
        ),
        FieldSpec(
            "actual_start_date",
            "实际动工日期",
            _D,
            "SJDG",
            aliases=("实际动工日期", "实际开工日期", "动工日期", "开工日期", "SJDG"),
            en="Actual start",
        ),
        FieldSpec(
            "agreed_completion_date",
            "约定竣工日期",
            _D,
            "YDJG",
            aliases=("约定竣工日期", "约定竣工时间", "YDJG"),
            en="Agreed completion",
        ),
        FieldSpec(
            "completion_date",
            "竣工日期",
            _D,
            "JGRQ",
            aliases=("竣工日期", "实际竣工日期", "竣工时间", "JGRQ"),
            en="Completed",
        ),
        FieldSpec(
            "production_date", "投产日期", _D, "TCRQ", aliases=("投产日期", "投产时间", "TCRQ"), en="In production"
        ),
        FieldSpec(
            "stopped_date",
            "停工日期",
            _D,
            "TGRQ",
            aliases=("停工日期", "停止开发日期", "中止开发日期", "TGRQ"),
            en="Stopped",
        ),
        FieldSpec(
            "agreed_far",
            "约定容积率",
            _F,
            "YDRJL",
            minimum=0.0,
            maximum=20.0,
            aliases=("约定容积率", "容积率下限", "出让容积率", "YDRJL"),
            en="Agreed FAR",
        ),
        FieldSpec(
            "agreed_investment_intensity_wan_per_mu",
            "约定投资强度",
            _F,
            "YDTZQD",
            unit="万元/亩",
            minimum=0.0,
            maximum=1e5,
            aliases=("约定投资强度", "投资强度", "YDTZQD"),
            en="Agreed investment intensity",
        ),
        FieldSpec(
            "total_investment_wan",
            "约定总投资",
            _F,
            "ZTZ",
            unit="万元",
            minimum=0.0,
            maximum=1e8,
            aliases=("约定总投资", "总投资", "计划总投资", "ZTZ"),
            en="Agreed total investment",
        ),
        FieldSpec(
            "invested_wan",
            "已完成投资",
            _F,
            "YWCTZ",
            unit="万元",
            minimum=0.0,
            maximum=1e8,
            aliases=("已完成投资", "已投资额", "累计完成投资", "实际投资", "YWCTZ"),
            en="Invested",
        ),
        FieldSpec(
            "developed_area_m2",
            "已动工开发面积",
            _F,
            "YKFMJ",
            unit="m²",
            minimum=0.0,
            maximum=1e8,
            aliases=("已动工开发面积", "已开发面积", "已动工面积", "YKFMJ"),
            en="Area under development",
        ),
        FieldSpec(
            "land_price_wan",
            "土地价款",
            _F,
            "TDJK",
            unit="万元",
            minimum=0.0,
            maximum=1e8,
            aliases=("土地价款", "出让价款", "成交价", "土地出让金", "TDJK"),
            en="Land price",
        ),
    ),
    geometry="geom",
    geometry_required=True,
)

BUILDINGS = EntitySpec(
    "buildings",
    "建筑物",
    "buildings",
    (
        FieldSpec(
            "building_code",
            "建筑物编号",
            _C,
            "JZWBH",
            required=True,
            key=True,
            aliases=("建筑物编号", "建筑物代码", "幢号", "楼栋编号", "JZWBH"),
            en="Building code",
        ),
        FieldSpec(
            "parcel_code", "宗地代码", _C, "ZDDM", required=True, aliases=PARCELS.fields[0].aliases, en="Parcel code"
        ),
        FieldSpec(
            "floor_area_m2",
            "建筑面积",
            _F,
            "JZMJ",
            unit="m²",
            required=True,
            minimum=0.0,
            maximum=1e7,
            aliases=("建筑面积", "总建筑面积", "JZMJ"),
            en="Floor area",
        ),
        FieldSpec(
            "footprint_m2",
            "基底面积",
            _F,
            "JDMJ",
            unit="m²",
            minimum=0.0,
            maximum=1e7,
            aliases=("基底面积", "占地面积", "建筑占地面积", "JDMJ"),
            en="Footprint",
        ),
        FieldSpec(
            "storeys",
            "层数",
            _I,
            "CS",
            minimum=1,
            maximum=200,
            aliases=("层数", "总层数", "地上层数", "CS"),
            en="Storeys",
        ),
        FieldSpec(
            "storeys_over_8m",
            "层高超8米层数",
            _I,
            "CG8M",
            minimum=0,
            maximum=200,
            aliases=("层高超8米层数", "超8米层数", "CG8M"),
            en="Storeys over 8 m high",
        ),
        FieldSpec(
            "use_type",
            "建筑用途",
            _E,
            "JZYT",
            aliases=("建筑用途", "用途", "房屋用途", "JZYT"),
            choices=BUILDING_USE,
            labels=BUILDING_USE_ZH,
            en="Use",
        ),
    ),
    geometry="geom",
)

ENTERPRISES = EntitySpec(
    "enterprises",
    "企业",
    "enterprises",
    (
        FieldSpec(
            "uscc",
            "统一社会信用代码",
            _C,
            "TYSHXYDM",
            required=True,
            key=True,
            aliases=("统一社会信用代码", "社会信用代码", "信用代码", "USCC", "TYSHXYDM"),
            en="USCC",
        ),
        FieldSpec(
            "name",
            "企业名称",
            _T,
            "QYMC",
            required=True,
            aliases=("企业名称", "单位名称", "企业（单位）名称", "名称", "QYMC"),
            en="Name",
        ),
        FieldSpec(
            "industry_code",
            "行业代码",
            _C,
            "HYDM",
            required=True,
            aliases=("行业代码", "国民经济行业代码", "国民经济行业分类代码", "行业分类代码", "HYDM"),
            en="Industry code",
        ),
        FieldSpec(
            "scale",
            "企业规模",
            _E,
            "GM",
            required=True,
            aliases=("企业规模", "规模", "是否规上", "规上规下", "GM"),
            choices=SCALE,
            labels=SCALE_ZH,
            en="Scale",
        ),
        FieldSpec(
            "division_code",
            "行政区划代码",
            _C,
            "XZQDM",
            aliases=("行政区划代码", "所在镇街代码", "区划代码", "XZQDM"),
            en="Division code",
        ),
    ),
)

# An enterprise named in another record (its occupancy, its yearly figures): part of that record's key.
_USCC_KEY = FieldSpec(
    "uscc",
    "统一社会信用代码",
    _C,
    "TYSHXYDM",
    required=True,
    key=True,
    aliases=ENTERPRISES.fields[0].aliases,
    en="USCC",
)

OCCUPANCY = EntitySpec(
    "occupancy",
    "用地关系",
    "occupancy",
    (
        _USCC_KEY,
        FieldSpec(
            "parcel_code",
            "宗地代码",
            _C,
            "ZDDM",
            required=True,
            key=True,
            aliases=PARCELS.fields[0].aliases,
            en="Parcel code",
        ),
        FieldSpec(
            "start_date",
            "起始日期",
            _D,
            "QSRQ",
            required=True,
            key=True,
            aliases=("起始日期", "开始日期", "入驻日期", "使用起始日期", "QSRQ"),
            en="From",
        ),
        FieldSpec(
            "end_date",
            "终止日期",
            _D,
            "ZZRQ",
            aliases=("终止日期", "结束日期", "迁出日期", "使用终止日期", "ZZRQ"),
            en="Until",
        ),
        FieldSpec(
            "land_share",
            "用地占比",
            _S,
            "YDZB",
            required=True,
            minimum=0.0,
            maximum=1.0,
            aliases=("用地占比", "占地比例", "面积占比", "用地比例", "YDZB"),
            en="Land share",
        ),
        FieldSpec(
            "tenure",
            "使用方式",
            _E,
            "SYFS",
            aliases=("使用方式", "用地方式", "自有或租赁", "SYFS"),
            choices=TENURE,
            labels=TENURE_ZH,
            en="Tenure",
        ),
    ),
)

METRICS = EntitySpec(
    "metrics",
    "企业年度指标",
    "metrics",
    (
        _USCC_KEY,
        FieldSpec(
            "year",
            "年度",
            _I,
            "ND",
            required=True,
            key=True,
            minimum=1990,
            maximum=2100,
            aliases=("年度", "年份", "统计年度", "ND", "year"),
            en="Year",
        ),
        FieldSpec(
            "tax_wan",
            "税收",
            _F,
            "SS",
            unit="万元",
            minimum=-1e4,
            maximum=1e7,
            aliases=("税收", "实缴税金", "税收实际贡献", "实缴税收", "纳税额", "SS"),
            en="Tax",
            private=True,
        ),
        FieldSpec(
            "value_added_wan",
            "工业增加值",
            _F,
            "ZJZ",
            unit="万元",
            minimum=-1e6,
            maximum=1e8,
            aliases=("工业增加值", "增加值", "ZJZ"),
            en="Value added",
            private=True,
        ),
        FieldSpec(
            "revenue_wan",
            "营业收入",
            _F,
            "YYSR",
            unit="万元",
            minimum=0.0,
            maximum=1e9,
            aliases=("营业收入", "主营业务收入", "销售收入", "YYSR"),
            en="Revenue",
            private=True,
        ),
        FieldSpec(
            "output_wan",
            "工业总产值",
            _F,
            "ZCZ",
            unit="万元",
            minimum=0.0,
            maximum=1e9,
            aliases=("工业总产值", "总产值", "产值", "ZCZ"),
            en="Output",
            private=True,
        ),
        FieldSpec(
            "energy_tce",
            "综合能耗",
            _F,
            "ZHNH",
            unit="tce",
            minimum=0.0,
            maximum=1e8,
            aliases=("综合能耗", "能耗", "综合能源消费量", "ZHNH"),
            en="Energy use",
            private=True,
        ),
        FieldSpec(
            "electricity_wan_kwh",
            "用电量",
            _F,
            "YDL",
            unit="万kWh",
            minimum=0.0,
            maximum=1e7,
            aliases=("用电量", "总用电量", "工业用电量", "YDL"),
            en="Electricity",
            private=True,
        ),
        FieldSpec(
            "emissions_t",
            "主要污染物排放量",
            _F,
            "WRPF",
            unit="t",
            minimum=0.0,
            maximum=1e7,
            aliases=("主要污染物排放量", "污染物排放量", "排放量", "WRPF"),
            en="Main pollutant emissions",
            private=True,
        ),
        FieldSpec(
            "rd_spending_wan",
            "研发经费支出",
            _F,
            "YFJF",
            unit="万元",
            minimum=0.0,
            maximum=1e8,
            aliases=("研发经费支出", "研发经费", "R&D经费支出", "R&D经费", "研发投入", "YFJF"),
            en="R&D spending",
            private=True,
        ),
        FieldSpec(
            "employees_avg",
            "年平均职工人数",
            _F,
            "ZGRS",
            unit="人",
            minimum=0.0,
            maximum=1e6,
            aliases=("年平均职工人数", "平均职工人数", "从业人员平均人数", "职工人数", "从业人数", "ZGRS"),
            en="Average employees",
            private=True,
        ),
    ),
)

PLANNING_LEVEL = {
    "大圈": "big",
    "重点改造区域": "big",
    "big": "big",
    "中圈": "middle",
    "重点改造片区": "middle",
    "middle": "middle",
    "小圈": "small",
    "改造单元": "small",
    "small": "small",
}
PLANNING_LEVEL_ZH = {"big": "大圈", "middle": "中圈", "small": "小圈"}

# 大/中/小圈: the three-level renewal planning hierarchy (Dongguan, docs/zones.md).
PLANNING_ZONES = EntitySpec(
    "planning_zones",
    "改造规划分区",
    "planning_zones",
    (
        FieldSpec(
            "zone_code",
            "分区代码",
            _C,
            "FQDM",
            required=True,
            key=True,
            aliases=("分区代码", "分区编号", "圈层代码", "单元代码", "单元编号", "FQDM", "code"),
            en="Zone code",
        ),
        FieldSpec(
            "name",
            "分区名称",
            _T,
            "FQMC",
            required=True,
            aliases=("分区名称", "名称", "单元名称", "FQMC", "name"),
            en="Name",
        ),
        FieldSpec(
            "level",
            "层级",
            _E,
            "CJ",
            required=True,
            aliases=("层级", "圈层", "规划层级", "级别", "CJ", "level"),
            choices=PLANNING_LEVEL,
            labels=PLANNING_LEVEL_ZH,
            en="Level",
        ),
        FieldSpec(
            "parent_code",
            "上级分区代码",
            _C,
            "SJDM",
            # 上级分区代: the header cut to a .dbf field name (10 bytes in GBK)
            aliases=("上级分区代码", "上级分区代", "上级代码", "所属分区", "SJDM", "parent"),
            en="Parent zone code",
        ),
    ),
    geometry="geom",
    geometry_required=True,
)

ENTITIES: dict[str, EntitySpec] = {
    e.kind: e for e in (DIVISIONS, PARCELS, BUILDINGS, ENTERPRISES, OCCUPANCY, METRICS, PLANNING_ZONES)
}
