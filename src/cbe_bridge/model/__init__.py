"""Canonical models: source records (:mod:`.records`) and the continuum (:mod:`.continuum`)."""

from cbe_bridge.model.records import RECORD_TYPES, RECORDS_BY_ENTITY, Record, Ref

__all__ = ["RECORD_TYPES", "RECORDS_BY_ENTITY", "Record", "Ref"]
