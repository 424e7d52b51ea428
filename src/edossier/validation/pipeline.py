"""The validation pipeline (docs/spec.md §10): an explicit list of stages, each of which reports its
findings and the one fact it establishes. The verdict is computed from those facts.

    container  → the archive was read whole: every central-directory entry is a member, mimetype right,
                 layers numbered 001… each with a manifest and a signature
    records    → every layer's manifest and record parsed, schema-valid and consistent
    coverage   → every member is the mimetype, a manifest, a signature, a layer's record, or a document
                 that exactly one record entry names, and the latest manifest lists every data member
    integrity  → every digest of every manifest recomputed and equal; later manifests carry earlier ones
    signatures → every layer's signature TOTAL_PASSED for the agency and role its record claims
    documents  → every document's checks ran to the end (full mode)
    case       → every case-rule group ran to the end (full mode)

ACCEPT needs every fact *and* no error-level finding (after the policy). A fact that is missing without
an error finding that explains it gets X007, so a rejection always says why. A stage that raises gets
its could-not-check code (X001–X006) and leaves its fact unestablished; the other stages still run.

``checks="integrity"`` stops after the signatures: the documents' PDF/A checks and the case rules are not
run and their facts are not required. It answers "are these exactly the bytes the agencies signed?".
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from ..container.zipio import Limits, open_package
from ..policy import Policy
from ..signing.trustlist_model import TrustList
from .stages import _Run, _run_stage, _STAGES
from .verdict import PackageReport


CHECKS = ("full", "integrity")


def warm_up(checks: str = "full", *, fonts: bool = True) -> None:
    """Import what validate_package imports lazily for `checks`: before forking worker processes, so
    that they share it instead of each paying ~0.7 s of imports (pyHanko, asn1crypto.tsp, pikepdf,
    fontTools); and by the CLI at start, all at once while the garbage collector is paused.
    `fonts=False` leaves out fontTools, which only documents with embedded fonts need (a scanned
    one-page package has none: start-up, issue 19)."""
    import asn1crypto.tsp  # noqa: F401
    from ..signing.pyhanko_import import verification_modules

    verification_modules()
    import pyhanko_certvalidator  # noqa: F401

    from ..signing import cades_sm2  # noqa: F401 - the signature hook of every validation context

    if checks == "integrity":
        return
    import pikepdf  # noqa: F401

    if fonts:
        import fontTools.ttLib  # noqa: F401
    from ..caserules import check  # noqa: F401
    from ..pdfa import check as pdfa_check, images_pdf  # noqa: F401
    from . import documents  # noqa: F401


def validate_package(path: Path, *, trust: TrustList, at: dt.datetime | None = None,
                     limits: Limits | None = None, profile: str | None = None,
                     checks: str = "full", poe: dict[int, dt.datetime] | None = None,
                     unsigned: int | None = None, verify_signatures: bool = True,
                     policy: Policy | None = None, document_processes: int = 0) -> PackageReport:
    """Validate one package; `checks` is "full" (every stage) or "integrity" (no document or case checks).

    `policy` (edossier.policy.Policy) sets each code's level (FAIL/WARN/INFORM/IGNORE) as `validate
    --policy` does; the opt-outs the trust list was loaded with (T001 unsigned, T002 expired) are then
    added whatever the policy says, so that a weaker verdict is visibly weaker. Without a policy the
    findings are returned at their registered severities and without those notes.

    `poe` maps a layer number to a time at which its signature is proven to have existed by something
    outside the package (a receipt, `validate --receipt`); it is passed on to the signature check.

    The builder's preflight (preflight.py) validates the package it is about to sign: `unsigned` is the
    number of the new layer, which has its manifest but no signature yet (its signer is checked by the
    builder); `verify_signatures=False` (no trust list given) skips the earlier layers' signatures and
    does not require that fact. Every other stage runs exactly as for a signed package.

    `document_processes=1` forks a process that checks documents beside this one (validation/helper.py;
    the same checks, the same report, about half the time of a full validation on two cores). Leave it
    at 0 in a process that runs other threads (a server): the fork copies only the calling thread."""
    if checks not in CHECKS:
        raise ValueError(f"checks must be one of {CHECKS}, not {checks!r}")
    path = Path(path)
    report = PackageReport(str(path), checks=checks, waived=() if verify_signatures else ("signatures",))
    started = time.monotonic()
    opened = open_package(path, limits)
    report.durations["open"] = time.monotonic() - started
    if isinstance(opened, list):
        report.findings += opened
    else:
        with opened as pkg:
            report.findings += pkg.findings
            run = _Run(pkg, report, trust, at, profile, checks == "full", dict(poe or {}), unsigned,
                       verify_signatures, helpers=max(0, min(int(document_processes), 1)))
            try:
                for name, stage in _STAGES:
                    if name in ("documents", "case") and not run.full:
                        continue
                    _run_stage(run, name, stage)
            finally:
                if run.reader is not None:
                    run.reader.close()
    if policy is not None:
        report.findings = policy.apply(report.findings)
        report.findings.extend(trust.findings())
    report.settle()
    return report


# --- container -----------------------------------------------------------------------------------------


# --- records -------------------------------------------------------------------------------------------


# --- coverage ------------------------------------------------------------------------------------------


# --- integrity and documents ---------------------------------------------------------------------------


# --- signatures ----------------------------------------------------------------------------------------


# --- case ----------------------------------------------------------------------------------------------


