"""Preflight: the builder runs the validator before it signs (docs/builder.md "Preflight").

`build`, `append` and `lint` write the new layer without its signature, validate that package with
exactly the stages `validate` runs (validate.py, `unsigned=` the new layer) under the same policy, and
check the signing credential against the agency the source names — its unified social credit code and
name, and with a trust list its role and issuing CA, as the signature check will. Only when nothing
blocks is the manifest signed. So nothing is signed that `validate` would reject.

What never blocks: supervision findings about the case itself (a period that ran out: K050, K051, and the
K052 notice) — a dossier must travel even when a deadline was missed, and the receiving agency must see
it. Everything else at error level blocks, unless the user allows the code with `--allow CODE`, which
lowers it to a warning in this preflight only and is listed in the result. Could-not-check codes (X…)
can never be allowed (policy.py refuses).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import BuildError
from ..container.asic import signature_name
from ..findings import Finding, finding, supervision_codes
from ..policy import Policy
from ..roles import role_name
from ..signing.trustlist_model import TrustList
from ..validation.pipeline import validate_package
from ..validation.verdict import PackageReport

# Facts about the case, not defects of the package: the codes of severity "supervision" in the registry
# (K050, K051, K052). They never block signing, even under a policy that makes them FAIL for validate.
SUPERVISION = supervision_codes()


class PreflightRefused(BuildError):
    """The new layer would be rejected by `validate`: nothing was signed. `.report` has every finding."""

    def __init__(self, en: str, zh: str, report: PackageReport, blocking: list[Finding]):
        super().__init__(en, zh)
        self.report = report
        self.blocking = blocking


@dataclass
class PreflightResult:
    report: PackageReport
    blocking: list[Finding] = field(default_factory=list)
    allowed: tuple[str, ...] = ()  # codes the user allowed (--allow), lowered to warnings

    @property
    def passed(self) -> bool:
        return not self.blocking


def policy_with_allow(policy: Policy | None, allow: tuple[str, ...]) -> Policy:
    """The policy with each `--allow` code lowered to WARN (refused for could-not-check codes)."""
    base = policy or Policy()
    if not allow:
        return base
    from ..policy import _known, _lowerable  # one place decides what may be lowered

    levels = {code: base.level(code) for code in base.levels} if base.levels else {}
    for code in allow:
        _known(code, "--allow")
        _lowerable(code, "WARN", "--allow")
        levels[code] = "WARN"
    return Policy(f"{base.name} (allow {', '.join(allow)})", levels)


def signer_findings(credential, agency, layer: int, *, trust: TrustList | None, at: dt.datetime) -> list[Finding]:
    """The credential checked against the agency the source names, as the signature check will judge
    the layer: organizationIdentifier = credit code and organizationName = name (always); with a trust
    list, an entry for that credit code *and* role in force at `at`, under that name, whose issuing CA
    issued the credential's certificate."""
    loc = signature_name(layer)
    params = {"layer": f"{layer:03d}", "agency": agency.name, "role": agency.role,
              "role_zh": role_name(agency.role, "zh-CN")}
    out = []
    if credential.organization_id != agency.credit_code:
        out.append(finding("G009", loc, **params, detail=f"the credential's organizationIdentifier is "
                           f"{credential.organization_id!r}, the source names {agency.credit_code}",
                           detail_zh=f"凭据的 organizationIdentifier 为 {credential.organization_id!r}，源文件中为 {agency.credit_code}"))
    if credential.organization != agency.name:
        out.append(finding("G009", loc, **params, detail=f"the credential's organizationName is "
                           f"{credential.organization!r}, the source names {agency.name!r}",
                           detail_zh=f"凭据的 organizationName 为 {credential.organization!r}，源文件中为 {agency.name!r}"))
    if trust is None:
        return out
    entry = trust.find(agency.credit_code, agency.role)
    if entry is None or not entry.is_in_force(at) or entry.name != agency.name:
        shown = agency.name if entry is None or entry.name == agency.name else f"{agency.name} (trust list: {entry.name})"
        out.append(finding("G004", loc, **{**params, "agency": shown}))
        return out
    cert = _certificate(credential)
    if cert is not None and not _issued_by_entry(cert, entry):
        out.append(finding("G003", loc, **params, detail=f"the credential is issued by {cert.issuer.rfc4514_string()}, "
                           f"not by a CA the trust list names for {agency.name} ({agency.role})",
                           detail_zh=f"凭据由 {cert.issuer.rfc4514_string()} 签发，而不是由信任列表为 {agency.name}（{role_name(agency.role, 'zh-CN')}）列出的 CA 签发"))
    return out


def _certificate(credential):
    from cryptography import x509

    signer = getattr(credential, "signer", None)
    cert = getattr(signer, "signing_cert", None)
    return x509.load_der_x509_certificate(cert.dump()) if cert is not None else None


def _issued_by_entry(cert, entry) -> bool:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from ..signing.sm2_x509 import signed_by  # RSA, ECDSA and SM2 alike

    der = cert.public_bytes(serialization.Encoding.DER)
    for ca_der in entry.ca_certs:
        try:
            if x509.load_der_x509_certificate(ca_der).subject == cert.issuer and signed_by(der, ca_der):
                return True
        except Exception:  # noqa: BLE001 - not this CA
            continue
    return False


def preflight(unsigned: Path, layer: int, *, trust: TrustList | None, at: dt.datetime, policy: Policy | None = None,
              allow: tuple[str, ...] = (), profile: str | None = None, credential=None, agency=None) -> PreflightResult:
    """Validate the unsigned package at `unsigned` (layer `layer` has no signature yet) as `validate`
    would at the layer's signing time `at`, plus the credential check; say what blocks signing."""
    effective = policy_with_allow(policy, tuple(allow))
    report = validate_package(unsigned, trust=trust or TrustList(agencies=()), at=at, profile=profile,
                              unsigned=layer, verify_signatures=trust is not None)
    if credential is not None and agency is not None:
        report.findings += signer_findings(credential, agency, layer, trust=trust, at=at)
    report.findings = effective.apply(report.findings)
    report.settle()
    blocking = [f for f in report.findings if f.severity == "error" and f.code not in SUPERVISION]
    missing = report.missing()
    if missing and not blocking:  # settle() explains a missing fact with X007, which is an error
        blocking = [f for f in report.findings if f.code == "X007"]
    return PreflightResult(report, blocking, tuple(allow))


def refusal(result: PreflightResult) -> PreflightRefused:
    n = len(result.blocking)
    codes = ", ".join(sorted({f.code for f in result.blocking}))
    return PreflightRefused(
        f"preflight: the new layer would be rejected by validate ({n} error(s): {codes}); nothing was signed",
        f"预检：新的层将被校验拒收（{n} 个错误：{codes}）；未进行签名", result.report, result.blocking)


def check_signature(p7s: bytes, manifest: bytes, layer: int, agency, *, trust: TrustList,
                    policy: Policy | None = None, allow: tuple[str, ...] = (), where: Path) -> None:
    """The new layer's signature, judged as `validate` will judge it (the same `verify_layer`, the same
    trust list and policy), before it is written: the unsigned preflight cannot see what only the
    signature shows — a revoked or expired certificate, a path that does not reach the listed root, a
    time stamp from an unlisted authority. Raises PreflightRefused; nothing is written then."""
    from ..signing.cades_verify import verify_layer

    res = verify_layer(layer, p7s, manifest, agency_name=agency.name, credit_code=agency.credit_code,
                       role=agency.role, trust=trust)
    found = policy_with_allow(policy, allow).apply(res.findings)
    blocking = [f for f in found if f.severity == "error"]
    if res.indication != "TOTAL_PASSED" and not blocking:
        blocking = found  # not established: validate would reject it even with nothing at error level
    if not blocking and res.indication == "TOTAL_PASSED":
        return
    report = PackageReport(str(where))
    report.findings = list(found)
    codes = ", ".join(sorted({f.code for f in blocking})) or res.indication
    raise PreflightRefused(
        f"preflight: validate would reject the new layer's signature ({codes}); nothing was written",
        f"预检：校验将拒绝新层的签名（{codes}）；未写出任何文件", report, blocking)


def refusal_for(found: list[Finding], where: Path) -> PreflightRefused:
    """A refusal before anything was made: the signing credential does not belong to the agency."""
    report = PackageReport(str(where))
    report.findings = list(found)
    codes = ", ".join(sorted({f.code for f in found}))
    return PreflightRefused(
        f"preflight: the signing credential does not belong to the agency named in dossier.toml ({codes}); "
        "nothing was made or signed",
        f"预检：签名凭据不属于 dossier.toml 中所列机关（{codes}）；未生成也未签名", report, list(found))


def source_problems(problems: list[tuple[str, str, str]], source: Path) -> PreflightResult:
    """Lint's result when the source itself cannot be read: each problem as finding S010."""
    report = PackageReport(str(source))
    report.findings = [finding("S010", where, detail=en, detail_zh=zh) for where, en, zh in problems]
    return PreflightResult(report, list(report.findings))


def add_source_problems(result: PreflightResult, problems: list[tuple[str, str, str]] | None,
                        left_out: list[dict] = ()) -> PreflightResult:
    """The preflight of what could be made, plus what could not (documents left out, S010).

    The case rules ran on the layer without the `left_out` documents (their scans are missing or
    bad), so what they say about exactly those documents is a consequence, not news: an event naming
    one (K030), a profile's document that is one of them (K021, and its name in K022). Those are
    dropped, so that 14 missing scans are 14 problems to fix and not 24 (#16)."""
    # a problem is (location, en, zh) of the source, or already a finding (a bad scan: D006/D008)
    extra = [p if isinstance(p, Finding) else finding("S010", p[0], detail=p[1], detail_zh=p[2])
             for p in problems or ()]
    if left_out:
        kept = _without_consequences(result.report.findings, left_out)
        result.blocking = [f for f in result.blocking if any(f is k for k in kept)]
        result.report.findings = kept
    result.report.findings = extra + result.report.findings
    result.blocking = extra + result.blocking
    return result


def _without_consequences(findings: list[Finding], left_out: list[dict]) -> list[Finding]:
    from ..caserules import codelist

    ids = {d["id"] for d in left_out}
    types = codelist.document_types()
    names = set()
    for d in left_out:
        entry = types.lookup(d.get("type"))
        names.add(entry.zh if entry is not None else d.get("type"))
    out = []
    for f in findings:
        if f.code == "K030" and f.params.get("document") in ids:
            continue
        if f.code == "K021" and names & set(str(f.params.get("doc", "")).split("/")):
            continue
        if f.code == "K022" and "docs" in f.params:
            missing = [n.strip("《》") for n in f.params["docs"].split("、")]
            rest = [n for n in missing if n not in names]
            if not rest:
                continue
            if len(rest) < len(missing):
                fresh = finding("K022", f.location, profile=f.params["profile"], profile_zh=f.params["profile_zh"],
                                docs="、".join(f"《{n}》" for n in rest))
                # the message is rewritten; the severity stays as the policy set it
                f = replace(f, message_en=fresh.message_en, message_zh=fresh.message_zh, params=fresh.params)
        out.append(f)
    return out


def supervision_notes(result: PreflightResult) -> list[Finding]:
    """Findings about the case that are shown but never block signing (SUPERVISION)."""
    return [f for f in result.report.findings if f.code in SUPERVISION or f.severity == "supervision"]


__all__ = ["PreflightRefused", "PreflightResult", "SUPERVISION", "check_signature", "preflight", "refusal", "signer_findings",
           "policy_with_allow", "refusal_for", "source_problems", "add_source_problems", "supervision_notes"]
