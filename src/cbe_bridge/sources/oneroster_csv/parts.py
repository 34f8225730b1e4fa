"""Splitting a large CSV file into parts of whole records, to read them side by side.

A newline ends a record unless it lies inside a quoted cell, so a file with no quote character
at all can be cut at any newline; a file with quotes is read in one piece (telling a quoted
newline from a stray quote would need the whole parse). Each part is read as the header line
followed by its bytes, and knows how many of the file's lines come before it, so rows keep
the line numbers they have in the file.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Encodings in which a newline or a quote is that byte and nothing else (never part of a longer character).
_BYTE_SAFE = {"utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-1", "cp1252", "iso8859-15"}
_CHUNK = 1 << 24


@dataclass(frozen=True)
class Part:
    """Bytes ``start``..``end`` of a file; ``skipped_lines``: the file's lines between its header and ``start``."""

    start: int
    end: int
    skipped_lines: int


def byte_safe(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in _BYTE_SAFE
    except LookupError:
        return False


def split(path: Path, count: int) -> list[Part] | None:
    """``count`` parts of whole records (fewer for a short file), or None when the file cannot
    be cut safely (it holds a quote character, or has no data after its header line)."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        header_end = len(handle.readline())
        if not header_end or header_end == size or _holds(handle, b'"'):
            return None
        starts = [0]
        for k in range(1, count):
            handle.seek(max(size * k // count, header_end + 1) - 1)  # a part holds a row at least
            cut = handle.tell() + len(handle.readline())  # just past the next newline
            if cut >= size or cut <= starts[-1]:
                break
            starts.append(cut)
        ends = starts[1:] + [size]
        parts, lines, counted = [], 0, 0
        for start, end in zip(starts, ends):
            lines += _line_ends(handle, counted, start)
            counted = start
            # Part 0 holds the header itself; a later part is read after a copy of the header line.
            parts.append(Part(start, end, max(lines - 1, 0)))
    return parts


def _holds(handle: BinaryIO, byte: bytes) -> bool:
    """Whether the file holds ``byte`` (read in chunks: a memory map would count as resident)."""
    handle.seek(0)
    while chunk := handle.read(_CHUNK):
        if byte in chunk:
            return True
    return False


def _line_ends(handle: BinaryIO, start: int, end: int) -> int:
    """Line ends in bytes ``start``..``end`` as the csv reader counts them (\\n, \\r or \\r\\n)."""
    total = 0
    handle.seek(start)
    remaining = end - start
    while remaining > 0:
        chunk = handle.read(min(_CHUNK, remaining))
        remaining -= len(chunk)
        if chunk.endswith(b"\r") and remaining > 0:  # keep a CR LF pair in one chunk
            extra = handle.read(1)
            chunk += extra
            remaining -= len(extra)
        total += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
    return total


def open_part(path: Path, part: Part) -> BinaryIO:
    """A part as a stream: the file's header line (for a part after the first), then its bytes."""
    return io.BufferedReader(_PartReader(path, part), buffer_size=1 << 20)


class _PartReader(io.RawIOBase):
    def __init__(self, path: Path, part: Part) -> None:
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._head = b"" if part.start == 0 else self._handle.readline()
        self._handle.seek(part.start)
        self._left = part.end - part.start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        view = memoryview(buffer)
        if self._head:
            taken = self._head[:len(view)]
            view[:len(taken)] = taken
            self._head = self._head[len(taken):]
            return len(taken)
        if self._left <= 0:
            return 0
        read = self._handle.readinto(view[:min(len(view), self._left)])
        self._left -= read
        return read

    def close(self) -> None:
        self._handle.close()
        super().close()
