"""The one error tree of cbe-bridge.

::

    CbeBridgeError                 anything the user can act on (exit code 1 unless stated)
     +-- UsageError                bad command-line usage                       (exit 2)
     +-- ConfigError               bad or missing configuration                 (exit 2)
     +-- MappingError              bad mapping file or continuum                (exit 2)
     +-- SourceError               a source could not be read (file, zip, API)  (exit 1)
     |    +-- RejectedRecord       one record refused; the rest go on (never raised out of a sync)
     +-- StoreError                the store could not be opened or upgraded    (exit 1)
     +-- EngineError               policy could not be applied to the data      (exit 1)

Errors carry :class:`Problem` items: a location (``path:line:column`` or a record reference),
a message and a hint. Loaders collect every problem in a file before raising, so a user fixes
them all in one pass. Messages never contain student personal data: records are named by
file, line and source id only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_PARTIAL = 1  # finished, but with rejected records or failures
EXIT_USAGE = 2  # bad usage, configuration or mapping


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is and how to fix it."""

    message: str
    location: str | None = None  # "path:line:col", "path:line", "file.csv line 12 field score"
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (hint: {self.hint})" if self.hint else text


@dataclass
class CbeBridgeError(Exception):
    """Base of every error cbe-bridge reports to a user."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    hint: str | None = None
    exit_code: int = EXIT_PARTIAL

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        lines = [self.message]
        lines += [f"  - {p}" for p in self.problems]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


@dataclass
class UsageError(CbeBridgeError):
    exit_code: int = EXIT_USAGE


@dataclass
class ConfigError(CbeBridgeError):
    exit_code: int = EXIT_USAGE


@dataclass
class MappingError(CbeBridgeError):
    exit_code: int = EXIT_USAGE


@dataclass
class SourceError(CbeBridgeError):
    pass


@dataclass
class RejectedRecord(SourceError):
    """A single record refused by a source reader; carries where it came from."""


@dataclass
class StoreError(CbeBridgeError):
    pass


@dataclass
class EngineError(CbeBridgeError):
    pass
