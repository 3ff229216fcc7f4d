"""Users and the audit log (admin), runs and policies (everyone logged in)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from sqlalchemy import ColumnElement, func, select, true

from landrenewal import accounts
from landrenewal.analysis.evaluation_runs import list_runs
from landrenewal.analysis.identification_runs import list_identifications
from landrenewal.analysis.policy import store_policy
from landrenewal.analysis.zone_runs import list_zone_runs
from landrenewal.domain.language import say
from landrenewal.domain.policy import PolicyError
from landrenewal.policies.files import resolve_policy, shipped_ids
from landrenewal.store import schema
from landrenewal.web.deps import Administrator, ApiError, CurrentUser, Day, Int, State
from landrenewal.web.schemas.admin import (
    AuditPage,
    EvaluationRun,
    IdentificationRun,
    Policies,
    PolicyDescribed,
    UserRecord,
    ZoneRun,
)
from landrenewal.web.schemas.common import RequestBody
from landrenewal.web.tables import MAX_PAGE

router = APIRouter(prefix="/api", tags=["admin"])


class NewUser(RequestBody):
    username: str
    password: str
    role: str
    display_name: str | None = None
    division_code: str | None = None


class UserChange(RequestBody):
    display_name: str | None = None
    role: str | None = None
    division_code: str | None = None
    password: str | None = None
    active: bool | None = None


@router.get("/users", summary="用户列表 Users (admin)", response_model=list[UserRecord])
def users(state: State, admin: Administrator) -> list[dict[str, Any]]:
    with state.store.engine.connect() as conn:
        return accounts.list_users(conn)


@router.post("/users", status_code=201, summary="新建用户 Create a user (admin)", response_model=UserRecord)
def create(body: NewUser, state: State, admin: Administrator) -> dict[str, Any]:
    try:
        with state.store.write() as conn:
            return accounts.create_user(
                conn,
                body.username,
                body.password,
                body.role,
                display_name=body.display_name,
                division_code=body.division_code,
                by=admin.username,
            )
    except accounts.AccountError as e:
        raise ApiError(422, "invalid", str(e)) from None


@router.patch("/users/{username}", summary="修改用户 Change a user (admin)", response_model=UserRecord)
def change(username: str, body: UserChange, state: State, admin: Administrator) -> dict[str, Any]:
    try:
        with state.store.write() as conn:
            changed = accounts.update_user(conn, username, by=admin.username, **body.model_dump())
        state.sessions.drop()  # a new role, town or password applies at once
        return changed
    except accounts.AccountError as e:
        status = 404 if "没有用户" in str(e) else 422
        raise ApiError(status, "not_found" if status == 404 else "invalid", str(e)) from None


# The city's clock: the audit log's days are its days (times are stored in UTC).
LOCAL_TIME = ZoneInfo("Asia/Shanghai")


@router.get(
    "/audit",
    summary="操作日志 Audit log (admin), newest first; filter by who, what and when",
    response_model=AuditPage,
)
def audit(
    state: State,
    admin: Administrator,
    page: Int = 1,
    page_size: Int = 50,
    username: str | None = None,
    action: str | None = None,
    since: Day | None = None,
    until: Day | None = None,
) -> dict[str, Any]:
    """``since`` and ``until`` are days in Asia/Shanghai, both included."""
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= 500:  # the offset must stay a store integer
        raise ApiError(
            422,
            "invalid",
            say(f"page：1 到 {MAX_PAGE}；page_size：1 到 500", f"page: 1 to {MAX_PAGE}; page_size: 1 to 500"),
        )
    if since and until and since > until:
        raise ApiError(
            422, "invalid", say("since：起始日期晚于截止日期", "since: the first day is after the last (until)")
        )
    log = schema.audit_log
    where: ColumnElement[bool] = true()
    if username:
        where = where & (log.c.username == username)
    if action:
        where = where & (log.c.action == action)
    if since:
        where = where & (log.c.at >= dt.datetime.combine(since, dt.time(), LOCAL_TIME).astimezone(dt.UTC))
    if until:
        next_day = until + dt.timedelta(days=1)
        where = where & (log.c.at < dt.datetime.combine(next_day, dt.time(), LOCAL_TIME).astimezone(dt.UTC))
    with state.store.engine.connect() as conn:
        rows = accounts.audit_rows(conn, (page - 1) * page_size, page_size, where)
        total = conn.execute(select(func.count()).select_from(log).where(where)).scalar_one()
        who = conn.execute(select(log.c.username).distinct().order_by(log.c.username)).scalars().all()
        what = conn.execute(select(log.c.action).distinct().order_by(log.c.action)).scalars().all()
    return {
        "items": rows,
        "total": total,
        "page": page,
        "page_size": page_size,
        "usernames": list(who),
        "actions": list(what),
        "time_zone": str(LOCAL_TIME),
    }


def _plain(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        row = dataclasses.asdict(item)
        out.append({k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()})
    return out


@router.get("/evaluation/runs", summary="评价批次 Evaluation runs", response_model=list[EvaluationRun])
def evaluation_runs(state: State, user: CurrentUser) -> list[dict[str, Any]]:
    with state.store.engine.connect() as conn:
        return _plain(list_runs(conn))


@router.get("/identification/runs", summary="认定批次 Identification runs", response_model=list[IdentificationRun])
def identification_runs(state: State, user: CurrentUser) -> list[dict[str, Any]]:
    with state.store.engine.connect() as conn:
        return _plain(list_identifications(conn))


@router.get("/zones/runs", summary="片区批次 Zone runs", response_model=list[ZoneRun])
def zone_runs(state: State, user: CurrentUser) -> list[dict[str, Any]]:
    with state.store.engine.connect() as conn:
        return _plain(list_zone_runs(conn))


@router.get("/policies", summary="政策 Policies shipped and the store's active one", response_model=Policies)
def policies(state: State, user: CurrentUser) -> dict[str, Any]:
    with state.store.engine.connect() as conn:
        active = store_policy(conn)
    return {"active": active, "items": shipped_ids()}


@router.get(
    "/policies/{policy_id}",
    summary="政策取值 A policy's values today, each with its source",
    response_model=PolicyDescribed,
)
def policy(policy_id: str, state: State, user: CurrentUser, on: Day | None = None) -> dict[str, Any]:
    if policy_id not in shipped_ids():
        raise ApiError(404, "not_found", say(f"没有政策 {policy_id}", f"no such policy: {policy_id}"))
    try:
        resolved = resolve_policy(policy_id, on or dt.date.today())
    except PolicyError as e:
        raise ApiError(422, "invalid", str(e)) from None
    return resolved.described()
