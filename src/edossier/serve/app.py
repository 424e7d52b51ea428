"""The HTTP face of the node (FastAPI on uvicorn): routes, streaming uploads, status codes.

Every refusal is a JSON body `{"error": {"code", "status", "message": {"en", "zh-CN"}}}` with the N
code's registry messages; docs/serve.md lists the statuses. Uploads are raw bodies (the package's
bytes, `Content-Type: application/vnd.etsi.asic-e+zip`), streamed to a temporary file while hashed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from . import auth, db, edo
from .blobs import TooLarge
from .node import Node
from .responses import error

PACKAGE_TYPES = ("application/vnd.etsi.asic-e+zip", "application/octet-stream", "application/zip")
_BODY = {"content": {t: {"schema": {"type": "string", "format": "binary"}} for t in PACKAGE_TYPES[:1]},
         "required": True, "description": "The package file's bytes (ASiC-E, .edp)"}
FORMATS = {"json": "application/json", "html": "text/html; charset=utf-8",
           "junit": "application/xml; charset=utf-8", "sarif": "application/sarif+json"}


def _format(request: Request) -> str:
    asked = request.query_params.get("format")
    if asked in FORMATS:
        return asked
    accept = request.headers.get("accept", "").lower()
    if "text/html" in accept:
        return "html"
    if "sarif" in accept:
        return "sarif"
    if "xml" in accept:
        return "junit"
    return "json"


def _lang(request: Request) -> str:
    asked = request.query_params.get("lang") or request.headers.get("accept-language", "")
    return "zh-CN" if asked.lower().startswith("zh") else "en"


class SlowBody(Exception):
    """A request body that paused too long or arrived too slowly (BodyDeadline)."""

    def __init__(self, detail: str, detail_zh: str):
        super().__init__(detail)
        self.detail, self.detail_zh = detail, detail_zh


RATE_GRACE = 30.0  # seconds an upload runs before its average rate is judged


class BodyDeadline:
    """ASGI middleware: every read of a request body must arrive within `timeout` seconds, and once
    the body has been arriving for `grace` seconds its average rate must be at least `min_rate`
    bytes/s; otherwise the read raises SlowBody (408 N022). uvicorn has no body timeout of its own,
    so without this a client sending a byte a minute holds a connection and a temporary file for
    as long as it likes (slow loris)."""

    def __init__(self, app, *, timeout: float, min_rate: int, grace: float = RATE_GRACE):
        self.app, self.timeout, self.min_rate, self.grace = app, timeout, min_rate, grace

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        loop = asyncio.get_running_loop()
        start, got = None, 0

        async def guarded():
            nonlocal start, got
            try:
                msg = await asyncio.wait_for(receive(), self.timeout)
            except asyncio.TimeoutError:
                raise SlowBody(f"no byte of the body for {self.timeout:g} s ({got} bytes received)",
                               f"请求体 {self.timeout:g} 秒内没有新数据（已收到 {got} 字节）") from None
            if msg["type"] == "http.request":
                now = loop.time()
                start = now if start is None else start
                got += len(msg.get("body", b""))
                elapsed = now - start
                if msg.get("more_body") and elapsed >= self.grace and got < self.min_rate * elapsed:
                    raise SlowBody(f"{got} bytes in {elapsed:.0f} s: below {self.min_rate} bytes/s",
                                   f"{elapsed:.0f} 秒仅收到 {got} 字节，低于每秒 {self.min_rate} 字节")
            return msg

        return await self.app(scope, guarded, send)


def create_app(node: Node) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        await run_in_threadpool(node.recover)
        yield
        await run_in_threadpool(node.close)

    app = FastAPI(title="edossier exchange node", version=edo.VERSION, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # Swagger UI would load its script from a CDN: none offline
                  description="An agency's inbox and validation service for electronic case files "
                              "(电子卷宗). docs/serve.md")
    app.state.node = node
    app.add_middleware(BodyDeadline, timeout=node.config.body_timeout, min_rate=node.config.min_rate,
                       grace=node.config.rate_grace)

    @app.exception_handler(SlowBody)
    async def _slow(_request, exc: SlowBody):
        resp = error("N022", detail=exc.detail, detail_zh=exc.detail_zh)
        resp.headers["Connection"] = "close"  # the rest of the body is not read: the connection cannot be reused
        return resp

    @app.exception_handler(auth.AuthError)
    async def _refused(_request, exc: auth.AuthError):
        return error(exc.code, **exc.params)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return error("N006", what="resource", what_zh="资源", id=request.url.path[:200])
        return JSONResponse({"error": {"code": None, "status": exc.status_code, "message": {
            "en": f"HTTP {exc.status_code}: {exc.detail}", "zh-CN": f"HTTP {exc.status_code}：{exc.detail}"}}},
            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request, exc: RequestValidationError):
        where = "; ".join(".".join(str(x) for x in e.get("loc", ())) + ": " + e.get("msg", "") for e in exc.errors())
        return JSONResponse({"error": {"code": None, "status": 422, "message": {
            "en": f"invalid request: {where}", "zh-CN": f"请求参数无效：{where}"}}}, status_code=422)

    async def receive(request: Request):
        """Stream the body into a temporary upload; (upload, None) or (None, error response)."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in PACKAGE_TYPES:
            return None, error("N017", got=ctype or "(none)")
        limit = node.config.max_upload
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            if not length.isdigit():
                return None, error("N018", detail="Content-Length is not a number")
            return None, error("N016", limit=limit)
        upload = node.store.new_temp()
        try:
            async for chunk in request.stream():
                upload.write(chunk, limit)
        except TooLarge:
            upload.discard()
            return None, error("N016", limit=limit)
        except ClientDisconnect:
            upload.discard()
            return None, error("N018", detail="the client closed the connection before the body was complete",
                               detail_zh="客户端在请求体传输完成前关闭了连接")
        except BaseException:
            upload.discard()
            raise
        if length is not None and upload.size != int(length):
            upload.discard()
            return None, error("N018", detail=f"{upload.size} of {length} bytes received",
                               detail_zh=f"仅收到 {length} 字节中的 {upload.size} 字节")
        if upload.size == 0:
            upload.discard()
            return None, error("N018", detail="the body is empty", detail_zh="请求体为空")
        await run_in_threadpool(upload.finish)
        return upload, None

    async def settle(outcome, sync: bool):
        if sync and not outcome.done and outcome.id in node.futures:
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(node.futures[outcome.id])
        return node.get(outcome.id)

    @app.get("/", summary="What this node is (a browser is sent to the web page)")
    async def index(request: Request):
        if "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("/ui/inbox", status_code=303)
        r = node.receiver
        return {"service": "edossier exchange node", "version": edo.VERSION,
                "agency": None if r is None else {"name": r.name, "credit_code": r.credit_code, "role": r.role},
                "trust_list": node.trust.facts(), "policies": sorted(node.policies),
                "sync_limit": node.config.sync_limit, "max_upload": node.config.max_upload,
                "endpoints": ["POST /v1/validations", "GET /v1/validations/{id}", "POST /v1/inbox",
                              "GET /v1/inbox/{id}", "GET /v1/inbox/{id}/receipt", "GET /openapi.json"]}

    @app.get("/v1/health", summary="Liveness and database check")
    async def health():
        def check():
            with node.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        await run_in_threadpool(check)
        return {"status": "ok"}

    @app.post("/v1/validations", summary="Validate a package", openapi_extra={"requestBody": _BODY},
              responses={200: {"description": "The JSON report (schemas/report-0.1.schema.json)"},
                         202: {"description": "Larger than the sync limit: a job id"},
                         413: {"description": "N016"}, 415: {"description": "N017"}, 422: {"description": "N005"}})
    async def post_validation(request: Request, policy: str = "default", name: str | None = None):
        node.policy(policy)
        upload, refused = await receive(request)
        if refused is not None:
            return refused
        outcome = await run_in_threadpool(node.add_validation, upload,
                                          name=edo.display_name(name or request.headers.get("x-edossier-filename")),
                                          policy=policy)
        row = await settle(outcome, upload.size <= node.config.sync_limit)
        if row is not None and row.status == "done":
            report = node.report_row(outcome.id)
            return Response(report.json, media_type="application/json",
                            headers={"Location": f"/v1/validations/{outcome.id}", "X-Edossier-Id": outcome.id})
        return JSONResponse({"id": outcome.id, "status": "pending", "href": f"/v1/validations/{outcome.id}"},
                            status_code=202, headers={"Location": f"/v1/validations/{outcome.id}"})

    @app.get("/v1/validations/{sid}", summary="A validation's report: JSON, HTML, JUnit or SARIF by Accept",
             responses={200: {"content": {v.split(";")[0]: {} for v in FORMATS.values()}},
                        202: {"description": "Still running"}, 404: {"description": "N006"}})
    async def get_validation(sid: str, request: Request):
        return await _report(sid, "validation", request)

    async def _report(sid: str, kind: str, request: Request):
        row = node.get(sid, kind) if sid.isalnum() else None
        if row is None:
            return error("N006", what="validation" if kind == "validation" else "submission",
                         what_zh="校验任务" if kind == "validation" else "提交", id=sid[:64])
        if row.status != "done":
            return JSONResponse({"id": sid, "status": row.status}, status_code=202, headers={"Retry-After": "2"})
        fmt = _format(request)
        if fmt == "json":
            return Response(node.report_row(sid).json, media_type=FORMATS["json"])
        report = await run_in_threadpool(node.report_object, sid)
        source = await run_in_threadpool(node.package_file, row.package_sha256) if fmt == "html" else None
        # thumbnails are drawn by the page viewer's killable child (time and memory limits), never here
        text = await run_in_threadpool(edo.render, report, fmt, lang=_lang(request), trust=node.trust, source=source,
                                       thumbnailer=node.pages.thumbnailer() if source is not None else None)
        headers = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"} \
            if fmt == "html" else {}
        return Response(text, media_type=FORMATS[fmt], headers=headers)

    @app.post("/v1/inbox", summary="Submit a package to this agency (signed request)",
              openapi_extra={"requestBody": _BODY},
              responses={200: {"description": "Already received (same package SHA-256): the same submission"},
                         201: {"description": "Received, validated, receipt issued"},
                         202: {"description": "Received; validation running (larger than the sync limit)"},
                         400: {"description": "N018, N019"}, 401: {"description": "N010–N013"},
                         403: {"description": "N014, N015"}, 413: {"description": "N016"},
                         415: {"description": "N017"}})
    async def post_inbox(request: Request, policy: str = "default", name: str | None = None):
        if node.credential is None:
            return JSONResponse({"error": {"code": None, "status": 404, "message": {
                "en": "this node has no inbox (started without --signer)",
                "zh-CN": "本节点未开设收件箱（启动时未给出 --signer）"}}}, status_code=404)
        node.policy(policy)
        cert, time, nonce, declared, sig = auth.parse_headers(request.headers)
        upload, refused = await receive(request)
        if refused is not None:
            return refused
        try:
            agency, _latest = await run_in_threadpool(node.authenticate, upload, cert, time, nonce, declared, sig,
                                                      request.method, request.url.path)
        except BaseException:
            upload.discard()
            raise
        outcome = await run_in_threadpool(node.add_inbox, upload, agency=agency, cert=cert, policy=policy,
                                          name=edo.display_name(name or request.headers.get("x-edossier-filename")))
        row = await settle(outcome, outcome.created and upload.size <= node.config.sync_limit)
        body = submission_doc(row)
        status = 200 if not outcome.created else 201 if row.status == "done" else 202
        return JSONResponse(body, status_code=status, headers={"Location": f"/v1/inbox/{outcome.id}"})

    def submission_doc(row) -> dict:
        report = node.report_row(row.id) if row.status == "done" else None
        return {"id": row.id, "status": row.status, "name": row.name, "package_sha256": row.package_sha256,
                "size": row.size, "policy": row.policy, "verdict": row.verdict, "case_number": row.case_number,
                "flag": row.flag, "submitter": {"name": row.submitter_name, "credit_code": row.submitter_code},
                "received": db.as_utc(row.created).isoformat() if row.created else None,
                "node_findings": json.loads(report.node_findings) if report else [],
                "report": json.loads(report.json) if report else None,
                "receipt": f"/v1/inbox/{row.id}/receipt" if row.status == "done" else None}

    @app.get("/v1/inbox/{sid}", summary="One inbox submission: status, verdict, flags, report")
    async def get_inbox(sid: str, request: Request):
        row = node.get(sid, "inbox") if sid.isalnum() else None
        if row is None:
            return error("N006", what="submission", what_zh="提交", id=sid[:64])
        if _format(request) != "json" and row.status == "done":
            return await _report(sid, "inbox", request)
        return submission_doc(row)

    @app.get("/v1/inbox/{sid}/receipt", summary="The signed receipt (回执, .edr)",
             responses={200: {"content": {"application/vnd.etsi.asic-e+zip": {}}},
                        202: {"description": "N007: not issued yet"}, 404: {"description": "N006"}})
    async def get_receipt(sid: str):
        row = node.get(sid, "inbox") if sid.isalnum() else None
        if row is None:
            return error("N006", what="submission", what_zh="提交", id=sid[:64])
        if row.status != "done" or node.receipt_row(sid) is None:
            resp = error("N007", status=row.status,  # "pending" or "done" (no receipt row yet)
                         status_zh={"pending": "待校验", "done": "已校验"}.get(row.status, row.status))
            resp.headers["Retry-After"] = "2"
            return resp
        return FileResponse(node.store.receipt_path(sid), media_type="application/vnd.etsi.asic-e+zip",
                            filename=f"{row.name.rsplit('.', 1)[0]}.edr")

    from . import web

    web.install(app, node)
    return app
