"""A sheet part ccp wrote, kept in independently deflated segments, so that an edit costs
the segments it touches, not the sheet.

Every command appends to the Audit sheet; after ten busy years it is 90 MB of XML, and
inflating and deflating all of it to add one row was most of what `referral add` cost
(`actions update`, likewise, for one status among 60,000 actions). So when ccp writes a
sheet it deflates the part in segments, each ending at a full flush (byte-aligned, history
reset: one can be inflated, or replaced, without the others):

    head   the XML up to and with <sheetData> (the dimension, which an append changes)
    rows   the rows, cut about every MB after a row (``workbook.SEGMENT_ROWS``)
    tail   from </sheetData> on (filters, formats, validations that grow with the rows)

and notes, in a zip extra field of the part's entry, each segment's compressed and inflated
length and CRC-32, and for each segment of rows the CRC-32 of its compressed bytes, its last
row's number and that row's cell styles (a row written after it takes them). An edit then
inflates the head, the tail and the segments holding a row to write, keeps the others'
compressed bytes as they are, and computes the entry's CRC-32 from the segments'
(``crc32_combine``).

The note describes bytes, it is not a second copy of any fact: it is used only when every
check holds (lengths, each inflated segment's CRC, each kept segment's compressed CRC, the
entry's CRC and sizes); a file saved by Excel or LibreOffice has no such note (they drop
extra fields they do not know), and anything that does not check is ignored, so the part is
edited the long way, which writes the note afresh. Zip readers skip extra fields they do not
know (APPNOTE 4.5.1).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

EXTRA_ID = 0x4343  # "CC"
_MAGIC = b"ccp2"
_SEGMENT = struct.Struct("<QQI")  # compressed length, inflated length, CRC-32
_STYLE = struct.Struct("<HI")
_POLY = 0xEDB88320


def _multiply(a: int, b: int) -> int:
    """a * b modulo the CRC-32 polynomial (bit-reflected, as zlib's multmodp)."""
    m = 1 << 31
    product = 0
    while True:
        if a & m:
            product ^= b
            if not a & (m - 1):
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    table = [1 << 30]  # x^1
    for _ in range(31):
        table.append(_multiply(table[-1], table[-1]))
    return table


_X2N = _powers()  # x^(2^k) modulo the polynomial


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A + B from A's, B's and B's length (zlib's crc32_combine, which
    Python's zlib does not offer)."""
    power, k, n = 1 << 31, 3, length2  # x^0; a byte is 8 = 2^3 bits
    while n:
        if n & 1:
            power = _multiply(_X2N[k & 31], power)
        n >>= 1
        k += 1
    return _multiply(power, crc1) ^ crc2


@dataclass(frozen=True)
class Segment:
    compressed: int
    size: int
    crc: int


@dataclass(frozen=True)
class Rows:
    """A segment of the body: rows up to ``last_row`` (after the previous segment's)."""

    segment: Segment
    deflated_crc: int  # CRC-32 of its compressed bytes: proves they are the ones described
    last_row: int
    last_styles: dict[int, int]  # the last row's cell styles, lent to a row written after it


@dataclass(frozen=True)
class SegmentIndex:
    head: Segment
    body: tuple[Rows, ...]
    tail: Segment

    @property
    def last_row(self) -> int:
        return self.body[-1].last_row

    def segments(self) -> list[Segment]:
        return [self.head, *(rows.segment for rows in self.body), self.tail]

    @property
    def crc(self) -> int:
        crc = 0
        for segment in self.segments():
            crc = crc32_combine(crc, segment.crc, segment.size)
        return crc

    @property
    def size(self) -> int:
        return sum(segment.size for segment in self.segments())

    @property
    def compressed(self) -> int:
        return sum(segment.compressed for segment in self.segments())

    def extra(self) -> bytes:
        """The zip extra-field record holding this index (b"" when it would not fit)."""
        parts = [_MAGIC, _SEGMENT.pack(*_fields(self.head)), _SEGMENT.pack(*_fields(self.tail))]
        parts.append(struct.pack("<I", len(self.body)))
        for rows in self.body:
            parts.append(_SEGMENT.pack(*_fields(rows.segment)))
            parts.append(
                struct.pack("<III", rows.deflated_crc, rows.last_row, len(rows.last_styles))
            )
            parts += [_STYLE.pack(c, s) for c, s in sorted(rows.last_styles.items())]
        payload = b"".join(parts)
        if len(payload) > 0xFFFF - 4:
            return b""  # the next write goes the long way, and segments afresh
        return struct.pack("<HH", EXTRA_ID, len(payload)) + payload


def _fields(segment: Segment) -> tuple[int, int, int]:
    return segment.compressed, segment.size, segment.crc


def index_record(extra: bytes) -> bytes:
    """Our record among a zip entry's extra fields (b"" when there is none)."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        end = position + 4 + length
        if kind == EXTRA_ID:
            return extra[position:end]
        position = end
    return b""


def read_index(extra: bytes) -> SegmentIndex | None:
    """The index in a zip entry's extra fields, or None (absent, or not one we can read)."""
    record = index_record(extra)
    payload = record[4:]
    if payload[:4] != _MAGIC:
        return None
    try:
        offset = 4
        head = Segment(*_SEGMENT.unpack_from(payload, offset))
        tail = Segment(*_SEGMENT.unpack_from(payload, offset + _SEGMENT.size))
        offset += 2 * _SEGMENT.size
        (count,) = struct.unpack_from("<I", payload, offset)
        offset += 4
        body = []
        for _ in range(count):
            segment = Segment(*_SEGMENT.unpack_from(payload, offset))
            deflated_crc, last_row, styles = struct.unpack_from("<III", payload, offset + 20)
            offset += _SEGMENT.size + 12
            cells = dict(
                _STYLE.unpack_from(payload, offset + _STYLE.size * n) for n in range(styles)
            )
            offset += _STYLE.size * styles
            body.append(Rows(segment, deflated_crc, last_row, cells))
    except struct.error:
        return None
    if not body or offset != len(payload):
        return None
    return SegmentIndex(head, tuple(body), tail)


def inflate_segment(data: bytes, segment: Segment, *, last: bool) -> bytes | None:
    """A segment's XML, if its bytes inflate to its length and CRC and end where a segment
    ends (a full flush; the stream's end for the last); else None."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, segment.size + 1)
    except zlib.error:
        return None
    if len(out) != segment.size or zlib.crc32(out) != segment.crc:
        return None
    if inflater.unconsumed_tail or inflater.unused_data or inflater.eof != last:
        return None
    return out
