"""`python -m backfill.cli …` runs the command line."""

from backfill.cli import main

main()
