"""SARIF 2.1.0 validation report, for code-scanning views (GitHub code scanning, IDE SARIF viewers).

One run for all packages. `tool.driver.rules` is the whole finding registry (id, English short and
full description, helpUri = the spec clause, the Chinese texts under `properties`); every finding is
a result with its rule, level, message in the chosen language (both languages in `properties`), the
package as the artifact location and the member path as a logical location.

Pure function of the reports: no CLI, no file system.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePath
from urllib.parse import quote, urljoin

from ..version import __version__
from ..findings import registry, spec_link

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# SARIF has no "supervision" level: "warning" keeps it visible without failing a CI gate on it
LEVELS = {"supervision": "warning", "error": "error", "warning": "warning", "info": "note"}

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: object) -> str:
    """A string JSON can carry and UTF-8 can encode (a lone surrogate is shown as its escape)."""
    s = "" if value is None else str(value)
    return _SURROGATE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), s)


def _describe(template: str) -> str:
    return _PLACEHOLDER.sub("…", template)


def artifact_uri(path: str) -> str:
    """The package path as a URI reference: file:// for an absolute path, else a relative reference."""
    p = PurePath(path)
    posix = p.as_posix()
    if p.is_absolute():
        try:
            return p.as_uri()
        except ValueError:
            pass
        return "file://" + quote(posix, safe="/")
    return quote(posix, safe="/")


def _member(location: str, package: str) -> str | None:
    """The package member a finding's location names ("documents/001/d1.pdf (page 3, font F1)" →
    "documents/001/d1.pdf"); None when it names the package itself or nothing."""
    if not location or location == PurePath(package).name:
        return None
    return location.split(" (", 1)[0] or None


def rules() -> list[dict]:
    out = []
    for c in registry().values():
        rule = {
            "id": c.code,
            "shortDescription": {"text": _describe(c.en)},
            "fullDescription": {"text": f"{_describe(c.en)} (severity: {c.severity}; stage: {c.stage}; "
                                        f"spec: {spec_link(c.spec)})"},
            "defaultConfiguration": {"level": LEVELS[c.severity]},
            "properties": {
                "severity": c.severity,
                "stage": c.stage,
                "spec": c.spec,
                "tags": ["edossier", c.stage],
                "zh-CN": {"shortDescription": _describe(c.zh),
                          "fullDescription": f"{_describe(c.zh)}（级别：{c.severity}；阶段：{c.stage}；"
                                             f"规范：{spec_link(c.spec)}）"},
            },
        }
        if c.spec:
            rule["helpUri"] = spec_link(c.spec)
        out.append(rule)
    return out


def sarif_dict(reports, *, lang: str = "en", spec_base: str | None = None, trust: dict | None = None) -> dict:
    lang = "zh-CN" if lang.startswith("zh") else "en"
    rule_list = rules()
    if spec_base:
        for r in rule_list:
            if "helpUri" in r:
                r["helpUri"] = urljoin(spec_base, r["helpUri"])
    index = {r["id"]: i for i, r in enumerate(rule_list)}
    artifacts, results = [], []
    for a, rep in enumerate(reports):
        path = _clean(rep.path)
        artifacts.append({
            "location": {"uri": artifact_uri(path)},
            "properties": {"verdict": rep.verdict},
        })
        for f in rep.sorted_findings():
            location: dict = {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path), "index": a}}}
            member = _member(f.location, rep.path)
            if member is not None:
                location["logicalLocations"] = [{"name": _clean(member),
                                                 "fullyQualifiedName": _clean(f.location)}]
            result = {
                "ruleId": f.code,
                "level": LEVELS[f.severity],
                "message": {"text": _clean(f.message(lang))},
                "locations": [location],
                "partialFingerprints": {
                    "edossierFinding/v1": hashlib.sha256(
                        "\x00".join((f.code, _clean(f.location), path)).encode("utf-8")).hexdigest()},
                "properties": {
                    "stage": f.stage,
                    "severity": f.severity,
                    "package": path,
                    "location": _clean(f.location),
                    "message": {"zh-CN": _clean(f.message_zh), "en": _clean(f.message_en)},
                },
            }
            if f.code in index:
                result["ruleIndex"] = index[f.code]
            if f.rule_id:
                result["properties"]["pdfaRule"] = _clean(f.rule_id)
            results.append(result)
    driver = {"name": "edossier", "version": __version__, "semanticVersion": __version__, "rules": rule_list}
    if spec_base:
        driver["informationUri"] = spec_base
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": driver},
            "artifacts": artifacts,
            "results": results,
            "language": lang,
            "columnKind": "unicodeCodePoints",
            "properties": {"verdict": "reject" if any(r.verdict == "reject" for r in reports) else "accept",
                           **({"trustList": trust} if trust is not None else {})},
        }],
    }


def render_sarif(reports, *, lang: str = "en", spec_base: str | None = None, trust: dict | None = None) -> str:
    """The SARIF 2.1.0 log (JSON text) for a list of PackageReport.

    `spec_base`, when given, makes helpUri absolute (e.g. the URL of the repository's tree, so that
    "docs/spec.md#c-zip" becomes a clickable link in a code-scanning view)."""
    return json.dumps(sarif_dict(reports, lang=lang, spec_base=spec_base, trust=trust), ensure_ascii=False,
                      indent=2) + "\n"
