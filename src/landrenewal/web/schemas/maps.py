"""What the map draws: its set-up, the legend, divisions, outlines and search hits."""

from __future__ import annotations

from pydantic import Field

from landrenewal.web.schemas.common import FeatureCollection, Schema


class Basemap(Schema):
    url: str = Field(description="底图瓦片地址模板")
    attribution: str | None = Field(description="底图版权说明")


class MapSetup(Schema):
    bounds: list[float] | None = Field(description="全部宗地的范围 [西, 南, 东, 北]（经纬度）；无宗地时为空")
    basemap: Basemap | None = Field(description="配置的底图；未配置时为空")
    tiles: str = Field(description="宗地矢量瓦片地址模板")
    zone_tiles: str = Field(description="连片片区矢量瓦片地址模板")
    minzoom: int
    maxzoom: int
    parcels: int = Field(description="宗地数")
    zones: int = Field(description="最新片区批次的片区数")


class LegendClass(Schema):
    code: str = Field(description="亩均评价类别代码 A–D、T")
    label_zh: str
    label_en: str
    color: str


class LegendCategory(Schema):
    name: str = Field(description="低效类型")
    color: str


class Legend(Schema):
    classes: list[LegendClass]
    categories: list[LegendCategory]
    none_color: str = Field(description="未认定低效的宗地颜色")


class Division(Schema):
    division_code: str = Field(description="行政区划代码")
    name: str = Field(description="名称")
    level: str = Field(description="层级：county、town、village 等")
    parent_code: str | None = Field(description="上级行政区划代码")


class DivisionProperties(Schema):
    division_code: str
    name: str
    level: str


class ZoneProperties(Schema):
    zone_no: int = Field(description="片区编号")
    area_mu: float | None = Field(description="宗地面积合计（亩）")
    parcel_count: int | None = Field(description="宗地数")
    verdict: str | None = Field(description="片区结论")
    town_name: str | None = Field(description="所在镇街")
    contiguous_candidate: int | bool | None = Field(description="是否为连片改造候选（1 是）")
    scattered: int | bool | None = Field(description="是否为零星宗地（1 是）")


DivisionOutlines = FeatureCollection[DivisionProperties]
ZoneOutlines = FeatureCollection[ZoneProperties]


class SearchHit(Schema):
    kind: str = Field(description="town、village、parcel 或 enterprise")
    code: str = Field(description="行政区划代码、宗地编号或统一社会信用代码")
    label: str = Field(description="显示文字")
    lon: float | None = Field(description="定位点经度；无位置时为空")
    lat: float | None = Field(description="定位点纬度")
    bbox: list[float] | None = Field(None, description="镇街、村的宗地范围；宗地和企业为空（只有宗地和企业时没有此项）")
