"""JUnit XML validation report, for CI dashboards (Jenkins, GitLab, GitHub test-report actions).

One <testsuite> per package, one <testcase> per validation stage (container, schema, integrity,
signature, document, case). Every error-level finding of a stage is a <failure> of that stage's
test case (type = the code, message = code and message); warnings and infos go to the test case's
<system-out>. A package that could not be opened at all has its later stages marked <skipped>.

Pure function of the reports: no CLI, no file system.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from ..findings import SEVERITIES, STAGES, SUPERVISION, spec_link
from ..i18n import section
from ..i18n.explain import show_location

# Characters XML 1.0 cannot carry at all (C0 controls except TAB/LF/CR, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text as XML 1.0 can carry it: a character it cannot is shown as its escape (\\x01, \\ud800)."""
    s = "" if value is None else str(value)
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), s)


# labels from the message catalogue (edossier.i18n)
_L = {lang: {**section("junit", lang), "stage": section("stage", lang), "sev": section("severity", lang),
             "verdict": section("verdict", lang)}
      for lang in ("en", "zh-CN")}


def _finding_text(f, lang: str, L: dict) -> str:
    other = "en" if lang.startswith("zh") else "zh-CN"
    lines = [f"{f.code} {L['sev'][f.severity]}" + (f" [{f.rule_id}]" if f.rule_id else "")
             + (f" @ {show_location(f.location, lang)}" if f.location else ""),
             f"  {f.message(lang)}", f"  {f.message(other)}"]
    if f.spec:
        lines.append(f"  {L['spec']}: {spec_link(f.spec)}")
    return "\n".join(lines)


# Which steps of the validation pipeline (validate.py _STAGES, plus opening the ZIP) each JUnit test case
# (findings.STAGES) stands for: its time= is the sum of their wall-clock seconds.
_STEPS = {"container": ("open", "container"), "schema": ("records", "coverage"), "integrity": ("integrity",),
          "signature": ("signatures",), "document": ("documents",), "case": ("case",)}


def _seconds(value: float) -> str:
    return f"{max(0.0, value):.3f}"


def render_junit(reports, *, lang: str = "en", timestamp: dt.datetime | None = None,
                 trust: dict | None = None) -> str:
    """The JUnit XML document (a str starting with the XML declaration) for a list of PackageReport."""
    lang = "zh-CN" if lang.startswith("zh") else "en"
    L = _L[lang]
    when = (timestamp or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat()
    root = ET.Element("testsuites", name="edossier validate")
    total_tests = total_failures = total_skipped = 0
    total_seconds = 0.0
    for rep in reports:
        durations = getattr(rep, "durations", None) or {}
        findings = rep.sorted_findings()
        opened = bool(rep.layers) or any(f.stage != "container" for f in findings)
        suite = ET.SubElement(root, "testsuite")
        failed = skipped = 0
        for stage in STAGES:
            group = [f for f in findings if f.stage == stage]
            case = ET.SubElement(suite, "testcase", classname=xml_text(rep.path),
                                 name=stage if lang == "en" else f"{stage}（{L['stage'][stage]}）",
                                 time=_seconds(sum(durations.get(step, 0.0) for step in _STEPS[stage])))
            errors = [f for f in group if f.severity == "error"]
            others = [f for f in group if f.severity != "error"]
            for f in errors:
                failure = ET.SubElement(case, "failure", type=f.code,
                                        message=xml_text(f"{f.code}: {f.message(lang)}"
                                                         + (f" ({show_location(f.location, lang)})" if f.location else "")))
                failure.text = xml_text(_finding_text(f, lang, L))
            if errors:
                failed += 1
            elif not group and not opened and stage != "container":
                ET.SubElement(case, "skipped", message=L["not_reached"])
                skipped += 1
            if others:
                ET.SubElement(case, "system-out").text = xml_text(
                    "\n\n".join(_finding_text(f, lang, L) for f in others))
        suite.set("name", xml_text(rep.path))
        suite.set("tests", str(len(STAGES)))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        suite_seconds = sum(durations.values())
        total_seconds += suite_seconds
        suite.set("time", _seconds(suite_seconds))
        suite.set("timestamp", when)
        props = ET.Element("properties")
        ET.SubElement(props, "property", name="verdict", value=rep.verdict)
        for sev in SEVERITIES:  # supervision first
            ET.SubElement(props, "property", name=f"{sev}s",
                          value=str(sum(1 for f in findings if f.severity == sev)))
        for key, value in (trust or {}).items():  # the trust list used: digest, sequence, signer...
            text = ",".join(value) if isinstance(value, list) else "" if value is None else str(value).lower() \
                if isinstance(value, bool) else str(value)
            ET.SubElement(props, "property", name=f"trust_list.{key}", value=xml_text(text))
        suite.insert(0, props)
        # supervision findings are repeated under the verdict, so that a CI log shows them first (issue #15)
        supervision = [_finding_text(f, lang, L) for f in findings if f.severity == SUPERVISION]
        ET.SubElement(suite, "system-out").text = xml_text(
            "\n\n".join([f"{L['verdict'][rep.verdict]}  {rep.path}"] + supervision))
        total_tests += len(STAGES)
        total_failures += failed
        total_skipped += skipped
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    root.set("skipped", str(total_skipped))
    root.set("time", _seconds(total_seconds))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
