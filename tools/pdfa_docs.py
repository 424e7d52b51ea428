"""Regenerate the generated blocks of ``docs/pdfa.md``.

The document is hand-written prose with two generated blocks between markers:

* ``rules``  - the per-rule implementation-status table, from :func:`edossier.pdfa.check.rule_table`;
* ``corpus`` - the per-clause agreement with the veraPDF corpus (only when the corpus is present).

Usage::

    python tools/pdfa_docs.py [--check] [docs/pdfa.md] [--corpus DIR]

``--check`` exits 1 when the file is stale (the test suite does the same).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "pdfa.md"
CORPUS = REPO.parent / "shared" / "corpus" / "verapdf"

_BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n)(.*?)(<!-- END GENERATED: \2 -->)", re.S)


def _cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def rules_block() -> str:
    from edossier.pdfa.check import rule_table

    rules = rule_table()
    pdfa = [r for r in rules if r.kind == "pdfa"]
    n_full = sum(r.status == "full" for r in pdfa)
    n_part = sum(r.status == "partial" for r in pdfa)
    n_none = sum(r.status == "none" for r in pdfa)
    lines = [f"PDF/A rules: {len(pdfa)} (2u profile; 2b has the same minus the two 6.2.11.7.2 rules). "
             f"Implemented fully: {n_full}, partly: {n_part}, not implemented: {n_none}.", "",
             "| rule | flavours | status | description (en) | 说明 (zh) | note |",
             "|---|---|---|---|---|---|"]
    for r in rules:
        desc = r.description_en if len(r.description_en) <= 160 else r.description_en[:157] + "..."
        lines.append(f"| `{r.id}` | {'/'.join(r.flavours)} | {r.status} | {_cell(desc)} | {_cell(r.description_zh)} "
                     f"| {_cell(r.note)} |")
    return "\n".join(lines) + "\n"


def corpus_block(corpus: Path) -> str | None:
    if not (corpus / "PDF_A-2b").is_dir():
        return None
    from pdfa_corpus import format_score, run_corpus, score

    res, _ = run_corpus(corpus)
    sc = score(res)
    t = sc["total"]
    head = (f"Files: {t['pass'] + t['fail']}. Expected-pass files flagged: {t['pass_flagged']} of {t['pass']} "
            f"({100 * t['pass_flagged'] / max(1, t['pass']):.1f} %). Expected-fail files flagged: "
            f"{t['fail_flagged']} of {t['fail']} ({100 * t['fail_flagged'] / max(1, t['fail']):.1f} %), "
            f"with an issue of the tested clause: {t['fail_right']} "
            f"({100 * t['fail_right'] / max(1, t['fail']):.1f} %).")
    return head + "\n\n" + format_score(sc) + "\n"


def render(text: str, corpus: Path) -> str:
    blocks = {"rules": rules_block}
    cb = None

    def repl(m: re.Match) -> str:
        nonlocal cb
        name = m.group(2)
        if name == "rules":
            body = rules_block()
        elif name == "corpus":
            if cb is None:
                cb = corpus_block(corpus)
            body = cb if cb is not None else m.group(3)  # keep the recorded figures without the corpus
        else:
            body = m.group(3)
        return m.group(1) + body + m.group(4)

    del blocks
    return _BLOCK.sub(repl, text)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in argv
    corpus = CORPUS
    if "--corpus" in argv:
        i = argv.index("--corpus")
        corpus = Path(argv[i + 1])
        del argv[i:i + 2]
    paths = [a for a in argv if not a.startswith("--")]
    doc = Path(paths[0]) if paths else DOC
    old = doc.read_text(encoding="utf-8")
    new = render(old, corpus)
    if check:
        if new != old:
            print(f"{doc} is stale; run: python tools/pdfa_docs.py", file=sys.stderr)
            return 1
        return 0
    if new != old:
        doc.write_text(new, encoding="utf-8")
        print(f"updated {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
