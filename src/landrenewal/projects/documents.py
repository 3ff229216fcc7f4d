"""Documents attached to project events: PDF, images and Office files, their type read from their
content (never from the name), within a size limit (docs/projects.md)."""

from __future__ import annotations

import io
import zipfile

from landrenewal.domain.language import say

DEFAULT_LIMIT_BYTES = 50 * 1024 * 1024

# Leading bytes → media type. Office 97–2003 files share one container (OLE2).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OFD = "application/ofd"  # 版式文档 (GB/T 33190), how many government offices issue documents


class DocumentError(ValueError):
    """A file that cannot be attached: names the file and the reason."""


def media_type(content: bytes) -> str | None:
    """The type the content is, or None when it is none of the kinds a dossier keeps."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for prefix, kind in _OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return kind
        if "OFD.xml" in names:
            return _OFD
    return None


def checked(name: str, content: bytes, limit: int = DEFAULT_LIMIT_BYTES) -> str:
    """The media type of an upload that may be attached; DocumentError saying why not."""
    if not content:
        raise DocumentError(say(f"{name}：文件为空。", f"{name}: the file is empty."))
    if len(content) > limit:
        raise DocumentError(
            say(
                f"{name}：文件 {len(content) / 1048576:.1f} MB，超过上限 {limit / 1048576:.0f} MB。",
                f"{name}: the file is {len(content) / 1048576:.1f} MB, above the limit of {limit / 1048576:.0f} MB.",
            )
        )
    kind = media_type(content)
    if kind is None:
        raise DocumentError(
            say(
                f"{name}：只能附 PDF、OFD、图片（PNG、JPEG、TIFF）或 Office 文件（Word、Excel、PowerPoint），"
                "按文件内容判断，与扩展名无关。",
                f"{name}: only PDF, OFD, images (PNG, JPEG, TIFF) or Office files (Word, Excel, PowerPoint) may be "
                "attached, judged by the content, whatever the file name says.",
            )
        )
    return kind
