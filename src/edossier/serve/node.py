"""The node: storage, validation jobs, the case history and request authentication, without HTTP.

`app.py` maps requests onto a `Node`; tests drive it through the app. Every state change follows
the same order: package file fsynced and renamed into place (blobs.py), then its rows committed;
the validation runs afterwards on the executor and its report, receipt and history rows are
committed together when it is done. `recover` (at every start) removes temporary uploads and
package files that no row names, and queues again every validation that was pending.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from . import auth, db, edo
from .blobs import BlobStore, StoreError
from .pages import Pages

log = logging.getLogger("edossier.serve")

SYNC_LIMIT = 64 * 1024 * 1024  # above this, POST answers 202 and a job id at once
MAX_UPLOAD = 2 * 1024 * 1024 * 1024  # bodies larger than this are refused (413)


@dataclass
class NodeConfig:
    data: Path
    trust_path: Path
    store: str | None = None  # package files: a directory or fsspec URL (default DATA/blobs)
    credential_path: Path | None = None  # the node's own agency: signs receipts; None = no inbox
    passphrase: bytes | None = None
    db_url: str | None = None  # default: SQLite in DATA/node.sqlite
    anchor: object | None = None
    allow_unsigned_trust: bool = False
    policy_paths: tuple = ()
    jobs: int | None = 2
    scheduler: str | None = None
    dask_local: bool = False  # a local Dask cluster of `jobs` workers (as `stats --dask local`)
    body_timeout: float = 60.0  # seconds a request body may pause (408 N022)
    min_rate: int = 1024  # bytes/s an upload must average once it has run rate_grace seconds (408 N022)
    rate_grace: float = 30.0
    sync_limit: int = SYNC_LIMIT
    max_upload: int = MAX_UPLOAD
    job_threads: int = 2
    trust: object | None = None  # a trust list already loaded (the CLI's, with its anchor options)


@dataclass
class Outcome:
    """What a POST produced: the submission id, whether it was new, and (when finished) its report."""
    id: str
    created: bool
    done: bool
    row: db.Submission | None = None
    report: dict | None = None
    node_findings: list = field(default_factory=list)


class Node:
    def __init__(self, config: NodeConfig):
        self.config = config
        config.data = Path(config.data)
        config.data.mkdir(parents=True, exist_ok=True)
        try:
            self.store = BlobStore(config.data, config.store)
        except StoreError as exc:
            raise edo.NodeError(f"the package store cannot be used: {exc}", f"无法使用卷宗包存储：{exc}") from None
        self.trust = config.trust or edo.load_trust(config.trust_path, anchor=config.anchor,
                                                    allow_unsigned=config.allow_unsigned_trust)
        self.credential = None
        self.receiver = None
        if config.credential_path is not None:
            self.credential = edo.load_credential(config.credential_path, config.passphrase)
            self.receiver = edo.receiver_of(self.credential, self.trust)
        self.policies = edo.load_policies(config.policy_paths)
        self.engine = db.make_engine(config.db_url or db.sqlite_url(config.data))
        db.migrate(self.engine)
        self.Session = db.sessions(self.engine)
        self.executor = edo.make_executor(jobs=config.jobs, scheduler=config.scheduler, dask_local=config.dask_local)
        self.jobs = ThreadPoolExecutor(max_workers=config.job_threads, thread_name_prefix="edossier-job")
        self.futures: dict[str, Future] = {}
        self._lock = threading.Lock()
        self._history = threading.Lock()  # one history check at a time in this process (docs/serve.md)
        self.pages = Pages(config.data / "cache" / "pages")
        self._documents: dict[str, list] = {}

    # --- life cycle ------------------------------------------------------------------------------------

    def recover(self) -> dict:
        """At start: drop temporary uploads and unnamed package files, drop rows whose package file is
        missing, and queue again every pending validation. Returns what it did (logged)."""
        temp = self.store.clear_temp()
        with self.Session() as s:
            rows = s.scalars(select(db.Submission)).all()
            missing = [r for r in rows if not self.store.exists(r.package_sha256)]
            for r in missing:  # a row without its file is not a stored package: remove it entirely
                s.execute(delete(db.Layer).where(db.Layer.submission_id == r.id))
                s.delete(r)
            s.commit()
            known = {r.package_sha256 for r in rows if r not in missing}
            pending = [r.id for r in rows if r.status == "pending" and r not in missing]
        orphans = self.store.orphans(known)
        for item in orphans:
            self.store.remove(item)
        self.store.prune_copies(known)
        for sid in pending:
            self._queue(sid)
        done = {"temp_removed": temp, "orphan_files_removed": len(orphans), "rows_without_file_removed": len(missing),
                "validations_resumed": len(pending)}
        self.audit("node", "recover", None, json.dumps(done))
        return done

    def close(self) -> None:
        self.jobs.shutdown(wait=True, cancel_futures=False)
        self.executor.close()
        self.engine.dispose()

    def audit(self, actor: str, action: str, submission_id: str | None, detail: str = "") -> None:
        with self.Session() as s:
            s.add(db.AuditEvent(at=db.utcnow(), actor=actor, action=action, submission_id=submission_id,
                                detail=detail))
            s.commit()

    # --- submissions -----------------------------------------------------------------------------------

    def policy(self, name: str | None):
        name = name or "default"
        if name not in self.policies:
            raise auth.AuthError("N005", name=name, known=", ".join(sorted(self.policies)))
        return self.policies[name]

    def add_validation(self, upload, *, name: str, policy: str) -> Outcome:
        """A finished upload (blobs.Upload) as a validation job: stored, committed, queued."""
        upload.commit()
        sid = secrets.token_hex(16)
        with self.Session() as s:
            s.add(db.Submission(id=sid, kind="validation", inbox_key=None, package_sha256=upload.sha256,
                                size=upload.size, name=name, policy=policy, status="pending", created=db.utcnow()))
            s.commit()
        self.audit("validation", "received", sid, f"{upload.size} bytes, SHA-256 {upload.sha256}")
        self._queue(sid)
        return Outcome(sid, True, False)

    def existing_inbox(self, sha256: str) -> db.Submission | None:
        with self.Session() as s:
            return s.scalars(select(db.Submission).where(db.Submission.inbox_key == sha256)).first()

    def authenticate(self, upload, cert: bytes, time: str, nonce: str, declared: str, sig: bytes,
                     method: str, path: str) -> tuple[object, edo.LatestLayer]:
        """The submitter of a finished upload: signature, nonce, trust and latest-layer checks, in that
        order (AuthError with the N code of the first that fails). Returns (trust entry, latest layer)."""
        if declared != upload.sha256:
            raise auth.AuthError("N018", detail=f"the body's SHA-256 is {upload.sha256}, the request declares "
                                                f"{declared}")
        auth.verify(cert, sig, auth.message(method, path, upload.sha256, time, nonce))
        self._use_nonce(nonce)
        try:
            latest = edo.latest_layer(upload.path)
        except edo.NotAPackage as exc:
            raise auth.AuthError("N019", detail=exc.en, detail_zh=exc.zh) from None
        subject = edo.cert_subject(cert)
        try:
            agency = edo.trusted_submitter(cert, self.trust, certs=latest.certs, crls=latest.crls)
        except edo.NotTrusted as exc:
            raise auth.AuthError("N014", subject=subject, detail=exc.en, detail_zh=exc.zh) from None
        if latest.signer_cert != cert:
            signer = edo.cert_subject(latest.signer_cert) if latest.signer_cert else "?"
            raise auth.AuthError("N015", subject=subject, layer=f"{latest.number:03d}", signer=signer)
        return agency, latest

    def _use_nonce(self, nonce: str) -> None:
        now = db.utcnow()
        with self.Session() as s:
            s.execute(delete(db.Nonce).where(db.Nonce.seen < now - dt.timedelta(seconds=4 * auth.WINDOW)))
            s.add(db.Nonce(nonce=nonce, seen=now))
            try:
                s.commit()
            except IntegrityError:
                raise auth.AuthError("N012") from None

    def add_inbox(self, upload, *, name: str, policy: str, agency, cert: bytes) -> Outcome:
        """An authenticated upload into the inbox; idempotent by the package's SHA-256."""
        old = self.existing_inbox(upload.sha256)
        if old is not None:
            upload.discard()
            return Outcome(old.id, False, old.status == "done", old)
        upload.commit()
        sid = secrets.token_hex(16)
        with self.Session() as s:
            s.add(db.Submission(id=sid, kind="inbox", inbox_key=upload.sha256, package_sha256=upload.sha256,
                                size=upload.size, name=name, policy=policy, status="pending", created=db.utcnow(),
                                submitter_name=agency.name, submitter_code=agency.credit_code,
                                submitter_cert_sha256=edo.sha256_hex(cert)))
            try:
                s.commit()
            except IntegrityError:  # the same package arrived twice at once: the first one wins
                s.rollback()
                old = self.existing_inbox(upload.sha256)
                return Outcome(old.id, False, old.status == "done", old)
        self.audit(f"{agency.name} ({agency.credit_code})", "submitted", sid,
                   f"{upload.size} bytes, SHA-256 {upload.sha256}")
        self._queue(sid)
        return Outcome(sid, True, False)

    def get(self, sid: str, kind: str | None = None) -> db.Submission | None:
        with self.Session() as s:
            row = s.get(db.Submission, sid)
        return row if row is not None and (kind is None or row.kind == kind) else None

    def inbox_rows(self, case: str = "", limit: int = 500) -> list:
        """Inbox submissions, newest first (a case-number substring filters them), each with
        `supervision`: the codes of its supervision findings (the package's and the node's)."""
        with self.Session() as s:
            q = select(db.Submission).where(db.Submission.kind == "inbox")
            if case:
                q = q.where(db.Submission.case_number.contains(case, autoescape=True))
            rows = s.scalars(q.order_by(db.Submission.created.desc()).limit(limit)).all()
            reports = {r.submission_id: r for r in s.scalars(select(db.Report).where(
                db.Report.submission_id.in_([r.id for r in rows])))}
        for r in rows:
            rep = reports.get(r.id)
            codes = []
            if rep is not None:
                found = json.loads(rep.json)["packages"][0]["findings"] + json.loads(rep.node_findings)
                codes = sorted({f["code"] for f in found if f["severity"] == "supervision"})
            r.supervision = ", ".join(codes)
        return rows

    def audit_rows(self, sid: str) -> list:
        """The audit events of one submission, oldest first."""
        with self.Session() as s:
            return s.scalars(select(db.AuditEvent).where(db.AuditEvent.submission_id == sid)
                             .order_by(db.AuditEvent.id)).all()

    def report_row(self, sid: str) -> db.Report | None:
        with self.Session() as s:
            return s.get(db.Report, sid)

    def receipt_row(self, sid: str) -> db.ReceiptRow | None:
        with self.Session() as s:
            return s.get(db.ReceiptRow, sid)

    def report_object(self, sid: str):
        """The PackageReport of a finished submission (unpickled, or validated again by another version)."""
        row, sub = self.report_row(sid), self.get(sid)
        rep = edo.load_report(row.pickled, row.edossier_version) if row else None
        if rep is None and sub is not None:
            rep = edo.validate_stored(self.store.path(sub.package_sha256), display_name=sub.name, trust=self.trust,
                                      policy=self.policies.get(sub.policy), executor=self.executor)
        return rep

    def package_file(self, sha256: str) -> Path | None:
        """A local file with the stored package's bytes, or None when the store cannot give it (a
        remote store unreachable, or its file no longer has its address's digest: logged)."""
        try:
            return self.store.path(sha256)
        except (OSError, StoreError) as exc:
            log.error("package %s cannot be read from the store: %s", sha256, exc)
            return None

    def documents(self, sid: str) -> list[dict]:
        """The documents of a finished submission (edo.documents), remembered per submission."""
        if sid not in self._documents:
            sub = self.get(sid)
            if sub is None or sub.status != "done":
                return []
            source = self.package_file(sub.package_sha256)
            if source is None:
                return []
            self._documents[sid] = edo.documents(self.report_object(sid), source)
        return self._documents[sid]

    def wait(self, sid: str, timeout: float | None = None) -> bool:
        fut = self.futures.get(sid)
        if fut is not None:
            fut.result(timeout=timeout)
        row = self.get(sid)
        return row is not None and row.status == "done"

    # --- the job ---------------------------------------------------------------------------------------

    def _queue(self, sid: str) -> None:
        with self._lock:
            if sid in self.futures and not self.futures[sid].done():
                return
            self.futures[sid] = self.jobs.submit(self._run, sid)

    def _run(self, sid: str) -> None:
        try:
            self._validate(sid)
        except Exception:  # noqa: BLE001 - logged; the row stays pending and is retried at the next start
            log.exception("validation of submission %s failed", sid)
            raise

    def _validate(self, sid: str) -> None:
        sub = self.get(sid)
        if sub is None or sub.status == "done":
            return
        blob = self.store.path(sub.package_sha256)
        policy = self.policies.get(sub.policy) or self.policies["default"]
        report = edo.validate_stored(blob, display_name=sub.name, trust=self.trust, policy=policy,
                                     executor=self.executor)
        doc = edo.report_json(report, self.trust)
        node_findings: list = []
        case = edo.case_number(report)
        receipt_bytes = None
        with self._history:
            if sub.kind == "inbox":
                # the file is stored under the SHA-256 computed while it was received (blobs.Upload;
                # a remote store's copy is checked against it when fetched): read only its META-INF/
                # members here, not the whole file once more for the history and again for the receipt
                fp = edo.fingerprint(blob, known=(sub.size, bytes.fromhex(sub.package_sha256))) \
                    if report.layers or self.credential is not None else None
                layers = edo.layer_digests(fp) if report.layers else []
                node_findings, flag = self._history_findings(sub, case, layers)
                if self.credential is not None:
                    receipt_bytes = edo.issue_receipt(fp, self.store.receipt_path(sid),
                                                      name=sub.name, report=report,
                                                      node_findings=node_findings, credential=self.credential,
                                                      trust=self.trust, policy_name=policy.name)
            else:
                flag = None
            with self.Session() as s:
                row = s.get(db.Submission, sid)
                row.status, row.verdict, row.case_number, row.flag = "done", report.verdict, case, flag
                row.finished = db.utcnow()
                s.merge(db.Report(submission_id=sid, verdict=report.verdict, json=json.dumps(doc, ensure_ascii=False),
                                  node_findings=json.dumps([f.to_dict() for f in node_findings], ensure_ascii=False),
                                  pickled=edo.dump_report(report), edossier_version=edo.VERSION, created=db.utcnow()))
                if receipt_bytes is not None:
                    s.merge(db.ReceiptRow(submission_id=sid, sha256=edo.sha256_hex(receipt_bytes),
                                          size=len(receipt_bytes), created=db.utcnow()))
                if sub.kind == "inbox" and case:
                    self._record_layers(s, sid, case, layers[:edo.passed_layers(report)])
                s.add(db.AuditEvent(at=db.utcnow(), actor="node", action="validated", submission_id=sid,
                                    detail=f"{report.verdict}" + (f", {flag}" if flag else "")))
                s.commit()

    # --- the case's history ------------------------------------------------------------------------------

    def _history_findings(self, sub, case: str | None, layers: list) -> tuple[list, str | None]:
        """N001 (rollback), N002 (divergence), N003 (same layers, another file), N004 (no case number)."""
        if not case:
            return [edo.finding("N004", sub.name)], None
        with self.Session() as s:
            c = s.scalars(select(db.Case).where(db.Case.number == case)).first()
            rows = [] if c is None else s.scalars(
                select(db.Layer).where(db.Layer.case_id == c.id, db.Layer.submission_id != sub.id)
                .order_by(db.Layer.submission_id, db.Layer.layer)).all()
            order = {r.id: r.created for r in s.scalars(select(db.Submission).where(
                db.Submission.id.in_({r.submission_id for r in rows})))}
        earlier: dict[str, list] = {}
        for r in rows:
            earlier.setdefault(r.submission_id, []).append((r.layer, r.manifest_sha256, r.signature_sha256))
        mine = [(n, m, sg) for n, m, sg in layers]
        out, flag, diverged = [], None, set()
        for other in sorted(earlier, key=lambda k: (db.as_utc(order.get(k)) or db.utcnow(), k)):
            theirs = earlier[other]
            k = next((i for i in range(min(len(mine), len(theirs))) if mine[i] != theirs[i]), None)
            if k is not None:
                n = mine[k][0]
                if n in diverged:
                    continue
                diverged.add(n)
                what = [w for w, a, b in (("manifest", mine[k][1], theirs[k][1]), ("signature", mine[k][2], theirs[k][2]))
                        if a != b]
                out.append(edo.finding("N002", f"layer {n:03d}", layer=f"{n:03d}", case=case, earlier=other,
                                       what=" and ".join(what),
                                       what_zh="与".join({"manifest": "清单", "signature": "签名"}[w] for w in what)))
                flag = "divergence"
        if flag is None:
            longer = [(len(t), o) for o, t in earlier.items() if len(t) > len(mine)]
            if longer:
                later, other = max(longer)
                out.append(edo.finding("N001", sub.name, case=case, layers=len(mine), later=later, earlier=other))
                flag = "rollback"
            else:
                same = [o for o, t in earlier.items() if t == mine]
                if same:
                    out.append(edo.finding("N003", sub.name, case=case, layers=len(mine), earlier=same[0]))
        return out, flag

    @staticmethod
    def _record_layers(s, sid: str, case: str, layers: list) -> None:
        c = s.scalars(select(db.Case).where(db.Case.number == case)).first()
        if c is None:
            c = db.Case(number=case)
            s.add(c)
            s.flush()
        s.execute(delete(db.Layer).where(db.Layer.submission_id == sid))
        for n, m, sg in layers:
            s.add(db.Layer(case_id=c.id, submission_id=sid, layer=n, manifest_sha256=m, signature_sha256=sg))
