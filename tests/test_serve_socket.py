"""The exchange node over a real socket: `edossier serve` in its own process on 127.0.0.1 (a free
port), `edossier submit` and the documented curl + openssl request against it, a truncated upload,
and the crash-safety check — SIGKILL during an upload and during a validation, restart, then: no
half-stored package, no orphan row, the pending validation finished (docs/serve.md#crash-safety)."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
import httpx  # noqa: E402

from conftest import make_source  # noqa: E402
from serve_support import CLI, Server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ASIC = {"content-type": "application/vnd.etsi.asic-e+zip"}


def rows(data: Path, sql: str) -> list:
    with sqlite3.connect(data / "node.sqlite") as conn:
        return conn.execute(sql).fetchall()


def build_demo_packages(work: Path, pki: Path) -> dict:
    """police (1.edp) and police → court-less procuratorate (2.edp) under the node's demo PKI."""
    from edossier.building.pipeline import append_layer, build_package
    from edossier.signing.cades import load_credential
    from edossier.demo.pki import load_demo_trustlist

    ag = {a.role: a for a in load_demo_trustlist(pki).agencies}
    p1, p2 = work / "1.edp", work / "2.edp"
    build_package(make_source(work / "sp", ag["police"], docs=[("d1", "立案决定书", 2)]), p1,
                  load_credential(pki / "police.p12"))
    append_layer(p1, make_source(work / "sq", ag["procuratorate"], docs=[("p1", "起诉书", 1)],
                                 volumes=(("v2", "检察卷"),), with_case=False), p2, load_credential(pki / "procuratorate.p12"))
    return {"p1": p1, "p2": p2}


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    work = tmp_path_factory.mktemp("socket")
    data = work / "edossier-node"
    server = Server(data)
    pkgs = build_demo_packages(work, data / "pki")
    yield {"server": server, "work": work, "data": data, "pki": data / "pki", **pkgs}
    server.stop()


def test_submit_over_a_real_socket_then_validate_receipt(node):
    pki, p1 = node["pki"], node["p1"]
    # the demo node is the procuratorate's: the police submit their first layer
    args = [*CLI, "--lang", "en", "submit", str(p1), "--to", node["server"].url, "--cert", str(pki / "police.p12"),
            "--trust", str(pki / "trustlist.xml"), "--trust-anchor", str(pki / "trust-anchor.pem"), "--format", "json"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    receipt = p1.with_suffix(".edr")
    assert doc["new"] and doc["verdict"] == "accept" and Path(doc["receipt"]) == receipt and receipt.is_file()
    check = subprocess.run([*CLI, "validate-receipt", str(receipt), "--trust", str(pki / "trustlist.xml"),
                            "--trust-anchor", str(pki / "trust-anchor.pem"), "--package", str(p1)],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    again = subprocess.run([*args, "--recheck"], capture_output=True, text=True, timeout=300)  # validates again too
    assert again.returncode == 0 and json.loads(again.stdout)["id"] == doc["id"]
    assert not json.loads(again.stdout)["new"]


def test_the_documented_curl_request_works(node):
    """The openssl + curl block of docs/serve.md#n-auth, run as written (port and working folder aside)."""
    text = (ROOT / "docs" / "serve.md").read_text("utf-8")
    block = text.split("By hand, with openssl and curl", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    block = block.replace("127.0.0.1:8480", f"127.0.0.1:{node['server'].port}").replace("1.edp", "2.edp")
    block = block.replace("police.p12", "procuratorate.p12")  # 2.edp's latest layer is the procuratorate's
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=node["work"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["status"] == "done" and doc["verdict"] == "accept" and doc["name"] == "2.edp"
    assert doc["package_sha256"] == hashlib.sha256(node["p2"].read_bytes()).hexdigest()


def raw_request(port: int, head: bytes, body: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(head + body)
    return s


def wait_for(pred, timeout=30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_a_truncated_upload_leaves_nothing_and_the_node_stays_up(node):
    port, data = node["server"].port, node["data"]
    before = rows(data, "select count(*) from submissions")[0][0]
    head = (f"POST /v1/validations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/vnd.etsi.asic-e+zip\r\n"
            f"Content-Length: 100000\r\n\r\n").encode()
    s = raw_request(port, head, b"PK\x03\x04" + b"\0" * 996)
    assert wait_for(lambda: any((data / "tmp").iterdir()))
    s.close()  # 1000 of 100000 bytes, then gone
    assert wait_for(lambda: not any((data / "tmp").iterdir()))
    assert httpx.get(node["server"].url + "/v1/health").status_code == 200
    assert rows(data, "select count(*) from submissions")[0][0] == before


def test_kill_9_during_upload_and_during_validation(tmp_path):
    data = tmp_path / "edossier-node"
    server = Server(data, "--sync-limit", "1")  # every POST answers 202 at once: the validation runs after it
    try:
        pkgs = build_demo_packages(tmp_path, data / "pki")
        raw = pkgs["p2"].read_bytes()
        # 1. killed while a body is half received
        head = (f"POST /v1/validations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/vnd.etsi.asic-e+zip"
                f"\r\nContent-Length: {len(raw)}\r\n\r\n").encode()
        s = raw_request(server.port, head, raw[: len(raw) // 2])
        assert wait_for(lambda: any(p.stat().st_size > 0 for p in (data / "tmp").iterdir()))
        server.kill9()
        s.close()
        assert any((data / "tmp").iterdir())  # the half upload is there after the crash...
        server = Server(data, "--sync-limit", "1")
        assert not any((data / "tmp").iterdir())  # ...and gone after the restart
        assert rows(data, "select count(*) from submissions") == [(0,)]
        assert not [p for p in (data / "blobs" / "sha256").rglob("*") if p.is_file()]

        # 2. killed while the validation runs (or just after it: either way the end state must hold)
        r = httpx.post(server.url + "/v1/validations", content=raw, headers=ASIC, timeout=60)
        assert r.status_code == 202
        sid = r.json()["id"]
        server.kill9()
        status = rows(data, f"select status from submissions where id = '{sid}'")
        print(f"\nkilled during validation: row was {status[0][0] if status else None}")
        assert status in ([("pending",)], [("done",)])
        server = Server(data, "--sync-limit", "1")
        end = time.monotonic() + 120
        while (g := httpx.get(f"{server.url}/v1/validations/{sid}", timeout=30)).status_code == 202:
            assert time.monotonic() < end
            time.sleep(0.2)
        assert g.status_code == 200 and g.json()["verdict"] == "accept"
        digest = hashlib.sha256(raw).hexdigest()
        blobs = [p for p in (data / "blobs" / "sha256").rglob("*") if p.is_file()]
        assert blobs == [data / "blobs" / "sha256" / digest[:2] / digest[2:]]
        # no orphan rows: every report and audit event names an existing submission
        assert rows(data, "select count(*) from reports where submission_id not in (select id from submissions)") \
            == [(0,)]
        assert rows(data, "select count(*) from submissions where status = 'pending'") == [(0,)]
        if status == [("pending",)]:
            resumed = rows(data, "select detail from audit_events where action = 'recover' order by id desc limit 1")
            assert json.loads(resumed[0][0])["validations_resumed"] == 1
        # the client's retry after the upload crash succeeds as a new validation
        again = httpx.post(server.url + "/v1/validations", content=raw, headers=ASIC, timeout=60)
        assert again.status_code == 202
    finally:
        server.stop()
