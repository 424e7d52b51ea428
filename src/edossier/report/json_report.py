"""The machine-readable validation report (schemas/report-0.1.schema.json)."""

from __future__ import annotations

import datetime as dt
import json

from ..version import __version__

REPORT_VERSION = "0.1"


def report_dict(reports, *, trust_path: str | None, at: dt.datetime | None, trust: dict | None = None) -> dict:
    """`trust` is TrustList.facts() of the list used (digest, sequence, signer...), or None."""
    packages = [r.to_dict() for r in reports]
    trust_list = None
    if trust_path is not None or trust is not None:
        trust_list = {"path": trust_path, **(trust or {})}
    return {
        "report_version": REPORT_VERSION,
        "tool": {"name": "edossier", "version": __version__},
        "validated_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "validation_time": at.isoformat() if at else None,
        "trust_list": trust_list,
        "verdict": "reject" if any(p["verdict"] == "reject" for p in packages) else "accept",
        "packages": packages,
    }


def render_json(reports, *, trust_path: str | None = None, at: dt.datetime | None = None,
                trust: dict | None = None) -> str:
    return json.dumps(report_dict(reports, trust_path=trust_path, at=at, trust=trust), ensure_ascii=False,
                      indent=2) + "\n"
