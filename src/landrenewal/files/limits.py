"""How much a file may make us read: operational limits, with defaults that fit a county's inventory.

A zip (a zipped shapefile, and every XLSX, which is a zip of XML) says in its directory how large
each member is once inflated; that is checked before anything is inflated, so that a small file
that inflates to gigabytes (a "zip bomb") is refused in milliseconds. Python's zipfile never
inflates a member beyond its declared size (it fails on the CRC instead), so the declared sizes
are a bound that holds.

These are settings, not policy: the web app passes its own (``LANDRENEWAL_*``), the command line
uses the defaults.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from landrenewal.domain.language import say
from landrenewal.files.source import SourceError

MIB = 1 << 20


@dataclass(frozen=True)
class ReadLimits:
    # Everything a zip or an XLSX inflates to, all members together. 10⁶ parcels as a
    # shapefile are about 700 MiB; a county's inventory is a few dozen.
    max_unzipped_mib: int = 1024
    # Inflated size over stored size, per member. Real shapefiles and XLSX sheets compress 3–30×;
    # a zip bomb compresses about 1000×.
    max_zip_ratio: int = 200
    # Columns of a table. Inventory files have dozens; Excel allows 16,384.
    max_columns: int = 500


DEFAULT_LIMITS = ReadLimits()


def _mib(n: int) -> str:
    return f"{n / MIB:,.1f} MiB"


def check_unzipped_size(path: Path, archive: zipfile.ZipFile, members: Iterable[str], limits: ReadLimits) -> None:
    """Refuse a zip whose ``members`` would inflate beyond the limits, before inflating any."""
    infos = [archive.getinfo(name) for name in members]
    total = sum(info.file_size for info in infos)
    if total > limits.max_unzipped_mib * MIB:
        raise SourceError(
            path,
            say(
                f"解压后共 {_mib(total)}，超过上限 {limits.max_unzipped_mib:,} MiB，未解压",
                f"it would unzip to {_mib(total)}, more than the limit of {limits.max_unzipped_mib:,} MiB: "
                "not unzipped",
            ),
        )
    for info in infos:
        # A member of a few kilobytes may compress far better than a bomb would; only ratios over
        # sizes that matter are refused.
        if info.file_size > MIB and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise SourceError(
                path,
                say(
                    f"压缩包成员「{info.filename}」压缩比 {ratio:,.0f} 倍（{_mib(info.compress_size)} → "
                    f"{_mib(info.file_size)}），超过上限 {limits.max_zip_ratio} 倍，疑为压缩炸弹，未解压",
                    f'the zip member "{info.filename}" is compressed {ratio:,.0f}:1 ({_mib(info.compress_size)} → '
                    f"{_mib(info.file_size)}), over the limit of {limits.max_zip_ratio}:1, like a zip bomb: "
                    "not unzipped",
                ),
            )


def check_columns(path: Path, count: int, limits: ReadLimits) -> None:
    if count > limits.max_columns:
        raise SourceError(
            path,
            say(
                f"表格有 {count:,} 列，超过上限 {limits.max_columns:,} 列",
                f"the table has {count:,} columns, more than the limit of {limits.max_columns:,}",
            ),
        )
