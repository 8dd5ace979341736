"""Make LibreOffice's PDF bytes depend on the document only (for `pdf.to_pdf`).

LibreOffice 7.x (it ignores SOURCE_DATE_EPOCH) puts three things into a PDF
that do not come from the document:

- /CreationDate: the time of conversion. Set to the document's own date.
- /ID and /DocChecksum in the trailer: random. Set to an MD5 of the rest.
- /UniqueID of each embedded Type 1 font (CFF faces such as Noto Serif CJK are
  embedded as Type 1): a counter of the soffice process, so a PDF depends on how
  many fonts that process embedded before it. Set to 4100001, 4100002, … in the
  order of the fonts in the file, as a process that had converted nothing yet
  would write. The number sits also in the eexec-encrypted part, so the font
  program is decrypted, changed, encrypted and compressed again, and the
  cross-reference table moved accordingly.

A PDF that is not laid out as LibreOffice writes it (a classic xref table, no
object streams) keeps its fonts as they are; the date and /ID are still set.
"""

from __future__ import annotations

import hashlib
import re
import zlib

UNIQUE_ID_BASE = 4100000  # LibreOffice's (vcl/source/fontsubset/cff.cxx): private-interchange UniqueIDs

_DATE = re.compile(rb"/CreationDate\(D:(\d{14})")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")
_TYPE1 = re.compile(rb"\n\d+ 0 obj\s*<<(/Length (\d+) 0 R/Filter/FlateDecode/Length1 (\d+)/Length2 (\d+)/Length3 \d+)>>\s*stream\r?\n")
_UID = re.compile(rb"/UniqueID (\d+) def")
_XREF = re.compile(rb"\nxref\s*\n0 (\d+)\s*\n")
_STARTXREF = re.compile(rb"startxref\s*\n(\d+)\s*\n%%EOF\s*$")


def normalise(pdf: bytes, date: str) -> bytes:
    """`pdf` as a fresh LibreOffice would write it on `date` (YYYYMMDDHHMMSS), with a content-hash /ID."""
    try:
        pdf = _font_ids(pdf)
    except (ValueError, zlib.error, IndexError):  # not laid out as expected: leave the fonts alone
        pass
    out = bytearray(pdf)
    for m in _DATE.finditer(pdf):
        out[m.start(1) : m.end(1)] = date.encode("ascii")
    spans = [(m.start(g), m.end(g)) for m in _ID.finditer(pdf) for g in (1, 2)]
    spans += [(m.start(1), m.end(1)) for m in _CHECKSUM.finditer(pdf)]
    for a, b in spans:
        out[a:b] = b"0" * (b - a)
    digest = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().upper().encode("ascii")
    for a, b in spans:
        out[a:b] = (digest * 2)[: b - a]
    return bytes(out)


def _font_ids(pdf: bytes) -> bytes:
    """Renumber the Type 1 fonts' /UniqueID from UNIQUE_ID_BASE + 1, in file order; xref and lengths updated."""
    edits: list[tuple[int, int, bytes]] = []  # (start, end, new bytes), in file order, not overlapping
    lengths: dict[int, int] = {}  # object number of a stream's /Length -> new length
    for k, m in enumerate(_TYPE1.finditer(pdf), 1):
        start, clear, crypt = m.end(), int(m[3]), int(m[4])
        length = _indirect_int(pdf, int(m[2]))
        program = zlib.decompress(pdf[start : start + length])
        uid = str(UNIQUE_ID_BASE + k).encode("ascii")
        head, body, tail = program[:clear], program[clear : clear + crypt], program[clear + crypt :]
        new_head, new_body = _UID.sub(b"/UniqueID " + uid + b" def", head), _recrypt(body, uid)
        if len(new_head) != len(head):
            raise ValueError("UniqueID of another width")
        # compressed again even if unchanged: LibreOffice's compression and ours differ
        data = zlib.compress(new_head + new_body + tail, 6)
        edits.append((start, start + length, data))
        lengths[int(m[2])] = len(data)
    if not edits:
        return pdf
    for num, value in lengths.items():
        v = re.search(rb"\n%d 0 obj\s*(\d+)\s*endobj" % num, pdf)
        if v is None:
            raise ValueError("no length object")
        edits.append((v.start(1), v.end(1), str(value).encode("ascii")))
    edits.sort()
    return _relocate(pdf, edits)


def _indirect_int(pdf: bytes, num: int) -> int:
    v = re.search(rb"\n%d 0 obj\s*(\d+)\s*endobj" % num, pdf)
    if v is None:
        raise ValueError("no length object")
    return int(v[1])


def _relocate(pdf: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply `edits` (sorted) and move the xref table's offsets and startxref to match."""
    xref = _XREF.search(pdf)
    sx = _STARTXREF.search(pdf)
    if xref is None or sx is None or int(sx[1]) != xref.start() + 1 or any(end > xref.start() for _, end, _ in edits):
        raise ValueError("not a classic xref table after the objects")

    def moved(offset: int) -> int:
        return offset + sum(len(new) - (end - start) for start, end, new in edits if end <= offset)

    count = int(xref[1])
    table_at = xref.end()
    rows = pdf[table_at : table_at + 20 * count]
    if len(rows) != 20 * count:
        raise ValueError("short xref table")
    new_rows = bytearray()
    for i in range(count):
        row = rows[20 * i : 20 * i + 20]
        if row[17:18] == b"n":
            row = b"%010d" % moved(int(row[:10])) + row[10:]
        new_rows += row
    parts, at = [], 0
    for start, end, new in edits:
        parts += [pdf[at:start], new]
        at = end
    parts += [pdf[at:table_at], bytes(new_rows), pdf[table_at + 20 * count : sx.start(1)], str(moved(int(sx[1]))).encode("ascii"), pdf[sx.end(1) :]]
    return b"".join(parts)


_R, _C1, _C2 = 55665, 52845, 22719  # Type 1 eexec encryption (Adobe Type 1 Font Format, 7.2)


def _recrypt(crypt: bytes, uid: bytes) -> bytes:
    """The eexec-encrypted part `crypt` with the number of its /UniqueID replaced by `uid` (same width).

    The cipher chains each byte to all before it, so everything from the number on
    is encrypted again: decrypted with the old key stream and encrypted with the new
    in one pass.
    """
    m = _UID.search(_decrypt(crypt[:4096]))  # the private dictionary comes first, its /UniqueID near its end
    if m is None or len(m[1]) != len(uid):
        raise ValueError("no /UniqueID of this width in the private dictionary")
    if m[1] == uid:
        return crypt
    start = m.start(1)
    r = _R
    for c in crypt[:start]:
        r = ((c + r) * _C1 + _C2) & 0xFFFF
    r2 = r
    out = bytearray(crypt)
    for k, p in enumerate(uid, start):
        c = crypt[k]
        r = ((c + r) * _C1 + _C2) & 0xFFFF
        out[k] = c2 = p ^ (r2 >> 8)
        r2 = ((c2 + r2) * _C1 + _C2) & 0xFFFF
    rest = bytearray(len(crypt) - start - len(uid))
    k = 0
    for c in memoryview(crypt)[start + len(uid) :]:  # plain = c ^ (r >> 8); new = plain ^ (r2 >> 8)
        rest[k] = c2 = c ^ ((r ^ r2) >> 8)
        r = ((c + r) * _C1 + _C2) & 0xFFFF
        r2 = ((c2 + r2) * _C1 + _C2) & 0xFFFF
        k += 1
    out[start + len(uid) :] = rest
    return bytes(out)


def _decrypt(data: bytes) -> bytes:
    r, out = _R, bytearray(len(data))
    for i, c in enumerate(data):
        out[i] = c ^ (r >> 8)
        r = ((c + r) * _C1 + _C2) & 0xFFFF
    return bytes(out)


def _encrypt(plain: bytes) -> bytes:
    """Inverse of `_decrypt` (for the tests)."""
    r, out = _R, bytearray(len(plain))
    for i, p in enumerate(plain):
        out[i] = c = p ^ (r >> 8)
        r = ((c + r) * _C1 + _C2) & 0xFFFF
    return bytes(out)
