"""Package files on an fsspec URL (`serve --store`, docs/serve.md#store): the same content-addressed
layout and the same rule — a package is visible only once its file and its rows are committed — on a
`file://` URL and on fsspec's in-memory filesystem (no network)."""

from __future__ import annotations

import hashlib
import secrets

import pytest

pytest.importorskip("fastapi")
fsspec = pytest.importorskip("fsspec")

from fastapi.testclient import TestClient  # noqa: E402

from edossier.serve import db  # noqa: E402
from edossier.serve.app import create_app  # noqa: E402
from edossier.serve.blobs import StoreError  # noqa: E402
from test_serve import ASIC, make_node, packages, send  # noqa: E402,F401


@pytest.fixture(params=["file", "memory"])
def store_url(request, tmp_path):
    if request.param == "file":
        return f"file://{tmp_path / 'elsewhere' / 'packages'}"
    return f"memory://edossier-{secrets.token_hex(6)}/packages"


def test_packages_live_in_the_store_and_only_there_once_committed(tmp_path, pki, trust, packages, store_url):
    node = make_node(tmp_path, pki, trust, store=store_url)
    fs, root = fsspec.core.url_to_fs(store_url)
    with TestClient(create_app(node)) as c:
        raw = packages["p2"].read_bytes()
        r = c.post("/v1/validations", content=raw, headers=ASIC, params={"name": "2.edp"})
        assert r.status_code == 200 and r.json()["verdict"] == "accept", r.text
        digest = hashlib.sha256(raw).hexdigest()
        key = f"{root.rstrip('/')}/sha256/{digest[:2]}/{digest[2:]}"
        assert fs.cat_file(key) == raw  # content-addressed by the SHA-256 of exactly the bytes sent
        assert not (tmp_path / "node" / "blobs" / "sha256" / digest[:2]).exists()  # not in DATA/blobs
        # the inbox: stored, validated, receipt issued from the store's package
        pkg = tmp_path / "1.edp"
        pkg.write_bytes(packages["p1"].read_bytes())
        res = send(c, pkg, pki, trust=trust, cred=pki / "police.p12")
        assert res.submission["verdict"] == "accept" and res.receipt_path.is_file()
        d1 = hashlib.sha256(pkg.read_bytes()).hexdigest()
        assert fs.cat_file(f"{root.rstrip('/')}/sha256/{d1[:2]}/{d1[2:]}") == pkg.read_bytes()

        if node.store.remote:
            # a lost working copy is fetched again from the store, checked against its address
            copy = node.store.local_path(digest)
            copy.unlink()
            assert node.store.path(digest).read_bytes() == raw
            # a store whose file no longer has its address's digest is not trusted
            copy.unlink()
            fs.pipe_file(key, raw[:-1] + b"X")
            with pytest.raises(StoreError):
                node.store.path(digest)
            assert not copy.exists()
            fs.pipe_file(key, raw)

        # a failure while storing leaves neither a row nor a file under the address
        other = packages["p2b"].read_bytes()
        od = hashlib.sha256(other).hexdigest()
        up = node.store.new_temp()
        up.write(other, 1 << 30)
        up.finish()
        target = fs if node.store.remote else None

        def broken(*_a, **_k):
            raise OSError("the store went away")

        if target is not None:
            orig, node.store.fs.mv = node.store.fs.mv, broken
        else:
            import edossier.serve.blobs as blobs

            orig, blobs.os.replace = blobs.os.replace, broken
        try:
            with pytest.raises(OSError):
                node.add_validation(up, name="x.edp", policy="default")
        finally:
            if target is not None:
                node.store.fs.mv = orig
            else:
                blobs.os.replace = orig
        with node.Session() as s:
            assert s.query(db.Submission).filter_by(package_sha256=od).count() == 0
        assert not node.store.exists(od)
    node.close()

    # recovery: a package file no row names goes; a row whose package file is gone goes
    orphan = b"moved to its address, never committed"
    oh = hashlib.sha256(orphan).hexdigest()
    fs.makedirs(f"{root.rstrip('/')}/sha256/{oh[:2]}", exist_ok=True)
    fs.pipe_file(f"{root.rstrip('/')}/sha256/{oh[:2]}/{oh[2:]}", orphan)
    fs.rm(f"{root.rstrip('/')}/sha256/{d1[:2]}/{d1[2:]}")
    again = make_node(tmp_path, pki, trust, store=store_url)
    done = again.recover()
    assert done["orphan_files_removed"] >= 1 and done["rows_without_file_removed"] == 1
    assert not fs.exists(f"{root.rstrip('/')}/sha256/{oh[:2]}/{oh[2:]}")
    assert again.get(res.id) is None and again.store.exists(digest)
    assert not again.store.local_path(d1).exists() and not again.store.local_path(oh).exists()
    again.close()


def test_a_store_url_that_cannot_be_used_is_a_clear_error(tmp_path, pki, trust):
    from edossier.serve.edo import NodeError

    with pytest.raises(NodeError) as exc:
        make_node(tmp_path, pki, trust, store="nosuchprotocol://x/y")
    assert "nosuchprotocol" in exc.value.en and "无法使用卷宗包存储" in exc.value.zh
