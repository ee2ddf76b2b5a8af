"""A worksheet part as a stream: cut at row boundaries on the way in, deflated on the way out.

The Actions sheet of a register ten years old is 37 MB of XML in a 4 MB file. Holding it
whole to change a few rows (and a second whole copy for the result) made a command's memory
follow the history, not the change; so a sheet is inflated piece by piece
(``Package.stream``), cut where a ``<row`` begins (``SheetPieces``), and what a command does
not touch goes straight into a raw-deflate stream (``Deflater``) whose CRC and sizes are
counted as it goes: the zip entry is written from those bytes, so the inflated sheet never
exists whole. Anything this plain cutting cannot be sure of raises ``Unusual``; the caller
then reads the part whole, which is slower but handles every form.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_SHEET_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b[^>]*?(/?)>")
CDATA = b"<![CDATA["


class Unusual(Exception):
    """The part is not in the plain form streaming relies on; read it whole instead."""


@dataclass
class Deflated:
    """A part's new content as raw deflate pieces, with what its zip entry records."""

    pieces: list[bytes] = field(default_factory=list)
    crc: int = 0
    size: int = 0  # inflated

    @property
    def compressed_size(self) -> int:
        return sum(len(piece) for piece in self.pieces)

    def inflate(self) -> bytes:
        """The content whole: only for a part read again after it was streamed (rare)."""
        return zlib.decompress(b"".join(self.pieces), -15)

    def inflated_pieces(self, chunk: int) -> Iterator[bytes]:
        inflater = zlib.decompressobj(-15)
        for piece in self.pieces:
            data = inflater.decompress(piece, chunk)
            while data:
                yield data
                data = inflater.decompress(inflater.unconsumed_tail, chunk)
        rest = inflater.flush()
        if rest:
            yield rest


class Deflater:
    """Raw deflate (what a zip entry holds), with the CRC-32 and size counted as it goes."""

    def __init__(self, level: int):
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.result = Deflated()

    def write(self, data: bytes | memoryview) -> None:
        if not len(data):
            return
        result = self.result
        result.crc = zlib.crc32(data, result.crc)
        result.size += len(data)
        out = self._compressor.compress(data)
        if out:
            result.pieces.append(out)

    def finish(self) -> Deflated:
        self.result.pieces.append(self._compressor.flush())
        return self.result


class SheetPieces:
    """A worksheet's XML in three parts: ``head`` (up to and with ``<sheetData>``), the body
    in pieces that each end where a row begins (``body()``), then ``tail()`` (from
    ``</sheetData>`` on). A row is never split between two pieces."""

    def __init__(self, pieces: Iterable[bytes]):
        self._pieces = iter(pieces)
        buffer = b""
        while True:
            match = _SHEET_DATA.search(buffer)
            # The opening tag is whole only once a ">" follows it.
            if match is not None:
                break
            piece = next(self._pieces, None)
            if piece is None:
                raise Unusual("no sheetData")
            buffer += piece
        if match.group(2):
            raise Unusual("an empty <sheetData/>")
        self.prefix = match.group(1) + b":" if match.group(1) else b""
        self.head = buffer[: match.end()]
        self._rest = buffer[match.end() :]
        self._tail: bytes | None = None

    def body(self) -> Iterator[bytes]:
        opener = b"<" + self.prefix + b"row"
        close = b"</" + self.prefix + b"sheetData>"
        carry = self._rest
        self._rest = b""
        pieces = self._pieces
        while True:
            end = carry.find(close)
            if end >= 0:
                if end:
                    yield carry[:end]
                self._tail = carry[end:]
                return
            cut = carry.rfind(opener)
            if cut > 0:
                yield carry[:cut]
                carry = carry[cut:]
            piece = next(pieces, None)
            if piece is None:
                raise Unusual("sheetData is not closed")
            carry += piece

    def tail(self) -> bytes:
        """Everything from ``</sheetData>`` on (small: merged cells, formats, validations)."""
        if self._tail is None:
            raise RuntimeError("the body was not read to its end")
        rest = b"".join(self._pieces)
        return self._tail + rest
