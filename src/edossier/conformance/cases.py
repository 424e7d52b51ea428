"""The conformance cases: one function per case, each returning the bytes of one package, one module
per code family (cases_*.py; the kit in casekit.py). Importing this module registers them all, in order.

A case has a class (`good`: accepted, no findings; `warn`: accepted with warnings or notes; `bad`:
rejected), the codes a validator must report (`required`), codes it may report as well (`allowed`,
consequences of the one defect), a slug and a one-line description in Chinese and English.
Cases derive from a few small base packages, so that each carries exactly one defect.
"""

from __future__ import annotations

# The order of these imports is the order of CASES (and of corpus.json): keep it.
from . import cases_container, cases_records, cases_integrity, cases_signatures, cases_documents, cases_caserules  # noqa: F401,E501
from . import cases_sm2  # noqa: F401 - SM2/SM3 layers (#20), after the others so that their order is kept
from .casekit import CASES, Case, case

__all__ = ["CASES", "Case", "case"]
