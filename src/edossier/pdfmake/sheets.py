"""Generated pages in Chinese: 卷宗封面 (cover), 卷内目录 (table of contents), 备考表 (remarks sheet).

Each is its own PDF/A-2u document (docs/builder.md). Text is drawn with PyMuPDF in an embedded
CJK font (Droid Sans Fallback, `pymupdf.Font("cjk")`), subset with `subset_fonts()`, then finished
with pikepdf (`/CIDToGIDMap /Identity`, OutputIntent, XMP; PDFA.md §3). Every character is checked
against the font before it is drawn: a character the CJK font lacks (e.g. a CJK Extension B
character in a rare given name) is drawn from the first fallback font that has it (fonts named in
$EDOSSIER_FALLBACK_FONTS, then known system fonts such as HanaMinB from Debian `fonts-hanazono`),
and if none has it the build stops with a clear error naming the character; a glyph is never
silently missing (.notdef).
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..errors import UserError

A4 = (595.28, 841.89)
GENERATED_TYPES = ("卷宗封面", "卷内目录", "备考表")
COVER, TOC, REMARKS = GENERATED_TYPES

# Fonts tried, in order, for characters Droid Sans Fallback lacks (only those that exist are used).
SYSTEM_FALLBACKS = (
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


class GlyphError(UserError):
    """A character no available font can draw (English and Chinese message)."""

    def __init__(self, chars: list[str], where: str = ""):
        shown = "、".join(f"{c}（U+{ord(c):04X}）" for c in chars[:5])
        shown_en = ", ".join(f"{c} (U+{ord(c):04X})" for c in chars[:5])
        at = f"{where}: " if where else ""
        self.chars = chars
        super().__init__(
            f"{at}no embedded font has a glyph for {shown_en}; install a font that covers it "
            "(e.g. Debian fonts-hanazono for CJK Extension B) or name one in EDOSSIER_FALLBACK_FONTS",
            f"{at}没有可嵌入的字体包含字符 {shown}；请安装覆盖该字符的字体（如 Debian 的 fonts-hanazono，"
            "含 CJK 扩展 B 区），或在环境变量 EDOSSIER_FALLBACK_FONTS 中指定字体文件")


class FontSet:
    """The CJK font plus fallbacks; splits text into runs by the font that has each character."""

    def __init__(self, fallback_paths: list[str] | None = None):
        import pymupdf

        self.fonts = [pymupdf.Font("cjk")]
        # Fallbacks are opened only when a character needs one, in order (so the font chosen for a
        # character is the same as with all of them open): Noto Sans CJK alone is a 19.5 MB file that
        # PyMuPDF holds in memory, for sheets that nearly always need no fallback (issue 19, peak RSS).
        self._unopened = list(fallback_paths if fallback_paths is not None else _fallback_paths())
        self._which: dict[str, int] = {}
        self._width: dict[tuple[str, int], float] = {}

    def _open_next(self) -> bool:
        """Open the next fallback font that can be read; False when none is left."""
        import pymupdf

        while self._unopened:
            p = self._unopened.pop(0)
            try:
                self.fonts.append(pymupdf.Font(fontfile=p))
                return True
            except Exception:  # noqa: BLE001 - an unreadable font file is skipped
                continue
        return False

    def font_for(self, ch: str) -> int | None:
        if ch in self._which:
            return self._which[ch]
        found = None
        if ch in "\n\t":
            found = None
        else:
            i = 0
            while found is None and (i < len(self.fonts) or self._open_next()):
                if self.fonts[i].has_glyph(ord(ch)):
                    found = i
                i += 1
        self._which[ch] = found
        return found

    def missing(self, text: str) -> list[str]:
        out = []
        for ch in text:
            if ch not in out and self.font_for(ch) is None and not ch.isspace():
                out.append(ch)
        return out

    def require(self, text: str, where: str = "") -> None:
        miss = self.missing(text)
        if miss:
            raise GlyphError(miss, where)

    def drawable(self, text: str) -> str:
        """The text without characters no font has (for OCR layers, where dropping is the fallback)."""
        return "".join(ch for ch in text if ch == " " or (not ch.isspace() and self.font_for(ch) is not None))

    def runs(self, text: str) -> list[tuple[int, str]]:
        runs: list[tuple[int, str]] = []
        for ch in text:
            i = self.font_for(ch)
            if i is None:
                i = 0 if ch == " " else None
            if i is None:
                raise GlyphError([ch])
            if runs and runs[-1][0] == i:
                runs[-1] = (i, runs[-1][1] + ch)
            else:
                runs.append((i, ch))
        return runs

    def width(self, text: str, size: float) -> float:
        total = 0.0
        for ch in text:
            key = (ch, 0)
            if key not in self._width:
                i = self.font_for(ch)
                f = self.fonts[i if i is not None else 0]
                self._width[key] = f.text_length(ch, fontsize=1.0)
            total += self._width[key] * size
        return total

    def append(self, tw, pos, text: str, size: float):
        """Append text to a TextWriter at pos (baseline start); returns the end point."""
        import pymupdf

        point = pymupdf.Point(pos)
        for i, run in self.runs(text):
            _, point = tw.append(point, run, font=self.fonts[i], fontsize=size)
        return point


def _fallback_paths() -> list[str]:
    env = [p for p in os.environ.get("EDOSSIER_FALLBACK_FONTS", "").split(os.pathsep) if p]
    return env + [p for p in SYSTEM_FALLBACKS if Path(p).is_file()]


@cache
def default_fonts() -> FontSet:
    return FontSet()


def wrap(fonts: FontSet, text: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than width (by character; CJK has no word spaces)."""
    lines: list[str] = []
    for para in (text or "").split("\n"):
        line = ""
        for ch in para:
            if line and fonts.width(line + ch, size) > width:
                lines.append(line)
                line = "" if ch == " " else ch
            else:
                line += ch
        lines.append(line)
    return lines


# ----------------------------------------------------------------------------------------------
# What the pages say


@dataclass(frozen=True)
class TocEntry:
    seq: int
    title: str
    date: dt.date
    first: int
    last: int
    number: str | None = None
    author: str | None = None
    note: str | None = None

    @property
    def pages_label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True)
class VolumeSheet:
    """Everything the cover, table of contents and remarks sheet of one volume show."""

    case_number: str
    case_name: str
    charges: tuple[str, ...]
    agency: str
    volume_title: str
    volume_no: int
    volume_count: int
    layer: int
    created: dt.datetime
    entries: tuple[TocEntry, ...]
    procedure: str | None = None
    suspects: tuple[str, ...] = ()
    compiler: str | None = None  # 立卷人
    earlier_set_layer: int | None = None  # the layer whose set this one supersedes
    added_by_this_layer: int = 0
    ocr_engine: str | None = None
    remarks: tuple[str, ...] = field(default_factory=tuple)

    @property
    def pages(self) -> int:
        return self.entries[-1].last if self.entries else 0

    @property
    def dates(self) -> str:
        if not self.entries:
            return "—"
        lo, hi = min(e.date for e in self.entries), max(e.date for e in self.entries)
        return _date_zh(lo) if lo == hi else f"{_date_zh(lo)} 至 {_date_zh(hi)}"

    def all_text(self) -> str:
        parts = [self.case_number, self.case_name, "".join(self.charges), self.agency, self.volume_title,
                 self.procedure or "", "".join(self.suspects), self.compiler or "", "".join(self.remarks)]
        for e in self.entries:
            parts += [e.title, e.number or "", e.author or "", e.note or ""]
        return "".join(parts)


def _date_zh(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ----------------------------------------------------------------------------------------------
# Drawing


class _Canvas:
    """A PyMuPDF document of A4 pages with helpers for text and rules."""

    def __init__(self, fonts: FontSet):
        import pymupdf

        self.pymupdf = pymupdf
        self.fonts = fonts
        self.doc = pymupdf.open()
        self.page = None
        self.tw = None

    def new_page(self):
        self.flush()
        self.page = self.doc.new_page(width=A4[0], height=A4[1])
        self.tw = self.pymupdf.TextWriter(self.page.rect)
        return self.page

    def flush(self):
        if self.page is not None and self.tw is not None and self.tw.text_rect.width > 0:
            self.tw.write_text(self.page, color=(0, 0, 0))
        self.tw = None

    def text(self, x: float, y: float, s: str, size: float, *, align: str = "left", width: float = 0.0):
        """Text with its baseline at y; align within [x, x + width] when width is given."""
        if not s:
            return
        if align != "left":
            w = self.fonts.width(s, size)
            x = x + (width - w) / (2 if align == "center" else 1)
        self.fonts.append(self.tw, (x, y), s, size)

    def line(self, x0, y0, x1, y1, width=0.6):
        self.page.draw_line((x0, y0), (x1, y1), color=(0, 0, 0), width=width)

    def rect(self, x0, y0, x1, y1, width=0.8):
        self.page.draw_rect((x0, y0, x1, y1), color=(0, 0, 0), width=width)

    def finish(self, *, title: str, author: str | None, created: dt.datetime) -> tuple[bytes, int]:
        import pikepdf

        from .finish import finish_pdfa, fix_cid_fonts

        self.flush()
        self.doc.subset_fonts()
        raw = self.doc.tobytes(garbage=4, deflate=True, no_new_id=True)
        pages = self.doc.page_count
        self.doc.close()
        pdf = pikepdf.open(io.BytesIO(raw))
        fix_cid_fonts(pdf)
        return finish_pdfa(pdf, title=title, author=author, created=created, lang="zh-CN"), pages


M = 48.0  # page margin


def cover_pdf(sheet: VolumeSheet, fonts: FontSet | None = None) -> bytes:
    fonts = fonts or default_fonts()
    fonts.require(sheet.all_text(), COVER)
    c = _Canvas(fonts)
    c.new_page()
    W, H = A4
    c.text(M, 80, sheet.agency, 16, align="center", width=W - 2 * M)
    c.text(M, 160, "刑事案件卷宗", 32, align="center", width=W - 2 * M)
    c.text(M, 205, sheet.volume_title, 22, align="center", width=W - 2 * M)
    c.text(M, 240, f"本案共 {sheet.volume_count} 卷　第 {sheet.volume_no} 卷", 14, align="center", width=W - 2 * M)
    rows = [
        ("案件名称", sheet.case_name),
        ("案件编号", sheet.case_number),
        ("案　　由", "、".join(sheet.charges)),
        ("犯罪嫌疑人", "、".join(sheet.suspects) if sheet.suspects else "—"),
    ]
    if sheet.procedure:
        rows.append(("办理程序", sheet.procedure))
    rows += [
        ("立卷单位", sheet.agency),
        ("起止日期", sheet.dates),
        ("本卷页数", f"共 {sheet.pages} 页（不含封面、卷内目录和备考表）"),
        ("本卷文件", f"共 {len(sheet.entries)} 件"),
        ("立卷日期", _date_zh(sheet.created.date())),
    ]
    if sheet.compiler:
        rows.append(("立 卷 人", sheet.compiler))
    x0, x1, split = M + 20, W - M - 20, M + 130
    y = 300.0
    size = 12
    c.line(x0, y, x1, y)
    for label, value in rows:
        lines = wrap(fonts, value, size, x1 - split - 16)
        h = max(30.0, 10 + 17 * len(lines))
        c.text(x0 + 10, y + h / 2 + size * 0.35, label, size)
        for i, ln in enumerate(lines):
            c.text(split + 8, y + (h - 17 * len(lines)) / 2 + 13 + 17 * i, ln, size)
        c.line(x0, y + h, x1, y + h)
        y += h
    c.line(x0, 300, x0, y)
    c.line(split, 300, split, y)
    c.line(x1, 300, x1, y)
    c.text(M, H - 60, f"电子卷宗 · 第 {sheet.layer} 层编制 · edossier", 9, align="center", width=W - 2 * M)
    data, _ = c.finish(title=f"{sheet.volume_title} 卷宗封面", author=sheet.agency, created=sheet.created)
    return data


TOC_COLUMNS = (("顺序号", 34), ("文号", 86), ("责任者", 86), ("题名", 147), ("日期", 60), ("页号", 48), ("备注", 58))


def toc_pdf(sheet: VolumeSheet, fonts: FontSet | None = None) -> tuple[bytes, int]:
    """The table of contents, as many pages as it needs; returns (bytes, pages)."""
    fonts = fonts or default_fonts()
    fonts.require(sheet.all_text(), TOC)
    c = _Canvas(fonts)
    W, H = A4
    width = sum(w for _, w in TOC_COLUMNS)
    x0 = (W - width) / 2
    size, lead = 9.0, 12.0
    bottom = H - 60

    def header() -> float:
        c.new_page()
        c.text(M, 70, "卷内目录", 20, align="center", width=W - 2 * M)
        c.text(x0, 96, f"案件：{sheet.case_name}（{sheet.case_number}）", 9)
        c.text(x0, 110, f"卷：{sheet.volume_title}　第 {sheet.volume_no} 卷 / 共 {sheet.volume_count} 卷", 9)
        y = 120.0
        c.line(x0, y, x0 + width, y)
        x = x0
        for name, w in TOC_COLUMNS:
            c.text(x, y + 15, name, 10, align="center", width=w)
            x += w
        c.line(x0, y + 22, x0 + width, y + 22)
        return y + 22

    pages_y: list[tuple[float, float]] = []  # (table top, table bottom) per page
    top = y = header()
    for e in sheet.entries:
        cells = [str(e.seq), e.number or "", e.author or "", e.title, e.date.isoformat(), e.pages_label, e.note or ""]
        wrapped = [wrap(fonts, s, size, w - 6) for s, (_, w) in zip(cells, TOC_COLUMNS)]
        h = 8 + lead * max(len(lines) for lines in wrapped)
        if y + h > bottom:
            pages_y.append((top, y))
            top = y = header()
        x = x0
        for lines, (_, w) in zip(wrapped, TOC_COLUMNS):
            for i, ln in enumerate(lines):
                c.text(x + 3, y + 4 + size + lead * i, ln, size)
            x += w
        y += h
        c.line(x0, y, x0 + width, y, 0.4)
    pages_y.append((top, y))
    c.flush()
    total = len(pages_y)
    for n, (t, b) in enumerate(pages_y):
        page = c.doc[n]
        x = x0
        for _, w in ((None, 0),) + TOC_COLUMNS:
            x += w
            page.draw_line((x, t - 22), (x, b), color=(0, 0, 0), width=0.6)
        page.draw_line((x0, b), (x0 + width, b), color=(0, 0, 0), width=0.6)
    # page footers need a TextWriter per page
    for n in range(total):
        c.page = c.doc[n]
        c.tw = c.pymupdf.TextWriter(c.page.rect)
        c.text(M, H - 36, f"第 {n + 1} 页 / 共 {total} 页", 9, align="center", width=W - 2 * M)
        c.flush()
    return c.finish(title=f"{sheet.volume_title} 卷内目录", author=sheet.agency, created=sheet.created)


def remarks_text(sheet: VolumeSheet) -> str:
    parts = [f"本卷共有文件 {len(sheet.entries)} 件，共 {sheet.pages} 页"
             + (f"（页号 1-{sheet.pages}）" if sheet.pages else "") + "。卷宗封面、卷内目录和本备考表不编页号。"]
    if sheet.earlier_set_layer:
        parts.append(f"本卷由第 {sheet.layer} 层（{sheet.agency}）续编，新增文件 {sheet.added_by_this_layer} 件；"
                     f"第 {sheet.earlier_set_layer} 层编制的卷宗封面、卷内目录和备考表保持原样，以本层所编为准。")
    parts.append("卷内扫描页的原始图像已无损嵌入，未经改动。")
    if sheet.ocr_engine:
        parts.append(f"扫描页附有文字识别层（OCR，{sheet.ocr_engine}），识别文字仅供检索和复制，以图像为准。")
    parts += list(sheet.remarks)
    return "\n".join(parts)


def remarks_pdf(sheet: VolumeSheet, fonts: FontSet | None = None) -> bytes:
    fonts = fonts or default_fonts()
    text = remarks_text(sheet)
    fonts.require(sheet.all_text() + text, REMARKS)
    c = _Canvas(fonts)
    c.new_page()
    W, H = A4
    c.text(M, 80, "备考表", 22, align="center", width=W - 2 * M)
    c.text(M, 110, f"{sheet.case_name}　{sheet.volume_title}（第 {sheet.volume_no} 卷）", 10, align="center",
           width=W - 2 * M)
    x0, x1, y0 = M + 10, W - M - 10, 130.0
    c.text(x0 + 10, y0 + 22, "本卷情况说明：", 12)
    lines = wrap(fonts, text, 11, x1 - x0 - 40)
    for i, ln in enumerate(lines[:34]):
        c.text(x0 + 30, y0 + 48 + 17 * i, ln, 11)
    y1 = H - 190
    c.rect(x0, y0, x1, y1)
    y = y1 + 40
    c.text(x0 + 200, y, f"立卷人：{sheet.compiler or sheet.agency}", 12)
    c.text(x0 + 200, y + 30, "检查人：", 12)
    c.line(x0 + 250, y + 32, x1 - 20, y + 32, 0.5)
    c.text(x0 + 200, y + 60, f"立卷时间：{_date_zh(sheet.created.date())}", 12)
    data, _ = c.finish(title=f"{sheet.volume_title} 备考表", author=sheet.agency, created=sheet.created)
    return data


# ----------------------------------------------------------------------------------------------
# Which sets a layer writes (docs/builder.md "Generated pages")


def plan_volume_sheets(earlier, new_documents, *, layer: int, case, agency, new_volumes, persons, created: dt.datetime,
                       compiler: str | None = None, ocr_engine: str | None = None) -> list[tuple[str, VolumeSheet]]:
    """One sheet per volume this layer adds or adds documents to. `earlier` are the records of the
    earlier layers in layer order; `new_documents` this layer's documents (record.model.Document).

    A volume's pages are numbered from 1 over its documents in reading order: the documents of the
    earlier layers in layer and record order, then this layer's; cover, table of contents and
    remarks sheet are not numbered (and are not listed)."""
    volumes: dict[str, object] = {}
    volume_order: list[str] = []
    for rec in earlier:
        for v in rec.volumes:
            if v.id not in volumes:
                volume_order.append(v.id)
            volumes[v.id] = v
    for v in new_volumes:
        if v.id not in volumes:
            volume_order.append(v.id)
        volumes[v.id] = v
    touched = []
    for v in new_volumes:
        if v.id not in touched:
            touched.append(v.id)
    for d in new_documents:
        if d.type not in GENERATED_TYPES and d.volume not in touched:
            touched.append(d.volume)
    suspects = tuple(dict.fromkeys(p.name for p in persons if p.role == "suspect"))
    sheets = []
    for vid in touched:
        entries: list[TocEntry] = []
        page = 1
        earlier_set = None
        added = 0
        first_layer = None
        for layer_no, docs in [(r.layer, r.documents) for r in earlier] + [(layer, new_documents)]:
            for d in docs:
                if d.volume != vid:
                    continue
                if d.type in GENERATED_TYPES:
                    if layer_no != layer and d.type == TOC:
                        earlier_set = layer_no
                    continue
                first_layer = first_layer or layer_no
                if layer_no == layer:
                    added += 1
                note = f"第{layer_no}层新增" if layer_no != first_layer else None
                entries.append(TocEntry(len(entries) + 1, d.title, d.date, page, page + d.pages - 1,
                                        number=d.number, author=d.author, note=note))
                page += d.pages
        vol = volumes[vid]
        sheets.append((vid, VolumeSheet(
            case_number=case.number, case_name=case.name, charges=tuple(case.charges), agency=agency.name,
            volume_title=vol.title, volume_no=volume_order.index(vid) + 1, volume_count=len(volume_order),
            layer=layer, created=created, entries=tuple(entries), procedure=case.procedure, suspects=suspects,
            compiler=compiler, earlier_set_layer=earlier_set, added_by_this_layer=added, ocr_engine=ocr_engine)))
    return sheets

