"""Build → append → append → validate, and the tampering cases that must be rejected."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from edossier.building.pipeline import BuildChecks, BuildError, append_layer, build_package
from edossier.container.asic import MIMETYPE
from edossier.demo.run import tamper_member
from edossier.validation.pipeline import validate_package


def codes(report):
    return {f.code for f in report.findings}


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's local header + data, exactly as stored in the file."""
    out = {}
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        infos = sorted(zf.infolist(), key=lambda i: i.header_offset)
        for info in infos:
            name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
            extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
            end = info.header_offset + 30 + name_len + extra_len + info.compress_size
            out[info.filename] = data[info.header_offset:end]
    return out


def test_three_layers_accepted(three_layers, trust):
    for pkg in three_layers["packages"]:
        report = validate_package(pkg, trust=trust)
        assert report.verdict == "accept", [f.to_dict() for f in report.findings]
    report = validate_package(three_layers["packages"][-1], trust=trust)
    assert [layer.record.agency.role for layer in report.layers] == ["police", "procuratorate", "court"]
    assert all(layer.signature.indication == "TOTAL_PASSED" for layer in report.layers)


def test_append_keeps_earlier_bytes(three_layers):
    p1, p2, p3 = three_layers["packages"]
    before = raw_members(p1)
    for later in (p2, p3):
        after = raw_members(later)
        for name, raw in before.items():
            assert after[name] == raw, name
        before = after


def test_container_layout(three_layers):
    with zipfile.ZipFile(three_layers["packages"][-1]) as zf:
        infos = zf.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == MIMETYPE
        names = [i.filename for i in infos]
        assert {n for n in names if n.startswith("META-INF/")} == {
            f"META-INF/{kind}{n:03d}.{ext}" for n in (1, 2, 3) for kind, ext in (("ASiCManifest", "xml"), ("signature", "p7s"))}
        for i in infos:
            if i.filename.endswith(".pdf"):
                assert i.compress_type == zipfile.ZIP_STORED
        manifest3 = zf.read("META-INF/ASiCManifest003.xml").decode()
        for n in names:
            if n != "mimetype" and not n.startswith("META-INF/"):
                assert f'URI="{n}"' in manifest3


def test_tampered_byte_rejected(three_layers, trust, tmp_path):
    bad = tmp_path / "bad.edp"
    member = tamper_member(three_layers["packages"][-1], bad, prefix="documents/001/")
    report = validate_package(bad, trust=trust)
    assert report.verdict == "reject"
    assert any(f.code == "I001" and f.location == member for f in report.findings)


def _rewrite(src: Path, dst: Path, *, drop: str | None = None, add: tuple[str, bytes] | None = None,
             replace: tuple[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename == drop:
                continue
            data = zin.read(info)
            if replace and info.filename == replace[0]:
                data = replace[1]
            zout.writestr(info, data)
        if add:
            zout.writestr(add[0], add[1])


def test_removed_member_rejected(three_layers, trust, tmp_path):
    bad = tmp_path / "removed.edp"
    _rewrite(three_layers["packages"][-1], bad, drop="documents/002/0001.pdf")
    report = validate_package(bad, trust=trust)
    assert report.verdict == "reject"
    assert any(f.code == "I002" and f.location == "documents/002/0001.pdf" for f in report.findings)


def test_unlisted_member_rejected(three_layers, trust, tmp_path):
    bad = tmp_path / "extra.edp"
    _rewrite(three_layers["packages"][-1], bad, add=("documents/003/0099.pdf", b"%PDF-1.7\n"))
    report = validate_package(bad, trust=trust)
    assert report.verdict == "reject"
    assert any(f.code == "I003" and f.location == "documents/003/0099.pdf" for f in report.findings)


def test_wrong_agency_credential_rejected(three_layers, agencies, creds, trust, tmp_path):
    # the procuratorate's layer signed with the police credential
    bad = tmp_path / "wrong-signer.edp"
    append_layer(three_layers["packages"][0], three_layers["sources"][1], bad, creds["police"], check_signer=False,
                 checks=BuildChecks(enabled=False))  # a defective package, made on purpose
    report = validate_package(bad, trust=trust)
    assert report.verdict == "reject"
    assert "G003" in codes(report)


def test_builder_refuses_wrong_credential(three_layers, creds, tmp_path):
    with pytest.raises(BuildError) as exc:
        append_layer(three_layers["packages"][0], three_layers["sources"][1], tmp_path / "x.edp", creds["police"])
    assert "credential" in exc.value.en and "签名凭据" in exc.value.zh
    # the police credential names the police's credit code and name, not the procuratorate's (both G009)
    assert [f.code for f in exc.value.blocking] == ["G009", "G009"] and not (tmp_path / "x.edp").exists()


def test_unknown_agency_rejected(three_layers, agencies, creds, trust, tmp_path):
    from conftest import make_source

    from types import SimpleNamespace

    unknown = SimpleNamespace(name="某市公安局", credit_code="91440300MA5DC0000X", role="police")
    other = make_source(tmp_path / "src", unknown, docs=[("x1", "立案决定书", 1)])
    bad = tmp_path / "unknown.edp"
    build_package(other, bad, creds["police"], check_signer=False, checks=BuildChecks(enabled=False))
    report = validate_package(bad, trust=trust)
    assert "G004" in codes(report)


def test_openssl_verifies_signature(three_layers, pki, tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    with zipfile.ZipFile(three_layers["packages"][-1]) as zf:
        for n in (1, 2, 3):
            (tmp_path / f"m{n}.xml").write_bytes(zf.read(f"META-INF/ASiCManifest{n:03d}.xml"))
            (tmp_path / f"s{n}.p7s").write_bytes(zf.read(f"META-INF/signature{n:03d}.p7s"))
    cafile = tmp_path / "ca.pem"
    cafile.write_bytes(b"".join((pki / name).read_bytes() for name in
                                ("root-ca.pem", "ca-police.pem", "ca-procuratorate.pem", "ca-court.pem")))
    for n in (1, 2, 3):
        proc = subprocess.run(["openssl", "cms", "-verify", "-binary", "-purpose", "any", "-inform", "DER",
                               "-in", str(tmp_path / f"s{n}.p7s"), "-content", str(tmp_path / f"m{n}.xml"),
                               "-CAfile", str(cafile), "-out", "/dev/null"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "Verification successful" in proc.stderr


def test_source_is_not_modified(three_layers, creds, tmp_path):
    police = three_layers["sources"][0]
    before = {p: p.read_bytes() for p in police.rglob("*") if p.is_file()}
    build_package(police, tmp_path / "again.edp", creds["police"])
    assert before == {p: p.read_bytes() for p in police.rglob("*") if p.is_file()}


def test_build_is_atomic_on_failure(three_layers, creds, tmp_path):
    out = tmp_path / "out.edp"
    out.write_bytes(b"previous content")
    with pytest.raises(BuildError):
        build_package(three_layers["sources"][1], out, creds["procuratorate"])  # no [case] in a first layer
    assert out.read_bytes() == b"previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.edp"]
