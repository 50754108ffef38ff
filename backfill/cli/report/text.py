"""How the page writes values: escaped text, counts, shares and season labels ("—" for what is missing)."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd


def text(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def coverage_text(value: Any) -> str:
    return "—" if missing(value) else f"{float(value):.1%}"


def count_text(value: Any) -> str:
    return "—" if missing(value) else str(int(value))


def number_text(value: Any) -> str:
    return "—" if missing(value) else f"{float(value):.2f}"


def attributes(values: dict[str, Any]) -> str:
    return " ".join(f'{name}="{text(value)}"' for name, value in values.items() if not missing(value))
