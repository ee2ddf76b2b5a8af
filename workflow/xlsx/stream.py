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

from workflow.xlsx.segments import Rows, Segment, crc32_combine

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
    # The segments (``segments`` module) ended by ``Deflater.boundary`` and ``finish``.
    segments: list[Segment] = field(default_factory=list)
    extra: bytes = b""  # the zip extra field for the entry (its segment index), if any

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
    """Raw deflate (what a zip entry holds), with the CRC-32 and size counted as it goes, in
    segments that can be inflated or replaced one by one (``boundary``)."""

    def __init__(self, level: int):
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        self.result = Deflated()
        # (head, body segments) for the part's segment index, once the editor knows them.
        self.noted: tuple[Segment, tuple[Rows, ...]] | None = None
        self.ended_deflated_crc = 0
        self._start()

    def _start(self) -> None:
        self._compressed = 0
        self._size = 0
        self._crc = 0
        self.deflated_crc = 0  # CRC-32 of this segment's compressed bytes

    def _out(self, out: bytes) -> None:
        if out:
            self.result.pieces.append(out)
            self._compressed += len(out)
            self.deflated_crc = zlib.crc32(out, self.deflated_crc)

    def write(self, data: bytes | memoryview) -> None:
        if not len(data):
            return
        result = self.result
        result.crc = zlib.crc32(data, result.crc)
        result.size += len(data)
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._out(self._compressor.compress(data))

    def raw(self, deflated: bytes, segment: Segment) -> None:
        """A segment's compressed bytes as they are (they follow a ``boundary``, and end at a
        full flush): what it inflates to is ``segment``'s length and CRC."""
        result = self.result
        result.crc = crc32_combine(result.crc, segment.crc, segment.size)
        result.size += segment.size
        self._crc = crc32_combine(self._crc, segment.crc, segment.size)
        self._size += segment.size
        self._out(deflated)

    @property
    def segment_size(self) -> int:
        """Bytes written (inflated) since the last boundary."""
        return self._size

    def keep(self, deflated: bytes, segment: Segment) -> None:
        """A whole segment as it was deflated before (it follows a ``boundary``)."""
        self.raw(deflated, segment)
        self._end()

    def boundary(self) -> Segment:
        """End the segment here: a full flush, so what follows refers to nothing before."""
        self._out(self._compressor.flush(zlib.Z_FULL_FLUSH))
        return self._end()

    def _end(self) -> Segment:
        segment = Segment(self._compressed, self._size, self._crc)
        self.result.segments.append(segment)
        self.ended_deflated_crc = self.deflated_crc  # of the segment just ended
        self._start()
        return segment

    def finish(self) -> Deflated:
        self._out(self._compressor.flush())
        self._end()
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
