"""Import through the browser: upload, read the validation report, then confirm (city and admin only).

The upload is checked by the same importer as the command line, in a dry run that counts what
would change and writes nothing; "confirm" imports the very file that was checked.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from landrenewal import accounts
from landrenewal.domain.fields import ENTITIES
from landrenewal.files.readers import SUPPORTED
from landrenewal.files.source import SourceError
from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_file
from landrenewal.importing.report import PROBLEM_COLUMNS, ImportReport
from landrenewal.web.deps import ApiError, Importer, State
from landrenewal.web.tables import records

router = APIRouter(prefix="/api/imports", tags=["imports"])

KEEP_UPLOADS_S = 3600.0


@dataclass
class Upload:
    path: Path
    entity: str
    username: str
    created: float
    report: ImportReport


_uploads: dict[str, Upload] = {}
_lock = threading.Lock()


def _forget_old() -> None:
    now = time.monotonic()
    with _lock:
        for token in [t for t, u in _uploads.items() if now - u.created > KEEP_UPLOADS_S]:
            shutil.rmtree(_uploads.pop(token).path.parent, ignore_errors=True)


def _report(token: str, upload: Upload, done: bool) -> dict[str, Any]:
    report = upload.report
    problems = report.problems[PROBLEM_COLUMNS].copy()
    problems["file"] = upload.path.name
    return {
        "token": token,
        "entity": upload.entity,
        "filename": upload.path.name,
        "rows_read": report.rows_read,
        "would_insert": report.changes.inserted,
        "would_update": report.changes.updated,
        "unchanged": report.changes.unchanged,
        "rejected": report.rejected_rows if len(report.errors) else 0,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "problems": records(problems.head(1000)),
        "notes": report.notes,
        "committed": done,
        "import_id": report.import_id,
    }


def _checked(store: Any, entity: str, path: Path, dry_run: bool) -> ImportReport:
    try:
        return import_file(store, entity, path, ImportOptions(dry_run=dry_run))
    except ImportRefused as refused:
        return refused.report


@router.post("", summary="上传并校验 Upload a file and check it (nothing is written)")
async def upload(
    state: State,
    user: Importer,
    entity: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    if entity not in ENTITIES:
        raise ApiError(422, "invalid", f"entity: 未知的数据类型 {entity!r}；可选 {', '.join(ENTITIES)}")
    name = PurePath(file.filename or "").name
    if not name.lower().endswith(SUPPORTED):
        raise ApiError(422, "invalid", f"file: 只能导入 {'、'.join(SUPPORTED)} 文件 (unsupported file type): {name!r}")
    _forget_old()
    folder = Path(tempfile.mkdtemp(prefix="landrenewal-upload-"))
    path = folder / name
    with path.open("wb") as out:
        shutil.copyfileobj(file.file, out)
    try:
        report = await run_in_threadpool(_checked, state.store, entity, path, True)
    except (SourceError, ValueError) as e:
        shutil.rmtree(folder, ignore_errors=True)
        raise ApiError(422, "unreadable", f"{name}: {e}") from None
    token = secrets.token_urlsafe(16)
    item = Upload(path, entity, user.username, time.monotonic(), report)
    with _lock:
        _uploads[token] = item
    return _report(token, item, False)


def _upload(token: str, username: str) -> Upload:
    with _lock:
        item = _uploads.get(token)
    if item is None or item.username != username:
        raise ApiError(404, "not_found", "没有这次上传，或已过期 (no such upload, or it expired)")
    return item


@router.post("/{token}/confirm", summary="确认导入 Import the checked file")
async def confirm(token: str, state: State, user: Importer) -> dict[str, Any]:
    item = _upload(token, user.username)
    if len(item.report.errors):
        raise ApiError(
            422, "refused", f"{item.path.name}: 有 {len(item.report.errors)} 个错误，不能导入 (fix the errors first)"
        )
    report = await run_in_threadpool(_checked, state.store, item.entity, item.path, False)
    item.report = report
    if report.committed:
        with state.store.engine.begin() as conn:
            counts = {"inserted": report.changes.inserted, "updated": report.changes.updated, "rows": report.rows_read}
            accounts.audit(
                conn,
                user.username,
                "import",
                item.entity,
                item.path.name,
                None,
                counts | {"import_id": report.import_id},
            )
        state.live.rebuild()
    with _lock:
        _uploads.pop(token, None)
    result = _report(token, item, report.committed)
    shutil.rmtree(item.path.parent, ignore_errors=True)
    return result


@router.get("/{token}/rejects.csv", summary="问题清单 The problems found, as CSV")
def rejects(token: str, user: Importer) -> Response:
    item = _upload(token, user.username)
    out = item.path.parent / "rejects.csv"
    item.report.write_rejects(out)
    return Response(
        out.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rejects.csv"'},
    )
