"""ZetaSQL's WebAssembly module, compiled once per machine: compiling its 28 MB takes about a minute, so the compiled
form is kept in the user's cache directory, keyed by both package versions, and loads in milliseconds afterwards.
`client()` is the one client over it for the whole test session.
"""

from __future__ import annotations

import atexit
import ctypes
import fcntl
import os
import platform
from functools import cache
from importlib.metadata import version
from pathlib import Path

from wasmtime import Config, Engine, Linker, Module, Store, WasiConfig, WasmtimeError
from zetasql.core.wasm_client import WasmClient, get_tzinfo_dir
from zetasql.wasi import get_wasm_path


def cache_dir() -> Path:
    """Where compiled modules are kept: the user's cache directory, which a fresh CI clone can create."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pcf-backfill"


def _engine() -> Engine:
    config = Config()
    config.shared_memory = True  # the module imports a shared memory
    return Engine(config)


def _compiled_module(engine: Engine) -> Module:
    """The ZetaSQL module compiled for this machine: from the cache, or compiled once and cached.
    A lock keeps parallel test workers from compiling it twice."""
    name = f"zetasql-{version('zetasql')}-wasmtime-{version('wasmtime')}-{platform.machine()}.cwasm"
    compiled = cache_dir() / name
    compiled.parent.mkdir(parents=True, exist_ok=True)
    with open(compiled.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if compiled.exists():
            try:
                return Module.deserialize_file(engine, str(compiled))
            except WasmtimeError:
                pass  # written by an incompatible build: compile again below
        module = Module.from_file(engine, str(get_wasm_path()))
        partial = compiled.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(module.serialize())
        partial.replace(compiled)
        return module


class _CachedWasmClient(WasmClient):
    """The package's client over the cached compiled module (its own constructor compiles the
    module every time), copying requests and responses in bulk rather than byte by byte."""

    def __init__(self) -> None:  # deliberately not WasmClient.__init__, which compiles
        self.engine = engine = _engine()
        wasi = WasiConfig()
        wasi.inherit_stderr()
        if zoneinfo := get_tzinfo_dir():
            wasi.preopen_dir(zoneinfo, "/usr/share/zoneinfo")
        self.store = Store(engine)
        self.store.set_wasi(wasi)
        linker = Linker(engine)
        linker.define_wasi()
        self.module = _compiled_module(engine)
        self.instance = linker.instantiate(self.store, self.module)
        self.exports = self.instance.exports(self.store)
        if "_initialize" in self.exports:
            self.exports["_initialize"](self.store)
        self.memory = self.exports["memory"]

    def close(self) -> None:
        for resource in (self.memory, self.store, self.module, self.engine):
            resource.close()

    def _base(self) -> int:
        return ctypes.addressof(self.memory.data_ptr().contents)

    def write_bytes(self, ptr: int, data: bytes) -> None:
        ctypes.memmove(self._base() + ptr, data, len(data))

    def read_bytes(self, ptr: int, size: int) -> bytes:
        return ctypes.string_at(self._base() + ptr, size)


@cache
def client() -> _CachedWasmClient:
    client = _CachedWasmClient()
    atexit.register(client.close)  # while wasmtime can still free it: its finalizers fail at interpreter exit
    return client
