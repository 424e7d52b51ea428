"""Shared helpers of tests/test_docs_snippets.py and tests/test_walkthrough.py: read the runnable code
blocks out of the Markdown documents, and a throwaway environment to run them in.

A block is *marked* runnable by an HTML comment on the line before its opening fence:
`<!-- snippet: run -->`. In docs/walkthrough.md every ```sh block runs, in order. A command's expected
exit status is written after it as `# exit N` (end of its last line); without one it must exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MARK = re.compile(r"^<!--\s*snippet:\s*run\s*-->\s*$")
FENCE = re.compile(r"^(`{3,})(\w*)\s*$")
EXIT = re.compile(r"#\s*exit\s+(\d+)\b")


@dataclass
class Block:
    doc: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    marked: bool

    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    """Every fenced block of a Markdown file, with its language and whether it is marked runnable."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang, start = m.group(1), m.group(2), i
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != fence:
            j += 1
        marked = any(MARK.match(lines[k]) for k in range(max(0, start - 2), start) if lines[k].strip())
        out.append(Block(doc, start + 1, lang, "\n".join(lines[start + 1:j]) + "\n", marked))
        i = j + 1
    return out


def marked_docs() -> dict[Path, list[Block]]:
    """The documents (README.md and docs/*.md) that have runnable blocks, with those blocks."""
    found = {}
    for doc in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        marked = [b for b in blocks(doc) if b.marked]
        if marked:
            found[doc] = marked
    return found


@dataclass
class Command:
    line: int  # 1-based line in the document
    text: str
    exit: int


HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")


def commands(block: Block) -> list[Command]:
    """The commands of a shell block: comment and blank lines dropped, `\\` continuations joined, a here
    document kept whole with its command; the expected exit status from a trailing `# exit N` on the
    command's last line (on the line that opens a here document), 0 without one."""
    out: list[Command] = []
    pending: list[str] = []
    first = 0
    lines = list(enumerate(block.text.splitlines(), start=block.line + 1))
    i = 0
    while i < len(lines):
        n, raw = lines[i]
        i += 1
        if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if not pending:
            first = n
        if raw.rstrip().endswith("\\"):
            pending.append(raw.rstrip())  # kept with its backslash: bash joins the lines itself
            continue
        pending.append(raw)
        annotated = raw
        heredoc = HEREDOC.search(raw)
        if heredoc:
            delimiter = heredoc.group(2)
            while i < len(lines) and lines[i][1].strip() != delimiter:
                pending.append(lines[i][1])
                i += 1
            assert i < len(lines), f"{block.where()}: here document {delimiter} is not closed"
            pending.append(lines[i][1])
            i += 1
        m = EXIT.search(annotated)
        out.append(Command(first, "\n".join(pending), int(m.group(1)) if m else 0))
        pending = []
    assert not pending, f"{block.where()}: a command ends in a line continuation"
    return out


def checking_script(cmds: list[Command], doc: Path) -> str:
    """One bash script that runs the commands in order, in one shell (so `export` and `cd` carry over),
    and stops at the first command whose exit status is not the documented one, naming its line."""
    rel = doc.relative_to(ROOT)
    parts = ["set -u -o pipefail"]
    for c in cmds:
        parts.append(f"echo {shlex.quote(f'$ {c.text}')} >&2")
        parts.append(c.text)
        parts.append(
            f'rc=$?; if [ "$rc" -ne {c.exit} ]; then echo "{rel}:{c.line}: exit $rc, documented {c.exit}" >&2; '
            f"exit 97; fi")
    parts.append("echo SNIPPETS-OK")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- a throwaway installation

def git_head() -> str | None:
    try:
        res = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def throwaway_venv(folder: Path) -> Path:
    """A virtual environment that installs nothing from the network: no pip of its own (a `pip` script
    runs the test environment's pip), and the test environment's site-packages on its path (as
    `--system-site-packages` would give the system's), so `pip install --no-deps --no-build-isolation`
    of edossier needs no index. Only plain directories are added, so an editable edossier of the test
    environment (a .pth hook there) is not visible: the installed copy is the one that runs."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(folder), "platbase": str(folder)}))
    outer = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (site / "zz-test-environment.pth").write_text("\n".join(outer) + "\n", encoding="utf-8")
    pip = folder / "bin" / "pip"
    pip.write_text(f'#!/bin/sh\nexec "{folder}/bin/python" -m pip "$@"\n', encoding="utf-8")
    pip.chmod(0o755)
    return folder


def offline_env(venv: Path, **extra: str) -> dict[str, str]:
    """The environment a snippet runs in: the throwaway venv first on PATH, pip offline (no index, no
    dependencies, no isolated build environment, no user or machine pip configuration)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "EDOSSIER_", "VIRTUAL_ENV"))}
    env.update({
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        "VIRTUAL_ENV": str(venv),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling of --no-build-isolation
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
        "EDOSSIER_LANG": "en",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra)
    return env


def run_bash(script: str, cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
