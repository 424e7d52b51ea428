"""Slow uploads (docs/serve.md#n-upload): a body that pauses, or trickles in below the minimum rate, is
cut off by the node itself with 408 N022 — tested with a raw socket against a real uvicorn server."""

from __future__ import annotations

import json
import socket
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from serve_support import serve_in_thread  # noqa: E402
from test_serve import make_node, packages  # noqa: E402,F401


@pytest.fixture
def server(tmp_path, pki, trust):
    node = make_node(tmp_path, pki, trust, body_timeout=1.5, min_rate=200, rate_grace=2.0)
    srv, t, port = serve_in_thread(node)
    yield node, port
    srv.should_exit = True
    t.join(30)


def _answer(conn: socket.socket, timeout: float) -> tuple[int, dict, bytes]:
    conn.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _start(port: int, length: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(f"POST /v1/validations HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.etsi.asic-e+zip\r\n"
                 f"Connection: close\r\n"
                 f"Content-Length: {length}\r\n\r\n".encode())
    return conn


def test_a_body_that_stops_is_cut_off(server):
    node, port = server
    conn = _start(port, 100_000)
    conn.sendall(b"PK\x03\x04" + b"\x00" * 96)  # 100 bytes, then nothing
    t0 = time.monotonic()
    status, headers, body = _answer(conn, timeout=20)
    waited = time.monotonic() - t0
    conn.close()
    assert status == 408 and headers.get("connection") == "close"
    err = json.loads(body)["error"]
    assert err["code"] == "N022" and "1.5 s" in err["message"]["en"] and "1.5 秒" in err["message"]["zh-CN"]
    assert 1.4 <= waited < 10  # the body timeout (1.5 s), not the client's patience
    assert list((node.config.data / "tmp").iterdir()) == []  # its temporary file is gone


def test_a_body_that_trickles_below_the_minimum_rate_is_cut_off(server):
    node, port = server
    conn = _start(port, 100_000)
    t0 = time.monotonic()
    sent = 0
    status = None
    try:
        while time.monotonic() - t0 < 15:  # 10 bytes every 0.2 s = 50 bytes/s: never a 1.5 s pause
            conn.sendall(b"\x00" * 10)
            sent += 10
            time.sleep(0.2)
    except (BrokenPipeError, ConnectionResetError):
        pass
    status, _headers, body = _answer(conn, timeout=20)
    elapsed = time.monotonic() - t0
    conn.close()
    assert status == 408, body
    err = json.loads(body)["error"]
    assert err["code"] == "N022" and "200 bytes/s" in err["message"]["en"]
    assert elapsed < 15 and sent < 100_000  # cut off after the 2 s grace, long before the body was complete
    assert list((node.config.data / "tmp").iterdir()) == []


def test_a_normal_upload_is_not_affected(server, packages):
    _node, port = server
    raw = packages["p1"].read_bytes()
    conn = _start(port, len(raw))
    conn.sendall(raw)
    status, _h, body = _answer(conn, timeout=120)
    conn.close()
    assert status == 200 and json.loads(body)["verdict"] == "accept"
