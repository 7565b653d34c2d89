"""Modules loaded on first attribute access.

One Lambda function serves every route, but a request needs only its own domain. Blueprints
import their services through `lazy_module`, so the cold start pays for route registration only,
and each domain's models and schemas load when a request first touches them.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    """Stands in for a module: the first attribute read imports it, every read is delegated.

    Not importlib.util.LazyLoader: before Python 3.12.3 it is not thread-safe (CPython gh-114763),
    and a request thread reading an attribute while another thread's first read runs the module
    sees it half-executed (AttributeError). `chalice local` serves requests on threads; the import
    system's own per-module lock makes import_module safe."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attribute)


def lazy_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return _LazyModule(name)
