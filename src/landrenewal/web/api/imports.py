"""Import through the browser: upload, read the validation report, then confirm (city and admin only).

The upload is checked by the same importer as the command line, in a dry run that counts what
would change and writes nothing; "confirm" imports the very file that was checked: all of it, or,
when the user chooses 只导入合格行, its good rows (the report then says which were skipped).

Each upload has a folder of its own; the file sits in a sub-folder under a name that fits any
file system, and the name the user gave it is kept beside it and used in every report. Reports
(the rejects CSV) are made in memory and never share the upload's folder.
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
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.language import say
from landrenewal.files.limits import MIB, ReadLimits
from landrenewal.files.readers import SUPPORTED
from landrenewal.files.source import SourceError
from landrenewal.importing.pipeline import ImportOptions, ImportRefused, import_file
from landrenewal.importing.report import ImportReport
from landrenewal.store import changes as import_log
from landrenewal.web.deps import ApiError, Importer, Int, State
from landrenewal.web.schemas.common import binary
from landrenewal.web.schemas.imports import ImportChanges
from landrenewal.web.schemas.imports import ImportReport as ImportReportOut
from landrenewal.web.settings import Settings
from landrenewal.web.state import AppState
from landrenewal.web.tables import records

router = APIRouter(prefix="/api/imports", tags=["imports"])

KEEP_UPLOADS_S = 3600.0
# Uploads wait for "confirm" on disk, not in memory: with several server processes the confirm may
# reach another one. Each is a folder named by its token, holding the file and who sent it.
UPLOADS = Path(tempfile.gettempdir()) / "landrenewal-uploads"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


_NAME_BYTES = 200  # of the 255 a file name may have on disk, with room for the suffix
_COPY_CHUNK = 1 << 20


@dataclass
class Upload:
    path: Path  # where the server keeps it
    name: str  # what the user called it: every report says this
    entity: str
    username: str
    # load features outside China, the store's zone or its divisions, as warnings (the user said so)
    accept_far_places: bool = False
    report: ImportReport | None = None


def _forget_old() -> None:
    if not UPLOADS.exists():
        return
    now = time.time()
    for folder in UPLOADS.iterdir():
        if now - folder.stat().st_mtime > KEEP_UPLOADS_S:
            shutil.rmtree(folder, ignore_errors=True)


def _stored_name(name: str) -> str:
    """``name`` cut to fit a file system (its suffix kept, which says the format): any name works."""
    suffix = PurePath(name).suffix.lower()
    stem = name[: len(name) - len(suffix)] if suffix else name
    while len(stem.encode("utf-8")) > _NAME_BYTES:
        stem = stem[:-1]
    return (stem.strip() or "upload") + suffix


def _kept(
    token: str, entity: str, username: str, name: str, data: BinaryIO, max_bytes: int, accept_far_places: bool
) -> Upload:
    folder = UPLOADS / token
    (folder / "file").mkdir(parents=True)
    path = folder / "file" / _stored_name(name)
    size = 0
    with path.open("wb") as out:
        for chunk in iter(lambda: data.read(_COPY_CHUNK), b""):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                limit = max_bytes // MIB
                raise ApiError(
                    413,
                    "too_large",
                    say(
                        f"file：文件超过 {limit} MiB 的上传上限",
                        f"file: the file is larger than the {limit} MiB upload limit",
                    ),
                )
            out.write(chunk)
    meta = {
        "entity": entity,
        "username": username,
        "file": path.name,
        "name": name,
        "accept_far_places": accept_far_places,
    }
    (folder / "upload.json").write_text(json.dumps(meta, ensure_ascii=False))
    return Upload(path, name, entity, username, accept_far_places)


def _report(token: str, upload: Upload, done: bool) -> dict[str, Any]:
    report = upload.report
    assert report is not None
    problems = report.labelled_problems()
    problems["file"] = upload.name
    return {
        "token": token,
        "entity": upload.entity,
        "filename": upload.name,
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "would_insert": report.changes.inserted,
        "would_update": report.changes.updated,
        "unchanged": report.changes.unchanged,
        "rejected": report.rejected_rows if len(report.errors) else 0,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "problems": records(problems),
        "notes": report.notes,
        "committed": done,
        "import_id": report.import_id,
    }


def read_limits(settings: Settings) -> ReadLimits:
    return ReadLimits(
        max_unzipped_mib=settings.unzip_max_mib,
        max_zip_ratio=settings.unzip_max_ratio,
        max_columns=settings.table_max_columns,
    )


def _checked(state: AppState, upload: Upload, *, dry_run: bool, skip_bad: bool = False) -> ImportReport:
    options = ImportOptions(
        dry_run=dry_run,
        skip_bad=skip_bad,
        accept_far_places=upload.accept_far_places,
        limits=read_limits(state.settings),
        actor=upload.username,
    )
    try:
        return import_file(state.store, upload.entity, upload.path, options, name=upload.name)
    except ImportRefused as refused:
        return refused.report


@router.post("", summary="上传并校验 Upload a file and check it (nothing is written)", response_model=ImportReportOut)
async def upload(
    state: State,
    user: Importer,
    entity: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    accept_far_places: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    if entity not in ENTITIES:
        raise ApiError(
            422,
            "invalid",
            say(
                f"entity：未知的数据类型 {entity!r}；可选 {'、'.join(ENTITIES)}",
                f"entity: unknown kind {entity!r}; one of {', '.join(ENTITIES)}",
            ),
        )
    name = PurePath(file.filename or "").name
    if not name.lower().endswith(SUPPORTED):
        raise ApiError(
            422,
            "invalid",
            say(
                f"file：只能导入 {'、'.join(SUPPORTED)} 文件，{name!r} 不是",
                f"file: {name!r} is not one of the types imported ({', '.join(SUPPORTED)})",
            ),
        )
    _forget_old()
    token = secrets.token_urlsafe(24)
    limit = state.settings.upload_max_mib * MIB
    item = _kept(token, entity, user.username, name, file.file, limit, accept_far_places)
    try:
        item.report = await run_in_threadpool(_checked, state, item, dry_run=True)
    except (SourceError, ValueError) as e:
        shutil.rmtree(item.path.parent.parent, ignore_errors=True)
        reason = e.reason if isinstance(e, SourceError) else str(e).replace(str(item.path.parent), "")
        raise ApiError(422, "unreadable", f"{name}{say('：', ': ')}{reason}") from None
    return _report(token, item, False)


def _upload(token: str, username: str) -> Upload:
    meta = UPLOADS / token / "upload.json" if _TOKEN.match(token) else None
    if meta is None or not meta.exists():
        raise ApiError(404, "not_found", say("没有这次上传，或已过期", "no such upload, or it has expired"))
    kept = json.loads(meta.read_text())
    if kept["username"] != username:
        raise ApiError(404, "not_found", say("没有这次上传，或已过期", "no such upload, or it has expired"))
    far = bool(kept.get("accept_far_places", False))
    return Upload(meta.parent / "file" / kept["file"], kept.get("name", kept["file"]), kept["entity"], username, far)


@router.post(
    "/{token}/confirm",
    summary="确认导入 Import the checked file (all of it, or only its good rows)",
    response_model=ImportReportOut,
)
async def confirm(token: str, state: State, user: Importer, skip_bad: bool = False) -> dict[str, Any]:
    item = _upload(token, user.username)
    # The file is checked again as it is imported, in one transaction: all of it (or all its good
    # rows, with skip_bad), or nothing. The importer writes the audit row and each record's change
    # in that same transaction, as the user's.
    item.report = await run_in_threadpool(_checked, state, item, dry_run=False, skip_bad=skip_bad)
    if not item.report.committed:
        errors = len(item.report.errors)
        raise ApiError(
            422,
            "refused",
            say(f"{item.name}：有 {errors} 个错误，不能导入", f"{item.name}: {errors} errors; fix them first"),
        )
    state.live.rebuild()
    result = _report(token, item, True)
    shutil.rmtree(UPLOADS / token, ignore_errors=True)
    return result


@router.get(
    "/{token}/rejects.csv",
    summary="问题行 The bad rows with their reasons, to fix and import again (CSV)",
    response_class=Response,
    responses=binary("问题行及原因（CSV，UTF-8）", "text/csv"),
)
def rejects(token: str, state: State, user: Importer) -> Response:
    item = _upload(token, user.username)
    report = _checked(state, item, dry_run=True)
    filename = f"{PurePath(item.name).stem[:80]}-问题行.csv"
    return Response(
        report.rejects_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=\"rejects.csv\"; filename*=UTF-8''{quote(filename)}"},
    )


@router.get(
    "/{import_id}/changes",
    summary="导入逐条变更 What one import changed, record by record (city and admin)",
    response_model=ImportChanges,
)
def changes(import_id: Int, state: State, user: Importer, page: Int = 1, page_size: Int = 100) -> dict[str, Any]:
    """Each inserted or updated record with its changed fields before and after, a page at a time.

    Importers only: they are city-wide users, so every enterprise's figures are theirs to see.
    """
    if page < 1 or not 1 <= page_size <= 1000:
        raise ApiError(422, "invalid", "page ≥ 1, 1 ≤ page_size ≤ 1000")
    with state.store.engine.connect() as conn:
        found = import_log.import_row(conn, import_id)
        if found is None:
            raise ApiError(404, "not_found", say(f"没有编号为 {import_id} 的导入", f"no import numbered {import_id}"))
        items = import_log.change_rows(conn, import_id, (page - 1) * page_size, page_size)
        total = import_log.change_count(conn, import_id)
    return {"import": found, "items": items, "total": total, "page": page, "page_size": page_size}
