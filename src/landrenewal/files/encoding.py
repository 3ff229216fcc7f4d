"""Which text encoding a shapefile's .dbf uses: .cpg, then the language byte, then UTF-8, else GBK.

Chinese shapefiles are mostly GBK with no .cpg and a language byte of 0, which GDAL then
reads as mojibake without a warning. So the decision is ours, and we say how we made it.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

# .cpg contents seen in the wild → Python codec.
_CPG = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "65001": "utf-8",
    "gbk": "gbk",
    "cp936": "gbk",
    "936": "gbk",
    "ansi 936": "gbk",
    "gb2312": "gbk",
    "gb18030": "gb18030",
    "54936": "gb18030",
    "big5": "big5",
    "950": "big5",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "88591": "latin-1",
    "8859_1": "latin-1",
    "1252": "cp1252",
    "ansi 1252": "cp1252",
    "cp1252": "cp1252",
}
# DBF language driver ids (byte 29) that name a code page.
_LDID = {0x4D: "gbk", 0x7A: "gbk", 0x4F: "big5", 0x78: "big5", 0x57: None, 0x03: "cp1252", 0x01: "cp437"}


def _cpg(shp: Path) -> str | None:
    for suffix in (".cpg", ".CPG"):
        path = shp.with_suffix(suffix)
        if path.exists():
            return path.read_text(encoding="ascii", errors="ignore").strip()
    return None


def _dbf_path(shp: Path) -> Path | None:
    for suffix in (".dbf", ".DBF"):
        if shp.with_suffix(suffix).exists():
            return shp.with_suffix(suffix)
    return None


def _text_bytes(dbf: Path) -> tuple[int, bytes]:
    """The language byte and the bytes of all character fields of all records."""
    data = dbf.read_bytes()
    ldid = data[29] if len(data) > 29 else 0
    if len(data) < 32:
        return ldid, b""
    n_records, header_len, record_len = struct.unpack_from("<IHH", data, 4)
    spans = []
    offset = 1  # the deletion flag
    pos = 32
    while pos + 32 <= header_len and data[pos] != 0x0D:
        kind, length = chr(data[pos + 11]), data[pos + 16]
        if kind in "CM":
            spans.append((offset, length))
        offset += length
        pos += 32
    n_records = min(n_records, max(0, (len(data) - header_len) // max(record_len, 1)))
    records = np.frombuffer(data, dtype=np.uint8, count=n_records * record_len, offset=header_len)
    records = records.reshape(n_records, record_len)
    columns = np.concatenate([np.arange(o, o + n) for o, n in spans]) if spans else np.arange(0)
    return ldid, records[:, columns].tobytes()


def detect_dbf_encoding(shp: Path) -> tuple[str, str]:
    """(codec, reason) for the .dbf beside a .shp."""
    cpg = _cpg(shp)
    if cpg:
        codec = _CPG.get(cpg.lower())
        if codec:
            return codec, f"编码 {codec.upper()}：依据 .cpg 文件「{cpg}」(from the .cpg file)"
    dbf = _dbf_path(shp)
    if dbf is None:
        return "utf-8", "无 .dbf 文件 (no .dbf file)"
    ldid, text = _text_bytes(dbf)
    named = _LDID.get(ldid)
    if named:
        return named, f"编码 {named.upper()}：依据 .dbf 语言标志 0x{ldid:02X} (from the DBF language byte)"
    try:
        text.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return "gbk", (
            f"编码 GBK：无 .cpg 文件，语言标志为 0x{ldid:02X}，且文本不是合法 UTF-8 "
            "(GBK: no .cpg, no code page in the language byte, text is not valid UTF-8)"
        )
    return "utf-8", (
        f"编码 UTF-8：无 .cpg 文件，语言标志为 0x{ldid:02X}，文本是合法 UTF-8 "
        "(UTF-8: no .cpg, no code page in the language byte, text decodes as UTF-8)"
    )


def rename_dbf_fields(dbf: Path, out: Path) -> list[bytes]:
    """Copy a .dbf with its field names replaced by F1, F2 …; the original name bytes, in order."""
    data = bytearray(dbf.read_bytes())
    header_len = struct.unpack_from("<H", data, 8)[0]
    names = []
    pos = 32
    while pos + 32 <= header_len and data[pos] != 0x0D:
        names.append(bytes(data[pos : pos + 11]).split(b"\x00", 1)[0])
        data[pos : pos + 11] = f"F{len(names)}".encode("ascii").ljust(11, b"\x00")
        pos += 32
    out.write_bytes(bytes(data))
    return names
