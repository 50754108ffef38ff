"""Regenerate the README's command reference from the CLI's help (or check it is current).

python scripts/cli_reference.py          # rewrite README.md in place
python scripts/cli_reference.py --check  # exit 1 if README.md is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backfill.docs import replace_reference

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    fresh = replace_reference(current)
    if args.check:
        sys.exit(0 if fresh == current else "README.md command reference is stale: run scripts/cli_reference.py")
    README.write_text(fresh, encoding="utf-8")


if __name__ == "__main__":
    main()
