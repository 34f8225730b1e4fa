"""Opening a OneRoster CSV bundle (a folder or a zip) and reading its manifest.

A zip is read in place, member by member: nothing is extracted, so no member can be written
outside a target, and every member is read through a byte budget so a zip bomb stops at the
limit instead of filling memory or disk. Names are matched case-insensitively, ignoring any
folder the zip wraps the files in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from cbe_bridge.errors import Problem, SourceError

MAX_MEMBER_BYTES = 64 * 1024**3  # 64 GiB of CSV in one file is beyond any district
MAX_RATIO = 400  # deflate rarely exceeds 1:20 on CSV; far beyond that is a bomb


@dataclass
class Manifest:
    version: str | None  # oneroster.version, None when there is no manifest
    modes: dict[str, str] = field(default_factory=dict)  # file name -> bulk | delta | absent
    system_name: str | None = None

    def mode(self, file_name: str, present: bool) -> str:
        """How to treat a file: the manifest decides; without one, a present file is bulk."""
        if self.version is None:
            return "bulk" if present else "absent"
        return self.modes.get(file_name, "absent")


class _BudgetReader(io.RawIOBase):
    """Wraps a zip member and refuses to yield more than its declared size (or a cap)."""

    def __init__(self, raw: IO[bytes], limit: int, label: str) -> None:
        self._raw, self._left, self._label = raw, limit, label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - memoryview
        data = self._raw.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise SourceError(f"{self._label}: expands beyond its declared size; refusing to read on")
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


class Bundle:
    """A OneRoster CSV bundle: ``open(name)`` streams a member as bytes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if path.is_dir():
            self._members = {p.name.lower(): p.name for p in path.iterdir() if p.is_file()}
        elif path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except zipfile.BadZipFile as exc:
                raise SourceError(f"{path.name}: not a folder or a zip file ({exc})") from exc
            for info in self._zip.infolist():
                if info.is_dir():
                    continue
                self._check_member(info)
                self._members[Path(info.filename).name.lower()] = info.filename
        else:
            raise SourceError(f"no OneRoster bundle at {path}", hint="check the source's 'path' setting")

    def _check_member(self, info: zipfile.ZipInfo) -> None:
        if info.file_size > MAX_MEMBER_BYTES:
            raise SourceError(f"{self.path.name}: member {info.filename} declares {info.file_size} bytes")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise SourceError(f"{self.path.name}: member {info.filename} has a compression ratio "
                              f"beyond {MAX_RATIO}:1; refusing it as a possible zip bomb")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def has(self, name: str) -> bool:
        return name.lower() in self._members

    def fingerprint(self, name: str) -> str:
        """A cheap identity of a member's content, for incremental syncs."""
        member = self._members[name.lower()]
        if self._zip is not None:
            info = self._zip.getinfo(member)
            return f"zip:{info.CRC:08x}:{info.file_size}"
        digest = hashlib.sha256()
        with open(self.path / member, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return "sha256:" + digest.hexdigest()

    def size(self, name: str) -> int:
        """Uncompressed size of a member in bytes."""
        member = self._members[name.lower()]
        if self._zip is not None:
            return self._zip.getinfo(member).file_size
        return (self.path / member).stat().st_size

    def file_path(self, name: str) -> Path | None:
        """Where a member lies on disk: a folder's file; None in a zip (read only by :meth:`open`)."""
        return None if self._zip is not None else self.path / self._members[name.lower()]

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        member = self._members[name.lower()]
        if self._zip is None:
            with open(self.path / member, "rb") as handle:
                yield handle
            return
        info = self._zip.getinfo(member)
        with self._zip.open(info) as raw:
            yield io.BufferedReader(_BudgetReader(raw, info.file_size, f"{self.path.name}/{member}"),
                                    buffer_size=1 << 20)

    def manifest(self) -> Manifest:
        if not self.has("manifest.csv"):
            return Manifest(version=None)
        problems: list[Problem] = []
        values: dict[str, str] = {}
        with self.open("manifest.csv") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None or [h.strip() for h in header[:2]] != ["propertyName", "value"]:
                raise SourceError("manifest.csv: the header must be 'propertyName,value'")
            for row in reader:
                if len(row) >= 2:
                    values[row[0].strip()] = row[1].strip()
        version = values.get("oneroster.version")
        if version not in ("1.1", "1.2"):
            problems.append(Problem(f"oneroster.version is {version!r}; cbe-bridge reads 1.1 and 1.2",
                                    "manifest.csv"))
        modes = {}
        for key, value in values.items():
            if key.startswith("file."):
                mode = value.lower()
                if mode not in ("bulk", "delta", "absent"):
                    problems.append(Problem(f"{key} is {value!r}; expected bulk, delta or absent",
                                            "manifest.csv"))
                    continue
                modes[key[len("file."):] + ".csv"] = mode
        if problems:
            raise SourceError("the bundle's manifest.csv cannot be used", problems=problems)
        return Manifest(version=version, modes=modes, system_name=values.get("source.systemName"))
