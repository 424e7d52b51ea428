"""Builder safety: inputs are never modified, outputs appear atomically, a killed build leaves no package,
and a missing or unreadable file named in dossier.toml is an error naming the key and the path."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_source
from edossier.building.pipeline import BuildError, append_layer, build_package
from edossier.fsutil import OutputPathError


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_inputs_are_never_modified(three_layers, agencies, creds, tmp_path):
    src = make_source(tmp_path / "src", agencies["procuratorate"], docs=[("x1", "起诉书", 1)],
                      volumes=(("vx", "检察卷"),), with_case=False)
    base = three_layers["packages"][0]
    before_src, before_pkg = _snapshot(src), (base.read_bytes(), base.stat().st_mtime_ns)
    out = tmp_path / "out.edp"
    append_layer(base, src, out, creds["procuratorate"])
    assert _snapshot(src) == before_src
    assert (base.read_bytes(), base.stat().st_mtime_ns) == before_pkg
    assert out.read_bytes().startswith(base.read_bytes()[:100])
    with pytest.raises(OutputPathError):
        append_layer(base, src, base, creds["procuratorate"])  # never onto its own input
    assert base.read_bytes() == before_pkg[0]


def test_failed_build_leaves_the_old_output_and_no_temp_files(agencies, creds, tmp_path):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    out = tmp_path / "out" / "1.edp"
    out.parent.mkdir()
    out.write_bytes(b"previous content")
    (src / "scans" / "d1-1.jpg").unlink()
    with pytest.raises(BuildError) as exc:
        build_package(src, out, creds["police"])
    assert "documents[0].files[0]" in str(exc.value) and "scans/d1-1.jpg" in str(exc.value)
    assert out.read_bytes() == b"previous content"
    assert sorted(p.name for p in out.parent.iterdir()) == ["1.edp"]


@pytest.mark.parametrize("lang, said", [("en", "could not finish the package: No space left on device"),
                                         ("zh-CN", "无法完成卷宗包：磁盘空间不足")])
def test_a_full_disk_is_a_clear_error_and_leaves_nothing(agencies, pki, tmp_path, monkeypatch, lang, said):
    """The package writer's write fails as on a full disk (ENOSPC) half-way through: exit 2, the system's
    reason in the user's language, no traceback, nothing at the output path and no temporary file."""
    import errno

    from click.testing import CliRunner

    from edossier.cli.main import main

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "询问笔录", 1)])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    from edossier import directio

    probe = directio.open_writer(out_dir / "probe")
    probe.close()
    (out_dir / "probe").unlink()
    if not probe.direct:
        pytest.skip("this file system refuses O_DIRECT: the package would be written through the page cache")
    real, calls = os.pwritev, []

    def full(fd, buffers, offset, *args):
        calls.append(offset)
        if len(calls) > 1:  # the first write is the writer's probe
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, buffers, offset, *args)

    monkeypatch.setattr(os, "pwritev", full)
    res = CliRunner().invoke(main, ["--lang", lang, "build", str(src), "-o", str(out_dir / "o.edp"),
                                    "--signer", str(pki / "police.p12")])
    assert len(calls) > 1, "the package was not written past the page cache (this file system refuses it?)"
    assert res.exit_code == 2, res.output
    assert said in res.output and "Traceback" not in res.output
    assert list(out_dir.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_unreadable_file_names_key_and_path(agencies, creds, tmp_path):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2)])
    scan = src / "scans" / "d1-2.jpg"
    scan.chmod(0)
    try:
        with pytest.raises(BuildError) as exc:
            build_package(src, tmp_path / "1.edp", creds["police"])
    finally:
        scan.chmod(0o644)
    assert "documents[0].files[1]" in str(exc.value) and "d1-2.jpg" in str(exc.value)


def test_source_file_errors_name_key_and_path(agencies, tmp_path):
    from edossier.building.source import SourceError, load_source

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    source = load_source(src)
    for rel, needle in (("scans/none.jpg", "no such file"), ("../outside.jpg", "outside")):
        with pytest.raises(SourceError) as exc:
            source.file(rel, key="documents[0].files[0]")
        assert "documents[0].files[0]" in exc.value.en and rel in exc.value.en and needle in exc.value.en
        assert "documents[0].files[0]" in exc.value.zh


def _part_size(outdir) -> int:
    """Bytes in the builder's temporary package next to the output (0 when there is none yet)."""
    try:
        return max((p.stat().st_size for p in outdir.glob(".1.edp.*.part")), default=0)
    except OSError:
        return 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("when", ["while building", "while writing"])
def test_killed_build_leaves_no_partial_package(agencies, pki, trust, tmp_path, sig, when):
    """A real signal halfway: afterwards the output path holds nothing or a complete, valid package."""
    from edossier.validation.pipeline import validate_package

    src = make_source(tmp_path / "src", agencies["police"], docs=[(f"d{i}", "讯问笔录", 2) for i in range(1, 13)])
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "1.edp"
    cmd = [sys.executable, "-m", "edossier.cli.main", "build", str(src), "-o", str(out), "--signer", str(pki / "police.p12")]
    spool = tmp_path / "tmp"  # the builder's temporary folders go here, so leftovers can be seen
    spool.mkdir()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ, TMPDIR=str(spool)))
    deadline = time.monotonic() + 60
    # The temporary package is created first and each document is written into it as it is made
    # (issue 19): "while building" is as soon as it exists, "while writing" once documents are in it.
    least = 1 if when == "while building" else 64 * 1024
    while time.monotonic() < deadline and proc.poll() is None and _part_size(outdir) < least:
        time.sleep(0.002)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    leftovers = sorted(p.name for p in outdir.iterdir())
    if out.exists():  # the rename happened before the signal: then the package is whole
        assert proc.returncode == 0 or validate_package(out, trust=trust).verdict == "accept"
    else:
        assert proc.returncode != 0
    partial = [n for n in leftovers if n != "1.edp"]
    if sig == signal.SIGKILL:
        # cannot be handled: a temporary file may stay behind, but never a package at the output path
        assert all(n.startswith(".1.edp.") and n.endswith(".part") for n in partial), partial
    else:
        # Ctrl-C and `kill` unwind: no temporary file, no spool folder
        assert partial == [], partial
        assert list(spool.iterdir()) == [], sorted(p.name for p in spool.iterdir())
