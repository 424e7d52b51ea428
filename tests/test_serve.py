"""The exchange node (`edossier serve`, issue #18) at unit level: the app under Starlette's TestClient,
the same tests against SQLite and a throwaway PostgreSQL cluster.

Expected values come from the request and the packages: digests are computed here with hashlib,
statuses from docs/serve.md, codes from codes/node.toml."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from conftest import make_source  # noqa: E402
from edossier.serve import auth  # noqa: E402
from edossier.serve.app import create_app  # noqa: E402
from edossier.serve.client import SubmitError, submit  # noqa: E402
from edossier.serve.node import Node, NodeConfig  # noqa: E402
from serve_support import Cluster, require_postgres  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "samples" / "corpus"
ASIC = {"content-type": "application/vnd.etsi.asic-e+zip"}


@pytest.fixture(scope="module")
def pg_cluster():
    require_postgres()
    cluster = Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    """A database URL factory: None (SQLite in the node's folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return lambda: None
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database


@pytest.fixture(scope="module")
def packages(tmp_path_factory, agencies, creds):
    """police (1 layer) → procuratorate (2 layers); a second, different procuratorate layer on the
    same police layer (divergence); the 2-layer package with a junk member added (same layers, another
    file)."""
    from edossier.building.pipeline import append_layer, build_package

    base = tmp_path_factory.mktemp("serve-packages")
    police = make_source(base / "sp", agencies["police"], docs=[("d1", "立案决定书", 1)])
    proc = make_source(base / "sq", agencies["procuratorate"], docs=[("p1", "起诉书", 1)], volumes=(("v2", "检察卷"),),
                       with_case=False)
    other = make_source(base / "so", agencies["procuratorate"], docs=[("p9", "起诉书", 2)],
                        volumes=(("v2", "检察卷"),), with_case=False)
    p1, p2, p2b = base / "1.edp", base / "2.edp", base / "2b.edp"
    build_package(police, p1, creds["police"])
    append_layer(p1, proc, p2, creds["procuratorate"])
    append_layer(p1, other, p2b, creds["procuratorate"])
    junk = base / "2-junk.edp"
    with zipfile.ZipFile(p2) as zin, zipfile.ZipFile(junk, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("junk.txt", b"added after signing")
    return {"p1": p1, "p2": p2, "p2b": p2b, "junk": junk}


def make_node(tmp_path, pki, trust, db_url=None, **kw) -> Node:
    kw.setdefault("jobs", 1)
    return Node(NodeConfig(data=tmp_path / "node", trust_path=pki / "trustlist.xml", trust=trust,
                           credential_path=pki / "court.p12", db_url=db_url, **kw))


@pytest.fixture
def client(tmp_path, pki, trust, backend):
    node = make_node(tmp_path, pki, trust, backend())
    with TestClient(create_app(node)) as c:
        c.node = node
        yield c


def signed(pki, role: str, body: bytes, *, path="/v1/inbox", now=None, digest=None) -> dict:
    from edossier.serve.edo import read_signing_key
    from cryptography.hazmat.primitives.serialization import Encoding

    key, cert = read_signing_key(pki / f"{role}.p12")
    h = auth.sign_headers(key, cert.public_bytes(Encoding.DER), "POST", path,
                          digest or hashlib.sha256(body).hexdigest(), now=now)
    return {**h, **ASIC}


def err(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    e = resp.json()["error"]
    assert e["code"] == code and e["status"] == status
    assert e["message"]["en"] and e["message"]["zh-CN"] and e["message"]["en"] != e["message"]["zh-CN"]
    return e


def send(client, pkg: Path, pki, **kw):
    return submit(pkg, to="http://testserver", cred=kw.pop("cred", pki / "procuratorate.p12"),
                  trust=kw.pop("trust"), transport=client._transport, **kw)


# --- POST /v1/validations -------------------------------------------------------------------------

def test_validation_returns_the_json_report_of_the_schema(client, packages):
    raw = packages["p2"].read_bytes()
    r = client.post("/v1/validations", content=raw, headers=ASIC, params={"name": "2.edp"})
    assert r.status_code == 200, r.text
    doc = r.json()
    schema = json.loads((ROOT / "schemas" / "report-0.1.schema.json").read_text("utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["verdict"] == "accept" and doc["packages"][0]["path"] == "2.edp"
    assert len(doc["packages"][0]["layers"]) == 2
    sid = r.headers["x-edossier-id"]
    # the stored file is content-addressed by the SHA-256 of exactly the bytes sent
    digest = hashlib.sha256(raw).hexdigest()
    assert (client.node.config.data / "blobs" / "sha256" / digest[:2] / digest[2:]).read_bytes() == raw
    assert client.get(f"/v1/validations/{sid}").json()["verdict"] == "accept"


def test_report_formats_by_accept(client, packages):
    import xml.etree.ElementTree as ET

    sid = client.post("/v1/validations", content=packages["p2"].read_bytes(), headers=ASIC).headers["x-edossier-id"]
    html = client.get(f"/v1/validations/{sid}", headers={"accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "<html" in html.text.lower()
    assert "default-src 'none'" in html.headers["content-security-policy"]
    junit = client.get(f"/v1/validations/{sid}", headers={"accept": "application/xml"})
    assert ET.fromstring(junit.content).tag in ("testsuites", "testsuite")
    sarif = client.get(f"/v1/validations/{sid}", headers={"accept": "application/sarif+json"})
    assert sarif.json()["version"] == "2.1.0" and sarif.json()["runs"]
    zh = client.get(f"/v1/validations/{sid}", params={"format": "html", "lang": "zh-CN"})
    assert "卷宗" in zh.text


def test_above_the_sync_limit_a_job_id_then_the_report(tmp_path, pki, trust, packages):
    node = make_node(tmp_path, pki, trust, sync_limit=1000)
    with TestClient(create_app(node)) as c:
        r = c.post("/v1/validations", content=packages["p2"].read_bytes(), headers=ASIC)
        assert r.status_code == 202 and r.json()["status"] == "pending"
        sid = r.json()["id"]
        assert r.headers["location"] == f"/v1/validations/{sid}"
        assert node.wait(sid, timeout=120)
        assert c.get(f"/v1/validations/{sid}").json()["verdict"] == "accept"


def test_unknown_ids_and_policies(client, packages):
    e = err(client.get("/v1/validations/0123abcd"), 404, "N006")
    assert "0123abcd" in e["message"]["en"]
    err(client.get("/v1/inbox/..%2f..%2fetc"), 404, "N006")
    e = err(client.post("/v1/validations", content=b"x", headers=ASIC, params={"policy": "lenient"}), 422, "N005")
    assert "lenient" in e["message"]["en"] and "default" in e["message"]["en"]


@pytest.mark.parametrize("case", ["C001_not-a-zip", "C001_truncated", "C005_dot-dot-name", "C010_compression-bomb"])
def test_attack_corpus_packages_get_reject_reports(client, case):
    expected = json.loads((CORPUS / "bad" / case / "expected.json").read_text("utf-8"))
    r = client.post("/v1/validations", content=(CORPUS / "bad" / case / "package.edp").read_bytes(), headers=ASIC)
    assert r.status_code == 200, r.text
    found = {f["code"] for f in r.json()["packages"][0]["findings"]}
    assert r.json()["verdict"] == "reject" and set(expected["required_codes"]) <= found


def test_hostile_uploads_are_refused_with_clear_statuses(tmp_path, pki, trust, packages):
    node = make_node(tmp_path, pki, trust, max_upload=4096)
    with TestClient(create_app(node)) as c:
        err(c.post("/v1/validations", content=b"PK", headers={"content-type": "text/plain"}), 415, "N017")
        err(c.post("/v1/validations", files={"f": ("x.edp", b"PK")}), 415, "N017")
        err(c.post("/v1/validations", content=b"", headers=ASIC), 400, "N018")
        big = packages["p2"].read_bytes()
        assert len(big) > 4096
        err(c.post("/v1/validations", content=big, headers=ASIC), 413, "N016")  # Content-Length says so

        def chunks():  # no Content-Length: the limit is enforced while streaming
            for i in range(0, len(big), 1000):
                yield big[i:i + 1000]
        err(c.post("/v1/validations", content=chunks(), headers=ASIC), 413, "N016")
        assert list((node.config.data / "tmp").iterdir()) == []  # nothing half-stored
        # a path-like name is only a display name: last component, no control characters
        r = c.post("/v1/validations", content=b"not a zip", headers=ASIC,
                   params={"name": "../../etc/\x07passwd.edp"})
        assert r.status_code == 200 and r.json()["packages"][0]["path"] == "passwd.edp"


# --- POST /v1/inbox --------------------------------------------------------------------------------

def test_submission_receipt_and_idempotency(client, pki, trust, packages, tmp_path):
    pkg = tmp_path / "2.edp"
    pkg.write_bytes(packages["p2"].read_bytes())
    before = pkg.read_bytes()
    res = send(client, pkg, pki, trust=trust)
    assert res.created and res.check.verdict == "accept" and res.check.receipt.verdict == "accept"
    assert res.receipt_path == tmp_path / "2.edr" and pkg.read_bytes() == before
    r = res.check.receipt
    assert r.package_sha256 == hashlib.sha256(before).digest() and r.receiver_role == "court"
    doc = res.submission
    assert doc["submitter"]["credit_code"] == next(a.credit_code for a in trust.agencies if a.role == "procuratorate")
    assert doc["case_number"] and doc["flag"] is None
    received = dt.datetime.fromisoformat(doc["received"])
    assert received.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.timezone.utc) - received).total_seconds()) < 600
    # the same package again: the same submission, 200 not 201
    again = client.post("/v1/inbox", content=before, headers=signed(pki, "procuratorate", before))
    assert again.status_code == 200 and again.json()["id"] == res.id
    assert client.get(f"/v1/inbox/{res.id}/receipt").content == res.receipt_path.read_bytes()


def test_auth_refusals(client, pki, packages):
    raw = packages["p2"].read_bytes()
    err(client.post("/v1/inbox", content=raw, headers=ASIC), 401, "N010")
    stale = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=auth.WINDOW + 60)
    err(client.post("/v1/inbox", content=raw, headers=signed(pki, "procuratorate", raw, now=stale)), 401, "N011")
    wrong_path = signed(pki, "procuratorate", raw, path="/v1/validations")
    err(client.post("/v1/inbox", content=raw, headers=wrong_path), 401, "N013")
    other_body = signed(pki, "procuratorate", raw, digest=hashlib.sha256(b"something else").hexdigest())
    err(client.post("/v1/inbox", content=raw, headers=other_body), 400, "N018")
    h = signed(pki, "procuratorate", raw)
    assert client.post("/v1/inbox", content=raw, headers=h).status_code == 201
    err(client.post("/v1/inbox", content=raw, headers=h), 401, "N012")  # the very same request again
    # police signed the first layer only: it may not submit the procuratorate's layer
    e = err(client.post("/v1/inbox", content=raw, headers=signed(pki, "police", raw)), 403, "N015")
    assert "002" in e["message"]["en"]
    junk = b"PK\x03\x04 not really"
    err(client.post("/v1/inbox", content=junk, headers=signed(pki, "police", junk)), 400, "N019")
    assert list((client.node.config.data / "tmp").iterdir()) == []


def test_a_certificate_outside_the_trust_list_is_refused(client, tmp_path, agencies):
    """Another PKI's police: its package is well formed and signed, but the node does not trust it."""
    from edossier.building.pipeline import build_package
    from edossier.signing.cades import load_credential
    from edossier.demo.pki import load_demo_trustlist, make_demo_pki

    other = tmp_path / "other-pki"
    make_demo_pki(other)
    police = {a.role: a for a in load_demo_trustlist(other).agencies}["police"]
    pkg = tmp_path / "foreign.edp"
    build_package(make_source(tmp_path / "fs", police, docs=[("d1", "立案决定书", 1)]), pkg,
                  load_credential(other / "police.p12"))
    raw = pkg.read_bytes()
    e = err(client.post("/v1/inbox", content=raw, headers=signed(other, "police", raw)), 403, "N014")
    assert "validate" in e["message"]["en"]


def test_rollback_divergence_and_repacked(client, pki, trust, packages, tmp_path):
    def put(name: str, role: str = "procuratorate"):
        pkg = tmp_path / f"{name}.edp"
        pkg.write_bytes(packages[name].read_bytes())
        return send(client, pkg, pki, trust=trust, cred=pki / f"{role}.p12")

    first = put("p2")
    assert first.submission["flag"] is None and first.submission["node_findings"] == []
    older = put("p1", "police")  # a strict prefix of what was received: rollback
    codes = [f["code"] for f in older.submission["node_findings"]]
    assert older.submission["flag"] == "rollback" and codes == ["N001"]
    assert first.id in older.submission["node_findings"][0]["message"]["en"]
    # the verdict stays the package's own: the older package is valid, and so is its receipt
    assert older.check.receipt.verdict == "accept" and older.check.verdict == "accept"
    assert ("N001", "supervision") in {(c, s) for c, s, _ in older.check.receipt.findings}
    repacked = put("junk")  # same two layers, another file (a junk member: rejected on its own)
    assert [x["code"] for x in repacked.submission["node_findings"]] == ["N003"]
    assert repacked.check.receipt.verdict == "reject"
    forked = put("p2b")  # same police layer, another layer 2: divergence at layer 002 (one
    # finding, naming the earliest submission it departs from)
    f = forked.submission["node_findings"]
    assert forked.submission["flag"] == "divergence" and [x["code"] for x in f] == ["N002"]
    assert "002" in f[0]["message"]["en"] and first.id in f[0]["message"]["en"]
    listing = client.get(f"/v1/inbox/{forked.id}").json()
    assert listing["flag"] == "divergence" and listing["report"]["verdict"] == "accept"


def test_a_rejected_receipt_is_not_saved_and_errors_are_bilingual(client, pki, trust, packages, tmp_path):
    pkg = tmp_path / "2.edp"
    pkg.write_bytes(packages["p2"].read_bytes())
    with pytest.raises(SubmitError) as exc:
        send(client, pkg, pki, trust=trust, cred=pki / "police.p12")
    assert "N015" in exc.value.en and "N015" in exc.value.zh and exc.value.exit_code == 3
    assert not (tmp_path / "2.edr").exists()
    with pytest.raises(SubmitError) as exc:
        submit(pkg, to="http://127.0.0.1:9", cred=pki / "procuratorate.p12", trust=trust)
    assert "cannot connect" in exc.value.en and "无法连接" in exc.value.zh


def _forged_receipt(node, sid: str, creds, trust, **change):
    """Replace the node's stored receipt of `sid` by one the node's own agency (court) signs with
    `change` applied: a validly signed receipt that says something else (a lying or broken node)."""
    import dataclasses

    from edossier.receipt import validate_receipt, write_receipt

    path = node.store.receipt_path(sid)
    r = validate_receipt(path, trust=trust).receipt
    write_receipt(dataclasses.replace(r, **change), path, creds["court"])
    return r


def test_submit_checks_what_the_receipt_binds_without_validating_again(client, pki, trust, packages, tmp_path,
                                                                       monkeypatch):
    """The sender checks the receipt's signature and that it names the bytes it sent; it does not
    validate the package a second time (the node did, and signs its verdict); --recheck does."""
    import edossier.receipt as receipt_mod

    calls = []
    real = receipt_mod._check_package
    monkeypatch.setattr(receipt_mod, "_check_package", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    pkg = tmp_path / "2.edp"
    pkg.write_bytes(packages["p2"].read_bytes())
    res = send(client, pkg, pki, trust=trust)
    assert res.check.verdict == "accept" and res.check.binds is True
    assert res.check.package_report is None and calls == []  # no second validation on the sender's side
    assert res.check.signature.indication == "TOTAL_PASSED"
    (tmp_path / "2.edr").unlink()
    again = send(client, pkg, pki, trust=trust, recheck=True)
    assert calls == [pkg] and again.check.package_report.verdict == "accept" and again.check.binds is True


def test_submit_refuses_a_receipt_that_does_not_name_the_bytes_sent(client, pki, trust, creds, packages, tmp_path):
    pkg = tmp_path / "2.edp"
    raw = packages["p2"].read_bytes()
    pkg.write_bytes(raw)
    first = send(client, pkg, pki, trust=trust)
    out = first.receipt_path
    out.unlink()
    # the whole file's digest of other bytes (the node's own signature on it is valid): R001
    _forged_receipt(client.node, first.id, creds, trust, package_sha256=hashlib.sha256(raw + b"x").digest())
    with pytest.raises(SubmitError) as exc:
        send(client, pkg, pki, trust=trust)
    assert exc.value.exit_code == 1 and "R001" in exc.value.en and "R001" in exc.value.zh
    assert not out.exists() and list(tmp_path.glob(".*.check")) == []
    # the right file digest, but layer 2's signature named with another digest: R002
    from edossier.receipt import MemberDigest

    orig = _forged_receipt(client.node, first.id, creds, trust, package_sha256=hashlib.sha256(raw).digest())
    members = tuple(MemberDigest(m.name, m.kind, hashlib.sha256(b"another signature").digest())
                    if m.name == "META-INF/signature002.p7s" else m for m in orig.members)
    _forged_receipt(client.node, first.id, creds, trust, members=members)
    with pytest.raises(SubmitError) as exc:
        send(client, pkg, pki, trust=trust)
    assert "R002" in exc.value.en and not out.exists()
    # a member left out (layer 2's manifest): R003 (present in the file, not named by the receipt)
    _forged_receipt(client.node, first.id, creds, trust,
                    members=tuple(m for m in orig.members if m.name != "META-INF/ASiCManifest002.xml"))
    with pytest.raises(SubmitError) as exc:
        send(client, pkg, pki, trust=trust)
    assert "R003" in exc.value.en and not out.exists()


def test_recheck_compares_the_verdict_the_receipt_states(client, pki, trust, creds, packages, tmp_path):
    """A receipt that binds the bytes but states another verdict than today's validation: the
    binding check takes the node's signed word (it is the node's statement); --recheck finds R005."""
    pkg = tmp_path / "2.edp"
    pkg.write_bytes(packages["p2"].read_bytes())
    first = send(client, pkg, pki, trust=trust)
    assert first.check.receipt.verdict == "accept"
    first.receipt_path.unlink()
    _forged_receipt(client.node, first.id, creds, trust, verdict="reject")
    plain = send(client, pkg, pki, trust=trust)
    assert plain.check.verdict == "accept" and plain.check.receipt.verdict == "reject"
    plain.receipt_path.unlink()
    with pytest.raises(SubmitError) as exc:
        send(client, pkg, pki, trust=trust, recheck=True)
    assert "R005" in exc.value.en and not plain.receipt_path.exists()


# --- crash recovery (the state a kill -9 leaves, made exactly) -------------------------------------

def test_recovery_after_a_crash(tmp_path, pki, trust, packages, backend):
    url = backend()
    node = make_node(tmp_path, pki, trust, url)
    node.recover()
    node._queue = lambda sid: None  # "killed" before any validation ran
    up = node.store.new_temp()
    raw = packages["p2"].read_bytes()
    up.write(raw, 1 << 30)
    up.finish()
    pending = node.add_validation(up, name="2.edp", policy="default").id
    half = node.store.new_temp()  # an upload cut off midway
    half.write(raw[:1000], 1 << 30)
    orphan = node.store.path(hashlib.sha256(b"renamed, never committed").hexdigest())
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"renamed, never committed")
    node.close()

    again = make_node(tmp_path, pki, trust, url)
    done = again.recover()
    assert done == {"temp_removed": 1, "orphan_files_removed": 1, "rows_without_file_removed": 0,
                    "validations_resumed": 1}
    assert again.wait(pending, timeout=120) and again.get(pending).verdict == "accept"
    assert not orphan.exists() and list((tmp_path / "node" / "tmp").iterdir()) == []
    again.close()


def test_openapi_describes_the_endpoints(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/validations", "/v1/validations/{sid}", "/v1/inbox", "/v1/inbox/{sid}",
            "/v1/inbox/{sid}/receipt"} <= set(spec["paths"])
    body = spec["paths"]["/v1/inbox"]["post"]["requestBody"]["content"]
    assert "application/vnd.etsi.asic-e+zip" in body


def test_an_sm2_agency_submits_and_an_sm2_node_signs_the_receipt(tmp_path, sm2_pki, sm2_three_layers):
    """Issue 20 at the node: the procuratorate's SM2 credential signs the request (SM2 with SM3, the
    GM/T 0009 default ID), the node judges it against its trust list and answers with a receipt signed
    by the court's SM2 credential; a request signature over other bytes is refused (N013)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from edossier.serve.edo import read_signing_key
    from edossier.signing import sm2

    node = Node(NodeConfig(data=tmp_path / "node", trust_path=sm2_pki.trustlist_path, trust=sm2_pki.trustlist,
                           credential_path=sm2_pki.p12_paths["court"], jobs=1))
    body = sm2_three_layers["packages"][1].read_bytes()  # police + procuratorate layers, both SM2
    key, cert = read_signing_key(sm2_pki.p12_paths["procuratorate"])
    assert isinstance(key, sm2.SM2PrivateKey)
    der = cert.public_bytes(Encoding.DER)
    with TestClient(create_app(node)) as c:
        forged = auth.sign_headers(key, der, "POST", "/v1/inbox", hashlib.sha256(b"other bytes").hexdigest())
        forged[auth.H_DIGEST] = hashlib.sha256(body).hexdigest()  # the signed message named other bytes
        refused = c.post("/v1/inbox", content=body, headers={**forged, **ASIC})
        err(refused, 401, "N013")
        headers = auth.sign_headers(key, der, "POST", "/v1/inbox", hashlib.sha256(body).hexdigest())
        res = c.post("/v1/inbox", content=body, headers={**headers, **ASIC})
        assert res.status_code == 201, res.text
        sub = res.json()
        assert sub["submitter"]["credit_code"] == next(a.credit_code for a in sm2_pki.trustlist.agencies
                                                       if a.role == "procuratorate")
        receipt = c.get(f"/v1/inbox/{sub['id']}/receipt")
        assert receipt.status_code == 200
    out = tmp_path / "r.edr"
    out.write_bytes(receipt.content)
    from edossier.receipt import validate_receipt

    check = validate_receipt(out, trust=sm2_pki.trustlist, package=sm2_three_layers["packages"][1])
    assert check.verdict == "accept" and check.receipt.receiver_role == "court"
