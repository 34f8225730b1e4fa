"""cbe-bridge: from course-and-letter-grade data to competency-based proficiency and back.

The package is organised as a one-way flow (see ``docs/architecture.md``)::

    sources -> store -> engine (alignment, evidence, aggregation, rollup, credits, GPA) -> outputs

Public entry points are the ``cbe-bridge`` command (:mod:`cbe_bridge.cli`) and the
service functions it calls; modules whose names start with ``_`` are private.
"""

__version__ = "0.1.0"
