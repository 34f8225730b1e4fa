"""``cbe-bridge init``: a commented starter configuration and mapping file for a new district."""

from __future__ import annotations

from pathlib import Path

from cbe_bridge.errors import UsageError
from cbe_bridge.outputs import write_private
from cbe_bridge.project_files import mappings_dir

STARTER_CONFIG = """\
# cbe-bridge configuration. Relative paths are relative to this file.
# Secrets never go here: sources name the environment variable or secrets file that holds them.

[store]
# A SQLite file (created readable by its owner only), or a PostgreSQL URL such as
# postgresql://cbe@db.internal/cbe  (install with: pip install 'cbe-bridge[postgres]').
# --db and CBE_BRIDGE_DB override this.
url = "cbe-bridge.db"

[mapping]
# Mapping files, layered in order: later files override earlier ones.
files = ["mapping.yaml"]

# One [[sources]] block per system to pull from.
[[sources]]
name = "sis"                 # a short name; records are keyed by (source name, source id)
kind = "oneroster-csv"       # a OneRoster 1.1 or 1.2 CSV bundle: a folder or a .zip
path = "oneroster"           # where the SIS drops its nightly export
encoding = "utf-8"           # cp1252 for some older exports

# With an LMS as a second source, say how its people match the SIS's students, so their
# standards scores count toward the SIS student (see docs/sources.md, "Identity across sources"):
# [identity]
# primary = "sis"                                       # the source whose student ids are canonical
# [identity.sources.lms]
# keys = [{ field = "identifier" }, { field = "email" }]  # Canvas sis_user_id = SIS local id; then email
# keys = [{ field = "identifier", primary_field = "user_id", primary_type = "SIS" }]  # or its {SIS:...} userIds entry

[school]                     # printed on transcripts and the college attachment
name = "Your High School"
district = "Your School District"
ceeb_code = "000000"
address = "Street, Town, State ZIP"
phone = ""
website = ""
# logo = "logo.png"
programme = "One paragraph about the school and its proficiency-based programme."

[[school.contacts]]
role = "School counselor"
name = "Name"
email = "counselor@example.org"

[output]
dir = "out"

# Signed CLR 2.0 credentials and PESC transcripts (see docs/exchange.md). Make a key with
# 'cbe-bridge keys generate --out /etc/cbe-bridge/issuer-key.pem' and publish the public JWK it prints.
# [exchange]
# issuer_id = "https://www.your-school.example"              # default: [school] website
# signing_key = "/etc/cbe-bridge/issuer-key.pem"             # owner-readable only; --key / CBE_BRIDGE_SIGNING_KEY win
# key_id = "https://www.your-school.example/keys#2026"       # where the public key is published
# valid_days = 1825                                          # default: credentials never expire
# attachment = "https://www.your-school.example/school-profile.pdf"  # what PESC transcripts reference
"""

STARTER_MAPPING = """\
# Your district's mapping file. It extends the shipped reference policy (scales, aggregation,
# rollup, GPA conversion); override any of those keys here, and add what is yours:
# which courses align to which competencies, and how your score scales read.
# Check it with:  cbe-bridge mapping validate mapping.yaml
version: 1
extends: {reference}

# The continuum: a CASE CFPackage JSON exported from your standards tool, or cbe-bridge YAML.
continuum: continuum.case.json

course_alignments:
  # - match: {{course_code: "ALG1"}}            # or {{sced: "02052"}} or {{title_pattern: "^Algebra"}}
  #   competencies: [{{node: "MATH.C1", weight: 1.0}}]
  #   grade_scale: letters
  #   credits: 1.0
  #   course_level: regular                     # regular | honors | ap | dual_enrollment | elo

objective_alignments:
  auto_case_guid: true   # an objective id equal to a continuum node's CASE GUID maps to it

# Credit of the courses no alignment covers, and the letters of pass/fail courses (the reference:
# 1.0 credit; P earns it, NC does not). Only the keys written here change.
# credit_rule: {{default_credits: 0.5, pass_letters: [P, CR], fail_letters: [NC]}}
"""


def write_starter(directory: Path, *, force: bool = False) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    targets = {directory / "cbe-bridge.toml": STARTER_CONFIG,
               directory / "mapping.yaml": STARTER_MAPPING.format(
                   reference=(mappings_dir() / "reference-district.yaml").as_posix())}
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise UsageError("would overwrite " + ", ".join(str(p) for p in existing), hint="use --force")
    return [write_private(path, text) for path, text in targets.items()]
