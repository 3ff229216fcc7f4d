"""Problems found in an input file, each naming file, row, field and reason, and the run's report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

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
    return np.asarray(items, dtype=object)[idx]


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

    def write_rejects(self, path: Path) -> None:
        """The problems as CSV (UTF-8 with BOM so Excel shows the Chinese right)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = self.problems[PROBLEM_COLUMNS].copy()
        frame["row"] = frame["row"].astype("int64")
        frame.to_csv(path, index=False, encoding="utf-8-sig")

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
            "problems": self.problems[PROBLEM_COLUMNS].head(1000).to_dict(orient="records"),
        }
