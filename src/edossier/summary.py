"""What is in a package, without judging it (`edossier inspect`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .container.asic import MANIFEST_RE, record_name, signature_name
from .container.zipio import open_package
from .findings import Finding
from .record.fold import EffectiveDossier, fold
from .record.model import Record, RecordError, parse_record
from .signing.cades_verify import signature_summary


@dataclass
class LayerSummary:
    layer: int
    record: Record | None
    signer: str | None
    signing_time: object | None
    problem: str | None = None


@dataclass
class PackageSummary:
    path: Path
    members: int = 0
    size: int = 0
    layers: list[LayerSummary] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = self.dossier
        return {
            "path": str(self.path),
            "members": self.members,
            "size": self.size,
            "problems": [f.to_dict() for f in self.problems],
            "case": {"number": d.case.number, "name": d.case.name, "charges": list(d.case.charges)} if d.case else None,
            "layers": [{
                "layer": layer.layer,
                "agency": layer.record.agency.name if layer.record else None,
                "credit_code": layer.record.agency.credit_code if layer.record else None,
                "role": layer.record.agency.role if layer.record else None,
                "stage": layer.record.stage if layer.record else None,
                "signer": layer.signer,
                "signing_time": layer.signing_time.isoformat() if layer.signing_time else None,
                "problem": layer.problem,
            } for layer in self.layers],
            "volumes": [{"id": v.id, "title": v.title, "kind": v.kind} for v in d.volumes.values()],
            "documents": [{"layer": n, "id": doc.id, "volume": doc.volume, "type": doc.type, "title": doc.title,
                           "number": doc.number, "author": doc.author, "date": doc.date.isoformat(),
                           "pages": doc.pages, "file": doc.file} for n, doc in d.documents],
        }

    @property
    def dossier(self) -> EffectiveDossier:
        return fold([layer.record for layer in self.layers if layer.record is not None])


def summarize(path: Path) -> PackageSummary:
    path = Path(path)
    summary = PackageSummary(path)
    opened = open_package(path)
    if isinstance(opened, list):
        summary.problems = opened
        return summary
    with opened as pkg:
        summary.problems = list(pkg.findings)
        summary.members = len(pkg.order)
        summary.size = path.stat().st_size
        numbers = sorted(int(m.group(1)) for n in pkg.order if (m := MANIFEST_RE.match(n)))
        for n in numbers:
            record = signer = when = problem = None
            try:
                record = parse_record(pkg.read(record_name(n), pkg.limits.max_xml_bytes))
            except RecordError as exc:
                problem = exc.detail
            except Exception as exc:  # noqa: BLE001
                problem = str(exc) or type(exc).__name__
            if signature_name(n) in pkg.infos:
                try:
                    signer, when = signature_summary(pkg.read(signature_name(n), 1024 * 1024))
                except Exception:  # noqa: BLE001
                    pass
            summary.layers.append(LayerSummary(n, record, signer, when, problem))
    return summary
