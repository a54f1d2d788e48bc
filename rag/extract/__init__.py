"""Cluster extraction: offline rules, LLM, hybrid; the cross-document table.

The package is also the API function `rag.extract(paths, engine=...)` (rag/api.py): `rag.extract`
names this package as soon as any of its modules is imported, so calling the package calls the
function."""
import sys as _sys
import types as _types


class _CallableModule(_types.ModuleType):
    def __call__(self, paths, engine=None, settings=None, profile=None):
        from ..api import extract

        return extract(paths, engine=engine, settings=settings, profile=profile)


_sys.modules[__name__].__class__ = _CallableModule
