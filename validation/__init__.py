"""The coverage gate and the reconciliation checks: values in, verdicts out."""
