"""`edossier demo`: the bundled sample is accepted without a single finding, the tampered copy is
rejected for I001 alone, and the summary line never lists a warning as a reason (issue 16)."""

from __future__ import annotations

import pytest

from edossier.demo.run import run_demo, verdict_summary
from edossier.findings import finding
from edossier.validation.verdict import FACTS, PackageReport


@pytest.fixture(scope="module", params=["ecdsa", "sm2", "mixed"])
def demo(request, tmp_path_factory):
    """`edossier demo [--algorithm ecdsa|sm2|mixed]`: the same verdicts whatever the algorithm (#20)."""
    said: list[tuple[str, str]] = []
    result = run_demo(tmp_path_factory.mktemp("demo") / "edossier-demo", lambda en, zh: said.append((en, zh)),
                      algorithm=request.param)
    return result, said


def test_layer_algorithms(demo, request):
    result, _ = demo
    algorithm = request.node.callspec.params["demo"]
    families = [layer.signature.algorithm.split(":")[0].split("/")[0] for layer in result.accepted.layers]
    assert families == {"ecdsa": ["ECDSA"] * 3, "sm2": ["SM2"] * 3, "mixed": ["SM2", "ECDSA", "SM2"]}[algorithm]
    # every layer is CAdES-B-T: a trusted time stamp from the demo authority (SM2 in an SM2 PKI)
    assert all(layer.signature.timestamp is not None for layer in result.accepted.layers)


def test_accepted_package_has_no_findings_of_any_level(demo):
    result, said = demo
    assert result.ok
    assert result.accepted.verdict == "accept"
    assert [(f.code, f.severity, f.message_en) for f in result.accepted.findings] == []
    assert ("Validate 3-court.edp: accept, no findings", "校验 3-court.edp：接收，无任何发现") in said


def test_tampered_copy_is_rejected_for_the_changed_byte_only(demo):
    result, said = demo
    assert result.tampered.verdict == "reject"
    # one byte of one police document changed: its digest no longer matches (I001), nothing else
    assert [(f.code, f.severity, f.location) for f in result.tampered.findings] == [
        ("I001", "error", "documents/001/0001.pdf")]
    line_en, line_zh = said[-1]
    assert line_en.endswith("validate: reject — errors: I001"), line_en
    assert line_zh.endswith("校验：拒收——错误：I001"), line_zh


def test_demo_layers_and_document_counts(demo):
    # the sample's stage documents (samples/theft-fasttrack/*/dossier.toml): 16 police documents on 20
    # pages, 4 procuratorate documents on 5 pages, the judgment on 2 pages
    _, said = demo
    layers = [en for en, _ in said if en.startswith("Layer ")]
    assert [line.split(", signed")[0] for line in layers] == [
        "Layer 1 (police): 16 document(s), 20 page(s)",
        "Layer 2 (procuratorate): 4 document(s), 5 page(s)",
        "Layer 3 (court): 1 document(s), 2 page(s)",
    ]


def _report(*codes: str) -> PackageReport:
    params = {
        "I001": dict(manifest="META-INF/ASiCManifest001.xml", algorithm="SHA-256"),
        "K022": dict(profile="transfer-for-prosecution", profile_zh="移送审查起诉", docs="《拘留通知书》"),
        "K076": dict(event="换押", time="2026-11-10T10:00+08:00"),
    }
    return PackageReport(path="x.edp", findings=[finding(c, "loc", **params[c]) for c in codes],
                         established=dict.fromkeys(FACTS, True))


def test_summary_separates_errors_from_warnings_and_notes():
    # the summary of issue 16 read "reject (I001, K022)": K022 is a warning and no reason to reject
    en, zh = verdict_summary(_report("K076", "K022", "I001", "K022"))
    assert en == "reject — errors: I001; warnings: K022; notes: K076"
    assert zh == "拒收——错误：I001；警告：K022；提示：K076"


def test_summary_of_an_accepted_package_with_a_warning():
    en, zh = verdict_summary(_report("K022"))
    assert en == "accept — warnings: K022"
    assert zh == "接收——警告：K022"


def test_cli_demo_offers_the_algorithms():
    from click.testing import CliRunner

    from edossier.cli.main import main

    res = CliRunner().invoke(main, ["demo", "--help"])
    assert res.exit_code == 0 and "--algorithm" in res.output
    for name in ("ecdsa", "rsa", "sm2", "mixed"):
        assert name in res.output
    res = CliRunner().invoke(main, ["demo", "--algorithm", "dsa"])
    assert res.exit_code == 2
