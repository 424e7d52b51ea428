"""Findings and the code registry.

Every check reports through `finding(code, ...)`; the code's severity, stage, messages and spec
anchor come from the registry in `codes/*.toml` (one file per area), never from the check. That keeps codes stable and the documentation
(docs/codes.md) generated from the same data the validator uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from . import bundled_toml
from .i18n import Message, add_source, fill, is_zh, message, params_of, t

STAGES = ("container", "schema", "integrity", "signature", "document", "case")
# "supervision" (监督事项, issue #15): a fact about the case that the receiving agency must see first and act
# on (超期羁押, 超期办案) — not a defect of the package, so it never rejects unless a policy makes it FAIL.
SEVERITIES = ("supervision", "error", "warning", "info")
SUPERVISION = "supervision"
UNCHECKED_PREFIX = "X"  # the could-not-check family (codes/unchecked.toml): never suppressible
LANGS = ("zh-CN", "en")


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    stage: str
    spec: str
    en: str
    zh: str


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    stage: str
    message_en: str
    message_zh: str
    location: str = ""
    spec: str = ""
    rule_id: str | None = None  # veraPDF rule id for PDF/A findings
    params: dict = field(default_factory=dict, compare=False)

    def message(self, lang: str) -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en

    def to_dict(self) -> dict:
        d = {
            "code": self.code,
            "severity": self.severity,
            "stage": self.stage,
            "message": {"zh-CN": self.message_zh, "en": self.message_en},
            "location": self.location,
            "spec": spec_link(self.spec),
        }
        if self.rule_id:
            d["rule_id"] = self.rule_id
        return d


def spec_link(spec: str) -> str:
    """A code's `spec` is an anchor in docs/spec.md, or `file.md#anchor` for another file in docs/."""
    if not spec:
        return ""
    return f"docs/{spec}" if "#" in spec else f"docs/spec.md#{spec}"


@cache
def registry() -> dict[str, Code]:
    """All codes from the TOML files in `edossier/codes/` (one file per area, one registry)."""
    codes = {}
    folder = resources.files("edossier").joinpath("codes")
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        if not item.name.endswith(".toml"):
            continue
        for code, entry in bundled_toml.loads(item.read_text("utf-8")).items():
            if code in codes:
                raise RuntimeError(f"codes/{item.name}: {code} is defined twice")
            if entry["severity"] not in SEVERITIES or entry["stage"] not in STAGES:
                raise RuntimeError(f"codes/{item.name}: bad severity or stage for {code}")
            if is_unchecked(code) and entry["severity"] != "error":
                raise RuntimeError(f"codes/{item.name}: could-not-check code {code} must be an error")
            codes[code] = Code(code, entry["severity"], entry["stage"], entry["spec"], entry["en"], entry["zh"])
    return dict(sorted(codes.items()))


def _message(code: str) -> Message | None:
    c = registry().get(code)
    return Message((c.en, c.zh)) if c else None


add_source("finding.", _message)  # t("finding.K012", …) reads this registry (the catalogue stays a leaf)


def describe_finding(code: str, lang: str) -> str:
    """A finding's message without a case to fill it: each parameter named by what it stands for
    ("‹agency›", "〈机关〉"), for tables over many packages (the stats dashboard). A parameter without a
    `param.<name>` entry raises KeyError (tests/test_i18n.py holds every parameter to one)."""
    m = message(f"finding.{code}")
    template = m.zh if is_zh(lang) else m.en
    nouns = {p: t("param.marker", lang, noun=t(f"param.{p.removesuffix('_zh')}", lang)) for p in params_of(template)}
    return fill(template, nouns)


def finding(code: str, location: str = "", *, rule_id: str | None = None, detail_zh: str | None = None,
            **params) -> Finding:
    """Make a finding for a registered code, filling the message templates with params.

    `detail` fills both languages unless `detail_zh` gives the Chinese text separately.
    """
    c = registry()[code]
    values = {k: str(v) for k, v in params.items()}
    values_zh = dict(values, detail=detail_zh) if detail_zh is not None else values
    return Finding(
        code=c.code,
        severity=c.severity,
        stage=c.stage,
        # filled by the catalogue's `fill` (edossier.i18n): an unsupplied parameter raises under tests
        # and shows as `{name}` in production, never a silent "?"
        message_en=fill(c.en, values),
        message_zh=fill(c.zh, values_zh),
        location=location,
        spec=c.spec,
        rule_id=rule_id,
        params=dict(params),
    )


def is_unchecked(code: str) -> bool:
    """True for a could-not-check code: the validator could not establish something, which is always an
    error and which no policy, --strict or --suppress may lower (docs/spec.md §10.2a)."""
    return code.startswith(UNCHECKED_PREFIX)


def has_errors(findings) -> bool:
    return any(f.severity == "error" for f in findings)


def severity_counts(findings) -> dict[str, int]:
    """How many findings of each severity, every severity named (supervision first)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    return counts


def supervision_codes() -> frozenset[str]:
    """The codes whose registry severity is supervision (K050-K052: periods run out or about to)."""
    return frozenset(c.code for c in registry().values() if c.severity == SUPERVISION)


def codes_markdown() -> str:
    """docs/codes.md, generated from the registry (`python -m edossier.findings > docs/codes.md`)."""
    stage_titles = {"container": "Container", "schema": "Schema and records", "integrity": "Integrity",
                    "signature": "Signatures and trust", "document": "Documents", "case": "Case rules"}
    lines = [
        "# Finding codes",
        "",
        "Generated from `src/edossier/codes/*.toml` by `python -m edossier.findings > docs/codes.md`; do not edit",
        "by hand (a test fails when this file is stale). Severity `error` means a MUST of",
        "[the specification](spec.md) is broken and the package is rejected; `warning` a SHOULD; `info` a note;",
        "`supervision` a fact about the case (a period run out or about to) that the receiving agency must see",
        "first and act on — shown first in every report, never a reason to reject under the default policy.",
        "`{…}` in a message is filled in by the check.",
        "",
    ]
    for stage in STAGES:
        group = [c for c in registry().values() if c.stage == stage]
        if not group:
            continue
        lines += [f"## {stage_titles[stage]}", "", "| code | severity | spec | message (en) | message (zh-CN) |",
                  "|---|---|---|---|---|"]
        for c in group:
            esc = lambda s: s.replace("|", "\\|")  # noqa: E731
            lines.append(f"| <a id=\"{c.code}\"></a>`{c.code}` | {c.severity} | [{c.spec}]({spec_link(c.spec)[5:]}) "
                         f"| {esc(c.en)} | {esc(c.zh)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(codes_markdown())
