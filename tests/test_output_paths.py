"""Inputs are sacred (issue #14, docs/builder.md "Output paths"): no command writes its output over one of
its inputs, whether named directly, through a symbolic link, through a hard link, or (on a case-insensitive
file system) with other letter case. Each refusal exits 2 with a message naming the output and the input,
leaves every input byte-identical and leaves no temporary file behind; an output that is not an input is
still written (or replaced atomically)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_source
from edossier.cli.main import main
from edossier.fsutil import Input, OutputPathError, case_insensitive, guard_output, same_file

EXIT_USAGE = 2


def run(*args, lang="en"):
    return CliRunner().invoke(main, ["--lang", lang, *map(str, args)], catch_exceptions=False)


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def snapshot(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under the roots (files or folders), symbolic links followed."""
    out = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        out.update({str(p): sha(p) for p in files})
    return out


def leftovers(root: Path) -> list[str]:
    """Temporary files of `fsutil.atomic_output` (".NAME.HEX.part") anywhere under `root`."""
    return sorted(str(p) for p in root.rglob(".*.part"))


def assert_refused(res, output, *names):
    assert res.exit_code == EXIT_USAGE, res.output
    text = res.stderr
    assert "Traceback" not in res.output
    assert "would overwrite" in text or "would write into" in text, text
    assert str(output) in text, text
    for name in names:
        assert str(name) in text, (name, text)


@pytest.fixture
def work(tmp_path, agencies, pki):
    """A police source with two documents, a private copy of the demo PKI (its files may be targeted)
    and a first-layer package built from it."""
    from edossier.building.pipeline import build_package
    from edossier.signing.cades import load_credential

    keys = tmp_path / "pki"
    shutil.copytree(pki, keys)
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])
    proc = make_source(tmp_path / "proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                       volumes=(("v2", "检察卷"),), with_case=False)
    pkg = tmp_path / "1.edp"
    build_package(src, pkg, load_credential(keys / "police.p12"))
    return {"dir": tmp_path, "src": src, "proc": proc, "pki": keys, "pkg": pkg,
            "police": keys / "police.p12", "procuratorate": keys / "procuratorate.p12",
            "court": keys / "court.p12", "trust": keys / "trustlist.xml"}


def _refused_unchanged(work, args, output, *names, lang="en"):
    before = snapshot(work["src"], work["proc"], work["pki"], work["pkg"])
    res = run(*args, lang=lang)
    if lang == "en":
        assert_refused(res, output, *names)
    assert res.exit_code == EXIT_USAGE, res.output
    assert snapshot(work["src"], work["proc"], work["pki"], work["pkg"]) == before
    assert leftovers(work["dir"]) == []
    return res


# --- build ---------------------------------------------------------------------------------------------

def test_build_onto_a_named_scan_is_refused(work):
    out = work["src"] / "scans" / "d1-2.jpg"
    _refused_unchanged(work, ["build", work["src"], "-o", out, "--signer", work["police"]], out,
                       "documents[0].files[1]")


def test_build_onto_dossier_toml_is_refused_in_both_languages(work):
    out = work["src"] / "dossier.toml"
    _refused_unchanged(work, ["build", work["src"], "-o", out, "--signer", work["police"]], out, "dossier.toml")
    res = _refused_unchanged(work, ["build", work["src"], "-o", out, "--signer", work["police"]], out, lang="zh-CN")
    assert "会覆盖源文件 dossier.toml" in res.stderr and "输入文件不会被修改" in res.stderr, res.stderr


def test_build_onto_the_signing_credential_is_refused(work):
    cred = work["police"]
    _refused_unchanged(work, ["build", work["src"], "-o", cred, "--signer", cred], cred, "signing credential")


def test_build_onto_a_crl_or_passphrase_file_given_as_input_is_refused(work):
    crl = work["pki"] / "crl-police.crl"
    _refused_unchanged(work, ["build", work["src"], "-o", crl, "--signer", work["police"], "--crl", crl],
                       crl, "CRL file")
    phrase = work["dir"] / "phrase.txt"
    phrase.write_bytes(b"")
    res = run("build", work["src"], "-o", phrase, "--signer", work["police"], "--passphrase-file", phrase)
    assert_refused(res, phrase, "passphrase file")
    assert phrase.read_bytes() == b""


def test_build_onto_an_unnamed_file_inside_the_source_folder_is_refused(work):
    note = work["src"] / "notes" / "readme.txt"
    note.parent.mkdir()
    note.write_text("说明", encoding="utf-8")
    _refused_unchanged(work, ["build", work["src"], "-o", note, "--signer", work["police"]], note, "source folder")
    assert note.read_text(encoding="utf-8") == "说明"


def test_build_through_a_symbolic_link_to_a_scan_is_refused(work):
    link = work["dir"] / "elsewhere.edp"
    link.symlink_to(work["src"] / "scans" / "d2-1.jpg")
    _refused_unchanged(work, ["build", work["src"], "-o", link, "--signer", work["police"]], link,
                       "documents[1].files[0]")
    assert link.is_symlink()


def test_build_through_a_symbolic_link_to_the_source_folder_is_refused(work):
    alias = work["dir"] / "alias"
    alias.symlink_to(work["src"], target_is_directory=True)
    out = alias / "dossier.toml"
    _refused_unchanged(work, ["build", work["src"], "-o", out, "--signer", work["police"]], out, "dossier.toml")


def test_build_onto_a_hard_link_to_a_scan_is_refused(work):
    hard = work["dir"] / "copy-of-scan.edp"
    os.link(work["src"] / "scans" / "d1-1.jpg", hard)
    _refused_unchanged(work, ["build", work["src"], "-o", hard, "--signer", work["police"]], hard,
                       "documents[0].files[0]")
    assert os.stat(hard).st_nlink == 2


def test_build_onto_a_hard_link_to_the_credential_is_refused(work):
    hard = work["dir"] / "out.edp"
    os.link(work["police"], hard)
    _refused_unchanged(work, ["build", work["src"], "-o", hard, "--signer", work["police"]], hard,
                       "signing credential")


def test_an_output_that_is_not_an_input_is_written_and_an_old_file_replaced(work):
    """The control for every refusal above: the guard does not refuse what is not an input."""
    old = work["dir"] / "old.edp"
    old.write_bytes(b"an earlier, unrelated file")
    new_in_source = work["src"] / "built.edp"  # a new file in the source folder overwrites nothing
    for out in (old, new_in_source):
        res = run("build", work["src"], "-o", out, "--signer", work["police"])
        assert res.exit_code == 0, res.output
        assert out.read_bytes()[:2] == b"PK"
    assert leftovers(work["dir"]) == []


# --- append --------------------------------------------------------------------------------------------

def test_append_onto_a_scan_of_its_source_is_refused(work):
    out = work["proc"] / "scans" / "p1-1.jpg"
    _refused_unchanged(work, ["append", work["pkg"], work["proc"], "-o", out, "--signer", work["procuratorate"]],
                       out, "documents[0].files[0]")


def test_append_onto_the_input_package_directly_or_through_links_is_refused(work):
    link = work["dir"] / "link.edp"
    link.symlink_to(work["pkg"])
    hard = work["dir"] / "hard.edp"
    os.link(work["pkg"], hard)
    for out in (work["pkg"], link, hard):
        _refused_unchanged(work, ["append", work["pkg"], work["proc"], "-o", out, "--signer", work["procuratorate"]],
                           out, "input package", str(work["pkg"]))


def test_append_onto_a_scan_of_the_first_layers_source_is_allowed_only_if_not_an_input(work):
    """The police source is not an input of the procuratorate's append: its files are not guarded."""
    out = work["dir"] / "2.edp"
    res = run("append", work["pkg"], work["proc"], "-o", out, "--signer", work["procuratorate"])
    assert res.exit_code == 0, res.output


# --- export, receipt, stats, validate -o --------------------------------------------------------------

def test_export_onto_the_package_or_a_hard_link_to_it_is_refused(work):
    hard = work["dir"] / "vol.pdf"
    os.link(work["pkg"], hard)
    for out in (work["pkg"], hard):
        _refused_unchanged(work, ["export", work["pkg"], "-o", out], out, "the package", str(work["pkg"]))


def test_receipt_onto_an_input_is_refused(work):
    link = work["dir"] / "r.edr"
    link.symlink_to(work["trust"])
    for out, name in ((work["pkg"], "the package"), (work["court"], "signing credential"), (link, "trust list")):
        _refused_unchanged(work, ["receipt", work["pkg"], "--signer", work["court"], "--trust", work["trust"],
                                  "-o", out], out, name)


def test_stats_onto_an_input_is_refused(work):
    link = work["dir"] / "figures.json"
    link.symlink_to(work["pkg"])
    for out, name in ((link, "input package"), (work["trust"], "trust list")):
        _refused_unchanged(work, ["stats", work["pkg"], "--trust", work["trust"], "-o", out], out, name)


def test_stats_onto_a_package_found_in_a_folder_is_refused(work):
    _refused_unchanged(work, ["stats", work["dir"], "--trust", work["trust"], "-o", work["pkg"]], work["pkg"],
                       "input package")


def test_validate_report_onto_an_input_is_refused(work):
    policy = work["dir"] / "policy.toml"
    shutil.copyfile(Path(__file__).parents[1] / "schemas" / "policy-default.toml", policy)
    hard = work["dir"] / "report.json"
    os.link(work["pkg"], hard)
    before = sha(policy)
    for out, name in ((work["pkg"], "package to validate"), (hard, "package to validate"),
                      (work["trust"], "trust list"), (policy, "policy file")):
        _refused_unchanged(work, ["validate", work["pkg"], "--trust", work["trust"], "--policy", policy,
                                  "--format", "json", "-o", out], out, name)
    assert sha(policy) == before


def test_validate_report_next_to_the_package_is_written(work):
    out = work["dir"] / "report.json"
    res = run("validate", work["pkg"], "--trust", work["trust"], "--format", "json", "-o", out)
    assert res.exit_code == 0, res.output
    assert b'"verdict"' in out.read_bytes()


def test_stats_onto_the_json_report_it_reads_is_refused(work):
    report = work["dir"] / "report.json"
    assert run("validate", work["pkg"], "--trust", work["trust"], "--format", "json", "-o", report).exit_code == 0
    before = sha(report)
    _refused_unchanged(work, ["stats", report, "-o", report], report, "input package or report")
    assert sha(report) == before


def test_validate_report_onto_the_receipt_it_reads_is_refused(work, creds, trust):
    from edossier.receipt import make_receipt

    receipt = work["dir"] / "r.edr"
    make_receipt(work["pkg"], receipt, creds["court"], trust=trust)
    before = sha(receipt)
    _refused_unchanged(work, ["validate", work["pkg"], "--trust", work["trust"], "--receipt", receipt,
                              "-o", receipt], receipt, "the receipt")
    assert sha(receipt) == before


def test_conformance_report_inside_the_corpus_is_refused(work):
    corpus = work["dir"] / "corpus"
    corpus.mkdir()
    index = corpus / "corpus.json"
    index.write_text('{"corpus_version": "1", "validation_time": "2026-11-20T00:00:00Z", '
                     '"trust_list": "trustlist.xml", "cases": [{"id": "good/x", "class": "good", '
                     '"verdict": "accept", "required_codes": [], "allowed_codes": [], '
                     '"package": "good/x/package.edp", "description": {"zh-CN": "x", "en": "x"}}]}',
                     encoding="utf-8")
    shutil.copyfile(work["trust"], corpus / "trustlist.xml")
    (corpus / "good" / "x").mkdir(parents=True)
    shutil.copyfile(work["pkg"], corpus / "good" / "x" / "package.edp")
    (corpus / "good" / "x" / "expected.json").write_text(
        '{"verdict": "accept", "required_codes": [], "allowed_codes": []}', encoding="utf-8")
    before = snapshot(corpus)
    res = run("conformance", "--corpus", corpus, "-o", index)
    if res.exit_code == EXIT_USAGE and "corpus folder" not in res.stderr:
        pytest.fail(f"the hand-made corpus was not loaded: {res.stderr}")
    assert_refused(res, index, "corpus folder")
    assert snapshot(corpus) == before


def test_through_the_console_entry_point_the_private_key_survives(work):
    """What a user sees: the issue's `-o cred.p12 --signer cred.p12`, through the real entry point."""
    import subprocess
    import sys

    cred = work["police"]
    before = sha(cred)
    proc = subprocess.run([sys.executable, "-m", "edossier.cli.main", "--lang", "zh-CN", "build", str(work["src"]),
                           "-o", str(cred), "--signer", str(cred)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_USAGE, proc.stderr
    assert "Traceback" not in proc.stderr and "签名凭据" in proc.stderr and str(cred) in proc.stderr
    assert proc.stdout == ""
    assert sha(cred) == before
    assert leftovers(work["dir"]) == []


# --- keys, demo, conformance generate -----------------------------------------------------------------

def test_keys_issue_never_overwrites_a_file_of_the_pki(work):
    for name in ("ca-police.key.pem", "trustlist.xml", "police.p12"):
        out = work["pki"] / name
        _refused_unchanged(work, ["keys", "issue", work["pki"], "--role", "police", "--name", "某公安局",
                                  "--credit-code", "11440300MB2C123452", "-o", out], out, "PKI folder")
    out = work["pki"] / "extra.p12"  # a new credential in the folder is fine
    res = run("keys", "issue", work["pki"], "--role", "police", "--name", "某公安局",
              "--credit-code", "11440300MB2C123452", "-o", out)
    assert res.exit_code == 0, res.output
    assert out.is_file()


def test_keys_revoke_rewrites_the_trust_list_on_purpose_and_atomically(work):
    """`keys revoke` exists to rewrite the CRL and the trust list: allowed, whole afterwards, no temp file."""
    from cryptography import x509

    from edossier.signing.trustlist import load_trustlist

    before = sha(work["trust"])
    res = run("keys", "revoke", work["pki"], "--role", "police", "--serial", "0x1234")
    assert res.exit_code == 0, res.output
    assert sha(work["trust"]) != before
    crls = [c for a in load_trustlist(work["trust"], anchor=work["pki"] / "trust-anchor.pem").agencies if a.role == "police" for c in a.crls]
    assert any(x509.load_der_x509_crl(c).get_revoked_certificate_by_serial_number(0x1234) for c in crls)
    assert leftovers(work["dir"]) == []


def test_demo_workdir_inside_the_bundled_samples_is_refused(tmp_path, monkeypatch):
    import edossier.demo.run
    from edossier.resources import samples_dir

    # a copy stands in for the bundled samples, so that a regression writes into tmp_path, not the tree
    samples = tmp_path / "samples"
    shutil.copytree(samples_dir() / "theft-fasttrack", samples / "theft-fasttrack")
    monkeypatch.setattr(edossier.demo.run, "samples_dir", lambda: samples)
    before = snapshot(samples)
    for target in (samples, samples / "theft-fasttrack" / "police" / "demo-out"):
        res = run("demo", "--workdir", target)
        assert_refused(res, target, "bundled samples")
    assert not (samples / "theft-fasttrack" / "police" / "demo-out").exists()
    assert snapshot(samples) == before


def test_conformance_generate_refuses_a_source_folder(work, capsys):
    from edossier.conformance import CLASSES
    from edossier.conformance.generate import guard_corpus_folder, main as generate_main

    assert generate_main(["--out", str(work["src"] / "corpus"), "-q"]) == 2
    assert "build source folder" in capsys.readouterr().err
    assert not (work["src"] / "corpus").exists()
    # a folder whose case-class folders (deleted and remade by generate) hold a source
    corpus = work["dir"] / "corpus"
    shutil.copytree(work["src"], corpus / CLASSES[0] / "kept-source")
    with pytest.raises(OutputPathError) as exc:
        guard_corpus_folder(corpus)
    assert "kept-source" in exc.value.en and "kept-source" in exc.value.zh
    assert (corpus / CLASSES[0] / "kept-source" / "dossier.toml").is_file()
    # the PKI to reuse may not sit in a case folder the generator deletes
    with pytest.raises(OutputPathError, match="PKI folder"):
        guard_corpus_folder(work["dir"] / "corpus2", pki=work["dir"] / "corpus2" / CLASSES[1] / "pki")
    guard_corpus_folder(work["dir"] / "corpus2", pki=work["dir"] / "corpus2" / "pki")


# --- the library -------------------------------------------------------------------------------------

def test_library_calls_refuse_too(work, creds, trust):
    from edossier.building.pipeline import append_layer, build_package
    from edossier.export import export_volume
    from edossier.receipt import make_receipt

    before = snapshot(work["src"], work["proc"], work["pkg"])
    with pytest.raises(OutputPathError, match="documents\\[0\\].files\\[0\\]"):
        build_package(work["src"], work["src"] / "scans" / "d1-1.jpg", creds["police"])
    with pytest.raises(OutputPathError, match="input package"):
        append_layer(work["pkg"], work["proc"], work["pkg"], creds["procuratorate"])
    with pytest.raises(OutputPathError):
        export_volume(work["pkg"], work["pkg"])
    with pytest.raises(OutputPathError):
        make_receipt(work["pkg"], work["pkg"], creds["court"], trust=trust)
    assert snapshot(work["src"], work["proc"], work["pkg"]) == before
    assert leftovers(work["dir"]) == []


# --- the comparison itself ---------------------------------------------------------------------------

def test_same_file_symlinks_hard_links_and_distinct_files(tmp_path):
    a = tmp_path / "a.jpg"
    a.write_bytes(b"x")
    b = tmp_path / "b.jpg"
    b.write_bytes(b"x")  # same bytes, another file
    (tmp_path / "sym").symlink_to(a)
    os.link(a, tmp_path / "hard")
    assert same_file(a, tmp_path / "sym") and same_file(a, tmp_path / "hard")
    assert same_file(a, tmp_path / "sub" / ".." / "a.jpg") is True
    assert not same_file(a, b)
    assert not same_file(a, tmp_path / "missing.jpg")


def test_case_insensitive_probe_matches_this_file_system(tmp_path):
    """The probe agrees with what the file system does with a name in other case (here: case-sensitive
    ext4/tmpfs, so False; on macOS or Windows the same test expects True)."""
    (tmp_path / "probe-name").write_bytes(b"")
    expected = (tmp_path / "PROBE-NAME").exists()
    assert case_insensitive(tmp_path) is expected
    assert [p.name for p in tmp_path.iterdir()] == ["probe-name"]  # the probe file is gone


def test_case_variant_names_are_one_file_on_a_case_insensitive_file_system(tmp_path):
    """Every file system on this machine is case-sensitive, so case-insensitivity is simulated: `fold=True`
    is what `case_insensitive()` answers on macOS/Windows. Where the file system can be asked (the
    variant exists), device and inode decide, so that path needs no simulation."""
    scan = tmp_path / "Scans" / "D4-2.jpg"
    scan.parent.mkdir()
    scan.write_bytes(b"scan")
    variant = tmp_path / "scans" / "d4-2.JPG"
    inputs = [Input(scan, "the scan", "扫描件")]
    guard_output(variant, inputs, fold=False)  # case-sensitive: another file, allowed
    with pytest.raises(OutputPathError) as exc:
        guard_output(variant, inputs, fold=True)
    assert str(variant) in exc.value.en and str(scan) in exc.value.en and str(scan) in exc.value.zh
    assert same_file(variant, scan, fold=True) and not same_file(variant, scan, fold=False)
    assert not same_file(tmp_path / "Scans" / "d4-3.jpg", scan, fold=True)  # folding is not fuzziness
    assert scan.read_bytes() == b"scan"


def test_without_inode_numbers_the_real_paths_decide(tmp_path, monkeypatch):
    """Some network and FAT drivers report inode 0: then paths after symlinks are compared."""
    import edossier.fsutil as fsutil

    a = tmp_path / "a.jpg"
    a.write_bytes(b"x")
    (tmp_path / "sym").symlink_to(a)
    real_stat = os.stat

    class NoInode:
        def __init__(self, st):
            self.st_dev, self.st_ino = st.st_dev, 0

    monkeypatch.setattr(fsutil, "_stat", lambda p: NoInode(real_stat(p)) if os.path.exists(p) else None)
    assert same_file(a, tmp_path / "sym", fold=False)
    assert not same_file(a, tmp_path / "other", fold=False)


def test_folder_outputs_may_not_lie_inside_an_input_folder(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    inputs = [Input(src, "the source folder", "源文件夹", tree=True)]
    for out in (src, src / "new" / "deeper"):
        with pytest.raises(OutputPathError, match="would write into the source folder"):
            guard_output(out, inputs, folder=True)
    guard_output(tmp_path / "elsewhere", inputs, folder=True)
    guard_output(src / "new.edp", inputs)  # a new file: nothing is overwritten
