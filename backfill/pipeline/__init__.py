"""The run pipeline: plan the dates, compute, evaluate and gate each chunk, publish it atomically, keep the ledger
and the leases. The API (`backfill.api`) drives it; the command line never imports it directly."""
