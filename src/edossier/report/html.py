"""HTML validation report: one self-contained file a person reads in any browser.

Inline CSS, no scripts, no external resources (thumbnails are PNG data: URIs; the CJK font is a subset
embedded as a WOFF2 data: URI, webfont.py, so Chinese reads the same without installed fonts). Per package: a verdict
banner (green 接收/ACCEPT, red 拒收/REJECT), the findings table (message in the chosen language, the
other language on a second line and as a tooltip), the dossier's layers and table of contents, and a
thumbnail of every page a finding points at (rendered with PyMuPDF from the package's own bytes).

Everything shown comes from the package and is escaped: the report displays hostile input.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..version import __version__
from ..findings import severity_counts, spec_link
from ..i18n import raw, section
from ..i18n.explain import show_location
from ..pdfmake.sheets import COVER, GENERATED_TYPES, REMARKS, TOC
from ..timefmt import indication_plain, show
from ..webfont import FAMILY, PLACEHOLDER, embed

MAX_THUMBNAILS = 60  # per package
MAX_PDF_BYTES = 64 * 1024 * 1024  # a larger document is noted, not rendered
THUMBNAIL_DPI = 40
MAX_THUMBNAIL_PX = 480  # longest side; bounds memory for absurd page sizes

_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_PAGE = re.compile(r"\bpage\s+(\d{1,9})\b", re.IGNORECASE)

# labels from the message catalogue (edossier.i18n, section html)
_L = {lang: {**section("html", lang), **section("verdict", lang), "counts": raw("counts.line", lang),
             "sev": section("severity", lang), "stages": section("stage", lang), "roles": section("role", lang),
             "kinds": section("volume_kind", lang), "lang": lang}
      for lang in ("en", "zh-CN")}

# Shared with the statistics dashboard (stats/render.py), so both reports look alike. The page's own
# embedded CJK font (webfont.py: PLACEHOLDER becomes its @font-face rule) comes first, so that Chinese
# never depends on the fonts installed where the page is read (issue #16); in monospace text it follows
# the generic family, which then draws the Latin and leaves only the Chinese to the embedded font.
MONO = f'ui-monospace,Menlo,Consolas,monospace,"{FAMILY}"'
BASE_CSS = PLACEHOLDER + """
:root{--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--info:#0969da;--sup:#8250df;--line:#d0d7de;--muted:#57606a}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#1f2328;background:#fff;
font:15px/1.5 "%s","Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",
system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
""" % FAMILY

_CSS = BASE_CSS + """h1{font-size:1.5rem;margin:.2rem 0 .3rem}h2{font-size:1.15rem;margin:1.4rem 0 .5rem;
border-bottom:1px solid var(--line);padding-bottom:.2rem}h3{font-size:1rem;margin:1rem 0 .3rem}
.meta,.alt,.note{color:var(--muted);font-size:.85em}
.package{margin:1.5rem 0 2.5rem}
.verdict{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem 1rem;padding:.8rem 1.1rem;border-radius:6px;
color:#fff}
.verdict.accept{background:var(--ok)}.verdict.reject{background:var(--bad)}
.verdict .word{font-size:1.9rem;font-weight:700;letter-spacing:.05em}
.verdict .other{font-size:1.1rem;opacity:.9}
.verdict .path{font-family:@MONO;word-break:break-all}
.verdict .counts{flex-basis:100%;font-size:.95rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
td.loc,td.file,code{font-family:@MONO;font-size:.85em;word-break:break-all}
.sev{font-weight:600;white-space:nowrap}.sev.error{color:var(--bad)}.sev.warning{color:var(--warn)}
.sev.info{color:var(--info)}.sev.supervision{color:var(--sup)}
tr.supervision td:first-child{border-left:4px solid var(--sup)}.badge.supervision{background:#fbefff;color:var(--sup)}
tr.error td:first-child{border-left:4px solid var(--bad)}tr.warning td:first-child{border-left:4px solid var(--warn)}
tr.info td:first-child{border-left:4px solid var(--info)}
.ind-TOTAL_PASSED{color:var(--ok);font-weight:600}.ind-TOTAL_FAILED{color:var(--bad);font-weight:600}
.ind-INDETERMINATE{color:var(--warn);font-weight:600}
.badge{display:inline-block;padding:0 .35rem;margin:0 .15rem .1rem 0;border-radius:3px;font-size:.8em;
background:#eee;font-family:@MONO}
.badge.error{background:#ffebe9;color:var(--bad)}.badge.warning{background:#fff8c5;color:var(--warn)}
.badge.info{background:#ddf4ff;color:var(--info)}
dl.case{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0}dl.case dt{font-weight:600}
dl.case dd{margin:0}
.thumbs{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;padding:.4rem;border:1px solid var(--line);border-radius:4px;max-width:260px;background:#fafbfc}
figure img{display:block;max-width:100%;height:auto;border:1px solid #ccc;background:#fff}
figure.placeholder .ph{width:170px;min-height:240px;padding:.5rem;border:1px dashed var(--warn);background:#fff8e6;
font-size:.8em;color:#4d3800}figure.placeholder .ph p{margin:.3rem 0}
figcaption{font-size:.8em;margin-top:.3rem;word-break:break-all}
ul.notes{margin:.3rem 0;padding-left:1.2rem}
@media print{.package{break-before:page}.verdict{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
""".replace("@MONO", MONO)


def clean(value: object) -> str:
    """Text safe to put in HTML: characters HTML cannot carry are shown as escapes (\\x01)."""
    s = "" if value is None else str(value)
    return _BAD_CHARS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), s)


def e(value: object) -> str:
    return html.escape(clean(value), quote=True)


@dataclass
class _Target:
    member: str
    page: int | None  # 1-based; None: the first page
    findings: list = field(default_factory=list)


def _doc_member(location: str, files: set[str]) -> tuple[str, int | None] | None:
    """(member, page) when a finding's location names a PDF document of the package."""
    if not location:
        return None
    member, sep, rest = location.partition(" (")
    if member not in files and not member.lower().endswith(".pdf"):
        return None
    m = _PAGE.search(rest) if sep else None
    return member, int(m.group(1)) if m else None


def _thumbnail_targets(rep, files: set[str]) -> list[_Target]:
    targets: dict[tuple[str, int | None], _Target] = {}
    for f in rep.sorted_findings():
        hit = _doc_member(f.location, files)
        if hit is None:
            continue
        targets.setdefault(hit, _Target(*hit)).findings.append(f)
    return list(targets.values())


def _render_thumbnails(path: str, targets: list[_Target], L: dict, *, dpi: int, max_count: int,
                       max_pdf_bytes: int) -> tuple[list[tuple[_Target, int, str]], list[str]]:
    """([(target, page number, data URI)], [notes]). Never raises: every problem is a note."""
    from ..container.zipio import open_package

    shown: list[tuple[_Target, int, str]] = []
    notes: list[str] = []
    if not targets:
        return shown, notes
    if len(targets) > max_count:
        notes.append(L["n_limit"].format(n=max_count))
        targets = targets[:max_count]
    try:
        opened = open_package(Path(path))
    except Exception:  # noqa: BLE001
        opened = []
    if isinstance(opened, list):
        return shown, [L["n_package"]]
    try:
        import pymupdf
    except Exception as exc:  # noqa: BLE001
        opened.close()
        return shown, [L["n_off"] + f" (PyMuPDF: {exc})"]
    previous = pymupdf.TOOLS.mupdf_display_errors()
    pymupdf.TOOLS.mupdf_display_errors(False)
    by_member: dict[str, list[_Target]] = {}
    for t in targets:
        by_member.setdefault(t.member, []).append(t)
    try:
        with opened as pkg:
            for member, group in by_member.items():
                doc = _open_pdf(pkg, member, L, max_pdf_bytes, pymupdf)  # one document open at a time
                if isinstance(doc, str):
                    notes.append(doc)
                    continue
                try:
                    for t in group:
                        item = _thumbnail(doc, t, L, dpi, pymupdf)
                        if isinstance(item, str):
                            notes.append(item)
                        else:
                            shown.append(item)
                finally:
                    doc.close()
    except Exception as exc:  # noqa: BLE001 - a report is never lost to a thumbnail
        notes.append(L["n_off"] + f" ({exc or type(exc).__name__})")
    finally:
        pymupdf.TOOLS.mupdf_display_errors(previous)
    return shown, notes


def _page_png(doc, number: int, *, dpi: float, max_px: int, pymupdf) -> bytes:
    """PNG of page `number` (1-based) at `dpi`, its longest side at most `max_px` (bounds memory for
    absurd page sizes). Raises on a page that cannot be drawn."""
    page = doc.load_page(number - 1)
    longest = max(page.rect.width, page.rect.height, 1.0)
    zoom = min(dpi / 72.0, max_px / longest)
    return page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False).tobytes("png")


def _thumbnail(doc, t: _Target, L: dict, dpi: int, pymupdf) -> tuple[_Target, int, str] | str:
    """(target, page number, PNG data URI) for one page, or a note saying why not."""
    number = t.page or 1
    try:
        count = doc.page_count
        if not 1 <= number <= count:
            return L["n_nopage"].format(m=t.member, n=number, count=count)
        png = _page_png(doc, number, dpi=dpi, max_px=MAX_THUMBNAIL_PX, pymupdf=pymupdf)
    except Exception as exc:  # noqa: BLE001
        return L["n_unopenable"].format(m=t.member, why=str(exc) or type(exc).__name__)
    return t, number, "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class PageError(Exception):
    """A page that cannot be rendered: `kind` is missing | too_large | unreadable | no_page | unopenable
    (and, from a `thumbnailer` that renders elsewhere, timeout | crashed | busy: PLACEHOLDER_KINDS).
    `note` is in the report's language, `note_other` (optional) in the other one."""

    def __init__(self, kind: str, note: str, count: int | None = None, note_other: str | None = None):
        super().__init__(note)
        self.kind, self.note, self.count, self.note_other = kind, note, count, note_other


# a page whose renderer was stopped (time or memory) or never got a turn: the report shows a box in
# its place, with the reason in both languages, rather than only a note under the thumbnails
PLACEHOLDER_KINDS = frozenset({"timeout", "crashed", "busy"})


def _render_with(thumbnailer, path, targets: list[_Target], L: dict, *, max_count: int):
    """([(target, page, data URI)], [(target, page, PageError)], [notes]) from `thumbnailer(path, member,
    page) -> PNG bytes` (which raises PageError). Never raises: every other problem is a note."""
    shown, placeholders, notes = [], [], []
    if len(targets) > max_count:
        notes.append(L["n_limit"].format(n=max_count))
        targets = targets[:max_count]
    for t in targets:
        number = t.page or 1
        try:
            png = thumbnailer(path, t.member, number)
        except PageError as exc:
            if exc.kind in PLACEHOLDER_KINDS:
                placeholders.append((t, number, exc))
            else:
                notes.append(exc.note)
            continue
        except Exception as exc:  # noqa: BLE001 - a report is never lost to a thumbnail
            notes.append(L["n_off"] + f" ({exc or type(exc).__name__})")
            continue
        shown.append((t, number, "data:image/png;base64," + base64.b64encode(png).decode("ascii")))
    return shown, placeholders, notes


def render_page(path, member: str, number: int, *, max_px: int, lang: str = "en",
                max_pdf_bytes: int = MAX_PDF_BYTES, sha256: str | None = None) -> tuple[bytes, int]:
    """(PNG, page count) of page `number` (1-based) of the PDF `member` of the package at `path`,
    its longest side `max_px` pixels — the thumbnails' renderer, one page at a time (the exchange
    node's page viewer). The same bounds: the member is read only up to `max_pdf_bytes`. With
    `sha256` (hex), the member's bytes must have that digest (kind "digest" otherwise): a caller that
    caches pages by document digest never files one document's pages under another's. Raises
    PageError with a note in `lang` for every reason it cannot."""
    from ..container.zipio import open_package

    import pymupdf

    L = _L["zh-CN" if lang.startswith("zh") else "en"]
    opened = open_package(Path(path))
    if isinstance(opened, list):
        raise PageError("unreadable", L["n_package"])
    previous = pymupdf.TOOLS.mupdf_display_errors()
    pymupdf.TOOLS.mupdf_display_errors(False)
    try:
        with opened as pkg:
            data = _read_pdf(pkg, member, L, max_pdf_bytes)
            info = pkg.infos.get(member)
        if sha256 is not None and isinstance(data, bytes) and hashlib.sha256(data).hexdigest() != sha256:
            raise PageError("digest", L["n_unreadable"].format(m=member, why="SHA-256 differs from the manifest's"))
        doc = _open_pdf(None, member, L, max_pdf_bytes, pymupdf, data)
        if isinstance(doc, str):
            kind = "missing" if info is None else "too_large" if info.file_size > max_pdf_bytes else "unopenable"
            raise PageError(kind, doc)
        with doc:
            count = doc.page_count
            if not 1 <= number <= count:
                raise PageError("no_page", L["n_nopage"].format(m=member, n=number, count=count), count)
            try:
                # the dpi is only a ceiling here: max_px decides the size of a viewer page
                return _page_png(doc, number, dpi=600, max_px=max_px, pymupdf=pymupdf), count
            except Exception as exc:  # noqa: BLE001 - MuPDF raises its own types for broken pages
                raise PageError("unopenable", L["n_unopenable"].format(m=member, why=str(exc) or type(exc).__name__),
                                count) from None
    finally:
        pymupdf.TOOLS.mupdf_display_errors(previous)


def _read_pdf(pkg, member: str, L: dict, max_pdf_bytes: int) -> bytes | str:
    """A PDF member's bytes (bounded read), or a note saying why not."""
    info = pkg.infos.get(member)
    if info is None:
        return L["n_missing"].format(m=member)
    if info.file_size > max_pdf_bytes:
        return L["n_toolarge"].format(m=member, limit=max_pdf_bytes)
    try:
        return pkg.read(member, max_pdf_bytes)
    except Exception as exc:  # noqa: BLE001
        return L["n_unreadable"].format(m=member, why=str(exc) or type(exc).__name__)


def _open_pdf(pkg, member: str, L: dict, max_pdf_bytes: int, pymupdf, data: bytes | str | None = None):
    """An open pymupdf document, or a note saying why not."""
    if data is None:
        data = _read_pdf(pkg, member, L, max_pdf_bytes)
    if isinstance(data, str):
        return data
    try:
        return pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # noqa: BLE001
        return L["n_unopenable"].format(m=member, why=str(exc) or type(exc).__name__)


def _time(value, tz: dt.tzinfo | None = None) -> str:
    """An instant in the display zone (Asia/Shanghai unless --tz), "–" for none."""
    return show(value, tz, seconds=True, empty="–")


def _message_cell(f, lang: str) -> str:
    other = "en" if lang == "zh-CN" else "zh-CN"
    return (f'<div lang="{lang}" title="{e(f.message(other))}">{e(f.message(lang))}</div>'
            f'<div class="alt" lang="{other}">{e(f.message(other))}</div>')


def _banner(rep, L: dict, O: dict, counts: dict) -> str:
    v = rep.verdict
    return (f'<div class="verdict {v}" role="status" data-verdict="{v}">'
            f'<span class="word">{e(L[v])}</span><span class="other" lang="{O["lang"]}">{e(O[v])}</span>'
            f'<span class="path">{e(rep.path)}</span>'
            f'<span class="counts">{e(L["counts"].format(s=counts["supervision"], e=counts["error"], w=counts["warning"], i=counts["info"]))}'
            f"</span></div>")


def _findings_table(rep, L: dict, lang: str) -> str:
    findings = rep.sorted_findings()
    if not findings:
        return f'<p class="note">{e(L["no_findings"])}</p>'
    rows = []
    for f in findings:
        spec = spec_link(f.spec)
        code = f'<code title="{e(L["spec"])}: {e(spec)}">{e(f.code)}</code>' if spec else f"<code>{e(f.code)}</code>"
        if f.rule_id:
            code += f'<div class="alt">{e(f.rule_id)}</div>'
        rows.append(f'<tr class="{e(f.severity)}"><td>{code}</td>'
                    f'<td><span class="sev {e(f.severity)}">{e(L["sev"][f.severity])}</span></td>'
                    f'<td>{e(L["stages"][f.stage])}</td><td class="loc">{e(show_location(f.location, lang))}</td>'
                    f"<td>{_message_cell(f, lang)}</td></tr>")
    head = "".join(f"<th>{e(L[k])}</th>" for k in ("code", "severity", "stage", "location", "message"))
    return f'<table class="findings"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _layers_table(rep, L: dict, lang: str = "en", tz: dt.tzinfo | None = None) -> str:
    if not rep.layers:
        return f'<p class="note">{e(L["no_layers"])}</p>'
    cols = ("layer", "agency", "role", "lstage", "created", "signer", "signing_time", "timestamp", "indication")
    rows = []
    for lr in rep.layers:
        r, s = lr.record, lr.signature
        agency = (f'{e(r.agency.name)}<div class="alt">{e(r.agency.credit_code)}</div>' if r else "?")
        role = e(L["roles"].get(r.agency.role, r.agency.role)) if r else "?"
        if s is not None:
            # the plain meaning first (签名有效 / valid), the ETSI code as secondary information
            other = "en" if lang == "zh-CN" else "zh-CN"
            ind = (f'<span class="ind-{e(s.indication)}" title="{e(indication_plain(s.indication, other))}">'
                   f'{e(indication_plain(s.indication, lang))}</span>'
                   f'<div class="alt"><code>{e(s.indication)}</code>'
                   + (f" {e(s.sub_indication)}" if s.sub_indication else "") + "</div>")
        else:
            ind = "–"
        cells = [f"{lr.layer:03d}", agency, role, e(r.stage or "–") if r else "–", e(_time(r.created, tz)) if r else "–",
                 e(s.signer or "–") if s else "–", e(_time(s.signing_time, tz)) if s else "–",
                 e(_time(s.timestamp, tz)) if s else "–", ind]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{e(L[k])}</th>" for k in cols)
    return f'<table class="layers"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


# Filing order of a volume (DOMAIN.md §2.1, after 《公安机关刑事案卷立卷规范》 2014, CHINA-STANDARDS.md; sheet
# layouts GB/T 9705-2008): 卷宗封面, then 卷内目录, then the documents, then 备考表. A volume is paginated
# from 1 over its documents only: cover, 目录 and 备考表 are not numbered, as the generated 备考表 itself
# states (pdfmake/sheets.py remarks_text) and as the 卷内目录's 页号 column and the reading copy (export.py)
# count. Each layer that touches a volume adds its own set of these sheets; all are listed, each set in
# layer order, the documents in layer and record order as numbered by plan_volume_sheets.
_FILING_GROUP = {COVER: 0, TOC: 0, REMARKS: 2}  # documents: 1


def _filing_order(documents) -> list:
    """(layer, document) of one volume in filing order: each layer's cover then its 目录, the documents,
    the 备考表 (a stable sort: layer and record order kept within each group)."""
    def key(item):
        group = _FILING_GROUP.get(item[1].type, 1)
        return (group, item[0] if group == 0 else 0, item[1].type == TOC)

    return sorted(documents, key=key)


def _toc(dossier, by_member: dict[str, list], L: dict) -> str:
    if not dossier.records:
        return f'<p class="note">{e(L["no_toc"])}</p>'
    out = []
    case = dossier.case
    if case is not None:
        out.append(f'<dl class="case"><dt>{e(L["case_number"])}</dt><dd>{e(case.number)}</dd>'
                   f'<dt>{e(L["case_name"])}</dt><dd>{e(case.name)}</dd>'
                   f'<dt>{e(L["charges"])}</dt><dd>{e("、".join(case.charges))}</dd></dl>')
    # the case's documents and their pages, as the 卷内目录 counts them: the generated sheets are not numbered
    case_docs = [d for _, d in dossier.documents if d.type not in GENERATED_TYPES]
    out.append(f'<p class="note">{e(L["total"].format(d=len(case_docs), p=sum(d.pages for d in case_docs)))}</p>')
    order = list(dossier.volumes)
    for _, d in dossier.documents:
        if d.volume not in order:
            order.append(d.volume)
    cols = ("layer", "doc", "type", "doc_title", "number", "date", "pages", "vpages", "file", "flagged")
    head = "".join(f"<th>{e(L[k])}</th>" for k in cols)
    for vid in order:
        v = dossier.volumes.get(vid)
        title = f"{v.title}" if v else "?"
        kind = f" ({L['kinds'].get(v.kind, v.kind)})" if v and v.kind else ""
        out.append(f'<h3>{e(L["volume"])} <code>{e(vid)}</code> {e(title)}<span class="alt">{e(kind)}</span></h3>')
        rows, first = [], 1
        for layer, d in _filing_order(d for d in dossier.documents if d[1].volume == vid):
            if d.type in GENERATED_TYPES:
                span = "–"  # cover, 卷内目录 and 备考表 carry no page number
            else:
                last = first + max(d.pages, 1) - 1
                span = f"{first}–{last}" if last > first else f"{first}"
                first = last + 1
            badges = "".join(f'<span class="badge {e(f.severity)}" title="{e(f.message_en)}">{e(f.code)}</span>'
                             for f in by_member.get(d.file, []))
            cells = [f"{layer:03d}", f"<code>{e(d.id)}</code>", e(d.type), e(d.title), e(d.number or "–"),
                     e(d.date.isoformat()), e(d.pages), e(span)]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells)
                        + f'<td class="file">{e(d.file)}</td><td>{badges}</td></tr>')
        out.append(f'<table class="toc"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return "".join(out)


def _package_section(i: int, rep, lang: str, *, thumbnails: bool, dpi: int, max_thumbnails: int,
                     max_pdf_bytes: int, tz: dt.tzinfo | None = None, source=None, thumbnailer=None) -> str:
    from ..record.fold import fold

    L, O = _L[lang], _L["en" if lang == "zh-CN" else "zh-CN"]
    findings = rep.sorted_findings()
    counts = severity_counts(findings)
    try:
        dossier = fold([lr.record for lr in rep.layers if lr.record is not None])
    except Exception:  # noqa: BLE001 - records that fold badly still get a report
        dossier = fold([])
    files = {d.file for _, d in dossier.documents}
    by_member: dict[str, list] = {}
    for f in findings:
        member = f.location.partition(" (")[0]
        if member in files and f not in by_member.setdefault(member, []):
            by_member[member].append(f)
    parts = [f'<section class="package" id="pkg-{i}">', _banner(rep, L, O, counts),
             f'<h2>{e(L["findings"])}</h2>', _findings_table(rep, L, lang),
             f'<h2>{e(L["layers"])}</h2>', _layers_table(rep, L, lang, tz),
             f'<h2>{e(L["toc"])}</h2>', _toc(dossier, by_member, L)]
    targets = _thumbnail_targets(rep, files)
    if targets:
        parts.append(f'<h2>{e(L["thumbs"])}</h2>')
        placeholders: list = []
        if thumbnails and thumbnailer is not None:
            shown, placeholders, notes = _render_with(thumbnailer, source or rep.path, targets, L,
                                                      max_count=max_thumbnails)
        elif thumbnails:
            shown, notes = _render_thumbnails(source or rep.path, targets, L, dpi=dpi, max_count=max_thumbnails,
                                              max_pdf_bytes=max_pdf_bytes)
        else:
            shown, notes = [], [L["n_off"]]
        if shown or placeholders:
            figs = []

            def caption(t, number):
                codes = " ".join(f'<span class="badge {e(f.severity)}" title="{e(f.message(lang))}">'
                                 f"{e(f.code)}</span>" for f in t.findings)
                return (f'<figcaption><code>{e(t.member)}</code> {e(L["page"].format(n=number))}'
                        f"<div>{codes}</div></figcaption>")

            for t, number, uri in shown:
                alt = f"{t.member} {L['page'].format(n=number)}"
                figs.append(f'<figure><img src="{uri}" alt="{e(alt)}">{caption(t, number)}</figure>')
            for t, number, exc in placeholders:
                other = (f'<p lang="{O["lang"]}">{e(exc.note_other)}</p>' if exc.note_other else "")
                figs.append(f'<figure class="placeholder" data-kind="{e(exc.kind)}"><div class="ph">'
                            f'<strong>{e(L["n_placeholder"])} / <span lang="{O["lang"]}">{e(O["n_placeholder"])}'
                            f'</span></strong><p>{e(exc.note)}</p>{other}</div>{caption(t, number)}</figure>')
            parts.append(f'<div class="thumbs">{"".join(figs)}</div>')
        if notes:
            parts.append('<ul class="notes note">' + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(reports, *, lang: str = "en", thumbnails: bool = True, thumbnail_dpi: int = THUMBNAIL_DPI,
                max_thumbnails: int = MAX_THUMBNAILS, max_pdf_bytes: int = MAX_PDF_BYTES,
                generated: dt.datetime | None = None, trust: dict | None = None,
                tz: dt.tzinfo | None = None, sources=None, thumbnailer=None) -> str:
    """The HTML report (one self-contained document) for a list of PackageReport.

    Reads the PDF members that findings point at from the packages (bounded reads) to draw
    thumbnails; `thumbnails=False` skips that and reads nothing. Times are shown in `tz` (default
    Asia/Shanghai, timefmt.zone). `sources`, one path per report, is where the thumbnails are read
    from when it is not the report's path (the exchange node names a package by the sender's file
    name but stores it by digest). `thumbnailer(path, member, page) -> PNG bytes`, when given, draws
    each thumbnail instead of this process (the exchange node: a killable child with time and memory
    limits); a page it could not draw in time (PageError of a PLACEHOLDER_KINDS kind) is shown as a
    box with the reason, never waited for."""
    lang = "zh-CN" if lang.startswith("zh") else "en"
    L, O = _L[lang], _L["en" if lang == "zh-CN" else "zh-CN"]
    reports = list(reports)
    when = _time(generated or dt.datetime.now(dt.timezone.utc), tz)
    rejected = sum(1 for r in reports if r.verdict == "reject")
    overall = "reject" if rejected else "accept"
    head = (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="edossier {e(__version__)}">\n'
            f'<meta name="edossier-verdict" content="{overall}">\n'
            f'<title>{e(L["title"])} – {e(L[overall])} / {e(O[overall])}</title>\n'
            f"<style>{_CSS}</style>\n</head>\n<body>\n")
    top = [f'<header><h1>{e(L["title"])}</h1><div class="meta"><span lang="{O["lang"]}">{e(O["title"])}</span> · {e(L["tool"])}: edossier '
           f'{e(__version__)} · {e(L["generated"])}: {e(when)}</div></header>']
    if trust is not None:
        from .trustinfo import trust_line

        top.append(f'<p class="meta trust-list">{e(trust_line(trust, lang))}</p>')
    if len(reports) > 1:
        summary = L["some_reject"].format(n=rejected, t=len(reports)) if rejected else L["all_accept"]
        rows = []
        for i, rep in enumerate(reports):
            c = severity_counts(rep.findings)
            rows.append(f'<tr class="{"error" if rep.verdict == "reject" else ""}"><td><a href="#pkg-{i}">'
                        f'{e(rep.path)}</a></td><td><span class="sev {"error" if rep.verdict == "reject" else ""}">'
                        f'{e(L[rep.verdict])} / <span lang="{O["lang"]}">{e(O[rep.verdict])}</span></span></td>'
                        f'<td>{e(L["counts"].format(s=c["supervision"], e=c["error"], w=c["warning"], i=c["info"]))}</td></tr>')
        top.append(f'<h2>{e(L["overview"])}</h2><p>{e(summary)}</p><table class="overview"><thead><tr>'
                   f'<th>{e(L["package"])}</th><th>{e(L["accept"])}/{e(L["reject"])}</th>'
                   f'<th>{e(L["findings"])}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    body = [_package_section(i, rep, lang, thumbnails=thumbnails, dpi=thumbnail_dpi, max_thumbnails=max_thumbnails,
                             max_pdf_bytes=max_pdf_bytes, tz=tz, source=sources[i] if sources else None,
                             thumbnailer=thumbnailer)
            for i, rep in enumerate(reports)]
    return embed(head + "\n".join(top + body) + "\n</body>\n</html>\n")

