"""Public names that load on first use (PEP 562), so importing a package costs nothing until a name is used:
a command that computes no factors never loads pandas."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any], submodules: tuple[str, ...] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of `package`: each name of `homes` is imported from its module when first
    asked for, then kept in the package's `namespace`; so is each of `submodules` (`import backfill` then
    `backfill.api.init(...)` works, as it would without the laziness)."""

    def __getattr__(name: str) -> Any:
        if name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in homes:
            value = getattr(importlib.import_module(homes[name]), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value  # found once
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes, *submodules})

    return __getattr__, __dir__
