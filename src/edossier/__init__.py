"""edossier: build, sign, append and validate electronic criminal case files (电子卷宗).

The public API (docs/api.md)::

    import edossier

    trust = edossier.load_trustlist("trustlist.xml", anchor="trust-anchor.pem")
    report = edossier.validate_package("case.edp", trust=trust)
    for f in report.sorted_findings():
        print(f.code, f.severity, f.location, f.message("en"))

Every name below is imported on first use (PEP 562), so ``import edossier`` stays cheap: a CLI run or a
worker pays for pikepdf, pyHanko and lxml only when it validates, builds or signs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .version import __version__

# public name -> the module that defines it
_EXPORTS = {
    "validate_package": "edossier.validation.pipeline",
    "PackageReport": "edossier.validation.verdict",
    "build_package": "edossier.building.pipeline",
    "append_layer": "edossier.building.pipeline",
    "BuildResult": "edossier.building.pipeline",
    "write_source": "edossier.building.source",
    "load_trustlist": "edossier.signing.trustlist",
    "TrustList": "edossier.signing.trustlist_model",
    "load_credential": "edossier.signing.cades",
    "Credential": "edossier.signing.cades",
    "check_pdf": "edossier.pdfa.check",
    "PdfReport": "edossier.pdfa.check",
    "Limits": "edossier.container.zipio",
    "Policy": "edossier.policy",
    "load_policy": "edossier.policy",
    "Finding": "edossier.findings",
    "UserError": "edossier.errors",
    "quiet_libraries": "edossier.logs",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:  # for type checkers and IDEs; at run time __getattr__ imports on demand
    from .building.pipeline import BuildResult, append_layer, build_package
    from .container.zipio import Limits
    from .errors import UserError
    from .findings import Finding
    from .logs import quiet_libraries
    from .pdfa.check import PdfReport, check_pdf
    from .policy import Policy, load_policy
    from .building.source import write_source
    from .signing.cades import Credential, load_credential
    from .signing.trustlist import load_trustlist
    from .signing.trustlist_model import TrustList
    from .validation.pipeline import validate_package
    from .validation.verdict import PackageReport


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'edossier' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next access does not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
