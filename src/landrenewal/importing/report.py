"""Problems found in an input file, each naming file, row, field and reason, and the run's report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from landrenewal.domain.fields import ENTITIES
from landrenewal.domain.language import say
from landrenewal.store.writes import Changes


class Severity(StrEnum):
    ERROR = "error"  # the row cannot be loaded
    WARNING = "warning"  # the row is loaded; the user should know (e.g. a repaired geometry)


PROBLEM_COLUMNS = ["file", "row", "field", "value", "reason", "severity"]
FILE_ROW = 0  # row number used for problems with the whole file (a missing column, say)


Lazy = Callable[[npt.NDArray[np.int64]], Sequence[object]]


def _pick(items: Lazy | pd.Series | npt.NDArray[np.object_], idx: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    if callable(items):
        return np.asarray(items(idx), dtype=object)
    if isinstance(items, pd.Series):  # the rows picked first: a whole column is not made Python objects
        return items.iloc[idx].to_numpy(dtype=object)
    return np.asarray(np.asarray(items)[idx], dtype=object)


class Problems:
    """Problems collected in bulk: each check adds a mask over the rows, not one row at a time."""

    def __init__(self, file: str, row_numbers: npt.NDArray[np.int64]) -> None:
        self.file = file
        self.row_numbers = row_numbers
        self._parts: list[pd.DataFrame] = []

    def add(
        self,
        mask: npt.NDArray[np.bool_] | pd.Series,
        field: str,
        reason: str | Lazy | pd.Series | npt.NDArray[np.object_],
        values: Lazy | pd.Series | npt.NDArray[np.object_] | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Report the rows under ``mask``. Reasons and values may be functions of the row positions,
        so that texts are only built for the rows that have the problem."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        reasons = reason if isinstance(reason, str) else _pick(reason, idx)
        shown = "" if values is None else pd.Series(_pick(values, idx)).astype(str).to_numpy()
        self._parts.append(
            pd.DataFrame(
                {
                    "file": self.file,
                    "row": self.row_numbers[idx],
                    "field": field,
                    "value": shown,
                    "reason": reasons,
                    "severity": str(severity),
                    "_index": idx,
                }
            )
        )

    def add_file(self, field: str, reason: str) -> None:
        """A problem with the whole file: every row is affected."""
        self._parts.append(
            pd.DataFrame(
                {
                    "file": [self.file],
                    "row": [FILE_ROW],
                    "field": [field],
                    "value": [""],
                    "reason": [reason],
                    "severity": [str(Severity.ERROR)],
                    "_index": [-1],
                }
            )
        )

    @property
    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame(columns=[*PROBLEM_COLUMNS, "_index"])
        return pd.concat(self._parts, ignore_index=True).sort_values(["row", "field"], kind="stable")

    def error_rows(self, n: int) -> npt.NDArray[np.bool_]:
        """Mask of the rows that have at least one error (all rows if the file itself is bad)."""
        bad = np.zeros(n, dtype=bool)
        frame = self.frame
        errors = frame[frame["severity"] == Severity.ERROR]
        if (errors["_index"] < 0).any():
            bad[:] = True
        else:
            bad[errors["_index"].to_numpy(dtype=np.int64)] = True
        return bad

    @property
    def has_file_error(self) -> bool:
        frame = self.frame
        return bool(((frame["_index"] < 0) & (frame["severity"] == Severity.ERROR)).any())


# The English of an old "中文 (English)" message: a bracket of Latin words with at least one space, no CJK.
# "(EPSG:4490)" or "(m²)" are not English and stay.
@dataclass
class ImportReport:
    kind: str
    file: str
    rows_read: int
    problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    rows_loaded: int = 0
    committed: bool = False
    import_id: int | None = None
    source: pd.DataFrame = field(default_factory=pd.DataFrame)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == Severity.ERROR]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == Severity.WARNING]

    @property
    def rejected_rows(self) -> int:
        errors = self.errors
        if (errors["_index"] < 0).any():
            return self.rows_read
        return int(errors["_index"].nunique())

    def keep_source(self, frame: pd.DataFrame, headers: dict[str, str]) -> None:
        """The file's rows as read, and which of its headers each field came from: what the
        rejects file shows the user, in the user's own columns."""
        self.source = frame
        self.headers = headers

    def field_label(self, name: str) -> str:
        """What a user calls a field: the file's own header for it, else its name in the reader's language
        (``uscc`` → 统一社会信用代码 or USCC, ``geom`` → 图形 or Geometry, ``uscc+year`` → 统一社会信用代码+年度)."""
        spec = ENTITIES.get(self.kind)

        def one(part: str) -> str:
            if part in self.headers:
                return self.headers[part]
            if part in ("geom", "geometry"):
                return say("图形", "Geometry")
            if spec is not None and part in spec.names:
                named = spec.field(part)
                return say(named.zh, named.en or named.name)
            return part

        return "+".join(one(part) for part in str(name).split("+"))

    def rejects(self) -> pd.DataFrame:
        """The bad rows as the file has them (its columns, its headers), each with the row, field and
        reason in front (行号、字段、原因, or row, field, reason: headed in the language of whoever asks
        for the file, when it is made): the file a user fixes and imports again. Problems of the whole
        file come first, as lines of their own. No server path anywhere."""
        row, field_, reason = say("行号", "row"), say("字段", "field"), say("原因", "reason")
        colon, semicolon, comma = say("：", ": "), say("；", "; "), say("、", ", ")
        errors = self.errors
        labels = errors["field"].map(self.field_label)
        reasons = errors["reason"].astype(str)
        whole = errors["_index"] < 0
        lines = pd.DataFrame(
            {
                row: say("全文件", "whole file"),
                field_: labels[whole],
                reason: labels[whole] + colon + reasons[whole],
            }
        )
        rows = errors[~whole].assign(label=labels[~whole], said=labels[~whole] + colon + reasons[~whole])
        grouped = rows.groupby("_index", sort=True)
        per_row = pd.DataFrame(
            {
                row: grouped["row"].first().astype("int64"),
                field_: grouped["label"].agg(lambda s: comma.join(dict.fromkeys(s))),
                reason: grouped["said"].agg(semicolon.join),
            }
        )
        if len(self.source.columns) and len(per_row):
            original = self.source.iloc[per_row.index.to_numpy(dtype=np.int64)].reset_index(drop=True)
            per_row = pd.concat([per_row.reset_index(drop=True), original], axis=1)
        else:
            per_row = per_row.reset_index(drop=True)
        return pd.concat([lines, per_row], ignore_index=True) if len(lines) else per_row

    def write_rejects(self, path: Path) -> None:
        """The rejects as CSV (UTF-8 with BOM so that Excel shows the Chinese right)."""
        from landrenewal.files.writers import csv_safe

        path.parent.mkdir(parents=True, exist_ok=True)
        csv_safe(self.rejects()).to_csv(path, index=False, encoding="utf-8-sig")

    def rejects_csv(self) -> bytes:
        from landrenewal.files.writers import csv_safe

        return csv_safe(self.rejects()).to_csv(index=False).encode("utf-8-sig")

    def labelled_problems(self, limit: int = 1000) -> pd.DataFrame:
        """The first problems, with the field as the user calls it beside its canonical name."""
        shown = self.problems[PROBLEM_COLUMNS].head(limit).copy()
        shown["field_label"] = shown["field"].map(self.field_label)
        return shown

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rejected_rows": self.rejected_rows,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "inserted": self.changes.inserted,
            "updated": self.changes.updated,
            "unchanged": self.changes.unchanged,
            "changes": self.changes.changed,
            "committed": self.committed,
            "import_id": self.import_id,
            "notes": self.notes,
            "problems": self.labelled_problems().to_dict(orient="records"),
        }
