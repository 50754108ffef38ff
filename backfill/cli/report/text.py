"""How the page writes values: counts, shares and numbers ("—" for what is missing); the templates escape them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def coverage_text(value: Any) -> str:
    return "—" if missing(value) else f"{float(value):.1%}"


def count_text(value: Any) -> str:
    return "—" if missing(value) else str(int(value))


def number_text(value: Any) -> str:
    return "—" if missing(value) else f"{float(value):.2f}"
