"""CLR 2.0 ``ClrCredential`` per student, built from stored results, signed as VC-JWT.

One ClrCredential holds, as ``credentialSubject.verifiableCredential``, one Open Badges 3.0
``AchievementCredential`` per competency (every continuum node with children that the student
has a figure on; ``all_nodes`` adds the leaves, e.g. learning targets), one per course mark,
and one for the back-translated GPA. Each competency Achievement is aligned to its continuum
node (the CASE URI) and describes the proficiency scale as ResultDescriptions with rubric
criterion levels; the student's Result names the ``achievedLevel``. Whether a figure rests on
direct standards scores or on course grades (derived) is stated in each credential's
``evidence``, as a transcript must say.

The embedded credentials carry no proof of their own: they are issued by the same school in
the same act, and the CLR's compact JWS covers every byte of them. ``ClrSubject.achievement``
lists every Achievement once and ``association`` links competencies to their parents.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from cbe_bridge.config import SchoolProfile
from cbe_bridge.engine.policy import Policy
from cbe_bridge.exchange import clr_parts as parts
from cbe_bridge.translate.student_records import ComputeRun, CourseMark, Figure, StudentRecord
from cbe_bridge.exchange.signing import Key, sign_jwt
from cbe_bridge.model.continuum import ContinuumNode

BASIS_WORDS = {
    "direct": "direct evidence: standards scores",
    "derived": "derived evidence: course grades carried through the course's alignment (weaker)",
    "mixed": "direct standards scores and derived evidence from course grades",
    "source": "the teacher's course grade (the course is not aligned to the continuum)",
}


@dataclass(frozen=True)
class ClrOptions:
    """Choices for one issuing run (the CLI's options)."""

    issuer_id: str | None = None  # default: the school website
    all_nodes: bool = False  # also the leaves of the continuum (learning targets)
    courses: bool = True
    gpa: bool = True
    valid_days: int | None = None  # validUntil; None = no expiry
    hash_identity: bool = False  # salted SHA-256 identity hashes instead of plain values
    kid: str | None = None  # where the public key is published (JOSE kid)


@dataclass
class ClrIssuer:
    """Everything shared by the credentials of one run: policy, issuer, clock, options."""

    policy: Policy
    school: SchoolProfile
    run: ComputeRun
    now: datetime  # passed in: the clock belongs to the caller
    options: ClrOptions = field(default_factory=ClrOptions)
    _node_achievements: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def profile(self) -> dict[str, Any]:
        return parts.issuer_profile(self.school, parts.issuer_id(self.school, self.options.issuer_id))

    @cached_property
    def scale_rds(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return parts.scale_descriptions(self.policy.scale, self.policy.continuum.id)

    @cached_property
    def letter_rd(self) -> dict[str, Any]:
        points = self.policy.mapping.gpa.points
        return {"id": parts.urn("letters", self.run.mapping_fingerprint), "type": ["ResultDescription"],
                "name": "Course grade back-translated from proficiency", "resultType": "LetterGrade",
                "allowedValue": sorted(points, key=lambda letter: (points[letter], letter))}

    @cached_property
    def teacher_rd(self) -> dict[str, Any]:
        return {"id": parts.urn("teacher-letters", self.profile["id"]), "type": ["ResultDescription"],
                "name": "Course grade given by the teacher", "resultType": "LetterGrade"}

    @cached_property
    def gpa_rds(self) -> list[dict[str, Any]]:
        top = parts.number_text(self.policy.mapping.gpa.scale_max) or "4"
        return [{"id": parts.urn("gpa", kind, self.run.mapping_fingerprint), "type": ["ResultDescription"],
                 "name": f"{kind.title()} GPA", "resultType": "GradePointAverage", "valueMin": "0",
                 "valueMax": top} for kind in ("unweighted", "weighted")]

    @cached_property
    def valid_from(self) -> str:
        return parts.timestamp(self.now)

    @cached_property
    def valid_until(self) -> str | None:
        days = self.options.valid_days
        return parts.timestamp(self.now + timedelta(days=days)) if days else None

    def conversion_words(self) -> str:
        conv = self.policy.mapping.gpa.conversion
        if conv.method == "cut_points":
            cuts = ", ".join(f"{c.letter} from {c.min:g}" for c in conv.cuts)
            return f"the course's proficiency value gives the letter by cut points ({cuts})"
        return "the course's proficiency values give the letter by the district's count rules"

    # -- achievements (identical for every student: cached) --------------------------------------
    def node_achievement(self, node: ContinuumNode) -> dict[str, Any]:
        cached = self._node_achievements.get(node.id)
        if cached is not None:
            return cached
        continuum, scale = self.policy.continuum, self.policy.scale
        threshold = scale.level_for(self.policy.threshold)
        area = continuum.content_area_of(node.id)
        habit = node.id in self.policy.habit_nodes
        criteria = (f"Proficient at level {threshold.code} ({threshold.label}, {threshold.value:g}) or above on the "
                    f"{scale.title}." if threshold else f"Results on the {scale.title}.")
        if habit:
            criteria += " A habit of learning: reported apart from academic results and never part of a grade."
        ach: dict[str, Any] = {
            "id": parts.urn("achievement", continuum.id, node.id), "type": ["Achievement"],
            "achievementType": "Competency", "name": node.title, "description": node.statement,
            "criteria": {"narrative": criteria}, "alignment": [parts.node_alignment(node, continuum.title)],
            "resultDescription": list(self.scale_rds),
            "fieldOfStudy": area.title, "tag": [node.node_type] + (["Habit of learning"] if habit else []),
        }
        if node.human_code:
            ach["humanCode"] = node.human_code
        if continuum.version:
            ach["version"] = continuum.version
        self._node_achievements[node.id] = ach
        return ach

    def course_achievement(self, mark: CourseMark) -> dict[str, Any]:
        ach: dict[str, Any] = {
            "id": parts.urn("course", self.profile["id"], mark.course_id or mark.course_code or mark.class_id),
            "type": ["Achievement"], "achievementType": "Course",
            "name": mark.title or mark.course_code or "Course",
            "description": f"{mark.title or mark.course_code}" + (f", {mark.course_level} level"
                                                                  if mark.course_level else ""),
            "criteria": {"narrative": "The course grade is translated back from proficiency: "
                                      + self.conversion_words() + "."},
            "creditsAvailable": mark.credits_attempted, "resultDescription": [self.letter_rd, self.teacher_rd],
        }
        if mark.course_code:
            ach["humanCode"] = mark.course_code
        if mark.sced_code:
            ach["otherIdentifier"] = [{"type": "IdentifierEntry", "identifier": mark.sced_code,
                                       "identifierType": "ext:SCED"}]
        alignment = self.policy.alignment_for(mark.course_code, mark.sced_code, mark.title)
        if alignment is not None and alignment.competencies:
            nodes = self.policy.continuum.nodes
            ach["alignment"] = [parts.node_alignment(nodes[n], self.policy.continuum.title)
                                for n, _w in alignment.competencies]
        return ach

    def gpa_achievement(self) -> dict[str, Any]:
        return {
            "id": parts.urn("gpa-achievement", self.profile["id"], self.run.mapping_fingerprint),
            "type": ["Achievement"], "achievementType": "Achievement",
            "name": "Grade point average, back-translated from proficiency",
            "description": "Cumulative GPA over the counted course grades, each translated back from proficiency.",
            "criteria": {"narrative": "Each course grade: " + self.conversion_words()
                                      + "; the GPA is the credit-weighted mean of the letters' points "
                                      "(weighted: plus the course-level bonus)."},
            "resultDescription": self.gpa_rds,
        }

    # -- credentials ------------------------------------------------------------------------------
    def _credential(self, rec: StudentRecord, kind: str, key: str, name: str, subject: dict[str, Any],
                    evidence: str | None, genre: str | None) -> dict[str, Any]:
        cred: dict[str, Any] = {
            "@context": [parts.VC_V2, parts.OB_CONTEXT],
            "id": parts.urn("credential", self.profile["id"], *rec.key, self.run.id, kind, key),
            "type": ["VerifiableCredential", "AchievementCredential"],
            # The full profile is on the ClrCredential; embedded credentials name the same issuer.
            "issuer": parts.issuer_ref(self.profile), "validFrom": self.valid_from, "name": name,
            "credentialSubject": {"id": self.subject_id(rec), "type": ["AchievementSubject"], **subject},
            "credentialSchema": [{"id": parts.OB_SCHEMA, "type": parts.SCHEMA_VALIDATOR}],
        }
        awarded = parts.day_start(self.run.as_of)
        if awarded:
            cred["awardedDate"] = awarded
        if self.valid_until:
            cred["validUntil"] = self.valid_until
        if evidence:
            cred["evidence"] = [{"type": ["Evidence"], "name": "What this result rests on",
                                 "narrative": evidence, **({"genre": genre} if genre else {})}]
        return cred

    def subject_id(self, rec: StudentRecord) -> str:
        return parts.urn("student", self.profile["id"], *rec.key)

    def node_credential(self, rec: StudentRecord, node: ContinuumNode, fig: Figure) -> dict[str, Any]:
        levels_rd, value_rd = self.scale_rds
        level = self.policy.scale.level_by_code(fig.level_code or "")
        results: list[dict[str, Any]] = []
        if level is not None:
            results.append({"type": ["Result"], "resultDescription": levels_rd["id"],
                            "achievedLevel": parts.level_id(levels_rd["id"], level.code),
                            "status": "Completed" if fig.proficient else "InProgress"})
        results.append({"type": ["Result"], "resultDescription": value_rd["id"],
                        "value": parts.number_text(fig.value, 3)})
        subject: dict[str, Any] = {"achievement": self.node_achievement(node), "result": results}
        if fig.last_date and parts.day_start(fig.last_date):
            subject["activityEndDate"] = parts.day_start(fig.last_date)
        evidence = (f"{BASIS_WORDS.get(fig.basis or '', fig.basis or 'unknown')}; {fig.n_direct} direct and "
                    f"{fig.n_derived} derived evidence rows; last evidence {fig.last_date or 'unknown'}. "
                    f"Rule: {fig.rule or 'not recorded'}")
        label = f"{node.human_code} {node.title}" if node.human_code else node.title
        return self._credential(rec, "node", node.id, f"{label}: {level.label if level else 'result'}",
                                subject, evidence, fig.basis)

    def course_credential(self, rec: StudentRecord, mark: CourseMark) -> dict[str, Any]:
        results: list[dict[str, Any]] = []
        if mark.letter:
            result: dict[str, Any] = {"type": ["Result"], "resultDescription": self.letter_rd["id"],
                                      "value": mark.letter}
            points = self.policy.points(mark.letter)
            if mark.credits_earned > 0:
                result["status"] = "Completed"
            elif points == 0 and mark.credits_attempted > 0:
                result["status"] = "Failed"
            results.append(result)
        if mark.source_letter:
            results.append({"type": ["Result"], "resultDescription": self.teacher_rd["id"],
                            "value": mark.source_letter})
        subject: dict[str, Any] = {"achievement": self.course_achievement(mark), "result": results,
                                   "creditsEarned": mark.credits_earned}
        term = mark.session_title or (str(mark.school_year) if mark.school_year else None)
        if term:
            subject["term"] = term
        start, end = parts.day_start(mark.session_start), parts.day_start(mark.session_end or mark.term_end)
        if start:
            subject["activityStartDate"] = start
        if end:
            subject["activityEndDate"] = end
        value = f" from proficiency {mark.value:.2f}" if mark.value is not None else ""
        evidence = (f"Letter {mark.letter or '-'}{value}; basis: {BASIS_WORDS.get(mark.basis or '', mark.basis)}"
                    + ("" if mark.counted else "; an earlier attempt, not counted in the GPA") + ".")
        return self._credential(rec, "course", mark.class_id, f"{mark.title or mark.course_code} ({term or ''})",
                                subject, evidence, mark.basis)

    def gpa_credential(self, rec: StudentRecord) -> dict[str, Any] | None:
        cumulative = rec.gpa.get("cumulative")
        if cumulative is None or cumulative.unweighted is None:
            return None
        unweighted, weighted = self.gpa_rds
        results = [{"type": ["Result"], "resultDescription": unweighted["id"],
                    "value": f"{cumulative.unweighted:.2f}"}]
        if cumulative.weighted is not None:
            results.append({"type": ["Result"], "resultDescription": weighted["id"],
                            "value": f"{cumulative.weighted:.2f}"})
        subject = {"achievement": self.gpa_achievement(), "result": results,
                   "creditsEarned": cumulative.credits or 0.0}
        evidence = (f"{cumulative.quality_points or 0:g} quality points over {cumulative.credits or 0:g} credits "
                    f"of counted courses, as of {self.run.as_of}.")
        return self._credential(rec, "gpa", "cumulative", "Grade point average (back-translated)", subject,
                                evidence, None)

    def identifiers(self, rec: StudentRecord) -> list[dict[str, Any]]:
        p = rec.person
        name = " ".join(x for x in (p.given_name, p.middle_name, p.family_name) if x)
        values = [("name", name), ("sisSourcedId", p.student_id), ("ext:LocalStudentId", p.local_id),
                  ("emailAddress", p.email), ("ext:BirthDate", p.birth_date)]
        out = []
        for kind, value in values:
            if not value:
                continue
            if self.options.hash_identity:
                # OB 3.0: identityHash = "sha256$" + hex(sha256(value + salt)), salt alongside.
                salt = secrets.token_hex(8)
                digest = hashlib.sha256((value + salt).encode("utf-8")).hexdigest()
                out.append({"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": kind,
                            "hashed": True, "salt": salt})
            else:
                out.append({"type": "IdentityObject", "identityHash": value, "identityType": kind, "hashed": False})
        return out

    def included_nodes(self, rec: StudentRecord) -> list[tuple[ContinuumNode, Figure]]:
        continuum = self.policy.continuum
        return [(node, rec.figures[node.id]) for node in continuum.nodes.values()
                if node.id in rec.figures and rec.figures[node.id].value is not None
                and (self.options.all_nodes or not continuum.is_leaf(node.id))]

    def build(self, rec: StudentRecord) -> dict[str, Any]:
        """The unsigned ClrCredential of one student."""
        creds: list[dict[str, Any]] = []
        nodes = self.included_nodes(rec)
        creds += [self.node_credential(rec, node, fig) for node, fig in nodes]
        if self.options.courses:
            creds += [self.course_credential(rec, mark) for mark in rec.courses]
        if self.options.gpa:
            gpa_cred = self.gpa_credential(rec)
            if gpa_cred is not None:
                creds.append(gpa_cred)
        # The competency Achievements once more at the CLR level, for the associations between
        # them; course and GPA achievements are only in their credentials (size matters).
        achievements = [self.node_achievement(node) for node, _ in nodes]
        included = {node.id for node, _ in nodes}
        cont = self.policy.continuum
        associations = [{"type": "Association", "associationType": "isChildOf",
                         "sourceId": self.node_achievement(node)["id"],
                         "targetId": self.node_achievement(cont.nodes[node.parent_id])["id"]}
                        for node, _ in nodes if node.parent_id in included]
        run = self.run
        clr: dict[str, Any] = {
            "@context": [parts.VC_V2, parts.CLR_CONTEXT, parts.OB_CONTEXT],
            "id": parts.urn("clr", self.profile["id"], *rec.key, run.id),
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": self.profile, "validFrom": self.valid_from,
            "name": f"Comprehensive Learner Record: {self.school.name}",
            "description": (f"Proficiency on the {cont.title}, course grades back-translated from proficiency, "
                            f"credits and GPA as of {run.as_of} (cbe-bridge {run.version}, compute run {run.id}, "
                            f"mapping sha256 {run.mapping_fingerprint[:16]}, continuum {run.continuum_id})."),
            "partial": False,
            "credentialSubject": {"id": self.subject_id(rec), "type": ["ClrSubject"],
                                  "identifier": self.identifiers(rec), "verifiableCredential": creds,
                                  "achievement": achievements, "association": associations},
            "credentialSchema": [{"id": parts.CLR_SCHEMA, "type": parts.SCHEMA_VALIDATOR}],
        }
        if not associations:
            del clr["credentialSubject"]["association"]
        if not achievements:
            del clr["credentialSubject"]["achievement"]
        if self.valid_until:
            clr["validUntil"] = self.valid_until
        return clr


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """The JWT payload: the credential plus iss, jti, nbf, sub (and exp) per OB 3.0 s. 8.2."""
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())
    claims["sub"] = credential["credentialSubject"]["id"]
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"].replace("Z", "+00:00")).timestamp())
    return claims


def issue(issuer: ClrIssuer, records: Sequence[StudentRecord], key: Key
          ) -> Iterator[tuple[StudentRecord, dict[str, Any], str | None]]:
    """(record, unsigned credential, compact JWS) for each student, one at a time.

    A student with nothing to certify (no figures, courses or GPA) gets no token (None): a
    ClrCredential must hold at least one credential.
    """
    for rec in records:
        credential = issuer.build(rec)
        if not credential["credentialSubject"]["verifiableCredential"]:
            yield rec, credential, None
            continue
        yield rec, credential, sign_jwt(jwt_claims(credential), key, kid=issuer.options.kid)


__all__ = ["BASIS_WORDS", "ClrIssuer", "ClrOptions", "issue", "jwt_claims"]
