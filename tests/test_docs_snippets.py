"""Every snippet of the documentation that is meant to be run works as written (issue 16, vendor).

The blocks marked `<!-- snippet: run -->` (tests/docsnippets.py) are run against the local clone: its
path as `EDOSSIER_GIT` (a file:// URL, since tests have no network) and its HEAD as `EDOSSIER_REV`,
installed with pip into a throwaway virtual environment, in a temporary folder with a
`./build-packages.sh` that stands for the vendor's producer. The documented exit codes of docs/ci.md are
asserted: 0 when every package is accepted, 1 when one is rejected (the report is still written).
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from docsnippets import DOCS, ROOT, blocks, checking_script, commands, git_head, marked_docs, offline_env, \
    run_bash, throwaway_venv
from edossier.demo.run import run_demo

CI = DOCS / "ci.md"
HEAD = git_head()
pytestmark = pytest.mark.skipif(HEAD is None, reason="not a git checkout: nothing to install from")

# The vendor's producer: writes out/*.edp and keeps the trust list and its anchor in trust/.
PRODUCER = """#!/bin/sh
set -e
mkdir -p out trust
cp "$DEMO/3-court.edp" out/
cp "$DEMO/pki/trustlist.xml" "$DEMO/pki/trust-anchor.pem" trust/
if [ -n "${TAMPER:-}" ]; then cp "$DEMO/3-court-tampered.edp" out/; fi
"""


def _ci_blocks():
    return [b for b in blocks(CI) if b.marked]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return run_demo(tmp_path_factory.mktemp("demo") / "d").workdir


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The install snippet of docs/ci.md run as written in a throwaway venv; returns the venv."""
    venv = throwaway_venv(tmp_path_factory.mktemp("venv") / "v")
    [install] = [b for b in _ci_blocks() if b.lang == "sh" and "EDOSSIER_GIT" in b.text]
    env = offline_env(venv, EDOSSIER_GIT=ROOT.as_uri(), EDOSSIER_REV=HEAD)
    res = run_bash(checking_script(commands(install), CI), venv.parent, env)
    assert res.returncode == 0 and "SNIPPETS-OK" in res.stdout, res.stderr[-3000:]
    # the edossier that runs is the one pip just installed, at that commit, not the test's own
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import edossier; print(edossier.__file__)"],
                           capture_output=True, text=True, env=env, timeout=60).stdout
    assert where.startswith(str(venv)), where
    assert shutil.which("edossier", path=env["PATH"]) == str(venv / "bin" / "edossier")
    assert "edossier, version" in res.stdout
    return venv


def _workspace(tmp_path: Path, demo: Path, venv: Path, tamper: bool):
    (tmp_path / "build-packages.sh").write_text(PRODUCER, encoding="utf-8")
    (tmp_path / "build-packages.sh").chmod(0o755)
    env = offline_env(venv, EDOSSIER_GIT=ROOT.as_uri(), EDOSSIER_REV=HEAD, DEMO=str(demo),
                      TAMPER="1" if tamper else "")
    return env


def _junit_failures(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return [f.get("type") for f in root.iter("failure")]


# ------------------------------------------------------------------------- which documents

def test_marked_snippets_are_where_the_test_runs_them():
    # a block marked runnable in a document no test runs would give a false sense of safety
    assert set(marked_docs()) == {CI, ROOT / "README.md"}
    kinds = sorted(b.lang for b in _ci_blocks())
    assert kinds == ["groovy", "sh", "sh", "yaml", "yaml", "yaml", "yaml", "yaml"]


def test_no_snippet_names_a_release_that_does_not_exist():
    # there is no edossier==0.1.0 on any index and no tag v0.1.0 (issue 16)
    tags = subprocess.run(["git", "-C", str(ROOT), "tag"], capture_output=True, text=True).stdout.split()
    for doc in [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *DOCS.glob("*.md")]:
        text = doc.read_text(encoding="utf-8")
        assert not re.search(r"edossier==\d", text), doc
        for rev in re.findall(r"\brev:\s*(\S+)", text):
            if not rev.startswith("$") and not re.fullmatch(r"[0-9a-f]{40}", rev):
                assert rev in tags, (doc, rev)


# ------------------------------------------------------------------------- install

def test_install_from_git_at_a_commit(installed):
    assert (installed / "bin" / "edossier").is_file()


def test_install_from_a_clone_on_disk(tmp_path):
    # a fresh clone, since pip builds in the folder it is given
    clone = tmp_path / "edossier"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True, timeout=300)
    venv = throwaway_venv(tmp_path / "v")
    [block] = [b for b in _ci_blocks() if b.lang == "sh" and "EDOSSIER_CLONE" in b.text]
    res = run_bash(checking_script(commands(block), CI), tmp_path, offline_env(venv, EDOSSIER_CLONE=str(clone)))
    assert res.returncode == 0 and "edossier, version" in res.stdout, res.stderr[-3000:]


# ------------------------------------------------------------------------- GitHub Actions

def _github_steps():
    workflow = job_env = None
    extra = []
    for b in _ci_blocks():
        if b.lang != "yaml":
            continue
        doc = yaml.safe_load(b.text)
        if isinstance(doc, dict) and "jobs" in doc:
            workflow = doc
        elif isinstance(doc, list):  # steps to add to the job (the SARIF upload)
            extra += doc
    assert workflow is not None
    [job] = workflow["jobs"].values()
    job_env = job.get("env", {})
    return job_env, job["steps"] + extra


def _expand(value: str, variables: dict[str, str]) -> str:
    def repl(m):
        kind, name = m.group(1), m.group(2)
        assert kind == "vars", m.group(0)  # only configuration variables are used
        return variables[name]
    return re.sub(r"\$\{\{\s*(\w+)\.(\w+)\s*\}\}", repl, value)


@pytest.mark.parametrize("tamper", [False, True], ids=["accepted", "rejected"])
def test_github_actions_workflow(tmp_path, demo, installed, tamper):
    job_env, steps = _github_steps()
    variables = {"EDOSSIER_GIT": ROOT.as_uri(), "EDOSSIER_REV": HEAD}
    env = _workspace(tmp_path, demo, installed, tamper)
    env.update({k: _expand(str(v), variables) for k, v in job_env.items()})
    uses = [s["uses"] for s in steps if "uses" in s]
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", u) for u in uses), uses
    failed = False
    ran = {}
    for step in steps:
        if "run" not in step:
            continue
        condition = step.get("if", "")
        if failed and "cancelled()" not in condition and "always()" not in condition:
            continue  # GitHub skips a step without such a condition once one has failed
        # GitHub's default shell for `run`: bash --noprofile --norc -eo pipefail
        res = run_bash("set -eo pipefail\n" + step["run"], tmp_path, env)
        ran[step.get("name", step["run"][:30])] = res.returncode
        failed = failed or res.returncode != 0
    assert ran["Build the packages"] == 0
    assert ran["Validate"] == (1 if tamper else 0)  # docs/ci.md: 1 = at least one package rejected
    assert ran["Validate (SARIF)"] == 0  # `|| true`
    assert _junit_failures(tmp_path / "report.xml") == (["I001"] if tamper else [])
    import json
    sarif = json.loads((tmp_path / "edossier.sarif").read_text(encoding="utf-8"))
    results = [r["ruleId"] for run in sarif["runs"] for r in run["results"] if r.get("level") == "error"]
    assert results == (["I001"] if tamper else [])


# ------------------------------------------------------------------------- GitLab CI

@pytest.mark.parametrize("tamper", [False, True], ids=["accepted", "rejected"])
def test_gitlab_ci_job(tmp_path, demo, installed, tamper):
    [doc] = [yaml.safe_load(b.text) for b in _ci_blocks() if b.lang == "yaml" and "script:" in b.text]
    [(name, job)] = doc.items()
    assert job["artifacts"]["reports"]["junit"] == "report.xml" and job["artifacts"]["when"] == "always"
    env = _workspace(tmp_path, demo, installed, tamper)
    env.update({str(k): str(v) for k, v in job.get("variables", {}).items()})
    codes = []
    for line in job["script"]:
        res = run_bash(line, tmp_path, env)  # GitLab stops the job at the first failing line
        codes.append(res.returncode)
        if res.returncode:
            break
    assert codes == ([0, 0, 1] if tamper else [0, 0, 0]), codes
    assert _junit_failures(tmp_path / "report.xml") == (["I001"] if tamper else [])


# ------------------------------------------------------------------------- Jenkins

@pytest.mark.parametrize("tamper", [False, True], ids=["accepted", "rejected"])
def test_jenkins_steps(tmp_path, demo, installed, tamper):
    [block] = [b for b in _ci_blocks() if b.lang == "groovy"]
    [command] = re.findall(r"^sh '(.+)'$", block.text, re.M)
    env = _workspace(tmp_path, demo, installed, tamper)
    assert run_bash("./build-packages.sh", tmp_path, env).returncode == 0
    res = run_bash(command, tmp_path, env)
    assert res.returncode == 0, res.stderr  # `|| true`: the junit step marks the build UNSTABLE instead
    assert re.search(r"^junit 'report.xml'", block.text, re.M)
    assert _junit_failures(tmp_path / "report.xml") == (["I001"] if tamper else [])


# ------------------------------------------------------------------------- pre-commit

def _precommit_configs():
    configs = [yaml.safe_load(b.text) for b in _ci_blocks() if b.lang == "yaml" and "repos:" in b.text]
    remote = [c for c in configs if c["repos"][0]["repo"] != "local"]
    local = [c for c in configs if c["repos"][0]["repo"] == "local"]
    assert len(remote) == 1 and len(local) == 1
    return remote[0]["repos"][0], local[0]


def _hooks_at_head() -> list[dict]:
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{HEAD}:.pre-commit-hooks.yaml"], capture_output=True,
                          text=True, check=True).stdout
    return yaml.safe_load(text)


@pytest.mark.parametrize("tamper", [False, True], ids=["accepted", "rejected"])
def test_precommit_hook_entry_as_precommit_calls_it(tmp_path, demo, installed, tamper):
    # pre-commit itself is not run on the remote form: it would install edossier's dependencies from a
    # package index. The hook it would install is checked at the commit and its entry run as it calls it.
    repo, _ = _precommit_configs()
    assert repo["repo"] == "$EDOSSIER_GIT" and repo["rev"] == "$EDOSSIER_REV"
    [wanted] = repo["hooks"]
    [hook] = [h for h in _hooks_at_head() if h["id"] == wanted["id"]]
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    env = _workspace(tmp_path, demo, installed, tamper)
    assert run_bash("./build-packages.sh", tmp_path, env).returncode == 0
    candidates = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    staged = [p for p in candidates if re.search(hook["files"], p)]
    assert staged == (["out/3-court-tampered.edp", "out/3-court.edp"] if tamper else ["out/3-court.edp"])
    argv = shlex.split(hook["entry"]) + list(wanted["args"]) + staged
    res = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == (1 if tamper else 0), res.stdout[-2000:] + res.stderr[-2000:]
    # without the trust list validation cannot run: exit 2, the commit is refused as well
    res = subprocess.run(shlex.split(hook["entry"]) + staged, cwd=tmp_path, env=env, capture_output=True, timeout=300)
    assert res.returncode == 2


@pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed")
@pytest.mark.parametrize("tamper", [False, True], ids=["accepted", "rejected"])
def test_precommit_local_hook_with_precommit(tmp_path, demo, installed, tamper):
    _, config = _precommit_configs()
    env = _workspace(tmp_path, demo, installed, tamper)
    env["PRE_COMMIT_HOME"] = str(tmp_path.parent / f"pre-commit-home-{tamper}")
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.org")
    work = tmp_path / "producer"
    work.mkdir()
    shutil.move(tmp_path / "build-packages.sh", work / "build-packages.sh")
    assert run_bash("./build-packages.sh", work, env).returncode == 0
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    for argv in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(argv, cwd=work, env=env, check=True, timeout=60)
    res = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == (1 if tamper else 0), res.stdout[-3000:] + res.stderr[-2000:]
    assert "edossier validate" in res.stdout
    if tamper:
        assert "I001" in res.stdout


# ------------------------------------------------------------------------- other documents

def _other_blocks():
    return [b for doc, marked in marked_docs().items() if doc != CI for b in marked]


@pytest.mark.parametrize("block", _other_blocks(), ids=lambda b: b.where())
def test_marked_shell_snippet_of_another_document(tmp_path, block):
    # run from a clone's root as the text says: the bundled samples are there (read only, never written)
    assert block.lang == "sh", block.where()
    (tmp_path / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
    env = offline_env(Path(sys.executable).parent.parent)  # the test environment's own edossier
    res = run_bash(checking_script(commands(block), block.doc), tmp_path, env)
    assert res.returncode == 0 and "SNIPPETS-OK" in res.stdout, res.stderr[-3000:]
