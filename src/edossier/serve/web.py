"""The prosecutor's web page, served by the node (docs/serve.md#web): sign in, the inbox (case,
sending agency, received in Beijing time, verdict, rollback/divergence flags, supervision findings),
a search by case number, a package page (layers, findings, the node's findings, the full HTML report,
the receipt), and an upload form that validates a package. zh-CN and English.

Security: argon2id accounts with roles (accounts.py); a session cookie that is HttpOnly and
SameSite=Strict; a CSRF token in every form, checked on every POST (the sign-in form by a
double-submit cookie); a strict Content-Security-Policy (no script at all, styles only from
/ui/static/app.css); every value escaped.
"""

from __future__ import annotations

import html
import json
import secrets
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from . import accounts, db, edo, pages
from .blobs import TooLarge

COOKIE = "edossier_session"
MAX_THUMBS = 60  # documents shown with a thumbnail on a package page (as the HTML report's MAX_THUMBNAILS)
PRE = "edossier_login"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
CSS = """body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#222}
header{background:#123;color:#fff;padding:.6em 1em;display:flex;gap:1.5em;align-items:center}
header a{color:#fff}main{padding:1em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
.accept{color:#060;font-weight:bold}.reject{color:#b00;font-weight:bold}.flag{color:#fff;background:#b00;padding:0 .4em}
.supervision{color:#a50}.err{color:#b00}form.inline{display:inline}label{display:block;margin:.5em 0}
img.thumb{max-width:120px;max-height:120px;border:1px solid #ccc}.viewer img{max-width:100%;border:1px solid #ccc}
.viewer nav{display:flex;gap:1.5em;margin:.5em 0}
"""

L = {
    "en": {"title": "edossier node", "inbox": "Inbox", "upload": "Validate a package", "logout": "Sign out",
           "login": "Sign in", "user": "User name", "password": "Password", "bad_login": "Wrong user name or password.",
           "case": "Case number", "from": "Sent by", "received": "Received", "verdict": "Verdict", "flag": "Flag",
           "search": "Search", "none": "Nothing received yet.", "accept": "ACCEPT", "reject": "REJECT",
           "pending": "validating…", "rollback": "ROLLBACK", "divergence": "DIVERGENCE", "layers": "Layers",
           "agency": "Agency", "role": "Role", "signature": "Signature", "findings": "Findings",
           "node_findings": "The node's findings (this case's history)", "report": "Full report (HTML)",
           "receipt": "Download the receipt (回执)", "file": "Package file (.edp)", "send": "Validate",
           "forbidden": "Your role may not do this.", "csrf": "The form expired; reload the page and try again.",
           "nofile": "Choose a package file.", "too_large": "The file is larger than this node accepts.",
           "package": "Package", "supervise": "Supervision", "lang": "中文", "size": "Size",
           "name": "Name", "audit": "Audit log", "signed": "Signed", "deadlines": "Statutory periods", "refresh": "This page refreshes until the validation is done.",
           "documents": "Documents", "title_": "Title", "pages": "Pages", "view": "View",
           "page_of": "Page {p} of {n}", "prev": "← Previous page", "next": "Next page →",
           "back": "Back to the package"},
    "zh-CN": {"title": "edossier 交换节点", "inbox": "收件箱", "upload": "校验卷宗包", "logout": "退出",
              "login": "登录", "user": "用户名", "password": "密码", "bad_login": "用户名或密码错误。",
              "case": "案号", "from": "发送机关", "received": "收到时间", "verdict": "结论", "flag": "标记",
              "search": "查询", "none": "尚未收到任何卷宗包。", "accept": "接收", "reject": "拒收",
              "pending": "校验中…", "rollback": "版本回退", "divergence": "分叉", "layers": "各层",
              "agency": "机关", "role": "角色", "signature": "签名", "findings": "问题",
              "node_findings": "节点发现（本案历史）", "report": "完整报告（HTML）", "receipt": "下载回执",
              "file": "卷宗包文件（.edp）", "send": "校验", "forbidden": "您的角色无权执行此操作。",
              "csrf": "表单已过期，请刷新页面后重试。", "nofile": "请选择卷宗包文件。",
              "too_large": "文件超过本节点的上限。", "package": "卷宗包", "supervise": "监督事项", "lang": "English",
              "size": "大小", "name": "名称", "audit": "审计日志", "signed": "签名时间", "deadlines": "法定期限", "refresh": "校验完成前本页会自动刷新。",
              "documents": "文书", "title_": "标题", "pages": "页数", "view": "查看",
              "page_of": "第 {p} 页，共 {n} 页", "prev": "← 上一页", "next": "下一页 →",
              "back": "返回卷宗包"},
}


def e(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("edossier_lang") \
        or request.headers.get("accept-language", "")
    return "zh-CN" if asked.lower().startswith("zh") else "en"


def page(request: Request, title: str, body: str, *, user=None, status: int = 200, refresh: int | None = None,
         lang: str | None = None) -> HTMLResponse:
    lang = lang or lang_of(request)
    t = L[lang]
    other = "en" if lang == "zh-CN" else "zh-CN"
    nav = ""
    if user is not None:
        csrf = request.state.csrf
        nav = (f'<a href="/ui/inbox">{t["inbox"]}</a>'
               + (f'<a href="/ui/upload">{t["upload"]}</a>' if user.role in ("clerk", "admin") else "")
               + f'<span>{e(user.name)} ({e(user.role)})</span>'
               f'<form class="inline" method="post" action="/ui/logout"><input type="hidden" name="csrf" '
               f'value="{e(csrf)}"><button>{t["logout"]}</button></form>')
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    doc = (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{meta}<title>{e(title)} · {t["title"]}'
           f'</title><link rel="stylesheet" href="/ui/static/app.css"></head><body><header><strong>{t["title"]}'
           f'</strong>{nav}<a href="?lang={other}">{t["lang"]}</a></header>'
           f'<main><h1>{e(title)}</h1>{body}</main></body></html>')
    resp = HTMLResponse(doc, status_code=status)
    resp.set_cookie("edossier_lang", lang, samesite="strict", httponly=True)
    return resp


def secure_headers(resp: Response) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Frame-Options"] = "DENY"
    return resp


def install(app, node) -> None:
    """Add the /ui pages to the node's app."""
    S = node.Session

    @app.middleware("http")
    async def _ui_headers(request: Request, call_next):
        resp = await call_next(request)
        if request.url.path.startswith("/ui"):
            secure_headers(resp)
        return resp

    def current(request: Request):
        found = accounts.session(S, request.cookies.get(COOKIE))
        if found is None:
            return None
        request.state.csrf = found[1]
        return found[0]

    def to_login(request: Request) -> RedirectResponse:
        return RedirectResponse(f"/ui/login?next={quote(request.url.path)}", status_code=303)

    @app.get("/ui/static/app.css", include_in_schema=False)
    async def css():
        return Response(CSS, media_type="text/css")

    @app.get("/ui", include_in_schema=False)
    async def ui_root():
        return RedirectResponse("/ui/inbox", status_code=303)

    @app.get("/ui/login", include_in_schema=False)
    async def login_form(request: Request, failed: int = 0):
        t = L[lang_of(request)]
        token = secrets.token_urlsafe(24)
        nxt = request.query_params.get("next", "/ui/inbox")
        body = (f'<form method="post" action="/ui/login"><input type="hidden" name="csrf" value="{token}">'
                f'<input type="hidden" name="next" value="{e(nxt)}">'
                + (f'<p class="err" id="error">{t["bad_login"]}</p>' if failed else "")
                + f'<label>{t["user"]} <input name="name" id="name" autocomplete="username" required></label>'
                f'<label>{t["password"]} <input type="password" name="password" id="password" '
                f'autocomplete="current-password" required></label><button id="signin">{t["login"]}</button></form>')
        resp = page(request, t["login"], body)
        resp.set_cookie(PRE, token, httponly=True, samesite="strict", path="/ui/login")
        return resp

    @app.post("/ui/login", include_in_schema=False)
    async def login_post(request: Request):
        form = await request.form(max_files=0, max_fields=5)
        if not request.cookies.get(PRE) or form.get("csrf") != request.cookies.get(PRE):
            return page(request, L[lang_of(request)]["login"], f'<p class="err">{L[lang_of(request)]["csrf"]}</p>',
                        status=403)
        done = await run_in_threadpool(accounts.login, S, str(form.get("name", "")), str(form.get("password", "")))
        if done is None:
            node.audit(str(form.get("name", ""))[:64], "login-failed", None)
            return RedirectResponse("/ui/login?failed=1", status_code=303)
        token, user = done
        node.audit(user.name, "login", None)
        nxt = str(form.get("next") or "/ui/inbox")
        resp = RedirectResponse(nxt if nxt.startswith("/ui/") and "//" not in nxt else "/ui/inbox", status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        max_age=accounts.SESSION_HOURS * 3600, path="/")
        resp.delete_cookie(PRE, path="/ui/login")
        return resp

    async def checked_form(request: Request, user, **limits):
        form = await request.form(**limits)
        if form.get("csrf") != request.state.csrf:
            return None
        return form

    @app.post("/ui/logout", include_in_schema=False)
    async def logout(request: Request):
        user = current(request)
        if user is None:
            return to_login(request)
        form = await checked_form(request, user, max_files=0, max_fields=3)
        if form is None:
            return page(request, "403", f'<p class="err">{L[lang_of(request)]["csrf"]}</p>', user=user, status=403)
        accounts.logout(S, request.cookies.get(COOKIE))
        resp = RedirectResponse("/ui/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/")
        return resp

    def verdict_cell(row, t) -> str:
        if row.status != "done":
            return f'<span id="verdict">{t["pending"]}</span>'
        return f'<span id="verdict" class="{e(row.verdict)}">{t.get(row.verdict, e(row.verdict))}</span>'

    @app.get("/ui/inbox", include_in_schema=False)
    async def inbox(request: Request, case: str = ""):
        user = current(request)
        if user is None:
            return to_login(request)
        lang = lang_of(request)
        t = L[lang]
        rows = await run_in_threadpool(node.inbox_rows, case.strip())
        trs = []
        for r in rows:
            sup = r.supervision
            trs.append(f'<tr><td><a href="/ui/inbox/{e(r.id)}">{e(r.case_number or "?")}</a></td>'
                       f'<td>{e(r.submitter_name)}</td><td>{e(edo.show_time(r.created))}</td>'
                       f'<td>{verdict_cell(r, t)}</td>'
                       f'<td>{f"<span class=flag>{t[r.flag]}</span>" if r.flag else ""}</td>'
                       f'<td class="supervision">{e(sup) if sup else ""}</td></tr>')
        body = (f'<form method="get" action="/ui/inbox"><label>{t["case"]} <input name="case" id="case" '
                f'value="{e(case)}"></label><button>{t["search"]}</button></form>'
                + (f'<table id="inbox"><tr><th>{t["case"]}</th><th>{t["from"]}</th><th>{t["received"]}</th>'
                   f'<th>{t["verdict"]}</th><th>{t["flag"]}</th><th>{t["supervise"]}</th></tr>{"".join(trs)}</table>'
                   if trs else f'<p>{t["none"]}</p>'))
        return page(request, t["inbox"], body, user=user)

    def findings_table(findings: list, lang: str, t) -> str:
        if not findings:
            return "<p>-</p>"
        rows = "".join(f'<tr class="{e(f["severity"])}"><td>{e(f["code"])}</td><td>{e(f["severity"])}</td>'
                       f'<td>{e(f["message"]["zh-CN" if lang == "zh-CN" else "en"])}</td><td>{e(f["location"])}</td></tr>'
                       for f in findings)
        return f'<table class="findings">{rows}</table>'

    def stored_page(request: Request, sid: str, kind: str, api: str):
        """The page of one stored package (an inbox submission or a validation), refreshed until done."""
        user = current(request)
        if user is None:
            return to_login(request)
        lang = lang_of(request)
        t = L[lang]
        row = node.get(sid, kind) if sid.isalnum() else None
        if row is None:
            return page(request, "404", "<p>404</p>", user=user, status=404)
        return page(request, f'{t["package"]} {row.name}', detail(row, t, lang, f"{api}/{row.id}"), user=user,
                    refresh=2 if row.status != "done" else None)

    @app.get("/ui/inbox/{sid}", include_in_schema=False)
    async def package_page(request: Request, sid: str):
        return stored_page(request, sid, "inbox", "/v1/inbox")

    def detail(row, t, lang: str, api: str) -> str:
        parts = [f'<p>{t["case"]}: <strong id="case-number">{e(row.case_number or "?")}</strong> · {t["from"]}: '
                 f'{e(row.submitter_name or "-")} · {t["received"]}: {e(edo.show_time(row.created))} · '
                 f'{t["size"]}: {row.size:,} B · SHA-256 <code>{e(row.package_sha256)}</code></p>',
                 f'<p>{t["verdict"]}: {verdict_cell(row, t)}'
                 + (f' <span class="flag" id="flag">{t[row.flag]}</span>' if row.flag else "") + "</p>"]
        if row.status != "done":
            parts.append(f'<p>{t["refresh"]}</p>')
            return "".join(parts)
        rep = node.report_row(row.id)
        doc = json.loads(rep.json)["packages"][0]
        nf = json.loads(rep.node_findings)
        if nf:
            parts.append(f'<h2>{t["node_findings"]}</h2>{findings_table(nf, lang, t)}')
        layers = "".join(f'<tr><td>{x["layer"]:03d}</td><td>{e(x["agency"])}</td><td>{e(x["role"])}</td>'
                         f'<td>{e((x["signature"] or {}).get("indication"))}</td>'
                         f'<td>{e(edo.show_time(_parse((x["signature"] or {}).get("signing_time"))))}</td></tr>'
                         for x in doc["layers"])
        parts.append(f'<h2>{t["layers"]}</h2><table><tr><th>#</th><th>{t["agency"]}</th><th>{t["role"]}</th>'
                     f'<th>{t["signature"]}</th><th>{t["signed"]}</th></tr>{layers}</table>')
        parts.append(f'<h2>{t["findings"]}</h2>{findings_table(doc["findings"], lang, t)}')
        try:
            periods = edo.deadlines(node.report_object(row.id))
        except Exception:  # noqa: BLE001 - a package whose records cannot be read has no periods to show
            periods = []
        if periods:
            trs = "".join(f'<tr class="{e(p["state"])}"><td>{e(p["zh"] if lang == "zh-CN" else p["en"])}</td>'
                          f'<td>{e(p["person"])}</td><td>{e(p["basis"])}</td><td>{e(edo.show_time(p["start"]))}</td>'
                          f'<td>{e(p["end"] or "-")}</td><td>{e(p["state"])}</td></tr>' for p in periods)
            parts.append(f'<h2>{t["deadlines"]}</h2><table id="deadlines">{trs}</table>')
        docs = node.documents(row.id)
        if docs:
            trs = []
            for d in docs:
                view = f"/ui/packages/{e(row.id)}/documents/{d['n']}"
                img = (f'<a href="{view}"><img class="thumb" loading="lazy" src="{view}/pages/1.png?size=thumb" '
                       f'alt="{e(d["title"])}"></a>' if d["n"] <= MAX_THUMBS else "")
                trs.append(f'<tr><td>{img}</td><td><a class="doc" href="{view}">{e(d["title"])}</a></td>'
                           f'<td><code>{e(d["member"])}</code></td><td>{d["pages"]}</td></tr>')
            parts.append(f'<h2>{t["documents"]}</h2><table id="documents"><tr><th></th><th>{t["title_"]}</th>'
                         f'<th>{t["file"]}</th><th>{t["pages"]}</th></tr>{"".join(trs)}</table>')
        events = "".join(f'<tr><td>{e(edo.show_time(db.as_utc(a.at)))}</td><td>{e(a.actor)}</td><td>{e(a.action)}</td>'
                         f'<td>{e(a.detail)}</td></tr>' for a in node.audit_rows(row.id))
        parts.append(f'<h2>{t["audit"]}</h2><table id="audit">{events}</table>')
        links = f'<a id="report" href="{api}?format=html&amp;lang={lang}">{t["report"]}</a>'
        if row.kind == "inbox" and node.receipt_row(row.id) is not None:
            links += f' · <a id="receipt" href="/v1/inbox/{e(row.id)}/receipt">{t["receipt"]}</a>'
        parts.append(f"<p>{links}</p>")
        return "".join(parts)

    def document_of(sid: str, n: int):
        """(submission row, document dict) of a finished submission, or (row or None, None)."""
        row = node.get(sid) if sid.isalnum() else None
        if row is None or row.status != "done":
            return row, None
        docs = node.documents(sid)
        return row, docs[n - 1] if 1 <= n <= len(docs) else None

    @app.get("/ui/packages/{sid}/documents/{n}", include_in_schema=False)
    async def viewer(request: Request, sid: str, n: int, pg: int = Query(1, alias="page")):
        user = current(request)
        if user is None:
            return to_login(request)
        lang = lang_of(request)
        t = L[lang]
        row, doc = await run_in_threadpool(document_of, sid, n)
        count = None if doc is None else node.pages.count(doc["sha256"]) or doc["pages"]
        if doc is None or not 1 <= pg <= max(count, 1):
            return page(request, "404", "<p>404</p>", user=user, status=404)
        base = f"/ui/packages/{e(sid)}/documents/{n}"
        nav = [f'<a id="back" href="/ui/{"inbox" if row.kind == "inbox" else "validations"}/{e(sid)}">{t["back"]}</a>']
        if pg > 1:
            nav.append(f'<a id="prev" href="{base}?page={pg - 1}">{t["prev"]}</a>')
        nav.append(f'<span id="page-number">{e(t["page_of"].format(p=pg, n=count))}</span>')
        if pg < count:
            nav.append(f'<a id="next" href="{base}?page={pg + 1}">{t["next"]}</a>')
        body = (f'<div class="viewer"><p><code>{e(doc["member"])}</code></p><nav>{"".join(nav)}</nav>'
                f'<img id="page-image" src="{base}/pages/{pg}.png" alt="{e(doc["title"])} '
                f'{e(t["page_of"].format(p=pg, n=count))}"></div>')
        return page(request, doc["title"], body, user=user)

    @app.get("/ui/packages/{sid}/documents/{n}/pages/{p}.png", include_in_schema=False)
    async def page_image(request: Request, sid: str, n: int, p: int, size: str = "page"):
        from .responses import error

        user = current(request)
        if user is None:  # an image: a redirect to the sign-in page would not help the <img>
            return JSONResponse({"error": {"code": None, "status": 401, "message": {
                "en": "sign in to see the documents' pages", "zh-CN": "请先登录再查看文书页面"}}}, status_code=401)
        px = pages.SIZES.get(size)
        row, doc = await run_in_threadpool(document_of, sid, n)
        if doc is None or px is None or p < 1:
            return error("N020", id=sid[:64], document=n, page=p)
        def draw() -> bytes:
            source = node.package_file(row.package_sha256)
            if source is None:
                raise edo.PageError("unreadable", "the package file cannot be read from the store",
                                    "无法从存储中读取卷宗包文件")
            return node.pages.get(source, doc["member"], p, px, doc["sha256"])

        try:
            png = await run_in_threadpool(draw)
        except edo.PageError as exc:
            if exc.kind == "no_page":
                return error("N020", id=sid[:64], document=n, page=p)
            resp = error("N021", detail=exc.en, detail_zh=exc.zh)
            if exc.kind == "busy":
                resp.status_code = 503
                resp.headers["Retry-After"] = "5"
            return resp
        # content-addressed: the same URL of the same submission is always the same image
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})

    @app.get("/ui/upload", include_in_schema=False)
    async def upload_form(request: Request):
        user = current(request)
        if user is None:
            return to_login(request)
        t = L[lang_of(request)]
        if user.role not in ("clerk", "admin"):
            return page(request, "403", f'<p class="err">{t["forbidden"]}</p>', user=user, status=403)
        body = (f'<form method="post" action="/ui/upload" enctype="multipart/form-data">'
                f'<input type="hidden" name="csrf" value="{e(request.state.csrf)}">'
                f'<label>{t["file"]} <input type="file" name="package" id="package" accept=".edp" required></label>'
                f'<button id="send">{t["send"]}</button></form>')
        return page(request, t["upload"], body, user=user)

    @app.post("/ui/upload", include_in_schema=False)
    async def upload_post(request: Request):
        user = current(request)
        if user is None:
            return to_login(request)
        lang = lang_of(request)
        t = L[lang]
        if user.role not in ("clerk", "admin"):
            return page(request, "403", f'<p class="err">{t["forbidden"]}</p>', user=user, status=403)
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > node.config.max_upload + 64 * 1024:
            return page(request, "413", f'<p class="err">{t["too_large"]}</p>', user=user, status=413)
        form = await checked_form(request, user, max_files=1, max_fields=3)
        if form is None:
            return page(request, "403", f'<p class="err">{t["csrf"]}</p>', user=user, status=403)
        f = form.get("package")
        if f is None or isinstance(f, str) or not f.filename:
            return page(request, t["upload"], f'<p class="err">{t["nofile"]}</p>', user=user, status=400)
        up = node.store.new_temp()
        try:
            while chunk := await f.read(1024 * 1024):  # the form's file is spooled to disk: copy it in chunks
                up.write(chunk, node.config.max_upload)
        except TooLarge:
            up.discard()
            return page(request, "413", f'<p class="err">{t["too_large"]}</p>', user=user, status=413)
        if up.size == 0:
            up.discard()
            return page(request, t["upload"], f'<p class="err">{t["nofile"]}</p>', user=user, status=400)
        await run_in_threadpool(up.finish)
        outcome = await run_in_threadpool(node.add_validation, up, name=edo.display_name(f.filename), policy="default")
        node.audit(user.name, "uploaded", outcome.id, f"{up.size} bytes")
        return RedirectResponse(f"/ui/validations/{outcome.id}", status_code=303)

    @app.get("/ui/validations/{sid}", include_in_schema=False)
    async def validation_page(request: Request, sid: str):
        return stored_page(request, sid, "validation", "/v1/validations")


def _parse(text):
    import datetime as dt

    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None
