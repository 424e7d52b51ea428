"""Support for the exchange-node tests: a throwaway PostgreSQL cluster from Debian's binaries, the
database URLs the node tests run against, and packages built for them."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
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
