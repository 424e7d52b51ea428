"""The facts an ACCEPT rests on and the reports that hold them: one per layer, one per package, whose
verdict is computed from the facts and the findings (docs/spec.md §10; the stages are in stages.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..findings import STAGES, SUPERVISION, Finding, finding, has_errors, severity_counts
from ..record.model import Record
from ..signing.cades_verify import SignatureResult


# The facts an ACCEPT rests on, in pipeline order, with what X007 says when one is missing.
FACTS: dict[str, tuple[str, str]] = {
    "container": ("the container was not read whole", "容器未被完整读取"),
    "records": ("not every manifest and record was read and found consistent", "并非所有清单和记录都已读取并确认一致"),
    "coverage": ("not every member is accounted for by a record entry and the latest manifest",
                 "并非每个成员都有记录条目和最新清单对应"),
    "integrity": ("not every digest was recomputed and found equal", "并非所有摘要都已重新计算并确认一致"),
    "signatures": ("not every layer's signature passed for the agency and role it claims",
                   "并非每一层的签名都已针对其声明的机关和角色验证通过"),
    "documents": ("not every document was checked to the end", "并非每份文书都已检查完毕"),
    "case": ("not every group of case rules was checked to the end", "并非每组案件规则都已检查完毕"),
}


INTEGRITY_FACTS = ("container", "records", "coverage", "integrity", "signatures")


@dataclass
class LayerReport:
    layer: int
    record: Record | None = None
    signature: SignatureResult | None = None

    def to_dict(self) -> dict:
        r = self.record
        return {
            "layer": self.layer,
            "agency": r.agency.name if r else None,
            "credit_code": r.agency.credit_code if r else None,
            "role": r.agency.role if r else None,
            "stage": r.stage if r else None,
            "created": r.created.isoformat() if r else None,
            "documents": len(r.documents) if r else 0,
            "signature": self.signature.to_dict() if self.signature else None,
        }


def _natural(text: str) -> list:
    """Sort key that reads numbers as numbers: d2 before d10, Event[9] before Event[10] (file order)."""
    return [int(t) if i % 2 else t for i, t in enumerate(re.split(r"(\d+)", text))]


@dataclass
class PackageReport:
    path: str
    findings: list[Finding] = field(default_factory=list)
    layers: list[LayerReport] = field(default_factory=list)
    # fact -> established? (FACTS); a fact absent from the dict was never established
    established: dict[str, bool] = field(default_factory=dict)
    checks: str = "full"
    waived: tuple[str, ...] = ()  # facts not asked for (a builder's preflight without a trust list)
    # wall-clock seconds per pipeline step ("open", then the _STAGES names), for JUnit's time= (#16)
    durations: dict[str, float] = field(default_factory=dict)

    def required(self) -> tuple[str, ...]:
        facts = INTEGRITY_FACTS if self.checks == "integrity" else tuple(FACTS)
        return tuple(f for f in facts if f not in self.waived)

    def missing(self) -> list[str]:
        """The required facts that were not established, in pipeline order."""
        return [f for f in self.required() if not self.established.get(f)]

    @property
    def verdict(self) -> str:
        return "accept" if not self.missing() and not has_errors(self.findings) else "reject"

    def settle(self) -> None:
        """A rejection always says why: when a fact is missing but no error-level finding is left (e.g.
        a policy lowered the one that explained it), X007 names each missing fact. Idempotent; call it
        again after a policy is applied."""
        if has_errors(self.findings):
            return
        for fact in self.missing():
            en, zh = FACTS[fact]
            self.findings.append(finding("X007", fact, detail=en, detail_zh=zh))

    def sorted_findings(self) -> list[Finding]:
        # supervision findings first: the receiving agency acts on them before anything else (issue #15)
        return sorted(self.findings, key=lambda f: (f.severity != SUPERVISION, STAGES.index(f.stage), f.code,
                                                    _natural(f.location)))

    def to_dict(self) -> dict:
        counts = severity_counts(self.findings)
        return {
            "path": self.path,
            "verdict": self.verdict,
            "counts": counts,
            "established": {fact: bool(self.established.get(fact)) for fact in self.required()},
            "layers": [layer.to_dict() for layer in self.layers],
            "findings": [f.to_dict() for f in self.sorted_findings()],
        }
