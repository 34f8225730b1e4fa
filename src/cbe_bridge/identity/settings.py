"""``[identity]`` in cbe-bridge.toml: which source's students are canonical, how others match them.

The primary source (the SIS) owns student identity: its student ids are the ids the engine
computes, stores and prints. Each other source listed under ``[identity.sources.<name>]``
names the keys its people are matched on, in order: the first key on which a person has a
value that matches any primary student decides (later keys are fallbacks for people the
earlier ones do not match).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The user fields that identify a person (never names: two students can share a name).
KeyField = Literal["source_id", "identifier", "username", "email", "master_id"]
EvidenceKind = Literal["scores", "course_grades"]
_CASELESS = ("email", "username")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchKey(_Strict):
    field: KeyField = Field(description="The field of this source's users (Canvas sis_user_id is 'identifier', "
                                        "login_id is 'username')")
    primary_field: KeyField | None = Field(None, description="The primary source's field it must equal "
                                                             "(default: the same field)")
    ignore_case: bool | None = Field(None, description="Compare case-insensitively (default: true for email "
                                                       "and username). Values are always trimmed.")

    @property
    def target(self) -> str:
        return self.primary_field or self.field

    @property
    def caseless(self) -> bool:
        return self.ignore_case if self.ignore_case is not None else self.field in _CASELESS

    @property
    def label(self) -> str:
        """How reports name the key (field names only, never values)."""
        return self.field if self.target == self.field else f"{self.field}->{self.target}"


class LinkedSource(_Strict):
    keys: list[MatchKey] = Field(min_length=1, description="Keys tried in order; the first that matches decides")
    evidence: list[EvidenceKind] = Field(
        default_factory=lambda: ["scores"],
        description="What a linked person's records add to the student: 'scores' (standards evidence, e.g. "
                    "Canvas outcome results) and, if listed, 'course_grades' (the source's own course grades "
                    "become courses on the student's record)")


class IdentitySettings(_Strict):
    primary: str = Field(description="The source whose students are canonical (the SIS)")
    sources: dict[str, LinkedSource] = Field(
        min_length=1, description="Per other source (by name): how its people match primary students")

    def problems(self, source_names: Iterable[str]) -> list[tuple[str, str]]:
        """(location, message) for names that are not configured sources."""
        names = list(source_names)
        known = ", ".join(names) or "none"
        out = []
        if self.primary not in names:
            out.append(("identity.primary", f"no source named {self.primary!r} (configured: {known})"))
        for name in self.sources:
            if name == self.primary:
                out.append((f"identity.sources.{name}", "the primary source cannot be matched to itself"))
            elif name not in names:
                out.append((f"identity.sources.{name}", f"no source named {name!r} (configured: {known})"))
        return out
