"""Deterministic generator for a synthetic school district (the project's sample data).

``generate(out_dir, students=320, seed=2026, zip_bundle=False)`` writes a OneRoster 1.2 CSV
bundle with four years of course grades and learning-target scores, the district's CASE
continuum and its mapping file; ``python -m cbe_bridge.samplegen --out DIR`` does the same
from the command line. See :mod:`cbe_bridge.samplegen.generate` for the layout.
"""

from cbe_bridge.samplegen.anomalies import Anomaly
from cbe_bridge.samplegen.generate import GenerationSummary, generate

__all__ = ["Anomaly", "GenerationSummary", "generate"]
