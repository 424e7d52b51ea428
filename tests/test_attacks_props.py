"""Property tests for the strict reader: hostile member names, mutated archives, mutated signed bytes."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from attacks import rawzip
from edossier.container.zipio import Limits, LimitError, inspect_archive, open_package
from edossier.container.zipread import MemberError, ZipRejected, parse_archive
from edossier.validation.pipeline import validate_package

MT = b"application/vnd.etsi.asic-e+zip"
benign = st.from_regex(r"[a-z0-9_-]{1,12}(\.pdf|\.xml|\.p7s)?", fullmatch=True)
hostile = st.sampled_from(["..", ".", "", "CON", "con.pdf", "a:b", "x\\..", "é", "e\u0301", "A", "a", "x.", "x ",
                           "a\x00b", "\u202e", "/", "C:", "nul.txt", "META-INF"])
segment = st.one_of(benign, hostile)
name = st.lists(segment, min_size=1, max_size=4).map("/".join)


def _open_bytes(data: bytes, limits: Limits = Limits()):
    fh = io.BytesIO(data)
    try:
        archive = parse_archive(fh, len(data), max_members=limits.max_members)
    except ZipRejected:
        return None
    return inspect_archive(fh, Path("p.edp"), archive, limits)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(name, st.binary(max_size=20)), min_size=1, max_size=6))
def test_accepted_names_are_safe(members):
    ms = [rawzip.Member(b"mimetype", MT)] + [rawzip.Member(n.encode("utf-8"), d, flags=0x800) for n, d in members]
    pkg = _open_bytes(rawzip.build(ms))
    if pkg is None or isinstance(pkg, list):
        return
    base = Path("/base")
    keys = set()
    for n in pkg.order:
        assert unicodedata.normalize("NFC", n) == n and n.isascii()
        joined = Path(os.path.normpath(base / n))
        assert joined.is_relative_to(base) and joined != base
        key = n.casefold()
        assert key not in keys
        keys.add(key)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_archives_only_raise_findings(data):
    ms = [rawzip.Member(b"mimetype", MT), rawzip.Member(b"dossier/001.xml", b"<r>" + b"x" * 300 + b"</r>", method=8),
          rawzip.Member(b"documents/001/0001.pdf", b"%PDF-1.7 " * 20)]
    buf = bytearray(rawzip.build(ms))
    for _ in range(data.draw(st.integers(1, 6))):
        pos = data.draw(st.integers(0, len(buf) - 1))
        buf[pos] = data.draw(st.integers(0, 255))
    pkg = _open_bytes(bytes(buf))
    if pkg is None or isinstance(pkg, list):
        return
    for n in pkg.order:
        try:
            ours = pkg.read(n, 1 << 20)
        except (MemberError, LimitError):
            continue
        with zipfile.ZipFile(io.BytesIO(bytes(buf))) as zf:
            assert zf.read(n) == ours


def _signed_spans(path: Path) -> list[tuple[int, int]]:
    """Byte ranges of the stored/deflated data of the manifests and signatures inside the package."""
    with open(path, "rb") as fh:
        archive = parse_archive(fh, path.stat().st_size, max_members=100)
    return [(e.data_offset, e.data_offset + e.compressed_size) for e in archive.entries
            if e.name.startswith("META-INF/")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_single_byte_changes_in_signed_bytes_are_never_accepted(three_layers, trust, tmp_path, data):
    original = three_layers["packages"][-1]
    raw = original.read_bytes()
    spans = _signed_spans(original)
    start, end = data.draw(st.sampled_from(spans))
    pos = data.draw(st.integers(start, end - 1))
    buf = bytearray(raw)
    buf[pos] ^= data.draw(st.integers(1, 255))
    path = tmp_path / "m.edp"
    path.write_bytes(bytes(buf))
    report = validate_package(path, trust=trust)
    if report.verdict == "accept":
        # Only possible when the flipped bits are the unused padding bits after a DEFLATE stream's last
        # block (RFC 1951 leaves them free, zlib ignores them): then every member still inflates to the
        # very bytes that were signed. Noted in docs/security.md as a known 7-bit malleability.
        with zipfile.ZipFile(original) as a, zipfile.ZipFile(path) as b:
            assert all(a.read(n) == b.read(n) for n in a.namelist()), "a changed signed member was accepted"
        with open(path, "rb") as fh:
            member = next(e for e in parse_archive(fh, len(buf), max_members=100).entries
                          if e.data_offset <= pos < e.data_offset + e.compressed_size)
        assert member.method == 8 and pos == member.data_offset + member.compressed_size - 1


def test_limits_option_parsing():
    from edossier.container.zipio import parse_limit

    assert parse_limit("max_members=2000") == ("max_members", 2000)
    assert parse_limit("max-xml-bytes=1MiB") == ("max_xml_bytes", 1 << 20)
    assert parse_limit("max_total_bytes=2G") == ("max_total_bytes", 2 * 10**9)
    for bad in ("max_members", "nope=1", "max_members=-1", "max_members=1.5", "max_members=0", "max_ratio=1XB"):
        try:
            parse_limit(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_limits_change_the_verdict(three_layers, trust):
    pkg = three_layers["packages"][-1]
    assert validate_package(pkg, trust=trust).verdict == "accept"
    report = validate_package(pkg, trust=trust, limits=Limits(max_members=3))
    assert [f.code for f in report.findings] == ["C010"]
    opened = open_package(pkg, Limits(max_xml_bytes=100))
    with opened:
        try:
            opened.read("dossier/001.xml", opened.limits.max_xml_bytes)
        except LimitError:
            pass
        else:
            raise AssertionError("limit not applied")


def test_cli_limit_option(three_layers, pki):
    import subprocess
    import sys

    base = [sys.executable, "-m", "edossier.cli.main", "validate", str(three_layers["packages"][-1]),
            "--trust", str(pki / "trustlist.xml"), "--format", "json"]
    res = subprocess.run(base + ["--limit", "max_members=3", "--limit", "max_xml_bytes=1MiB"], capture_output=True, text=True)
    assert res.returncode == 1 and '"C010"' in res.stdout and "Traceback" not in res.stderr
    res = subprocess.run(base + ["--limit", "no_such_limit=3"], capture_output=True, text=True)
    assert res.returncode == 2 and "no_such_limit" in res.stderr and "Traceback" not in res.stderr
