"""Import through the browser: upload, read the validation report, then confirm (city and admin only).

The upload is checked by the same importer as the command line, in a dry run that counts what
would change and writes nothing; "confirm" imports the very file that was checked.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Annotated, Any, BinaryIO

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
# Uploads wait for "confirm" on disk, not in memory: with several server processes the confirm may
# reach another one. Each is a folder named by its token, holding the file and who sent it.
UPLOADS = Path(tempfile.gettempdir()) / "landrenewal-uploads"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class Upload:
    path: Path
    entity: str
    username: str
    report: ImportReport | None = None


def _forget_old() -> None:
    if not UPLOADS.exists():
        return
    now = time.time()
    for folder in UPLOADS.iterdir():
        if now - folder.stat().st_mtime > KEEP_UPLOADS_S:
            shutil.rmtree(folder, ignore_errors=True)


def _kept(token: str, entity: str, username: str, name: str, data: BinaryIO) -> Upload:
    folder = UPLOADS / token
    folder.mkdir(parents=True)
    path = folder / name
    with path.open("wb") as out:
        shutil.copyfileobj(data, out)
    (folder / "upload.json").write_text(json.dumps({"entity": entity, "username": username, "file": name}))
    return Upload(path, entity, username)


def _report(token: str, upload: Upload, done: bool) -> dict[str, Any]:
    report = upload.report
    assert report is not None
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
    token = secrets.token_urlsafe(24)
    item = _kept(token, entity, user.username, name, file.file)
    try:
        item.report = await run_in_threadpool(_checked, state.store, entity, item.path, True)
    except (SourceError, ValueError) as e:
        shutil.rmtree(item.path.parent, ignore_errors=True)
        raise ApiError(422, "unreadable", f"{name}: {e}") from None
    return _report(token, item, False)


def _upload(token: str, username: str) -> Upload:
    meta = UPLOADS / token / "upload.json" if _TOKEN.match(token) else None
    if meta is None or not meta.exists():
        raise ApiError(404, "not_found", "没有这次上传，或已过期 (no such upload, or it expired)")
    kept = json.loads(meta.read_text())
    if kept["username"] != username:
        raise ApiError(404, "not_found", "没有这次上传，或已过期 (no such upload, or it expired)")
    return Upload(meta.parent / kept["file"], kept["entity"], kept["username"])


@router.post("/{token}/confirm", summary="确认导入 Import the checked file")
async def confirm(token: str, state: State, user: Importer) -> dict[str, Any]:
    item = _upload(token, user.username)
    # The file is checked again as it is imported, in one transaction: all of it, or nothing.
    item.report = await run_in_threadpool(_checked, state.store, item.entity, item.path, False)
    if not item.report.committed:
        errors = len(item.report.errors)
        raise ApiError(422, "refused", f"{item.path.name}: 有 {errors} 个错误，不能导入 (fix the errors first)")
    with state.store.write() as conn:
        counts = {"inserted": item.report.changes.inserted, "updated": item.report.changes.updated}
        after = counts | {"rows": item.report.rows_read, "import_id": item.report.import_id}
        accounts.audit(conn, user.username, "import", item.entity, item.path.name, None, after)
    state.live.rebuild()
    result = _report(token, item, True)
    shutil.rmtree(item.path.parent, ignore_errors=True)
    return result


@router.get("/{token}/rejects.csv", summary="问题清单 The problems found, as CSV")
def rejects(token: str, state: State, user: Importer) -> Response:
    item = _upload(token, user.username)
    report = _checked(state.store, item.entity, item.path, True)
    out = item.path.parent / "rejects.csv"
    report.write_rejects(out)
    return Response(
        out.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rejects.csv"'},
    )
