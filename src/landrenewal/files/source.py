"""What a reader returns: a table as read from a file, before any mapping or validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import CRS


@dataclass
class Source:
    """One table read from one file.

    ``frame`` holds the attribute columns exactly as the file names them (Chinese headers
    kept), all values as read. ``geometry`` is a shapely array aligned with ``frame`` (or
    None for CSV/XLSX). ``row_numbers`` are what a user sees: the spreadsheet row for CSV
    and XLSX (header = row 1, first data row = 2), the 1-based feature number otherwise.
    ``notes`` are sentences for the report: which encoding was used and why, which CRS
    was assumed, and so on.
    """

    path: Path
    frame: pd.DataFrame
    geometry: npt.NDArray[np.object_] | None
    crs: CRS | None
    row_numbers: npt.NDArray[np.int64]
    encoding: str | None = None
    layer: str | None = None
    notes: list[str] = field(default_factory=list)


class SourceError(Exception):
    """A file that cannot be read at all (missing, unknown format, corrupt)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason
