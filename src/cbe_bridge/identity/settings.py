"""``[identity]`` in cbe-bridge.toml: which source's students are canonical, how others match them.

The primary source (the SIS) owns student identity: its student ids are the ids the engine
computes, stores and prints. Each other source listed under ``[identity.sources.<name>]``
names the keys its people are matched on, in order: the first key on which a person has a
value that matches any primary student decides (later keys are fallbacks for people the
earlier ones do not match).

A key on ``user_id`` reads one entry of OneRoster's typed ``userIds`` list (``{SIS:12345}``):
``type`` names the entry on this source's side, ``primary_type`` on the primary's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# The user fields that identify a person (never names: two students can share a name).
# ``user_id`` is not a column: it is the entry of a given type in the stored ``user_ids`` list.
KeyField = Literal["source_id", "identifier", "username", "email", "master_id", "user_id"]
EvidenceKind = Literal["scores", "course_grades"]
TYPED: KeyField = "user_id"
_CASELESS = ("email", "username")
_TYPE_SEPARATORS = re.compile(r"[{}:,]")  # a type holding one of these could not be read back


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchKey(_Strict):
    field: KeyField = Field(description="The field of this source's users (Canvas sis_user_id is 'identifier', "
                                        "login_id is 'username'; 'user_id' is the OneRoster userIds entry "
                                        "named by type)")
    primary_field: KeyField | None = Field(None, description="The primary source's field it must equal "
                                                             "(default: the same field)")
    type: str | None = Field(None, validate_default=True,
                             description="With field 'user_id': the type of the userIds entry to read, e.g. "
                                         "'SIS' for {SIS:12345} (compared case-insensitively)")
    primary_type: str | None = Field(None, validate_default=True,
                                     description="With primary_field 'user_id': the type of the primary source's "
                                                 "userIds entry (default: type, when both sides are user_id)")
    ignore_case: bool | None = Field(None, description="Compare case-insensitively (default: true for email "
                                                       "and username). Values are always trimmed.")

    @field_validator("type")
    @classmethod
    def _type_fits_field(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "field" not in info.data:  # the field itself is invalid: that error says enough
            return value
        return _checked_type(value, info.data["field"], "field", required=True)

    @field_validator("primary_type")
    @classmethod
    def _primary_type_fits_primary_field(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "field" not in info.data or "primary_field" not in info.data:
            return value
        field, target = info.data["field"], info.data["primary_field"] or info.data["field"]
        # Both sides user_id: the primary's type may default to this side's.
        return _checked_type(value, target, "primary_field", required=field != TYPED)

    @property
    def target(self) -> str:
        return self.primary_field or self.field

    @property
    def target_type(self) -> str | None:
        return self.primary_type or (self.type if self.target == TYPED else None)

    @property
    def caseless(self) -> bool:
        return self.ignore_case if self.ignore_case is not None else self.field in _CASELESS

    @property
    def label(self) -> str:
        """How reports name the key (field names only, never values)."""
        mine, theirs = _named(self.field, self.type), _named(self.target, self.target_type)
        return mine if mine == theirs else f"{mine}->{theirs}"


def _named(field: str, type_: str | None) -> str:
    return f"{field}[{type_}]" if type_ else field


def _checked_type(value: str | None, field: str, setting: str, *, required: bool) -> str | None:
    """``value`` trimmed, if ``field`` reads a typed user id; errors name the setting to change."""
    name = "type" if setting == "field" else "primary_type"
    if field != TYPED:
        if value is not None:
            raise ValueError(f"{name} applies only with {setting} = '{TYPED}' (here {setting} = '{field}')")
        return None
    if value is None:
        if required:
            raise ValueError(f"{setting} = '{TYPED}' needs {name}: the type of the userIds entry to read, "
                             f'e.g. {name} = "SIS"')
        return None
    value = value.strip()
    if not value or _TYPE_SEPARATORS.search(value):
        raise ValueError(f"{name} must be a userIds type such as 'SIS': not empty, without '{{', '}}', ':' or ','")
    return value


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
