"""What makes bytes a PNG, as an image service reads them: the signature, then chunks whose
lengths and CRCs hold, IHDR first with a non-zero size, at least one IDAT, IEND last."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class PngInfo:
    width: int
    height: int


def png_info(data: bytes) -> PngInfo | None:
    """The image's size when `data` is a whole, well-formed PNG; None when it is not."""
    if not data.startswith(SIGNATURE):
        return None
    at, size, seen_idat = len(SIGNATURE), None, False
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        crc_at = at + 8 + length
        if len(body) != length or crc_at + 4 > len(data):
            return None
        (crc,) = struct.unpack(">I", data[crc_at : crc_at + 4])
        if zlib.crc32(kind + body) != crc:
            return None
        if size is None:
            if kind != b"IHDR" or length != 13:
                return None
            width, height = struct.unpack(">II", body[:8])
            if not width or not height:
                return None
            size = PngInfo(width, height)
        seen_idat = seen_idat or kind == b"IDAT"
        at = crc_at + 4
        if kind == b"IEND":
            return size if seen_idat and at == len(data) else None
    return None
