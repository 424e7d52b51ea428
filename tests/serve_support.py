"""Support for the exchange-node tests: a throwaway PostgreSQL cluster from Debian's binaries, the
database URLs the node tests run against, and packages built for them."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

def _pg_bin() -> Path:
    """Debian's PostgreSQL server binaries: $EDOSSIER_PG_BIN, else the newest /usr/lib/postgresql/N/bin."""
    if os.environ.get("EDOSSIER_PG_BIN"):
        return Path(os.environ["EDOSSIER_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
                   if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; CI and the developers' machines are root
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Cluster:
    """initdb + pg_ctl in a temporary folder, listening only on a unix socket there."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="edossier-pg-"))
        os.chmod(self.dir, 0o755)
        (self.dir / "sock").mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(self.dir / "sock", "postgres")
        self.data = self.dir / "data"
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "edossier",
                                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w",
                                     "-o", f"-k {self.dir / 'sock'} -c listen_addresses='' -c fsync=off",
                                     "start"]), check=True, capture_output=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://edossier@/{database}?host={self.dir / 'sock'}"

    def new_database(self) -> str:
        import sqlalchemy as sa

        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_available() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    if not (PG_BIN / "initdb").is_file():
        return f"no PostgreSQL server binaries in {PG_BIN} (apt-get install postgresql)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[serve]')"
    return None


def require_postgres() -> None:
    """On CI a missing PostgreSQL fails the test; locally it skips, loudly."""
    why = postgres_available()
    if why is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required on CI: {why}")
    print(f"\n*** SKIPPING the PostgreSQL node tests: {why} ***\n")
    pytest.skip(f"PostgreSQL not available: {why}")


CLI = [sys.executable, "-m", "edossier.cli.main"]


class Server:
    def __init__(self, data: Path, *extra: str):
        self.data = data
        env = {**os.environ, "EDOSSIER_LANG": "en", "PYTHONUNBUFFERED": "1"}
        env.pop("EDOSSIER_TRUST_ANCHOR", None)  # --demo names its own anchor
        self.proc = subprocess.Popen([*CLI, "serve", "--demo", "--data", str(data), "--port", "0", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                     cwd=data.parent)
        line = ""
        self.lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            self.lines.append(line)
            m = re.search(r"listening on (http://127\.0\.0\.1:(\d+)/)", line)
            if m:
                self.url, self.port = m.group(1).rstrip("/"), int(m.group(2))
                break
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited: {line}{self.proc.stdout.read()}")
        else:
            raise AssertionError(f"serve printed no URL: {line}")
        import threading

        import httpx

        threading.Thread(target=self._drain, daemon=True).start()
        while True:  # the socket is bound before uvicorn starts serving: wait for the app
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the node did not become healthy")
            time.sleep(0.1)

    def _drain(self) -> None:
        """Keep reading the server's output (so it never blocks on a full pipe), for `password`."""
        try:
            for line in self.proc.stdout:
                self.lines.append(line)
        except (ValueError, OSError):
            pass

    def password(self, timeout: float = 30) -> str:
        """The demo account's password that `serve --demo` prints once."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in self.lines:
                m = re.search(r"user demo, password (\S+) ", line)
                if m:
                    return m.group(1)
            time.sleep(0.05)
        raise AssertionError("no demo password printed: " + "".join(self.lines))

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()




def serve_in_thread(node):
    """The node's app on a real uvicorn in this process, on a free localhost port: (server, thread,
    port). Stop with `server.should_exit = True; thread.join()`."""
    import socket
    import threading

    import uvicorn

    from edossier.serve.app import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(create_app(node), log_level="warning", lifespan="on"))
    t = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    t.start()
    end = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < end and t.is_alive(), "the server did not start"
        time.sleep(0.05)
    return srv, t, sock.getsockname()[1]
