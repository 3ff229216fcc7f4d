"""The tables of the store, as SQLAlchemy Core metadata, derived from the domain field specs.

The same tables live in a GeoPackage (SQLite) file and in PostgreSQL + PostGIS. Column
types are chosen to be GeoPackage data types (TEXT, INTEGER, DOUBLE, DATE) so that GDAL
and QGIS read every column with its proper type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import UserDefinedType

from landrenewal.domain.evaluation import FIGURES
from landrenewal.domain.fields import ENTITIES, EntitySpec, FieldSpec, Kind
from landrenewal.domain.indicators import INDICATORS

metadata = MetaData()

# An integer primary key that is SQLite's rowid (GeoPackage's feature id) and a bigint in PostgreSQL.
PrimaryKey = BigInteger().with_variant(Integer(), "sqlite")


class MultiPolygon(UserDefinedType[bytes]):
    """A MultiPolygon column: GeoPackage geometry blobs in SQLite, PostGIS geometry in PostgreSQL.

    Values travel as bytes already encoded for the dialect (see store.geometry).
    """

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "geometry(MultiPolygon)"


@compiles(MultiPolygon, "sqlite")
def _multipolygon_sqlite(type_: MultiPolygon, compiler: Any, **kw: Any) -> str:
    return "MULTIPOLYGON"


_COLUMN_TYPES = {
    Kind.TEXT: Text,
    Kind.CODE: Text,
    Kind.ENUM: Text,
    Kind.INT: Integer,
    Kind.FLOAT: Double,
    Kind.SHARE: Double,
    Kind.DATE: Date,
}


def _column(spec: FieldSpec) -> Column[Any]:
    return Column(spec.name, _COLUMN_TYPES[spec.kind](), nullable=not spec.required, comment=spec.header)


def _entity_table(entity: EntitySpec, *extra: Any) -> Table:
    columns: list[Any] = [Column("id", PrimaryKey, primary_key=True, autoincrement=True)]
    columns += [_column(f) for f in entity.fields]
    if entity.geometry:
        columns.append(Column(entity.geometry, MultiPolygon(), nullable=not entity.geometry_required))
    columns.append(UniqueConstraint(*entity.key, name=f"uq_{entity.table}_key"))
    return Table(entity.table, metadata, *columns, *extra, comment=entity.zh)


divisions = _entity_table(
    ENTITIES["divisions"],
    Column("level", Text, nullable=False),
    Column("parent_code", Text, nullable=True),
)
parcels = _entity_table(
    ENTITIES["parcels"],
    # Area of the geometry in the store's projected CRS; mu and ha are derived from it.
    Column("area_m2", Double, nullable=False, comment="宗地图形面积（m²）"),
)
buildings = _entity_table(ENTITIES["buildings"])
enterprises = _entity_table(ENTITIES["enterprises"])
occupancy = _entity_table(ENTITIES["occupancy"])
metrics = _entity_table(ENTITIES["metrics"])
planning_zones = _entity_table(ENTITIES["planning_zones"])

ENTITY_TABLES: dict[str, Table] = {
    "divisions": divisions,
    "parcels": parcels,
    "buildings": buildings,
    "enterprises": enterprises,
    "occupancy": occupancy,
    "metrics": metrics,
    "planning_zones": planning_zones,
}

# Lookups by natural key that the importer and later the web app make all the time.
Index("ix_parcels_division_code", parcels.c.division_code)
Index("ix_buildings_parcel_code", buildings.c.parcel_code)
Index("ix_occupancy_parcel_code", occupancy.c.parcel_code)
Index("ix_metrics_year", metrics.c.year)

settings = Table(
    "settings",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    comment="Store-wide settings such as the projected CRS",
)

imports = Table(
    "imports",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("updated", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("notes", Text, nullable=False),
    comment="One row per import run: what came in and what it changed",
)

# Runs of the evaluation and of the identification: each with the policy version and a hash of
# its inputs, and the resolved policy values it used, so that it can be re-run and compared.
evaluation_runs = Table(
    "evaluation_runs",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("year", Integer, nullable=False),
    Column("policy_id", Text, nullable=False),
    Column("policy_version", Text, nullable=False),
    Column("policy_values", Text, nullable=False, comment="JSON: the resolved parameters used"),
    Column("input_sha256", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("unit_count", Integer, nullable=False),
    Column("rated_count", Integer, nullable=False),
    comment="亩均效益评价批次 evaluation runs",
)
evaluation_units = Table(
    "evaluation_units",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("unit_key", Text, nullable=False, comment="评价单元（最小统一社会信用代码）"),
    Column("list", Text, nullable=False, comment="名单：规上/规下/租赁单列"),
    Column("status", Text, nullable=False, comment="参评/暂不评价/不纳入评价"),
    Column("class", Text, comment="分类 A/B/C/D/T"),
    Column("score", Double, comment="得分"),
    Column("rank", Integer, comment="名单内排名"),
    Column("rank_size", Integer, comment="名单内参评数"),
    Column("rank_industry", Integer, comment="行业内排名"),
    Column("rank_industry_size", Integer, comment="行业内参评数"),
    Column("industry_code", Text),
    Column("division_code", Text),
    Column("lead_uscc", Text),
    Column("member_count", Integer, nullable=False),
    Column("parcel_count", Integer, nullable=False),
    Column("land_mu", Double, nullable=False),
    *(Column(name, Double) for name in FIGURES),
    *(Column(name, Double) for name in INDICATORS),
    *(Column(f"part_{name}", Double) for name in INDICATORS),
    Column("filled", Text, comment="以名单均值补齐的指标"),
    UniqueConstraint("run_id", "unit_key", name="uq_evaluation_units_key"),
    ForeignKeyConstraint(["run_id"], ["evaluation_runs.id"], name="fk_evaluation_units_run_id"),
    comment="评价单元结果 evaluation results per unit",
)
evaluation_members = Table(
    "evaluation_members",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("uscc", Text, nullable=False),
    Column("unit_key", Text, nullable=False),
    UniqueConstraint("run_id", "uscc", name="uq_evaluation_members_key"),
    ForeignKeyConstraint(["run_id"], ["evaluation_runs.id"], name="fk_evaluation_members_run_id"),
    comment="评价单元的企业 enterprises of each unit",
)
evaluation_parcels = Table(
    "evaluation_parcels",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("parcel_code", Text, nullable=False),
    Column("unit_key", Text, nullable=False),
    Column("land_mu", Double, nullable=False),
    UniqueConstraint("run_id", "parcel_code", "unit_key", name="uq_evaluation_parcels_key"),
    ForeignKeyConstraint(["run_id"], ["evaluation_runs.id"], name="fk_evaluation_parcels_run_id"),
    comment="评价单元的宗地 parcels of each unit",
)
identification_runs = Table(
    "identification_runs",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False),
    Column("policy_id", Text, nullable=False),
    Column("policy_version", Text, nullable=False),
    Column("policy_values", Text, nullable=False, comment="JSON: the resolved parameters used"),
    Column("input_sha256", Text, nullable=False),
    Column("evaluation_run_id", Integer, comment="the evaluation whose classes and indicators were used"),
    Column("rules", Text, nullable=False, comment="JSON: the rule ids run"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("finding_count", Integer, nullable=False),
    comment="低效用地认定批次 identification runs",
)
findings = Table(
    "findings",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("parcel_code", Text, nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("category", Text, nullable=False, comment="低效用地类别"),
    Column("evidence", Text, nullable=False, comment="JSON: the values the rule read"),
    Column("threshold", Text, nullable=False, comment="JSON: the policy values it compared with"),
    Column("clause", Text, nullable=False, comment="政策依据"),
    Column("milestone", Text, comment="处置节点，如 闲置费 / 无偿收回"),
    UniqueConstraint("run_id", "parcel_code", "rule_id", name="uq_findings_key"),
    ForeignKeyConstraint(["run_id"], ["identification_runs.id"], name="fk_findings_run_id"),
    comment="认定结果 findings",
)
Index("ix_findings_parcel_code", findings.c.parcel_code)

# Zone sets: each build of contiguous zones is a version, with its selection, gap and policy.
zone_runs = Table(
    "zone_runs",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("selection", Text, nullable=False, comment="选取条件，如 findings / class:C,D / rule:… / all"),
    Column("gap_m", Double, nullable=False, comment="连片间距（米）"),
    Column("engine", Text, nullable=False, comment="python（进程内）或 postgis（ST_ClusterDBSCAN）"),
    Column("policy_id", Text, nullable=False),
    Column("policy_version", Text, nullable=False),
    Column("policy_values", Text, nullable=False, comment="JSON: the resolved parameters used"),
    Column("input_sha256", Text, nullable=False),
    Column("identification_run_id", Integer, comment="the findings the selection read"),
    Column("evaluation_run_id", Integer, comment="the classes and 亩均 figures the zones report"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("parcel_count", Integer, nullable=False),
    Column("zone_count", Integer, nullable=False),
    Column("area_mu", Double, nullable=False),
    comment="连片片区批次 zone runs",
)
zones = Table(
    "zones",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("zone_no", Integer, nullable=False, comment="片区编号（按面积从大到小）"),
    Column("parcel_count", Integer, nullable=False, comment="宗地数"),
    Column("area_mu", Double, nullable=False, comment="宗地面积合计（亩）"),
    Column("outline_mu", Double, nullable=False, comment="片区范围面积（亩，含道路间隙）"),
    Column("enterprise_count", Integer, nullable=False, comment="在地企业数"),
    Column("holder_count", Integer, nullable=False, comment="权利人数"),
    Column("state_mu", Double, nullable=False, comment="国有土地（亩）"),
    Column("collective_mu", Double, nullable=False, comment="集体土地（亩）"),
    Column("tax_wan", Double, comment="税收（万元）"),
    Column("value_added_wan", Double, comment="增加值（万元）"),
    Column("tax_per_mu", Double, comment="亩均税收（万元/亩）"),
    Column("value_added_per_mu", Double, comment="亩均增加值（万元/亩）"),
    *(Column(f"class_{c.lower()}_mu", Double, nullable=False, comment=f"{c}类用地（亩）") for c in "ABCD"),
    Column("unrated_mu", Double, nullable=False, comment="未评价用地（亩）"),
    Column("finding_parcels", Integer, nullable=False, comment="有认定结果的宗地数"),
    Column("finding_mu", Double, nullable=False, comment="有认定结果的宗地面积（亩）"),
    Column("findings", Text, nullable=False, comment="JSON: 各规则认定宗地数"),
    Column("contiguous_candidate", Integer, comment="达到连片整治面积下限"),
    Column("industrial_candidate", Integer, comment="达到连片工改工面积下限"),
    Column("scattered", Integer, comment="零星工业区块（低于面积上限）"),
    Column("parking_rule", Integer, comment="适用连片工改工停车配置"),
    Column("verdict", Text, nullable=False, comment="政策判断"),
    Column("town_code", Text, comment="所在镇街（面积最大者）"),
    Column("town_name", Text),
    Column("village_code", Text, comment="所在村（面积最大者）"),
    Column("village_name", Text),
    Column("town_count", Integer, nullable=False, comment="跨镇街数"),
    Column("big_zone_code", Text, comment="所在大圈"),
    Column("middle_zone_code", Text, comment="所在中圈"),
    Column("small_zone_code", Text, comment="所在小圈"),
    Column("inside_big_mu", Double, nullable=False, comment="位于大圈内的宗地面积（亩）"),
    Column("geom", MultiPolygon()),
    UniqueConstraint("run_id", "zone_no", name="uq_zones_key"),
    ForeignKeyConstraint(["run_id"], ["zone_runs.id"], name="fk_zones_run_id"),
    comment="连片片区 zones",
)
zone_parcels = Table(
    "zone_parcels",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("parcel_code", Text, nullable=False),
    Column("zone_no", Integer, nullable=False),
    Column("area_mu", Double, nullable=False),
    Column("town_code", Text),
    Column("village_code", Text),
    Column("big_zone_code", Text),
    Column("middle_zone_code", Text),
    Column("small_zone_code", Text),
    UniqueConstraint("run_id", "parcel_code", name="uq_zone_parcels_key"),
    ForeignKeyConstraint(["run_id"], ["zone_runs.id"], name="fk_zone_parcels_run_id"),
    comment="片区宗地 parcels of each zone",
)
zone_towns = Table(
    "zone_towns",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("town_code", Text, nullable=False),
    Column("town_name", Text),
    Column("parcel_count", Integer, nullable=False),
    Column("zone_count", Integer, nullable=False, comment="涉及片区数"),
    Column("area_mu", Double, nullable=False, comment="选取宗地面积（亩）"),
    Column("candidate_mu", Double, nullable=False, comment="位于连片整治候选片区的面积（亩）"),
    Column("scattered_mu", Double, nullable=False, comment="零星区块面积（亩）"),
    Column("inside_big_mu", Double, nullable=False, comment="位于大圈内的面积（亩）"),
    Column("inside_big_share", Double, comment="大圈内占比"),
    Column("share_min", Double, comment="政策要求的大圈内占比下限"),
    Column("meets_share", Integer, comment="是否达到大圈内占比"),
    Column("tax_per_mu", Double, comment="亩均税收（万元/亩，面积加权）"),
    UniqueConstraint("run_id", "town_code", name="uq_zone_towns_key"),
    ForeignKeyConstraint(["run_id"], ["zone_runs.id"], name="fk_zone_towns_run_id"),
    comment="片区按镇街汇总 per-town summary",
)
Index("ix_zone_parcels_parcel_code", zone_parcels.c.parcel_code)

# Projects (docs/projects.md): what a project is; its stage, dates and deadlines are derived from
# its events, never stored. ``geom`` is the scope (拆除范围 or a planning unit), when one is drawn.
projects = Table(
    "projects",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("code", Text, nullable=False, comment="项目编号"),
    Column("name", Text, nullable=False, comment="项目名称"),
    Column("kind", Text, nullable=False, comment="disposal 处置 / renewal 改造"),
    Column("renewal_type", Text, comment="改造类型：工改工、工改居商、工改商、村级工业园改造、旧村改造"),
    Column("workflow", Text, nullable=False, comment="工作流（政策参数 workflows.<id>）"),
    Column("policy_id", Text, nullable=False, comment="所依政策"),
    Column("division_code", Text, nullable=False, comment="所在镇街代码"),
    Column("village_code", Text, comment="所在村（集体经济组织）代码"),
    Column("responsible_unit", Text, comment="责任单位"),
    Column("responsible_person", Text, comment="责任人"),
    Column("planned_area_mu", Double, comment="计划面积（亩）：未载宗地或范围时填写"),
    Column("planned_investment_wan", Double, comment="计划投资（万元）"),
    Column("target_industries", Text, comment="拟引入产业"),
    Column("old_village", Integer, nullable=False, comment="以旧村为主（1 是 / 0 否）"),
    Column("identification_run_id", Integer, comment="所据认定批次"),
    Column("zone_run_id", Integer, comment="所据连片片区批次"),
    Column("zone_no", Integer, comment="所据片区编号"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("geom", MultiPolygon(), nullable=True),
    UniqueConstraint("code", name="uq_projects_key"),
    comment="整治项目 projects",
)
project_parcels = Table(
    "project_parcels",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("project_id", Integer, nullable=False),
    Column("parcel_code", Text, nullable=False),
    UniqueConstraint("project_id", "parcel_code", name="uq_project_parcels_key"),
    ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_parcels_project_id"),
    comment="项目宗地 parcels of each project",
)
Index("ix_project_parcels_parcel_code", project_parcels.c.parcel_code)
# The archive: append only. (project_id, seq) is unique, so of two officers acting on the same
# project at once, the second's write fails and is told to reload; a correction voids, never edits.
project_events = Table(
    "project_events",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("project_id", Integer, nullable=False),
    Column("seq", Integer, nullable=False, comment="项目内序号"),
    Column("kind", Text, nullable=False, comment="事件类型（docs/projects.md）"),
    Column("action", Text, comment="工作流动作"),
    Column("day", Date, nullable=False, comment="业务日期"),
    Column("recorded_at", DateTime(timezone=True), nullable=False, comment="记录时间"),
    Column("user_name", Text, nullable=False, comment="记录人"),
    Column("reason", Text, comment="事由"),
    Column("payload", Text, nullable=False, comment="JSON: 字段取值、表决票数、同意记录等"),
    Column("target_seq", Integer, comment="作废的事件序号"),
    Column("deadline", Text, comment="期限（延期、逾期）"),
    Column("days", Integer, comment="延长天数"),
    Column("exempt", Integer, nullable=False, comment="逾期非因实施主体（政府原因、不可抗力）"),
    Column("holder_key", Text, comment="权益人（同意记录）"),
    Column("matter", Text, comment="表决事项"),
    UniqueConstraint("project_id", "seq", name="uq_project_events_key"),
    ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_project_events_project_id"),
    comment="项目全周期档案 project events (append only)",
)
# 权益人: who holds land in a project's scope and counts for consent. The ID number is never kept:
# only its salted hash (to find the same person again) and its masked form (docs/consent.md).
rights_holders = Table(
    "rights_holders",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("project_id", Integer, nullable=False),
    Column("holder_key", Text, nullable=False, comment="权益人编号（项目内）"),
    Column("kind", Text, nullable=False, comment="个人 person、户 household、企业 enterprise、集体 collective"),
    Column("name", Text, nullable=False, comment="姓名或名称"),
    Column("id_hash", Text, comment="身份证号码加盐摘要"),
    Column("id_masked", Text, comment="身份证号码（脱敏）"),
    Column("uscc", Text, comment="统一社会信用代码（企业、集体）"),
    Column("parcel_code", Text, comment="所涉宗地"),
    Column("area_m2", Double, nullable=False, comment="拆除范围内权属土地面积（m²）"),
    Column("persons", Integer, nullable=False, comment="计人数（共有人各计一人）"),
    Column("old_housing", Integer, nullable=False, comment="旧住宅（1 是 / 0 否）"),
    UniqueConstraint("project_id", "holder_key", name="uq_rights_holders_key"),
    ForeignKeyConstraint(["project_id"], ["projects.id"], name="fk_rights_holders_project_id"),
    comment="权益人 rights holders of each project's scope",
)
# Documents by content: one copy however often attached, inside the store so that one file holds the city.
documents = Table(
    "documents",
    metadata,
    Column("sha256", Text, primary_key=True),
    Column("media_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    comment="文件（按 SHA-256 存放） documents by content",
)
event_documents = Table(
    "event_documents",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("event_id", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("kind", Text, nullable=False, comment="文件类型（工作流 documents）"),
    Column("name", Text, nullable=False, comment="原文件名"),
    ForeignKeyConstraint(["event_id"], ["project_events.id"], name="fk_event_documents_event_id"),
    ForeignKeyConstraint(["sha256"], ["documents.sha256"], name="fk_event_documents_sha256"),
    comment="事件所附文件 documents attached to events",
)
Index("ix_event_documents_event_id", event_documents.c.event_id)

# Every table with a geometry column: all of them are in the store's one projected CRS.
GEOMETRY_TABLES = [t for t in metadata.sorted_tables if "geom" in t.c]
Index("ix_evaluation_parcels_parcel_code", evaluation_parcels.c.parcel_code)
Index("ix_evaluation_members_uscc", evaluation_members.c.uscc)
Index("ix_evaluation_members_unit", evaluation_members.c.run_id, evaluation_members.c.unit_key)

# Referential rules the importer checks with row-level reasons; the constraints are the safety net.
_REFERENCES = {
    "buildings": [("parcel_code", "parcels.parcel_code")],
    "occupancy": [("uscc", "enterprises.uscc"), ("parcel_code", "parcels.parcel_code")],
    "metrics": [("uscc", "enterprises.uscc")],
}
for _table, _refs in _REFERENCES.items():
    for _col, _target in _refs:
        ENTITY_TABLES[_table].append_constraint(ForeignKeyConstraint([_col], [_target], name=f"fk_{_table}_{_col}"))

# The web app's people, their sessions and the audit log of every write (README: The web application).
users = Table(
    "users",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("username", Text, nullable=False, comment="登录名"),
    Column("display_name", Text, nullable=False, comment="姓名"),
    Column("role", Text, nullable=False, comment="admin / city / town / viewer"),
    Column("division_code", Text, comment="镇街账号所属行政区划"),
    Column("password_hash", Text, nullable=False, comment="Argon2id"),
    Column("active", Integer, nullable=False, comment="1 启用 / 0 停用"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("username", name="uq_users_username"),
    comment="用户 users",
)
sessions = Table(
    "sessions",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("token_sha256", Text, nullable=False, comment="the cookie's SHA-256; the cookie itself is never stored"),
    Column("csrf", Text, nullable=False),
    Column("user_id", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("token_sha256", name="uq_sessions_token"),
    ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_sessions_user_id"),
    comment="登录会话 sessions",
)
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("username", Text, nullable=False),
    Column("action", Text, nullable=False, comment="如 import / user.create / user.update / login"),
    Column("entity", Text, nullable=False),
    Column("entity_key", Text, nullable=False),
    Column("before", Text, comment="JSON"),
    Column("after", Text, comment="JSON"),
    comment="操作日志 audit log: who, when, what before and after",
)
Index("ix_audit_log_entity_key", audit_log.c.entity, audit_log.c.entity_key)
# What each import changed, record by record: the changed columns only, before and after (a new
# record: its values after). Geometry is marked, not copied. Written in the import's transaction.
import_changes = Table(
    "import_changes",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("import_id", Integer, nullable=False),
    Column("record_key", Text, nullable=False, comment="记录的业务键；多列键以 / 连接，如 统一社会信用代码/年度"),
    Column("change", Text, nullable=False, comment="insert 新增 / update 修改"),
    Column("before", Text, comment="JSON: 改前的值（仅变动字段）"),
    Column("after", Text, comment="JSON: 改后的值（仅变动字段；新增记录为全部字段）"),
    ForeignKeyConstraint(["import_id"], ["imports.id"], name="fk_import_changes_import_id"),
    comment="导入逐条变更：每次导入逐条记录的改前改后",
)
Index("ix_import_changes_import_id", import_changes.c.import_id)
# Failed logins counted per (user name, client address): one row each, changed by single atomic
# statements so that parallel attempts cannot all read the same count (landrenewal.accounts).
login_throttle = Table(
    "login_throttle",
    metadata,
    Column("id", PrimaryKey, primary_key=True, autoincrement=True),
    Column("username", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("attempts", Integer, nullable=False, comment="attempts claimed since window_start"),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("strikes", Integer, nullable=False, comment="times the limit was reached: the next wait doubles"),
    Column("blocked_until", DateTime(timezone=True)),
    UniqueConstraint("username", "address", name="uq_login_throttle_key"),
    comment="登录限流 failed logins per user and address",
)
