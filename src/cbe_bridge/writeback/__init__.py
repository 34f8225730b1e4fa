"""Write-back: the SIS shows the translated grades, credits and GPA without anyone typing them twice.

One job per module:

* :mod:`.gather`: reads the computed students' records and the rows that identify them;
* :mod:`.edfi_keys`, :mod:`.edfi`: Ed-Fi natural keys, and the studentAcademicRecords,
  courseTranscripts and grades built from the records;
* :mod:`.oneroster`: OneRoster gradebook categories, lineItems and results (PUT by sourcedId);
* :mod:`.plan`, :mod:`.ledger`: what changed since the last accepted write, per record;
* :mod:`.send`: sending through the source's :class:`~cbe_bridge.sources.http.HttpClient`,
  with per-record rejections and a report;
* :mod:`.service`: one run, from the configured target to the report.
"""

from __future__ import annotations

from cbe_bridge.writeback.send import Failure, Report
from cbe_bridge.writeback.service import find_target, writeback

__all__ = ["Failure", "Report", "find_target", "writeback"]
