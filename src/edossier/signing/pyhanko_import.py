"""Importing pyHanko's verification modules without its signing machinery (start-up, issue 19).

`pyhanko/sign/__init__.py` imports every signer (the PDF writer, the stamp renderer, the CSC and HTTP
time-stamp clients and with them aiohttp): about 0.2 s of CPU at each start, of which verifying a CMS
signature needs none. :func:`verification_modules` imports `pyhanko.sign.validation.generic_cms` (and
`…status`) with the two package `__init__`s deferred: the packages are put in `sys.modules` with
their real `__path__` and spec but not executed, and the first attribute they do not have (anything
their `__init__` would define, e.g. `pyhanko.sign.signers` or `PdfSigner`) executes the real
`__init__` in the same module object. So any later user sees the complete package, and every
submodule exists once. (importlib.util.LazyLoader cannot do this for a package: the import system
reads `__path__` to import a submodule, which would load it at once.)

`pyhanko.sign.diff_analysis` (PDF incremental-update analysis, some forty modules with the PDF writer
and form tools) is deferred the same way: `…validation.status` needs only three of its names, which are
served from the submodule defining them (`_SERVED`) without running the package `__init__`; any other
name runs it.

The signers (`pyhanko.sign.signers`) and time stamps (`pyhanko.sign.timestamps`) packages are deferred
too: a build needs only `SimpleSigner` (`simple_signer`), not the PDF signer and the aiohttp HTTP client
their `__init__`s import; any other name runs them.

If pyHanko's signing package is already imported (e.g. by a caller of pyHanko), nothing is deferred.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types

_DEFERRED = ("pyhanko.sign", "pyhanko.sign.signers", "pyhanko.sign.timestamps", "pyhanko.sign.validation",
             "pyhanko.sign.diff_analysis")  # parents first
# Names a deferred package hands out from the submodule that defines them, without its `__init__`: the
# object is the one the `__init__` itself would import from there, so nothing can tell the difference.
_SERVED = {"pyhanko.sign.diff_analysis": {"DiffResult": "policy_api", "ModificationLevel": "policy_api",
                                          "SuspiciousModification": "policy_api"},
           # the signers' `__init__` imports the PDF signer and, through pyhanko.sign.timestamps, whose
           # `__init__` imports its HTTP client, aiohttp (~0.1 s of every build); a CMS signer needs neither
           "pyhanko.sign.signers": {"SimpleSigner": "pdf_cms", "Signer": "pdf_cms", "ExternalSigner": "pdf_cms"},
           "pyhanko.sign.timestamps": {"TimeStamper": "api", "DummyTimeStamper": "dummy_client",
                                       "TimestampRequestError": "common_utils"}}
_lock = threading.RLock()


class _DeferredPackage(types.ModuleType):
    """A package whose `__init__` runs on the first attribute lookup that misses."""

    def __getattr__(self, name: str):
        # Only called for attributes the module does not have; dunder probes (e.g. copy, pickle,
        # inspect asking for __file__ variants) must not run the package code, except `__all__`, which
        # `from pyhanko.sign import *` reads.
        if name.startswith("__") and name.endswith("__") and name != "__all__":
            raise AttributeError(name)
        deferred = self.__dict__.get("_edossier_deferred") is True
        served = _SERVED.get(self.__name__, {}).get(name)
        if served is not None and deferred:
            value = getattr(importlib.import_module(f"{self.__name__}.{served}"), name)
            self.__dict__[name] = value
            return value
        if deferred and name.isidentifier() and importlib.util.find_spec(f"{self.__name__}.{name}") is not None:
            # `from pyhanko.sign import attributes`: a submodule, which the import system asks the package
            # for before importing it; the package attribute is that module, `__init__` or not
            # (tests/test_startup_imports.py checks no `__init__` binds such a name to anything else)
            return importlib.import_module(f"{self.__name__}.{name}")
        _complete(self)
        return object.__getattribute__(self, name)


def _complete(module: types.ModuleType) -> None:
    with _lock:
        parent = module.__name__.rpartition(".")[0]
        if parent in _DEFERRED and parent in sys.modules:
            _complete(sys.modules[parent])  # its __init__ may import this one: then we are done
        if module.__dict__.get("_edossier_deferred") is not True:
            return
        module.__dict__["_edossier_deferred"] = False
        module.__class__ = types.ModuleType  # from now on an ordinary module, as if imported normally
        module.__spec__.loader.exec_module(module)


def _defer(name: str) -> None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not a package")
    module = _DeferredPackage(name)
    module.__spec__ = spec
    module.__path__ = list(spec.submodule_search_locations)
    module.__package__ = name
    module.__file__ = spec.origin
    module.__loader__ = spec.loader
    module.__dict__["_edossier_deferred"] = True
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)


def _deferred() -> None:
    """Put the deferred packages in place, unless pyHanko's signing package is imported already."""
    with _lock:
        if "pyhanko.sign" not in sys.modules:
            importlib.import_module("pyhanko")
            for name in _DEFERRED:
                _defer(name)


def simple_signer():
    """pyHanko's SimpleSigner (`pyhanko.sign.signers.pdf_cms`), which signs our CMS, without the PDF
    signer and the aiohttp time-stamp client that the packages' `__init__`s import (start-up of a
    build, issue 19). `--tsa URL` still imports the HTTP client where it is used."""
    _deferred()
    return importlib.import_module("pyhanko.sign.signers.pdf_cms").SimpleSigner


def verification_modules():
    """(generic_cms, status): pyHanko's CMS and time-stamp validation, imported as cheaply as possible."""
    with _lock:
        _deferred()
        generic_cms = importlib.import_module("pyhanko.sign.validation.generic_cms")
        status = importlib.import_module("pyhanko.sign.validation.status")
        settings = importlib.import_module("pyhanko.sign.validation.settings")
    return generic_cms, status, settings
