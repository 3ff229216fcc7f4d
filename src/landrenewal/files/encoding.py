"""Which text encoding a shapefile's .dbf uses: the .cpg, then the language byte, then UTF-8, else GBK.

Chinese shapefiles are mostly GBK with no .cpg and a language byte of 0, which GDAL then
reads as mojibake without a warning. So the decision is ours, and we say how we made it.

The codec names returned are understood both by Python and by GDAL (iconv), so one name
serves ``pyogrio.read_dataframe(encoding=...)`` and ``bytes.decode`` alike.
"""

from __future__ import annotations

import codecs
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from landrenewal.domain.language import say

# .cpg contents seen in the wild, normalised by _normalise_cpg → codec.
_CPG = {
    "utf8": "utf-8",
    "65001": "utf-8",
    "utf8bom": "utf-8",
    "gbk": "gbk",
    "cp936": "gbk",
    "936": "gbk",
    "ansi936": "gbk",
    "windows936": "gbk",
    "gb2312": "gbk",  # GBK is a superset, and files labelled GB2312 often hold GBK characters
    "euccn": "gbk",
    "gb18030": "gb18030",
    "54936": "gb18030",
    "big5": "cp950",
    "cp950": "cp950",
    "950": "cp950",
    "ansi950": "cp950",
    "latin1": "latin1",
    "iso88591": "latin1",
    "88591": "latin1",
    "1252": "cp1252",
    "ansi1252": "cp1252",
    "cp1252": "cp1252",
    "windows1252": "cp1252",
}
# .cpg values that name no code page: "the system's ANSI/OEM code page", unknowable here.
_CPG_UNKNOWN = {"ansi", "oem", "system", "default"}

# DBF language driver ids (byte 29) → codec; after GDAL's table (ogrshapelayer.cpp).
# 0x57 means "ANSI, current code page": it names nothing, so it is treated like 0.
_LDID = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x13: "cp932",
    0x4D: "gbk",
    0x4E: "cp949",
    0x4F: "cp950",
    0x50: "cp874",
    0x58: "cp1252",
    0x59: "cp1252",
    0x64: "cp852",
    0x65: "cp866",
    0x78: "cp950",
    0x79: "cp949",
    0x7A: "gbk",
    0x7B: "cp932",
    0x7C: "cp874",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
    0xCC: "cp1257",
}

_CHUNK_BYTES = 16 << 20  # records are checked this many bytes at a time: bounded memory on big files
_SEP = 0x0A  # put after every value and name, so that a cut character can be told from bad bytes
_CUT_TAIL = "landrenewal-cut-tail"


def _tolerate_cut_tail(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: drop a multi-byte character cut off at the end of a value, fail on anything else.

    Writers cut text at the field width, sometimes in the middle of a character (UTF-8 field
    names longer than 10 bytes always are). Such a value is still UTF-8 (or GBK); bad bytes
    in the middle of a value are not.
    """
    if not isinstance(error, UnicodeDecodeError) or not _starts_a_character(error):
        raise error
    data = error.object
    end_of_value = data.find(bytes([_SEP]), error.start)
    rest = data[error.end : end_of_value] if end_of_value != -1 else data[error.end :]
    if rest.strip(b" \x00"):
        raise error
    return "", error.end


def _starts_a_character(error: UnicodeDecodeError) -> bool:
    """Whether the failing bytes are the start of a multi-byte character (UTF-8, or GBK and its kin)."""
    first = error.object[error.start]
    if error.reason in ("unexpected end of data", "invalid continuation byte"):  # UTF-8
        return first >= 0xC2
    if error.reason in ("incomplete multibyte sequence", "illegal multibyte sequence"):  # DBCS code pages
        return error.end - error.start == 1 and 0x81 <= first <= 0xFE
    return False


codecs.register_error(_CUT_TAIL, _tolerate_cut_tail)


def decode_cut(raw: bytes, codec: str) -> str:
    """Text of ``raw``, with a character cut at the end of the value dropped; bad bytes elsewhere raise."""
    return raw.decode(codec, errors=_CUT_TAIL)


def normalise_codec(name: str) -> str | None:
    """The codec a .cpg names, or None when it names none we can use."""
    key = re.sub(r"[\s_\-]", "", name.lower())
    if key in _CPG:
        return _CPG[key]
    if key in _CPG_UNKNOWN:
        return None
    for candidate in (name.strip(), f"cp{key}" if key.isdigit() else key):  # "ISO-8859-5"; "1251" → cp1251
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return None


def _sidecar(shp: Path, suffix: str) -> Path | None:
    for s in (suffix, suffix.upper()):
        path = shp.with_suffix(s)
        if path.exists():
            return path
    return None


def _read_cpg(shp: Path) -> str | None:
    path = _sidecar(shp, ".cpg")
    if path is None:
        return None
    return path.read_bytes().decode("ascii", errors="ignore").strip() or None  # a BOM, if any, is dropped


def _dbf_layout(head: bytes) -> tuple[int, int, int, list[tuple[int, int]], list[bytes]]:
    """(records, header length, record length, character-field (offset, width) pairs, field name bytes)."""
    n_records, header_len, record_len = struct.unpack_from("<IHH", head, 4)
    spans: list[tuple[int, int]] = []
    names: list[bytes] = []
    offset = 1  # the deletion flag comes first
    pos = 32
    while pos + 32 <= min(header_len, len(head)) and head[pos] != 0x0D:
        names.append(head[pos : pos + 11].split(b"\x00", 1)[0])
        kind, width = chr(head[pos + 11]), head[pos + 16]
        if kind == "C":
            spans.append((offset, width))
        offset += width
        pos += 32
    return n_records, header_len, record_len, spans, names


def _text_chunks(dbf: Path) -> Iterator[bytes]:
    """The field names, then the character values of all records, each followed by ``_SEP``."""
    with dbf.open("rb") as f:
        head = f.read(32)
        if len(head) < 32:
            return
        header_len = struct.unpack_from("<H", head, 8)[0]
        head += f.read(max(0, header_len - 32))
        n_records, header_len, record_len, spans, names = _dbf_layout(head)
        yield b"".join(name + bytes([_SEP]) for name in names)
        if not spans or record_len <= 0:
            return
        # Column indices of every character field in a record, each field followed by index
        # record_len, which points at the separator column appended below.
        columns = np.concatenate([np.append(np.arange(o, o + w), record_len) for o, w in spans])
        columns = columns[columns <= record_len]  # a header claiming more than the record holds
        rows_per_chunk = max(1, _CHUNK_BYTES // record_len)
        left = n_records
        while left > 0:
            block = f.read(min(left, rows_per_chunk) * record_len)
            rows = len(block) // record_len
            if rows == 0:
                return
            records = np.frombuffer(block, dtype=np.uint8, count=rows * record_len).reshape(rows, record_len)
            padded = np.empty((rows, record_len + 1), dtype=np.uint8)
            padded[:, :record_len] = records
            padded[:, record_len] = _SEP
            yield padded[:, columns].tobytes()
            left -= rows


def _all_decode(dbf: Path, codec: str) -> bool:
    try:
        for chunk in _text_chunks(dbf):
            decode_cut(chunk, codec)
    except UnicodeDecodeError:
        return False
    return True


def _utf8_and_ascii(dbf: Path) -> tuple[bool, bool]:
    """(all text is UTF-8, all text is ASCII) in one pass over the records."""
    ascii_only = True
    try:
        for chunk in _text_chunks(dbf):
            if ascii_only and chunk.isascii():
                continue
            ascii_only = False
            decode_cut(chunk, "utf-8")
    except UnicodeDecodeError:
        return False, False
    return True, ascii_only


def _language_byte(dbf: Path) -> int:
    with dbf.open("rb") as f:
        head = f.read(30)
    return head[29] if len(head) > 29 else 0


def _ldid_text(ldid: int) -> str:
    """The language byte as the reader is told it: ``0x4D（代码页 936）`` / ``0x4D (code page 936)``."""
    if ldid == 0:
        return "0"
    if ldid == 0x7A:
        name = "PRC GBK"
    elif ldid == 0x57:
        name = say("ANSI，未指明代码页", "ANSI, no code page named")
    elif ldid == 0x4D:
        name = say("代码页 936", "code page 936")
    elif ldid in _LDID:
        name = say(f"代码页 {_LDID[ldid].upper()}", f"code page {_LDID[ldid].upper()}")
    else:
        name = say("未知", "unknown")
    return say(f"0x{ldid:02X}（{name}）", f"0x{ldid:02X} ({name})")


def detect_dbf_encoding(shp_path: str | Path) -> tuple[str, str]:
    """(codec, reason) for the .dbf beside a .shp (or the .dbf itself).

    In order: a .cpg naming a code page; the DBF language byte (offset 29) when it names
    one and the text decodes in it; UTF-8 when every field name and character value is
    valid UTF-8 (a character cut at the end of a value is allowed: writers cut at the
    field width); otherwise GBK (GB18030 when only that decodes). The reason is a sentence
    for the user, in the reader's language.
    """
    shp = Path(shp_path)
    cpg = _read_cpg(shp)
    cpg_note = ""
    if cpg:
        codec = normalise_codec(cpg)
        if codec:
            name = codec.upper()
            return codec, say(f"编码 {name}：依据 .cpg 文件「{cpg}」", f'Encoding {name}: from the .cpg file "{cpg}"')
        cpg_note = say(f".cpg 文件「{cpg}」未指明代码页", f'the .cpg file "{cpg}" names no code page')
    dbf = _sidecar(shp, ".dbf")
    if dbf is None:
        return "utf-8", say("无 .dbf 文件，按 UTF-8 处理", "There is no .dbf file: UTF-8 assumed")
    ldid = _language_byte(dbf)
    said = say(
        f"{cpg_note or '.dbf 无 .cpg 文件'}，语言标志为 {_ldid_text(ldid)}",
        f"{cpg_note or 'the .dbf has no .cpg file'}, its language byte is {_ldid_text(ldid)}",
    )
    named = _LDID.get(ldid)
    if named:
        name = named.upper()
        if _all_decode(dbf, named):
            return named, say(f"编码 {name}：{said}", f"Encoding {name}: {said}")
        said += say(f"，但文本不是合法 {name}", f", but the text is not valid {name}")
    utf8, ascii_only = _utf8_and_ascii(dbf)
    if ascii_only:
        return "utf-8", say(
            f"编码 UTF-8：{said}，文本全为 ASCII 字符", f"Encoding UTF-8: {said}, and the text is plain ASCII"
        )
    if utf8:
        return "utf-8", say(
            f"编码 UTF-8：{said}，文本是合法 UTF-8", f"Encoding UTF-8: {said}, and the text is valid UTF-8"
        )
    if _all_decode(dbf, "gbk"):
        return "gbk", say(
            f"编码 GBK：{said}，且文本不是合法 UTF-8", f"Encoding GBK: {said}, and the text is not valid UTF-8"
        )
    if _all_decode(dbf, "gb18030"):
        return "gb18030", say(
            f"编码 GB18030：{said}，文本既不是合法 UTF-8 也不是合法 GBK，按 GB18030 读取",
            f"Encoding GB18030: {said}, and the text is neither valid UTF-8 nor valid GBK: read as GB18030",
        )
    return "gbk", say(
        f"编码 GBK：{said}，文本不是合法 UTF-8，部分字节也不是合法 GBK，这些字符可能显示为乱码",
        f"Encoding GBK: {said}; the text is not valid UTF-8 and some bytes are not valid GBK either, "
        "so those characters may show as garbage",
    )
