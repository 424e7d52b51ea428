"""The node's metadata in SQL (SQLAlchemy 2): SQLite by default, PostgreSQL in production.

The schema is created and upgraded only by the Alembic migrations shipped in `migrations/` (applied
by `migrate` at every start), never by `metadata.create_all`, so that a PostgreSQL node in production
and a test database have exactly the same tables.

A package is visible only when both its file (blobs.py) and its `submissions` row are committed:
the file is renamed into place first, then the row is committed; a crash in between leaves a file
that no row names, which `Node.recover` removes at the next start.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import (BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint,
                        create_engine, event)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)  # microseconds kept: they order submissions of one second


class Base(DeclarativeBase):
    pass


class Submission(Base):
    """One package received: by `POST /v1/validations` (kind "validation") or `POST /v1/inbox`
    (kind "inbox"). `inbox_key` is the package SHA-256 for the inbox (unique: the same package
    submitted twice is the same submission) and NULL for validations (each request is its own job)."""
    __tablename__ = "submissions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    inbox_key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    package_sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255))
    policy: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # pending | done
    verdict: Mapped[str | None] = mapped_column(String(16), nullable=True)
    case_number: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    flag: Mapped[str | None] = mapped_column(String(32), nullable=True)  # rollback | divergence
    submitter_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    submitter_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    submitter_cert_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Report(Base):
    """The validation report: the JSON document (report schema 0.1) and, to render HTML, JUnit and
    SARIF without validating again, the report object pickled by this same version of edossier
    (`edossier_version`); another version validates the stored package again instead of unpickling."""
    __tablename__ = "reports"
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16))
    json: Mapped[str] = mapped_column(Text)
    node_findings: Mapped[str] = mapped_column(Text, default="[]")
    pickled: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    edossier_version: Mapped[str] = mapped_column(String(32))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReceiptRow(Base):
    """The signed receipt issued for an inbox submission (a file in DIR/receipts/, named by id)."""
    __tablename__ = "receipts"
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(128), unique=True)


class Layer(Base):
    """One layer of one received package: the history that rollback and divergence are judged on."""
    __tablename__ = "layers"
    __table_args__ = (UniqueConstraint("submission_id", "layer"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    layer: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    signature_sha256: Mapped[str] = mapped_column(String(64))


class Nonce(Base):
    """Nonces of signed requests seen within the replay window (older ones are purged)."""
    __tablename__ = "nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    submission_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


def sqlite_url(data: Path) -> str:
    return f"sqlite:///{Path(data).resolve() / 'node.sqlite'}"


def make_engine(url: str):
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # foreign keys are off in SQLite unless asked for
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the job threads' writes
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    return engine


def migrate(engine) -> None:
    """Apply the shipped Alembic migrations up to head (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def sessions(engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def as_utc(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns: they were written in UTC."""
    if t is None or t.tzinfo is not None:
        return t
    return t.replace(tzinfo=dt.timezone.utc)


class User(Base):
    """An account of the web page (web.py): a role and an argon2id password hash (accounts.py)."""
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # viewer | clerk | admin
    password_hash: Mapped[str] = mapped_column(String(255))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A signed-in browser: only the SHA-256 of the cookie's token is stored, with the CSRF token."""
    __tablename__ = "web_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    expires: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
