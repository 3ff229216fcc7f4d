"""One import: read → map → coerce → check → (all good, or --skip-bad) → upsert, in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import CRS
from sqlalchemy import Connection, select

from landrenewal import accounts
from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.language import say
from landrenewal.files.limits import DEFAULT_LIMITS, ReadLimits
from landrenewal.files.readers import read_source
from landrenewal.files.source import Source
from landrenewal.importing import geometry as geometry_prep
from landrenewal.importing.checks import (
    CHECKS,
    DEFAULT_AREA_TOLERANCE,
    CheckContext,
    CheckOptions,
    check_duplicate_keys,
    check_parcel_areas,
    geometry_area_m2,
)
from landrenewal.importing.coerce import coerce
from landrenewal.importing.divisions import made_note, missing_parents
from landrenewal.importing.mapping import UserMapping, load_user_mapping, map_columns
from landrenewal.importing.report import ImportReport, Problems
from landrenewal.store import schema
from landrenewal.store.engine import Store
from landrenewal.store.writes import upsert

KINDS = tuple(ENTITIES)


class ImportRefused(Exception):
    """The import was refused as a whole; the report says why, row by row."""

    def __init__(self, report: ImportReport) -> None:
        errors = len(report.errors)
        super().__init__(
            say(
                f"{report.file}：{errors} 个错误，未写入任何数据",
                f"{report.file}: {errors} error{'' if errors == 1 else 's'}, nothing written",
            )
        )
        self.report = report


@dataclass(frozen=True)
class ImportOptions:
    skip_bad: bool = False
    area_tolerance: float = DEFAULT_AREA_TOLERANCE
    today: dt.date | None = None
    mapping: Path | None = None
    # Check and count what would change, then write nothing (the web app's report before "confirm").
    dry_run: bool = False
    # Load features outside China or far outside the store's zone (as warnings) rather than refuse them.
    accept_far_places: bool = False
    limits: ReadLimits = DEFAULT_LIMITS
    # Who imports, for the audit log: the web app's user, or "os:<name>" for the command line.
    actor: str = "system"


def import_file(
    store: Store, kind: str, path: str | Path, options: ImportOptions | None = None, *, name: str | None = None
) -> ImportReport:
    """Import one file of ``kind`` into the store. Raises ImportRefused when nothing was written.

    ``name`` is what reports and the import log call the file (an upload's own name, not where
    the server keeps it); by default its path.
    """
    options = options or ImportOptions()
    source = read_source(path, limits=options.limits)
    if name is not None:
        source.path = Path(name)
    user = load_user_mapping(options.mapping, kind) if options.mapping else None
    return import_source(store, kind, source, options, user=user, digest=_sha256(Path(path)))


def import_frame(
    store: Store,
    kind: str,
    frame: pd.DataFrame,
    name: str,
    *,
    epsg: int | None = None,
    options: ImportOptions | None = None,
    conn: Connection | None = None,
) -> ImportReport:
    """Import an in-memory frame with canonical column names (and shapely ``geom`` in ``epsg``).

    Given ``conn``, the import joins that transaction (several imports then commit together).
    """
    geoms = frame["geom"].to_numpy(dtype=object) if "geom" in frame else None
    source = Source(
        path=Path(name),
        frame=frame.drop(columns=["geom"], errors="ignore"),
        geometry=geoms,
        crs=CRS.from_epsg(epsg) if epsg else None,
        row_numbers=np.arange(1, len(frame) + 1, dtype=np.int64),
    )
    digest = hashlib.sha256(pd.util.hash_pandas_object(source.frame, index=False).to_numpy().tobytes()).hexdigest()
    return import_source(store, kind, source, options or ImportOptions(), digest=digest, conn=conn)


def import_source(
    store: Store,
    kind: str,
    source: Source,
    options: ImportOptions,
    *,
    user: UserMapping | None = None,
    digest: str = "",
    conn: Connection | None = None,
) -> ImportReport:
    """Check and write one source in one transaction: the caller's ``conn``, or a writing one of our own.

    A dry run reads only: it takes no write lock and leaves the file untouched.
    """
    if kind not in ENTITIES:
        raise ValueError(
            say(
                f"未知的数据类别 {kind!r}；可选：{', '.join(KINDS)}",
                f"unknown kind {kind!r}; one of {', '.join(KINDS)}",
            )
        )
    # Reading and coercing need no store: done before any lock is taken.
    spec = ENTITIES[kind]
    problems = Problems(str(source.path), source.row_numbers)
    columns = map_columns(spec, [str(c) for c in source.frame.columns], user)
    parsed = _Parsed(
        kind,
        source,
        coerce(source.frame, spec, columns, problems),
        problems,
        [*source.notes, *columns.notes],
        {c.field: c.header for c in columns.columns.values()},
    )
    check_duplicate_keys(parsed.frame, spec, problems)
    if conn is not None:
        return _import(conn, store, parsed, options, digest)
    if options.dry_run:
        with store.engine.connect() as reading:
            return _import(reading, store, parsed, options, digest)
    with store.write() as writing:
        return _import(writing, store, parsed, options, digest)


@dataclass
class _Parsed:
    kind: str
    source: Source
    frame: pd.DataFrame
    problems: Problems
    notes: list[str]
    headers: dict[str, str]  # field → the file's own header, for the rejects file


def _import(conn: Connection, store: Store, parsed: _Parsed, options: ImportOptions, digest: str) -> ImportReport:
    kind, source, frame, problems, notes = parsed.kind, parsed.source, parsed.frame, parsed.problems, parsed.notes
    spec = ENTITIES[kind]
    file = str(source.path)
    check_options = CheckOptions(
        today=options.today or dt.date.today(),
        area_tolerance=options.area_tolerance,
        far_places_ok=options.accept_far_places,
    )

    ctx = CheckContext(conn, store, problems, check_options)
    prepared = None
    if spec.geometry and source.geometry is not None:
        try:
            prepared = geometry_prep.prepare(
                source.geometry,
                source.crs,
                store.epsg(conn),
                problems,
                required=spec.geometry_required,
                far_places_ok=options.accept_far_places,
                recorded_m2=geometry_prep.recorded_area_m2(frame),
            )
        except geometry_prep.CrsError as exc:
            problems.add_file("geom", str(exc))
        if prepared is not None:
            notes += prepared.notes
            frame["geom"] = prepared.geoms
    elif spec.geometry_required:
        problems.add_file(
            "geom",
            say("文件没有图形；宗地须为面图层", "the file has no geometry: parcels need a polygon layer"),
        )
    if not problems.has_file_error:
        _derive(kind, frame, ctx)
        CHECKS[kind](frame, ctx)

    report = ImportReport(kind, file, len(frame), problems.frame, notes)
    report.keep_source(source.frame, parsed.headers)
    bad = problems.error_rows(len(frame))
    if bad.any() and not options.skip_bad:
        raise ImportRefused(report)  # the caller's transaction rolls back
    good = frame[~bad]
    if prepared is not None and prepared.set_store_epsg and len(good) and not options.dry_run:
        store.set_epsg(conn, prepared.epsg)
    table = schema.ENTITY_TABLES[kind]
    parents = _parents(conn, good) if kind == "divisions" else None
    if parents is not None:
        report.notes.append(made_note(parents))
    # The import's row comes first: each record it changes is logged under the import's id.
    import_id = None if options.dry_run else _log(conn, kind, file, digest, report)
    if parents is not None:
        upsert(conn, store, table, parents, spec.key, dry_run=options.dry_run, log_to=import_id)
    report.changes = upsert(conn, store, table, good, spec.key, dry_run=options.dry_run, log_to=import_id)
    report.rows_loaded = len(good)
    if import_id is None:
        return report
    _counted(conn, import_id, report)
    after = {
        "import_id": import_id,
        "file": file,
        "sha256": digest,
        "rows_read": report.rows_read,
        "inserted": report.changes.inserted,
        "updated": report.changes.updated,
        "unchanged": report.changes.unchanged,
        "skipped": report.rejected_rows if len(report.errors) else 0,
    }
    accounts.audit(conn, options.actor, "import", kind, str(import_id), None, after)
    report.import_id = import_id
    report.committed = True
    return report


def _parents(conn: Connection, divisions: pd.DataFrame) -> pd.DataFrame | None:
    """The counties and towns the imported divisions need that nobody gave (None: none)."""
    stored = pd.Index(conn.execute(select(schema.divisions.c.division_code)).scalars().all())
    parents = missing_parents(divisions["division_code"], stored)
    return parents if len(parents) else None


def _derive(kind: str, frame: pd.DataFrame, ctx: CheckContext) -> None:
    """Columns computed from the geometry: parcel area, building footprint when not given."""
    if "geom" not in frame:
        return
    area = geometry_area_m2(frame["geom"].to_numpy(dtype=object))
    if kind == "parcels":
        frame["area_m2"] = area
        check_parcel_areas(frame, area, ctx)
    elif kind == "buildings":
        given = frame["footprint_m2"] if "footprint_m2" in frame else pd.Series(np.nan, index=frame.index)
        frame["footprint_m2"] = given.fillna(pd.Series(area, index=frame.index))


def _log(conn: Connection, kind: str, file: str, digest: str, report: ImportReport) -> int:
    result = conn.execute(
        schema.imports.insert().values(
            kind=kind,
            source=file,
            sha256=digest,
            started_at=dt.datetime.now(dt.UTC),
            rows_read=report.rows_read,
            inserted=0,  # counted once written (_counted)
            updated=0,
            unchanged=0,
            rejected=report.rejected_rows,
            notes=json.dumps(report.notes, ensure_ascii=False),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _counted(conn: Connection, import_id: int, report: ImportReport) -> None:
    changes = report.changes
    conn.execute(
        schema.imports.update()
        .where(schema.imports.c.id == import_id)
        .values(inserted=changes.inserted, updated=changes.updated, unchanged=changes.unchanged)
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    files = [path]
    if path.suffix.lower() == ".shp":
        files += [path.with_suffix(s) for s in (".dbf", ".shx", ".prj", ".cpg") if path.with_suffix(s).exists()]
    for f in files:
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()
