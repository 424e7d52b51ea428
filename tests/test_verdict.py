"""The verdict rests on positive evidence (docs/spec.md §10.1, §10.2a, §10.4; issue #13 paths 3 and 4).

Every hostile package here carries a *valid* signature by a trusted agency over everything it holds,
so only the coverage rule, the could-not-check family and the fact-based verdict can refuse it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from attacks.forge import forge, layer1_members
from edossier.validation import pipeline as v
from edossier.validation import stages as vs
from edossier.validation.pipeline import validate_package
from edossier.validation.verdict import FACTS, INTEGRITY_FACTS

RNS = "{urn:edossier:record:0.1}"


def codes(report) -> list[str]:
    return [f.code for f in report.findings]


def errors(report) -> set[str]:
    return {f.code for f in report.findings if f.severity == "error"}


@pytest.fixture(scope="module")
def layer1(three_layers):
    return layer1_members(three_layers["packages"][0])


def _pdf_with(data: bytes, action: dict) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(action))
        buf = io.BytesIO()
        pdf.save(buf)
    return buf.getvalue()


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the good package establishes every fact ---------------------------------------------------------

def test_valid_package_establishes_every_fact(three_layers, trust):
    report = validate_package(three_layers["packages"][-1], trust=trust)
    assert report.verdict == "accept", report.findings
    assert report.established == {fact: True for fact in FACTS}
    assert report.to_dict()["established"] == {fact: True for fact in FACTS}


def test_integrity_only_requires_the_first_five_facts(three_layers, trust):
    report = validate_package(three_layers["packages"][-1], trust=trust, checks="integrity")
    assert report.verdict == "accept"
    assert set(report.to_dict()["established"]) == set(INTEGRITY_FACTS)
    assert "documents" not in report.established and "case" not in report.established


def test_forged_control_is_accepted(layer1, creds, trust, tmp_path):
    # the forging tool itself makes acceptable packages, so the rejections below are due to the defect
    path = _write(tmp_path, "control.edp", forge(layer1, creds["police"]))
    assert validate_package(path, trust=trust).verdict == "accept"


# --- path 3: signed but unrecorded members -------------------------------------------------------------

@pytest.mark.parametrize("name,content", [
    ("documents/001/0099.pdf", "javascript"),
    ("evil.exe", "exe"),
    ("dossier/index.html", "html"),
    ("attachments/001/note.txt", "text"),
    ("dossier/001.xml.bak", "text"),
])
def test_signed_unrecorded_member_is_rejected(layer1, creds, trust, tmp_path, name, content):
    body = {
        "javascript": lambda: _pdf_with(layer1["documents/001/0002.pdf"],
                                        {"/Type": pikepdf.Name.Action, "/S": pikepdf.Name.JavaScript,
                                         "/JS": pikepdf.String("app.alert(1)")}),
        "exe": lambda: b"MZ\x90\x00" + bytes(60),
        "html": lambda: b"<html><script>alert(1)</script></html>",
        "text": lambda: "追加材料\n".encode(),
    }[content]()
    data = dict(layer1, **{name: body})  # listed in the manifest and signed by the police
    report = validate_package(_write(tmp_path, "p.edp", forge(data, creds["police"])), trust=trust)
    assert report.verdict == "reject"
    assert [f.location for f in report.findings if f.code == "S009"] == [name]
    assert report.established["coverage"] is False
    assert report.established["signatures"] is True and report.established["integrity"] is True


def test_launch_pdf_in_an_earlier_layers_folder_is_rejected(three_layers, layer1, creds, trust, tmp_path):
    """Layer 2 slips a Launch-action PDF into layer 1's folder; layer 2 lists and signs it."""
    from edossier.conformance.builder import Layer, assemble, data_members

    members = data_members(three_layers["packages"][1].read_bytes())
    first = {k: b for k, b in members.items() if k == "dossier/001.xml" or k.startswith("documents/001/")}
    second = {k: b for k, b in members.items() if k == "dossier/002.xml" or k.startswith("documents/002/")}
    second["documents/001/0098.pdf"] = _pdf_with(layer1["documents/001/0002.pdf"], {
        "/Type": pikepdf.Name.Action, "/S": pikepdf.Name.Launch, "/F": pikepdf.String("cmd.exe")})
    data = assemble([Layer(first, creds["police"]), Layer(second, creds["procuratorate"])])
    report = validate_package(_write(tmp_path, "p.edp", data), trust=trust)
    assert report.verdict == "reject"
    assert "documents/001/0098.pdf" in [f.location for f in report.findings if f.code == "S009"]


def test_document_named_by_two_record_entries_is_rejected(layer1, creds, trust, tmp_path):
    root = etree.fromstring(layer1["dossier/001.xml"])
    docs = root.find(f"{RNS}Documents")
    twin = etree.fromstring(etree.tostring(docs[0]))
    twin.set("id", "twin")
    docs.append(twin)  # a second entry naming the same file
    data = dict(layer1, **{"dossier/001.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8")})
    report = validate_package(_write(tmp_path, "p.edp", forge(data, creds["police"])), trust=trust)
    assert report.verdict == "reject"
    assert "S005" in codes(report)  # the record schema's uniqueness of Document/@file
    assert "S009" not in codes(report)  # no guessing about members of a layer whose record is unreadable
    assert report.established["records"] is False and report.established["coverage"] is False


# --- path 4: could not check is its own family, and each part fails alone ------------------------------

def test_a_document_check_that_raises_is_x005_and_the_others_are_still_checked(three_layers, trust, monkeypatch):
    from edossier.validation import documents as pdf_inspect

    real = pdf_inspect.check_document
    calls = []

    def flaky(location, data, **kw):
        calls.append(location)
        if location == "documents/001/0001.pdf":
            raise RuntimeError("checker bug")
        return real(location, data, **kw)

    monkeypatch.setattr(pdf_inspect, "check_document", flaky)
    report = validate_package(three_layers["packages"][-1], trust=trust)
    assert report.verdict == "reject"
    assert [(f.code, f.location) for f in report.findings if f.severity == "error"] == \
        [("X005", "documents/001/0001.pdf")]
    assert len(calls) == 4  # d1 and d2 of the police, p1, c1: every document was still checked
    assert report.established["documents"] is False and report.established["integrity"] is True


def test_a_case_rule_group_that_raises_is_x006_and_the_other_groups_run(monkeypatch):
    import datetime as dt

    from edossier.caserules import check as case_check
    from edossier.caserules.check import GROUPS, check_case
    from test_caserules import rec  # a record with a bad document type and a bad event, built in code

    monkeypatch.setattr(case_check, "_identity", lambda records: 1 / 0)
    r = rec(docs=["不存在的文书"], events=[])
    found, complete = check_case([r], complete=True, now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
    assert complete is False
    x006 = [f for f in found if f.code == "X006"]
    assert len(x006) == 1 and "identity" in x006[0].message_en and x006[0].severity == "error"
    assert "K001" in {f.code for f in found}  # the code-list group still ran after it
    assert len(GROUPS) == 6


def test_a_signature_check_that_raises_is_x004_for_that_layer_only(three_layers, trust, monkeypatch):
    real = vs.verify_layer

    def flaky(layer, *a, **kw):
        if layer == 2:
            raise RuntimeError("verifier bug")
        return real(layer, *a, **kw)

    monkeypatch.setattr(vs, "verify_layer", flaky)
    report = validate_package(three_layers["packages"][-1], trust=trust)
    assert report.verdict == "reject"
    assert [(f.code, f.location) for f in report.findings if f.severity == "error"] == \
        [("X004", "META-INF/signature002.p7s")]
    indications = {lr.layer: lr.signature.indication if lr.signature else None for lr in report.layers}
    assert indications == {1: "TOTAL_PASSED", 2: None, 3: "TOTAL_PASSED"}


def test_a_stage_that_raises_rejects_and_later_stages_still_run(three_layers, trust, monkeypatch):
    def boom(run):
        raise KeyError("coverage bug")

    stages = tuple((name, boom if name == "coverage" else fn) for name, fn in v._STAGES)
    monkeypatch.setattr(v, "_STAGES", stages)
    report = validate_package(three_layers["packages"][-1], trust=trust)
    assert report.verdict == "reject"
    assert ("X002", "coverage") in [(f.code, f.location) for f in report.findings]
    assert report.established["signatures"] is True  # the signature stage still ran


def test_a_fact_missing_without_any_error_rejects_with_x007(three_layers, trust, monkeypatch):
    """The verdict is computed from the facts: a stage that establishes nothing and says nothing (a
    silent bug) must still reject, and the report names the missing fact."""
    stages = tuple((name, (lambda run: False) if name == "documents" else fn) for name, fn in v._STAGES)
    monkeypatch.setattr(v, "_STAGES", stages)
    report = validate_package(three_layers["packages"][-1], trust=trust)
    assert report.verdict == "reject"
    assert [(f.code, f.location) for f in report.findings if f.severity == "error"] == [("X007", "documents")]


def test_policy_that_hides_the_explaining_finding_still_rejects(three_layers, trust, tmp_path):
    from edossier.demo.run import tamper_member
    from edossier.policy import Policy

    bad = tmp_path / "bad.edp"
    tamper_member(three_layers["packages"][0], bad, prefix="documents/001/")
    report = validate_package(bad, trust=trust)
    assert "I001" in codes(report)
    report.findings = Policy().with_options(suppress=("I001",)).apply(report.findings)
    report.settle()
    assert report.verdict == "reject"
    assert ("X007", "integrity") in [(f.code, f.location) for f in report.findings]


# --- the chain: later manifests list earlier manifests and signatures (I006) ---------------------------

def test_later_manifests_cover_earlier_signatures(three_layers):
    with zipfile.ZipFile(three_layers["packages"][-1]) as zf:
        manifest3 = zf.read("META-INF/ASiCManifest003.xml").decode()
        sig1 = zf.read("META-INF/signature001.p7s")
    for k in (1, 2):
        assert f'URI="META-INF/ASiCManifest00{k}.xml"' in manifest3
        assert f'URI="META-INF/signature00{k}.p7s"' in manifest3
    import base64

    assert base64.b64encode(hashlib.sha256(sig1).digest()).decode() in manifest3


def test_swapping_an_earlier_signature_is_caught(three_layers, creds, trust, tmp_path):
    """Layer 1's signature replaced by a fresh, valid police signature over the same manifest: layer 1
    still verifies on its own, but layer 3's manifest pins the original signature bytes."""
    from edossier.signing.cades import sign_manifest
    from attacks import rawzip

    members = rawzip.from_zip(three_layers["packages"][-1])
    manifest1 = next(m.data for m in members if m.name == b"META-INF/ASiCManifest001.xml")
    for m in members:
        if m.name == b"META-INF/signature001.p7s":
            m.data = sign_manifest(creds["police"], manifest1)
    report = validate_package(_write(tmp_path, "p.edp", rawzip.build(members)), trust=trust)
    assert report.verdict == "reject"
    assert ("I001", "META-INF/signature001.p7s") in [(f.code, f.location) for f in report.findings]


def test_a_later_manifest_without_the_earlier_signature_is_i006(three_layers, creds, trust, tmp_path):
    from edossier.conformance.builder import Layer, assemble, data_members

    members = data_members(three_layers["packages"][1].read_bytes())
    first = {k: b for k, b in members.items() if k == "dossier/001.xml" or k.startswith("documents/001/")}
    second = {k: b for k, b in members.items() if k == "dossier/002.xml" or k.startswith("documents/002/")}
    data = assemble([Layer(first, creds["police"]),
                     Layer(second, creds["procuratorate"], drop_carried=("META-INF/signature001.p7s",))])
    report = validate_package(_write(tmp_path, "p.edp", data), trust=trust)
    assert report.verdict == "reject"
    assert any(f.code == "I006" and "signature001.p7s" in f.message_en for f in report.findings)


# --- property: no mutation of a valid package ever yields ACCEPT ---------------------------------------

_names = st.one_of(
    st.sampled_from(["documents/001/0003.pdf", "documents/002/0001.pdf", "dossier/002.xml", "evil.exe",
                     "dossier/note.html", "documents/001/0001.pdf.js", "attachments/001/a.bin", "x"]),
    st.from_regex(r"(documents/00[1-3]/|dossier/|)[a-z0-9]{1,8}\.(pdf|xml|exe|txt)", fullmatch=True),
)
_PROPS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_PROPS
@given(name=_names, body=st.binary(min_size=0, max_size=64), signed=st.booleans())
def test_adding_any_member_never_accepts(layer1, creds, trust, tmp_path_factory, name, body, signed):
    data = dict(layer1)
    if name in data:
        return  # that is a change of an existing member (I001), not an addition
    if signed:
        package = forge(dict(data, **{name: body}), creds["police"])
    else:
        from attacks import rawzip

        members = rawzip.members_of(forge(data, creds["police"]))
        members.insert(3, rawzip.Member(name.encode(), body))
        package = rawzip.build(members)
    path = _write(tmp_path_factory.mktemp("p"), "p.edp", package)
    assert validate_package(path, trust=trust, checks="integrity").verdict == "reject"


@_PROPS
@given(index=st.integers(min_value=0, max_value=50))
def test_removing_any_record_entry_never_accepts(layer1, creds, trust, tmp_path_factory, index):
    root = etree.fromstring(layer1["dossier/001.xml"])
    docs = root.find(f"{RNS}Documents")
    if len(docs) < 2:
        return
    docs.remove(docs[index % len(docs)])
    data = dict(layer1, **{"dossier/001.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-8")})
    path = _write(tmp_path_factory.mktemp("p"), "p.edp", forge(data, creds["police"]))
    report = validate_package(path, trust=trust, checks="integrity")
    assert report.verdict == "reject" and "S009" in codes(report)


@_PROPS
@given(uri=_names, digest=st.binary(min_size=32, max_size=32))
def test_adding_any_unrecorded_manifest_entry_never_accepts(layer1, creds, trust, tmp_path_factory, uri, digest):
    from attacks.forge import manifest_for
    from edossier.container.asic import DataObject, build_manifest, parse_manifest

    manifest = parse_manifest(manifest_for(layer1))
    if uri in manifest.by_uri():
        return
    listed = build_manifest(1, list(manifest.objects) + [DataObject(uri, "application/pdf" if not uri.endswith(
        ".xml") else "application/xml", digest)])
    path = _write(tmp_path_factory.mktemp("p"), "p.edp", forge(layer1, creds["police"], manifest=listed))
    assert validate_package(path, trust=trust, checks="integrity").verdict == "reject"


@_PROPS
@given(position=st.sampled_from(["first", "last"]), other=st.sampled_from(["procuratorate", "court", "self"]))
def test_a_second_certificate_matching_the_signer_never_accepts(layer1, creds, trust, tmp_path_factory, pki,
                                                               position, other):
    """Path 1 as a property: a certificate with the signer's issuer and serial number but another subject
    (another agency's, or the signer's own with a fresh key) added to the CMS certificates."""
    import datetime as dt

    from asn1crypto import cms, x509 as ax509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12

    from attacks.forge import manifest_for
    from edossier.signing.cades import sign_manifest

    manifest = manifest_for(layer1)
    p7s = sign_manifest(creds["police"], manifest)
    ci = cms.ContentInfo.load(p7s)
    sd = ci["content"]
    sid = sd["signer_infos"][0]["sid"].chosen
    real = next(c.chosen for c in sd["certificates"]
                if c.chosen.serial_number == sid["serial_number"].native and c.chosen.issuer == sid["issuer"])
    name_from = real if other == "self" else ax509.Certificate.load(
        pkcs12.load_key_and_certificates((pki / f"{other}.p12").read_bytes(), None)[1].public_bytes(
            serialization.Encoding.DER))
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    fake = (x509.CertificateBuilder()
            .subject_name(x509.load_der_x509_certificate(name_from.dump()).subject)
            .issuer_name(x509.load_der_x509_certificate(real.dump()).issuer)
            .serial_number(real.serial_number).public_key(key.public_key())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    fake_asn1 = ax509.Certificate.load(fake.public_bytes(serialization.Encoding.DER))
    certs = [c.chosen for c in sd["certificates"]]
    certs = [fake_asn1] + certs if position == "first" else certs + [fake_asn1]
    sd["certificates"] = cms.CertificateSet([cms.CertificateChoices(name="certificate", value=c) for c in certs])
    path = _write(tmp_path_factory.mktemp("p"), "p.edp", forge(layer1, None, signature=ci.dump(force=True),
                                                              manifest=manifest))
    assert validate_package(path, trust=trust, checks="integrity").verdict == "reject"



# --- path 8: a PDF object the walker cannot read is "could not check", not silence ----------------------

def test_pdf_objects_the_walker_cannot_read_make_the_document_unchecked(layer1, monkeypatch):
    from edossier.pdfa import util
    from edossier.validation.documents import check_document

    real_node = util.Node
    made = []

    def flaky_node(obj, is_array, d, items):
        made.append(obj)
        if len(made) == 3:  # the third object reached cannot be read
            raise ValueError("unreadable object")
        return real_node(obj, is_array, d, items)

    monkeypatch.setattr(util, "Node", flaky_node)
    found = check_document("documents/001/0002.pdf", layer1["documents/001/0002.pdf"], expected_pages=1)
    x005 = [f for f in found if f.code == "X005"]
    assert len(x005) == 1 and "1 object(s) could not be read" in x005[0].message_en
    assert x005[0].severity == "error"
