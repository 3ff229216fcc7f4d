"""The names people read for the domain's words, in Chinese and in English, in one place.

The inventory's own fields are named in ``fields`` (with their units); this module adds what the
system derives from them (areas in mu, classes, per-mu figures, zone figures), the words for coded
values (``state`` → 国有, ``above`` → 规上), and the names of what the audit log records. The web
app sends all of it to the browser (``/api/labels``): the browser keeps no copy of its own.
"""

from __future__ import annotations

from landrenewal.domain.evaluation import LISTS, STATUS
from landrenewal.domain.fields import (
    BUILDING_USE_ZH,
    ENTITIES,
    PLANNING_LEVEL_ZH,
    RIGHTS_TYPE_ZH,
    SCALE_ZH,
    TENURE_ZH,
)

Pair = tuple[str, str]

# Figures the system derives (name → Chinese, English), shown beside the inventory's own fields.
DERIVED: dict[str, Pair] = {
    "town_code": ("镇街代码", "Town code"),
    "town_name": ("镇街", "Town"),
    "village_name": ("村", "Village"),
    "area_m2": ("图形面积（m²）", "Mapped area (m²)"),
    "area_mu": ("图形面积（亩）", "Mapped area (mu)"),
    "class": ("评价类别", "Class"),
    "score": ("综合得分", "Score"),
    "rank": ("排名", "Rank"),
    "rank_size": ("参评数", "Ranked"),
    "unit_key": ("评价单元", "Evaluation unit"),
    "list": ("评价名单", "List"),
    "status": ("评价状态", "Status"),
    "land_mu": ("用地面积（亩）", "Land (mu)"),
    "tax_per_mu": ("亩均税收（万元/亩）", "Tax per mu (10k yuan/mu)"),
    "value_added_per_mu": ("亩均增加值（万元/亩）", "Value added per mu (10k yuan/mu)"),
    "value_added_per_tce": ("单位能耗增加值（万元/吨标准煤）", "Value added per tce (10k yuan/tce)"),
    "rd_share": ("研发经费占比", "R&D share"),
    "far": ("容积率", "FAR"),
    "building_coverage": ("建筑系数", "Building coverage"),
    "finding_count": ("认定条数", "Findings"),
    "categories": ("低效类型", "Low-efficiency types"),
    "category": ("低效类型", "Low-efficiency type"),
    "rule_id": ("认定规则", "Rule"),
    "rule_name": ("认定规则", "Rule"),
    "zone_no": ("所在片区", "Zone"),
    "outline_mu": ("片区范围面积（亩）", "Outline (mu)"),
    "parcel_count": ("宗地数", "Parcels"),
    "enterprise_count": ("在地企业数", "Enterprises"),
    "holder_count": ("权利人数", "Rights holders"),
    "state_mu": ("国有土地（亩）", "State land (mu)"),
    "collective_mu": ("集体土地（亩）", "Collective land (mu)"),
    "class_a_mu": ("A类用地（亩）", "Class A land (mu)"),
    "class_b_mu": ("B类用地（亩）", "Class B land (mu)"),
    "class_c_mu": ("C类用地（亩）", "Class C land (mu)"),
    "class_d_mu": ("D类用地（亩）", "Class D land (mu)"),
    "unrated_mu": ("未评价用地（亩）", "Unrated land (mu)"),
    "finding_parcels": ("低效宗地数", "Low-efficiency parcels"),
    "finding_mu": ("低效用地面积（亩）", "Low-efficiency land (mu)"),
    "verdict": ("政策判断", "Verdict"),
    "big_zone_name": ("所在大圈", "Big zone"),
    "middle_zone_name": ("所在中圈", "Middle zone"),
    "small_zone_name": ("所在小圈", "Small zone"),
    "big_zone_code": ("所在大圈代码", "Big zone code"),
    "middle_zone_code": ("所在中圈代码", "Middle zone code"),
    "small_zone_code": ("所在小圈代码", "Small zone code"),
    "username": ("登录名", "User name"),
    "display_name": ("姓名", "Name"),
    "role": ("角色", "Role"),
    "active": ("启用", "Active"),
    "reason": ("修改原因", "Reason"),
}

# What the audit log's entries record beside the fields above: an import's counts, a run's
# settings, a log-in's address.
RECORDED: dict[str, Pair] = {
    "address": ("来源地址", "Address"),
    "import_id": ("导入编号", "Import"),
    "file": ("文件", "File"),
    "sha256": ("文件校验值（SHA-256）", "File checksum (SHA-256)"),
    "rows_read": ("读取行数", "Rows read"),
    "inserted": ("新增", "Added"),
    "updated": ("更新", "Updated"),
    "unchanged": ("未变", "Unchanged"),
    "skipped": ("跳过的问题行", "Bad rows skipped"),
    "policy": ("政策版本", "Policy version"),
    "units": ("评价单元数", "Evaluation units"),
    "as_of": ("认定基准日", "As of"),
    "evaluation_run_id": ("所据评价批次", "Evaluation run"),
    "findings": ("认定条数", "Findings"),
    "selection": ("参与连片的宗地", "Parcels clustered"),
    "gap_m": ("连片间距（m）", "Gap (m)"),
    "zones": ("片区数", "Zones"),
    "parcels": ("宗地数", "Parcels"),
    "seq": ("事件序号", "Event number"),
    "day": ("业务日期", "Business date"),
    "event": ("事项", "What"),
    "target_seq": ("作废的事件序号", "Event voided"),
    "holder": ("权益人编号", "Rights holder"),
    "holders": ("权益人", "Rights holders"),
    "missed": ("新记逾期项数", "Deadlines recorded as missed"),
    "parcel_codes": ("宗地", "Parcels"),
    # 用电量 as changes recorded before the store kept it in 万千瓦时 (migration 0008) name it
    "electricity_kwh": ("用电量（千瓦时）", "Electricity (kWh)"),
}

# The inventory's fields under a name several entities share: which entity's label the UI shows.
# (``name`` is a division's 名称, an enterprise's 企业名称 and a zone's 分区名称.)
PREFERRED = {"name": "enterprises", "division_code": "parcels"}

_VALUES_EN: dict[str, dict[str, str]] = {
    "rights_type": {"state": "State", "collective": "Collective"},
    "scale": {"above": "Above scale", "below": "Below scale"},
    "tenure": {"owned": "Owned", "rented": "Rented"},
    "use_type": {
        "production": "Production",
        "warehouse": "Warehouse",
        "office": "Office",
        "living": "Living",
        "other": "Other",
    },
    "level": {"big": "Big zone", "middle": "Middle zone", "small": "Small zone"},
    "list": {
        "above": "Above scale",
        "below": "Below scale",
        "rented_above": "Above scale, rented premises",
        "rented_below": "Below scale, rented premises",
    },
    "status": {
        "rated": "Rated",
        "not_rated": "Not rated yet",
        "overdue": "Overdue, not producing",
        "out_of_scope": "Out of scope",
        "no_data": "No figures for the year",
    },
}

# What the audit log records: actions and the kinds of record they touch.
ACTIONS: dict[str, Pair] = {
    "login": ("登录", "Log in"),
    "login.failed": ("登录失败", "Failed log-in"),
    "import": ("数据导入", "Import"),
    "user.create": ("新建用户", "New user"),
    "user.update": ("修改用户", "User changed"),
    "metrics.create": ("新增经营指标", "Figures added"),
    "metrics.update": ("修改经营指标", "Figures changed"),
    "evaluation.run": ("亩均效益评价", "Evaluation run"),
    "identification.run": ("低效用地认定", "Identification run"),
    "zones.build": ("生成连片片区", "Zones built"),
    "policy.use": ("设定默认政策", "Store policy set"),
    "crs.set": ("设定坐标系", "Store CRS set"),
    "project.create": ("立项", "Project set up"),
    "project.act": ("项目办理", "Project action"),
    "project.suspend": ("项目中止", "Project suspended"),
    "project.resume": ("项目恢复", "Project resumed"),
    "project.extend": ("项目延期", "Deadline extended"),
    "project.void": ("作废项目记录", "Project record voided"),
    "project.note": ("项目备注", "Project note"),
    "project.document": ("项目附件", "Project document"),
    "project.holders": ("登记权益人", "Rights holders added"),
    "project.consent": ("登记权益人意愿", "Consent recorded"),
    "project.vote": ("登记表决", "Vote recorded"),
    "project.sweep": ("逾期扫描", "Deadline sweep"),
}
_RECORDS_EN = {
    "divisions": "Divisions",
    "parcels": "Parcels",
    "buildings": "Buildings",
    "enterprises": "Enterprises",
    "occupancy": "Who uses which parcel",
    "metrics": "Enterprise figures by year",
    "planning_zones": "Planning zones",
}
RECORDS: dict[str, Pair] = {
    "login": ("登录", "Log-in"),
    "users": ("用户", "Users"),
    "settings": ("库设置", "Store settings"),
    "evaluation_runs": ("评价批次", "Evaluation runs"),
    "identification_runs": ("认定批次", "Identification runs"),
    "zone_runs": ("片区批次", "Zone runs"),
    "projects": ("整治项目", "Projects"),
    **{e.kind: (e.zh, _RECORDS_EN[e.kind]) for e in ENTITIES.values()},
}
ROLES: dict[str, Pair] = {
    "admin": ("系统管理员", "Administrator"),
    "city": ("市级用户", "City user"),
    "town": ("镇街用户", "Town user"),
    "viewer": ("只读用户", "Viewer"),
}


# The store's settings the audit log records a change of, by key.
SETTINGS: dict[str, Pair] = {
    "policy": ("默认政策", "Store policy"),
    "crs_epsg": ("坐标系（EPSG）", "CRS (EPSG)"),
}

# A zone run's selection by its simple kinds (a selection by class, rule or type reads as written).
SELECTIONS: dict[str, Pair] = {
    "all": ("全部宗地", "All parcels"),
    "findings": ("有认定结果的宗地", "Parcels with findings"),
}


def _values(zh: dict[str, str], field: str) -> dict[str, Pair]:
    english = _VALUES_EN.get(field, {})
    return {code: (name, english.get(code, name)) for code, name in zh.items()}


VALUES: dict[str, dict[str, Pair]] = {
    "rights_type": _values(RIGHTS_TYPE_ZH, "rights_type"),
    "scale": _values(SCALE_ZH, "scale"),
    "tenure": _values(TENURE_ZH, "tenure"),
    "use_type": _values(BUILDING_USE_ZH, "use_type"),
    "level": _values(PLANNING_LEVEL_ZH, "level"),
    "list": _values(LISTS, "list"),
    "status": _values(STATUS, "status"),
    "action": ACTIONS,
    "entity": RECORDS,
    "role": ROLES,
    "selection": SELECTIONS,
    "setting": SETTINGS,
}


def field_labels() -> dict[str, Pair]:
    """Every field name the UI shows → its Chinese and English label (with units)."""
    out: dict[str, Pair] = {}
    preferred = {
        f.name: (f.header, f.header_en)
        for entity, name in ((ENTITIES[e], n) for n, e in PREFERRED.items())
        for f in entity.fields
        if f.name == name
    }
    for entity in ENTITIES.values():
        for f in entity.fields:
            out.setdefault(f.name, preferred.get(f.name, (f.header, f.header_en)))
    for name, pair in (DERIVED | RECORDED).items():
        out.setdefault(name, pair)
    return out
