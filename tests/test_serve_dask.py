"""The node's validations on Dask (`serve --scheduler tcp://…`, docs/serve.md#dask): a local Dask
cluster (scheduler and a worker process), packages submitted through the API of a real uvicorn server,
their reports back, and the web process answering while the validations run."""

from __future__ import annotations

import logging
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("distributed")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

from edossier.serve.client import submit  # noqa: E402
from serve_support import serve_in_thread  # noqa: E402
from test_serve import ASIC, make_node, packages  # noqa: E402,F401

logging.getLogger("distributed").setLevel(logging.CRITICAL)


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    c = LocalCluster(n_workers=1, threads_per_worker=2, processes=True, scheduler_port=0, dashboard_address=":0",
                     silence_logs=50, memory_limit=0)
    yield c
    c.close()


def _serve(node):
    srv, t, port = serve_in_thread(node)
    return srv, t, f"http://127.0.0.1:{port}"


def test_validations_run_on_the_dask_cluster_and_the_web_process_stays_responsive(cluster, tmp_path, pki, trust,
                                                                                   packages):
    address = cluster.scheduler_address
    assert address.startswith("tcp://")
    # sync_limit 0: every POST answers 202 at once and the validation runs on the cluster meanwhile
    node = make_node(tmp_path, pki, trust, jobs=None, scheduler=address, sync_limit=0, job_threads=4)
    assert node.executor.name == "dask"
    srv, thread, url = _serve(node)
    from distributed import Client

    try:
        # Both worker threads sleep 3 s first, so the validations below are still queued or running on the
        # cluster when the health checks come (validation got fast enough to finish before the first one)
        with httpx.Client(base_url=url, timeout=60) as c, Client(address) as dask_client:
            blockers = [dask_client.submit(time.sleep, 3, pure=False) for _ in range(2)]
            ids = []
            for _round in range(2):
                for name in ("p1", "p2", "p2b", "junk"):
                    r = c.post("/v1/validations", content=packages[name].read_bytes(), headers=ASIC,
                               params={"name": f"{name}.edp"})
                    assert r.status_code == 202, r.text
                    ids.append(r.json()["id"])
            # while they run: the web process answers at once
            latencies, running_seen = [], 0
            end = time.monotonic() + 300
            while True:
                t0 = time.monotonic()
                assert c.get("/v1/health").json() == {"status": "ok"}
                latencies.append(time.monotonic() - t0)
                states = [c.get(f"/v1/validations/{i}").status_code for i in ids]
                if 202 in states:
                    running_seen += 1
                else:
                    break
                assert time.monotonic() < end, "the validations did not finish on the cluster"
                time.sleep(0.1)
            assert running_seen >= 1  # the health checks above were answered while validations ran
            assert all(b.done() for b in blockers)
            assert max(latencies) < 2.0, latencies  # never stuck behind a validation
            verdicts = [c.get(f"/v1/validations/{i}").json()["verdict"] for i in ids]
            # p1, p2 and p2b are valid; the junk member added after signing is not covered by a manifest
            assert verdicts == ["accept", "accept", "accept", "reject"] * 2
        # the inbox on the cluster too: stored, validated remotely, receipt issued
        pkg = tmp_path / "1.edp"
        pkg.write_bytes(packages["p1"].read_bytes())
        res = submit(pkg, to=url, cred=pki / "police.p12", trust=trust)
        assert res.submission["verdict"] == "accept" and res.receipt_path.is_file()
    finally:
        srv.should_exit = True
        thread.join(60)
    # the work went to the cluster's worker, not to local processes
    # the validations went through the cluster's scheduler (not local processes)
    assert "validate_one" in cluster.scheduler.task_prefixes


def test_scheduler_and_dask_local_are_exclusive(tmp_path, pki):
    from click.testing import CliRunner

    from edossier.cli.main import main

    r = CliRunner().invoke(main, ["--lang", "en", "serve", "--data", str(tmp_path / "n"), "--port", "0", "--trust",
                                  str(pki / "trustlist.xml"), "--scheduler", "tcp://127.0.0.1:1", "--dask", "local"])
    assert r.exit_code == 2 and "either --scheduler or --dask local" in r.output
