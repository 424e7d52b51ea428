"""The console entry point ends its process without the interpreter's teardown (cli/main._end, issue 19),
but with everything the interpreter's exit promises: threads joined, atexit handlers run, standard
streams flushed, the command's exit status."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _entry(tmp_path, argv: list[str], before: str = "") -> subprocess.CompletedProcess:
    script = tmp_path / "entry.py"
    script.write_text(textwrap.dedent(f"""
        import atexit, sys, threading, time
        from pathlib import Path
        out = Path({str(tmp_path)!r})
        {before}
        from edossier.cli.main import run
        sys.argv = ["edossier", *{argv!r}]
        run()
        """), "utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)


def test_threads_are_joined_and_atexit_handlers_run(tmp_path):
    before = """
def late():
    time.sleep(0.5)
    (out / "thread.txt").write_text("joined")
threading.Thread(target=late).start()  # not a daemon: the interpreter waits for it, so must we
atexit.register(lambda: (out / "atexit.txt").write_text("ran"))
"""
    res = _entry(tmp_path, ["--version"], before.replace("\n", "\n        "))
    assert res.returncode == 0, res.stderr
    assert "edossier, version" in res.stdout  # buffered standard output reached the pipe
    assert (tmp_path / "thread.txt").read_text() == "joined"
    assert (tmp_path / "atexit.txt").read_text() == "ran"


def test_exit_status_of_a_usage_error_and_a_rejected_package(tmp_path, three_layers, pki):
    res = _entry(tmp_path, ["validate", str(tmp_path / "no-such.edp"), "--trust", str(pki / "trustlist.xml")])
    assert res.returncode == 2 and "no such file" in res.stderr
    from edossier.demo.run import tamper_member

    bad = tmp_path / "bad.edp"
    tamper_member(three_layers["packages"][-1], bad, prefix="documents/001/")
    res = _entry(tmp_path, ["--lang", "en", "validate", str(bad), "--trust", str(pki / "trustlist.xml"),
                            "--format", "json"])
    assert res.returncode == 1, res.stderr
    import json

    assert json.loads(res.stdout)["packages"][0]["verdict"] == "reject"  # all of it, flushed


def test_a_reader_that_goes_away_is_no_traceback(tmp_path, three_layers, pki):
    # a report far larger than a pipe's buffer, read by `head -c 100`
    cmd = (f"{sys.executable} -m edossier.cli.main --lang en validate {three_layers['packages'][-1]} "
           f"--trust {pki / 'trustlist.xml'} --format html | head -c 100 > /dev/null")
    res = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in res.stderr


def test_an_output_in_a_missing_folder_is_the_systems_reason_not_an_internal_error(tmp_path, three_layers, pki):
    out = tmp_path / "no-such-folder" / "report.txt"
    res = _entry(tmp_path, ["validate", str(three_layers["packages"][-1]), "--trust", str(pki / "trustlist.xml"),
                            "-o", str(out)])
    assert res.returncode == 2, res.stderr
    said = res.stderr
    assert f"No such file or directory ({out})" in said and "文件或目录不存在" in said
    assert "internal error" not in said and ".part" not in said  # the output's name, not our temporary file's
    assert not out.parent.exists()
