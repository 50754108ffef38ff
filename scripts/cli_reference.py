"""Regenerate docs/cli-reference.md from the CLI's help (or check it is current).

python scripts/cli_reference.py          # rewrite docs/cli-reference.md in place
python scripts/cli_reference.py --check  # exit 1 if docs/cli-reference.md is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backfill.cli.docs import BEGIN, END, replace_reference

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "cli-reference.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = REFERENCE.read_text(encoding="utf-8")
    if BEGIN not in current or END not in current:
        sys.exit(f"{REFERENCE} lost its command-reference markers: {BEGIN} … {END}")
    fresh = replace_reference(current)
    if args.check:
        sys.exit(0 if fresh == current else f"{REFERENCE.name} is stale: run scripts/cli_reference.py")
    REFERENCE.write_text(fresh, encoding="utf-8")


if __name__ == "__main__":
    main()
