"""The builder runs the validator before it signs (issue #14 items 1, 2, 6; docs/builder.md "Preflight").

Every case of the issue is built here from generated inputs: the build is refused with the code named,
nothing is written, and every input is byte-identical afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import make_source, scan
from edossier.building.pipeline import BuildChecks, append_layer, build_package, lint_source
from edossier.cli.main import main
from edossier.pdfmake.scans import images_to_pdfa
from edossier.building.preflight import PreflightRefused
from edossier.validation.pipeline import validate_package

WHEN = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder` (inputs must not change)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(src: Path, out: Path, cred, **kw) -> list[str]:
    """Build, expecting a refusal; return the blocking codes. Nothing may be written, no input changed."""
    before = digests(src)
    with pytest.raises(PreflightRefused) as exc:
        build_package(src, out, cred, **kw)
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*")), "a temporary file was left behind"
    assert digests(src) == before
    return sorted({f.code for f in exc.value.blocking})


def pdfa(tmp_path: Path, change=None) -> bytes:
    """A genuine PDF/A-2u made by our writer, then changed by `change(pikepdf.Pdf)` (still claiming PDF/A-2)."""
    data, _ = images_to_pdfa([scan(tmp_path / "page.jpg", "pdf input")], title="讯问笔录", author=None, created=WHEN)
    if change is None:
        return data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        buf = io.BytesIO()
        pdf.save(buf)
    return buf.getvalue()


def source_with_pdf(tmp_path: Path, agency, pdf: bytes) -> Path:
    src = make_source(tmp_path / "src", agency, docs=[("d1", "讯问笔录", 1)])
    (src / "scans" / "input.pdf").write_bytes(pdf)
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8").replace('files = ["scans/d1-1.jpg"]', 'files = ["scans/input.pdf"]'), "utf-8")
    return src


def _javascript(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Action, S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))


def _no_output_intent(pdf):
    del pdf.Root["/OutputIntents"]


def _hyperlink(pdf):
    link = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 200, 40], F=4, Border=[0, 0, 0],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org/"))))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([link]))


def _font_not_embedded(pdf):
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.pages[0]
    page.Resources.Font = pikepdf.Dictionary(F1=font)
    page.Contents = pdf.make_stream(page.Contents.read_bytes() + b"\nBT /F1 12 Tf 72 72 Td (x) Tj ET\n")


def _undeclared_xmp_property(pdf):
    """LibreOffice's PDF/UA export: pdfuaid:part in the XMP without an extension schema declaring it."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["{http://www.aiim.org/pdfua/ns/id/}part"] = "1"


def _submit_button(pdf):
    """A LibreOffice form with a Submit button."""
    button = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Btn, Ff=65536, T=pikepdf.String("send"),
        Rect=[10, 10, 100, 40], F=4, P=pdf.pages[0].obj,
        A=pikepdf.Dictionary(S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://example.org/submit"))))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([button]))
    pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array([button])))


def _interpolate(pdf):
    """WeasyPrint's default: /Interpolate true on images (forbidden by 6.2.8)."""
    for _, image in pdf.pages[0].images.items():
        image.Interpolate = True


# --- documents: a PDF that merely claims PDF/A-2 -------------------------------------------------------

@pytest.mark.parametrize("change,code", [
    (_javascript, "D004"),          # a JavaScript OpenAction
    (_no_output_intent, "D003"),    # Ghostscript-style output without an OutputIntent
    (_hyperlink, "D004"),           # a hyperlink: refused by the default policy (AC-URI)
    (_font_not_embedded, "D003"),   # a font not embedded
    (_undeclared_xmp_property, "D003"),  # an XMP property no schema declares (LibreOffice PDF/UA export)
    (_submit_button, "D004"),       # a form with a Submit button
    (_interpolate, "D003"),         # /Interpolate true (WeasyPrint)
])
def test_pdf_claiming_pdfa_is_checked_before_signing(tmp_path, agencies, creds, change, code):
    src = source_with_pdf(tmp_path, agencies["police"], pdfa(tmp_path, change))
    assert code in refused(src, tmp_path / "o.edp", creds["police"])


def test_allow_lowers_a_code_to_a_warning_and_is_reported(tmp_path, agencies, creds, trust):
    src = source_with_pdf(tmp_path, agencies["police"], pdfa(tmp_path, _hyperlink))
    out = tmp_path / "o.edp"
    res = build_package(src, out, creds["police"], checks=BuildChecks(allow=("D004",)))
    assert res.preflight.allowed == ("D004",)
    assert [(f.code, f.severity) for f in res.preflight.report.findings if f.code == "D004"] == [("D004", "warning")]
    # the receiving agency's validator, under the default policy, still rejects it: --allow is the
    # producer's decision and is reported, not hidden
    assert validate_package(out, trust=trust).verdict == "reject"


def test_on_preflight_runs_once_between_the_written_documents_and_the_signature(tmp_path, agencies, creds):
    import zipfile

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "询问笔录", 1)])
    out = tmp_path / "o.edp"
    seen = []

    def on_preflight():
        # the unsigned package is complete in its temporary file; nothing is at the output path yet
        (part,) = tmp_path.glob(".o.edp.*.part")
        with zipfile.ZipFile(part) as zf:
            names = zf.namelist()
        seen.append((out.exists(), sorted(n for n in names if n.startswith("META-INF/"))))

    build_package(src, out, creds["police"], checks=BuildChecks(on_preflight=on_preflight))
    assert seen == [(False, ["META-INF/ASiCManifest001.xml"])]  # spec §4: manifest, no signature yet
    with zipfile.ZipFile(out) as zf:
        assert "META-INF/signature001.p7s" in zf.namelist()


def test_on_preflight_is_not_called_where_the_preflight_checks_documents_itself(three_layers, agencies, creds,
                                                                               tmp_path):
    # an appended layer: the preflight checks the base's documents in this process (a kept heap would
    # fragment under those checks: building/memory.py)
    src = make_source(tmp_path / "src", agencies["procuratorate"], docs=[("x1", "起诉书", 1)],
                      volumes=(("vx", "检察卷"),), with_case=False)
    calls = []
    append_layer(three_layers["packages"][0], src, tmp_path / "o.edp", creds["procuratorate"],
                 checks=BuildChecks(on_preflight=lambda: calls.append(1)))
    assert calls == []


def test_the_command_line_build_keeps_freed_buffers_for_the_preflight():
    from edossier.building.memory import keep_heap
    from edossier.cli.cmd_build import _build_checks

    checks, _ = _build_checks(None, None, None, ())
    assert checks.on_preflight is keep_heap


def test_could_not_check_codes_cannot_be_allowed(tmp_path, agencies, creds):
    from edossier.policy import PolicyError

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    with pytest.raises(PolicyError):
        build_package(src, tmp_path / "o.edp", creds["police"], checks=BuildChecks(allow=("X005",)))


# --- case rules and the credential ----------------------------------------------------------------------

def _with_person(src: Path, id_number: str) -> None:
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8") + f'\n[[persons]]\nrole = "suspect"\nname = "张某某"\n'
                    f'id_number = "{id_number}"\ngender = "male"\n', "utf-8")


@pytest.mark.parametrize("id_number", [
    "440305199003150015",  # check character: ISO 7064 MOD 11-2 over 44030519900315001 gives 4, not 5
    "440305198802300010",  # check character right (0), but 1988-02-30 does not exist
])
def test_bad_resident_id_is_refused(tmp_path, agencies, creds, id_number):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    _with_person(src, id_number)
    assert "K010" in refused(src, tmp_path / "o.edp", creds["police"])


def test_credit_code_with_wrong_check_character_is_refused(tmp_path, agencies, creds):
    from types import SimpleNamespace

    police = agencies["police"]
    wrong = police.credit_code[:-1] + ("3" if police.credit_code[-1] != "3" else "4")
    src = make_source(tmp_path / "src", SimpleNamespace(name=police.name, credit_code=wrong, role="police"),
                      docs=[("d1", "立案决定书", 1)])
    # the credential names the right code, so the credential check refuses at once (G009) ...
    assert refused(src, tmp_path / "o.edp", creds["police"]) == ["G009"]
    # ... and the record's malformed code is K012 (lint: no credential)
    assert "K012" in {f.code for f in lint_source(src).blocking}


def test_role_differing_from_the_credential_is_refused_with_a_trust_list(tmp_path, agencies, creds, trust):
    from types import SimpleNamespace

    police = agencies["police"]
    as_court = SimpleNamespace(name=police.name, credit_code=police.credit_code, role="court")
    src = make_source(tmp_path / "src", as_court, docs=[("d1", "刑事判决书", 1)])
    codes = refused(src, tmp_path / "o.edp", creds["police"], checks=BuildChecks(trust=trust))
    assert "G004" in codes  # no entry for the police's credit code in the court role


def test_supervision_findings_never_block_signing(tmp_path, agencies, creds):
    """An overdue detention (K051) is a fact about the case the court must see, not a reason to keep the
    dossier from travelling: the build signs, and the finding is in the preflight's report."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "拘留证", 1)],
                      extra='[[events]]\ntype = "拘留"\ntime = 2026-10-01T09:00:00+08:00\n')
    res = build_package(src, tmp_path / "o.edp", creds["police"], created=WHEN)
    assert "K051" in {f.code for f in res.preflight.report.findings}
    assert (tmp_path / "o.edp").exists()


def test_append_is_checked_too(three_layers, agencies, creds, tmp_path):
    src = make_source(tmp_path / "src", agencies["procuratorate"], docs=[("p9", "起诉书", 1)], with_case=False)
    _with_person(src, "440305199003150015")
    before = digests(src)
    with pytest.raises(PreflightRefused) as exc:
        append_layer(three_layers["packages"][0], src, tmp_path / "o.edp", creds["procuratorate"])
    assert "K010" in {f.code for f in exc.value.blocking} and not (tmp_path / "o.edp").exists()
    assert digests(src) == before


def test_what_build_signs_validate_accepts(three_layers, trust):
    # the session's packages were all built with the preflight on
    for p in three_layers["packages"]:
        assert validate_package(p, trust=trust).verdict == "accept"


# --- lint -------------------------------------------------------------------------------------------

def test_lint_lists_every_mistake_with_its_line(tmp_path, agencies):
    """Five different mistakes, five findings, each with its line in dossier.toml."""
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 1)])
    toml = src / "dossier.toml"
    text = toml.read_text("utf-8")
    text = text.replace('[[volumes]]', '[[volume]]\nid = "typo"\n\n[[volumes]]', 1)   # 1: misspelled table
    text = text.replace('date = 2026-11-02', 'date = "2026-13-02"', 1)                  # 2: impossible date
    text = text.replace('type = "讯问笔录"', 'type = "讯问笔录书"', 1)                      # 3: unknown type
    text = text.replace('role = "police"', 'role = "polis"', 1)                          # 4: unknown role
    text = text.replace('title = "立案决定书"', 'title = ""', 1)                           # 5: empty title
    toml.write_text(text, "utf-8")
    before = digests(src)
    result = lint_source(src)
    s010 = [f for f in result.report.findings if f.code == "S010"]
    assert len(s010) == 5, [f.message_en for f in s010]
    lines = text.splitlines()
    import re

    def line_of(f):
        return int(re.search(r"dossier\.toml:(\d+)", f.message_en).group(1))

    expected = sorted(i for i, t in enumerate(lines, 1)
                      if t.startswith(("[[volume]]", 'role = "polis"', 'title = ""', 'date = "2026-13-02"'))
                      or t == 'type = "讯问笔录书"')
    assert sorted(line_of(f) for f in s010) == expected, [f.message_en for f in s010]
    assert digests(src) == before
    assert not result.passed


def test_lint_reports_missing_files_bad_scans_and_case_rules_together(tmp_path, agencies):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1), ("d2", "讯问笔录", 1),
                                                                   ("d3", "讯问笔录", 1)])
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8").replace("scans/d1-1.jpg", "scans/missing.jpg"), "utf-8")
    (src / "scans" / "d2-1.jpg").write_bytes(b"not an image at all")
    _with_person(src, "440305199003150015")
    half = (src / "scans" / "d3-1.jpg").read_bytes()
    (src / "scans" / "d3-1.jpg").write_bytes(half[: len(half) // 2])  # a scan cut off half-way
    result = lint_source(src)
    codes = [f.code for f in result.report.findings if f.severity == "error"]
    assert codes.count("S010") == 1 and codes.count("D006") == 2 and "K010" in codes
    assert [f.location for f in result.report.findings if f.code == "S010"] == ["d1"]  # the missing file
    assert sorted(f.location for f in result.report.findings if f.code == "D006") == [
        "d2: scans/d2-1.jpg", "d3: scans/d3-1.jpg"]  # not an image; cut off half-way


def test_lint_cli_exit_codes_and_json(tmp_path, agencies, three_layers):
    runner = CliRunner()
    good = three_layers["sources"][0]
    res = runner.invoke(main, ["--lang", "en", "lint", str(good)])
    assert res.exit_code == 0, res.output
    bad = make_source(tmp_path / "bad", agencies["police"], docs=[("d1", "立案决定书", 1)])
    _with_person(bad, "440305199003150015")
    res = runner.invoke(main, ["--lang", "en", "lint", str(bad), "--format", "json"])
    assert res.exit_code == 1
    report = json.loads(res.stdout)
    import jsonschema

    from edossier.resources import schema_bytes

    jsonschema.validate(report, json.loads(schema_bytes("report-0.1.schema.json")))
    assert "K010" in {f["code"] for f in report["packages"][0]["findings"]}
    res = runner.invoke(main, ["--lang", "zh-CN", "lint", str(bad)])
    assert res.exit_code == 1 and "生成将被拒绝" in res.output


def test_build_cli_refusal_lists_every_finding(tmp_path, agencies, pki):
    bad = make_source(tmp_path / "bad", agencies["police"], docs=[("d1", "立案决定书", 1)])
    _with_person(bad, "440305199003150015")
    toml = bad / "dossier.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[[persons]]\nrole = "victim"\nname = "李某"\n'
                    'id_number = "440305198802300010"\ngender = "female"\n', "utf-8")
    out = tmp_path / "o.edp"
    res = CliRunner().invoke(main, ["--lang", "en", "build", str(bad), "-o", str(out), "--signer",
                                    str(pki / "police.p12"), "--no-crl"])
    assert res.exit_code == 1, res.output
    assert res.output.count("K010 error") == 2 and "nothing was signed" in res.output
    assert not out.exists()


# --- round trip: build refuses <=> validate rejects; build signs => validate accepts ----------------

ID_OK = ["440305199003150014", "440304199507220024"]
ID_BAD = ["440305199003150015", "440305198802300010"]


@st.composite
def sources(draw):
    docs = draw(st.lists(st.tuples(st.sampled_from(["立案决定书", "讯问笔录", "受案登记表", "证人证言"]),
                                   st.integers(1, 2), st.sampled_from(["JPEG", "PNG", "TIFF"]),
                                   st.sampled_from([50, 200, 300]), st.booleans()),
                         min_size=1, max_size=3))
    persons = draw(st.lists(st.sampled_from(ID_OK + ID_BAD), max_size=2, unique=True))
    pdf_input = draw(st.sampled_from([None, "pdfa", "javascript", "no-intent"]))
    return docs, persons, pdf_input


@settings(max_examples=int(__import__("os").environ.get("EDOSSIER_ROUNDTRIP_EXAMPLES", "12")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(sources())
def test_round_trip(tmp_path_factory, agencies, creds, trust, spec):
    """With the same trust list and the layer's signing time as the validation time: build refuses
    exactly when validate rejects what it would have written; what build signs, validate accepts.
    (More examples: EDOSSIER_ROUNDTRIP_EXAMPLES=500 python -m pytest tests/test_preflight.py -k round_trip.)"""
    docs, persons, pdf_input = spec
    base = tmp_path_factory.mktemp("rt")
    src = base / "src"
    lines = ['[case]\nnumber = "深南公(刑)立字〔2026〕00123号"\nname = "张某盗窃案"\ncharges = ["盗窃"]\n',
             f'[agency]\nname = "{agencies["police"].name}"\ncredit_code = "{agencies["police"].credit_code}"\n'
             'role = "police"\n', '[[volumes]]\nid = "v1"\ntitle = "诉讼文书卷"\n']
    for i, (kind, pages, fmt, dpi, _) in enumerate(docs, 1):
        files = []
        for p in range(1, pages + 1):
            suffix = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif"}[fmt]
            scan(src / "scans" / f"d{i}-{p}.{suffix}", f"d{i} p{p}", fmt=fmt, dpi=dpi,
                 mode="L" if fmt != "TIFF" else "1")
            files.append(f'"scans/d{i}-{p}.{suffix}"')
        lines.append(f'[[documents]]\nid = "d{i}"\nvolume = "v1"\ntype = "{kind}"\ntitle = "{kind}"\n'
                     f'date = 2026-11-02\nfiles = [{", ".join(files)}]\n')
    if pdf_input:
        change = {"pdfa": None, "javascript": _javascript, "no-intent": _no_output_intent}[pdf_input]
        (src / "scans").mkdir(parents=True, exist_ok=True)
        (src / "scans" / "in.pdf").write_bytes(pdfa(base, change))
        lines.append('[[documents]]\nid = "p1"\nvolume = "v1"\ntype = "讯问笔录"\ntitle = "讯问笔录"\n'
                     'date = 2026-11-02\nfiles = ["scans/in.pdf"]\n')
    for j, number in enumerate(persons):
        gender = "male" if int(number[16]) % 2 else "female"
        lines.append(f'[[persons]]\nrole = "suspect"\nname = "张某{j}"\nid_number = "{number}"\ngender = "{gender}"\n')
    (src / "dossier.toml").write_text("\n".join(lines), "utf-8")

    checks = BuildChecks(trust=trust)
    try:
        build_package(src, base / "pre.edp", creds["police"], created=WHEN, checks=checks)
        refused_by_build = False
    except PreflightRefused:
        refused_by_build = True
        assert not (base / "pre.edp").exists()
    build_package(src, base / "raw.edp", creds["police"], created=WHEN, checks=BuildChecks(enabled=False))
    verdict = validate_package(base / "raw.edp", trust=trust, at=WHEN).verdict
    assert refused_by_build == (verdict == "reject")
    if not refused_by_build:
        assert validate_package(base / "pre.edp", trust=trust, at=WHEN).verdict == "accept"


def test_a_signature_that_validate_would_reject_is_never_written(tmp_path, agencies):
    """The builder runs the validator on the signature too: a credential whose certificate the trust
    list's CRL revokes passes the unsigned preflight (the right agency, role and issuing CA) but its
    signature would get a revocation finding from validate. Nothing is written; the signature's own
    findings are the reason."""
    from edossier import load_credential
    from edossier.demo.pki import load_demo_trustlist, make_demo_pki, revoke_in_demo

    pki = make_demo_pki(tmp_path / "pki").out_dir
    police = load_credential(pki / "police.p12")
    revoke_in_demo(pki, "police", pki_serial(pki / "police.p12"))
    trust = load_demo_trustlist(pki)
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    codes = refused(src, tmp_path / "o.edp", police, checks=BuildChecks(trust=trust))
    assert codes and all(c.startswith("G") for c in codes), codes
    # the same build under the list before the revocation would sign: the refusal is the revocation's
    # (shown by validate of a package signed without the checks: it is rejected with the same codes)
    unchecked = tmp_path / "unchecked.edp"
    build_package(src, unchecked, police, checks=BuildChecks(enabled=False))
    rep = validate_package(unchecked, trust=trust)
    assert rep.verdict == "reject"
    assert codes == sorted({f.code for f in rep.findings if f.severity == "error"})


def pki_serial(p12: Path) -> int:
    from cryptography.hazmat.primitives.serialization import pkcs12

    return pkcs12.load_key_and_certificates(p12.read_bytes(), None)[1].serial_number
