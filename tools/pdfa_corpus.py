"""Run the checker over the veraPDF corpus and score it per clause (used by tests, docs, bench).

The corpus (veraPDF Consortium, CC BY 4.0) names each file after the clause it tests and whether
a conforming validator must pass or fail it: ``PDF_A-2b/<section>/<clause ...>/veraPDF test suite
6-2-11-4-1-t01-fail-a.pdf``. The clause is taken from the folder name, not from the test number.
Active-content checks are switched off for scoring: they are edossier policy, not PDF/A.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from edossier.pdfa.check import PdfReport, check_pdf


@dataclass(frozen=True)
class CorpusCase:
    path: Path
    flavour: str  # "2b" | "2u"
    clause: str
    expect_pass: bool


def corpus_cases(root: Path) -> list[CorpusCase]:
    out = []
    for part, fl in (("PDF_A-2b", "2b"), ("PDF_A-2u", "2u")):
        base = root / part
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*.pdf")):
            clause = p.parent.name.split(" ")[0]
            m = re.search(r"-(pass|fail)-", p.name)
            if not m:
                continue
            out.append(CorpusCase(p, fl, clause, m.group(1) == "pass"))
    return out


@dataclass
class CaseResult:
    case: CorpusCase
    report: PdfReport
    flagged: bool
    right_clause: bool


def _clause_match(issue_clause: str, clause: str) -> bool:
    """The issue's clause is the tested clause, a sub-clause of it, or - for corpus folders such as
    "6.2.8.1 General" or "6.2.9.2 Reference XObjects" that have no rule ids of their own in the
    veraPDF profile - its nearest parent clause that has rules."""
    if not issue_clause:
        return False
    if issue_clause == clause or issue_clause.startswith(clause + "."):
        return True
    if clause.startswith(issue_clause + "."):
        return clause not in _profile_clauses()
    return False


def _profile_clauses() -> set[str]:
    from edossier.pdfa.rules import all_rules

    return {r.clause for r in all_rules() if r.kind == "pdfa"}


def run_corpus(root: Path, cases: list[CorpusCase] | None = None) -> tuple[list[CaseResult], float]:
    cases = cases if cases is not None else corpus_cases(root)
    res = []
    t0 = time.perf_counter()
    for c in cases:
        rep = check_pdf(c.path, flavour=c.flavour, active_content=False)
        bad = [i for i in rep.issues if i.kind in ("pdfa", "unreadable", "internal", "active")]
        flagged = bool(bad)
        right = any(_clause_match(i.clause, c.clause) for i in bad)
        res.append(CaseResult(c, rep, flagged, right))
    return res, time.perf_counter() - t0


def score(results: list[CaseResult]) -> dict:
    per = defaultdict(lambda: {"pass": 0, "pass_flagged": 0, "fail": 0, "fail_flagged": 0, "fail_right": 0})
    for r in results:
        d = per[r.case.clause]
        if r.case.expect_pass:
            d["pass"] += 1
            d["pass_flagged"] += r.flagged
        else:
            d["fail"] += 1
            d["fail_flagged"] += r.flagged
            d["fail_right"] += r.right_clause
    tot = {k: sum(d[k] for d in per.values()) for k in ("pass", "pass_flagged", "fail", "fail_flagged", "fail_right")}
    return {"per_clause": dict(per), "total": tot}


def _clause_key(c: str):
    return [int(x) if x.isdigit() else x for x in c.split(".")]


def format_score(sc: dict) -> str:
    lines = ["| clause | pass files | pass flagged | fail files | fail flagged | right clause |",
             "|---|---:|---:|---:|---:|---:|"]
    for c in sorted(sc["per_clause"], key=_clause_key):
        d = sc["per_clause"][c]
        lines.append(f"| {c} | {d['pass']} | {d['pass_flagged']} | {d['fail']} | {d['fail_flagged']} | {d['fail_right']} |")
    t = sc["total"]
    lines.append(f"| **total** | {t['pass']} | {t['pass_flagged']} | {t['fail']} | {t['fail_flagged']} | {t['fail_right']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import sys

    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "verapdf"
    verbose = "-v" in argv
    results, secs = run_corpus(root)
    sc = score(results)
    print(format_score(sc))
    t = sc["total"]
    print(f"files {len(results)} in {secs:.2f} s; pass flagged {t['pass_flagged']}/{t['pass']} "
          f"({100 * t['pass_flagged'] / max(1, t['pass']):.1f} %), fail flagged {t['fail_flagged']}/{t['fail']} "
          f"({100 * t['fail_flagged'] / max(1, t['fail']):.1f} %), right clause {t['fail_right']}/{t['fail']} "
          f"({100 * t['fail_right'] / max(1, t['fail']):.1f} %)")
    if verbose:
        for r in results:
            if r.case.expect_pass and r.flagged:
                print("FALSE ALARM", r.case.path.name, [(i.rule_id, i.location, i.message_en[-120:]) for i in r.report.issues][:4])
            if not r.case.expect_pass and not r.right_clause:
                print("MISS" if not r.flagged else "WRONG", r.case.path.name, [(i.rule_id, i.message_en[-100:]) for i in r.report.issues][:3])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
