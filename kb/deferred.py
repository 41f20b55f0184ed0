"""Modules imported on first use instead of at import time: torch, which every haystack import pulls in.

`haystack.utils.device` imports torch at module level, and every haystack module imports it, so every `kb` process
paid for loading torch (3 of the 4.8 s `kb.api` took to import on this project's CI-sized machine) whether or not it
embeds anything. Most do not: `kb update` of a file whose vectors are cached, `kb stats`, `kb show`, `kb check`, a
BM25 search. They now load torch only when something first reads an attribute of it: the embedder, on a cache miss
or a dense query.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import threading
import types


class DeferredModule(types.ModuleType):
    """Stands in `sys.modules` for a module not loaded yet. `import name` binds this stand-in (it has the real
    module's `__spec__`, so the import system takes it as loaded); the first attribute read loads the real module
    under a lock, puts it in `sys.modules` in the stand-in's place, and every read through the stand-in is then
    forwarded to it. Modules imported after that get the real module itself.

    Not `importlib.util.LazyLoader`: on Python 3.11 it loads the module as soon as `import` reads `__spec__` (so it
    defers nothing here), and a second thread reading an attribute during the load sees a half-run module. Here a
    second thread waits for the lock and then reads the loaded module."""

    def __init__(self, name: str, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(name)
        self.__spec__ = spec
        self.__loader__ = spec.loader
        self._deferred_lock = threading.Lock()
        self._deferred_module: types.ModuleType | None = None

    def __getattr__(self, attr: str):  # only called for attributes the stand-in itself does not have
        return getattr(self.loaded(), attr)

    def loaded(self) -> types.ModuleType:
        """The real module, loaded now if it was not yet."""
        with self._deferred_lock:
            if self._deferred_module is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]  # so that the import below runs the module, not finds this
                self._deferred_module = importlib.import_module(self.__name__)
            return self._deferred_module

    def __dir__(self) -> list[str]:
        return dir(self.loaded())


class _LoadedMeanwhile(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`import torch.distributed` (sentence-transformers does) while the stand-in is in `sys.modules`: the import
    system reads the stand-in's `__path__`, which loads torch, and torch's own `__init__` imports `torch.distributed`;
    the import system, having checked `sys.modules` before, would then run it a second time (torch's C types refuse
    to be registered twice and the process aborts). First on `sys.meta_path`, this finder answers such an import
    with the module loaded meanwhile, unchanged."""

    def __init__(self) -> None:
        self._specs: dict[str, importlib.machinery.ModuleSpec] = {}

    def find_spec(self, name: str, path=None, target=None):
        module = sys.modules.get(name)
        if module is None or name.partition(".")[0] not in _deferred:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        module = sys.modules[spec.name]
        self._specs[spec.name] = module.__spec__  # the import system sets this finder's spec on it next
        return module

    def exec_module(self, module) -> None:
        module.__spec__ = self._specs.pop(module.__name__)


_deferred: set[str] = set()


def defer_import(name: str) -> None:
    """Put a stand-in for `name` in `sys.modules`, unless it is imported already or not installed."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    if not _deferred:
        sys.meta_path.insert(0, _LoadedMeanwhile())
    _deferred.add(name)
    sys.modules[name] = DeferredModule(name, spec)
