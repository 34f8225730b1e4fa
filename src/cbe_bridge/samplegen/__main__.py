"""``python -m cbe_bridge.samplegen --out DIR [--students N] [--seed S] [--zip]``.

Writes the synthetic district into DIR and prints the row counts and the rate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cbe_bridge.samplegen.generate import generate
from cbe_bridge.samplegen.mapping_file import DEFAULT_EXTENDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cbe_bridge.samplegen",
        description="Generate a deterministic synthetic district: OneRoster 1.2 CSV bundle, "
                    "CASE continuum and mapping file.")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--students", type=int, default=320, help="number of students (320)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")
    parser.add_argument("--zip", action="store_true", help="also write DIR/oneroster.zip")
    parser.add_argument("--extends", default=DEFAULT_EXTENDS,
                        help=f"mapping.yaml 'extends' path ({DEFAULT_EXTENDS})")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error("--students must be at least 1")
    if args.seed < 0:
        parser.error("--seed must not be negative")
    s = generate(args.out, students=args.students, seed=args.seed, zip_bundle=args.zip,
                 extends=args.extends)
    width = max(len(n) for n in s.files)
    for name, n in s.files.items():
        print(f"{name:<{width}}  {n:>12,}")
    print(f"{s.schools} school(s), {s.teachers} teachers, {s.classes} classes, "
          f"{s.transfers} transfers, {s.retakes} retakes, {len(s.anomalies)} deliberate bad rows")
    print(f"{s.total_rows:,} rows in {s.seconds:.1f} s ({s.rows_per_second:,.0f} rows/s) -> {s.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
