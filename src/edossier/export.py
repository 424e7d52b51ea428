"""Reading copy: one volume of a package merged into one PDF/A-2u file (docs/builder.md "Export").

Reading order: the volume's latest 卷宗封面 and 卷内目录, its documents in the table of contents'
order (earlier layers first, record order within a layer), then its latest 备考表. Bookmarks mirror
the table of contents; page labels show 封面, 目录-1…, the volume's page numbers 1…N and 备考表, so a
viewer's page box agrees with the 页号 column. If the package has no generated pages for the volume
(built with --no-generated-pages), they are made for the reading copy only. The package is read,
never changed; image and font streams are copied as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from .building.base import _read_base
from .building.pipeline import BuildError, source_date
from .fsutil import Input, atomic_output, guard_output
from .pdfmake.finish import finish_pdfa, pdfa_claim
from .pdfmake.sheets import COVER, GENERATED_TYPES, REMARKS, TOC, cover_pdf, plan_volume_sheets, remarks_pdf, toc_pdf
from .record.fold import fold
from .errors import UserError


class ExportError(UserError):
    """Export: English and Chinese message (errors.UserError)."""


@dataclass(frozen=True)
class ExportResult:
    output: Path
    volume_id: str
    volume_title: str
    documents: int
    pages: int
    conformance: str
    issues: tuple[str, ...] = ()  # PDF/A checker findings on the reading copy (empty when it passes)


def _volume(dossier, volume: str | int | None):
    order = list(dossier.volumes)
    if not order:
        raise ExportError("the package has no volume", "卷宗包中没有卷")
    if volume is None:
        return order[0], 1
    text = str(volume)
    if text in dossier.volumes:
        return text, order.index(text) + 1
    if text.isdigit() and 1 <= int(text) <= len(order):
        return order[int(text) - 1], int(text)
    raise ExportError(f"no volume {text!r}: the package has {', '.join(f'{i + 1} ({v})' for i, v in enumerate(order))}",
                      f"没有卷 {text!r}：卷宗包中的卷为 {'、'.join(f'{i + 1}（{v}）' for i, v in enumerate(order))}")


def export_volume(package: Path, output: Path, *, volume: str | int | None = None,
                  created: dt.datetime | None = None) -> ExportResult:
    package, output = Path(package), Path(output)
    guard_output(output, [Input(package, "the package", "卷宗包")], what=("the reading copy", "输出的阅读本"))
    try:
        base = _read_base(package)
    except BuildError as exc:
        raise ExportError(exc.en, exc.zh) from None
    records = base.records
    dossier = fold(records)
    vid, number = _volume(dossier, volume)
    vol = dossier.volumes[vid]
    created = created or source_date() or records[-1].created
    latest = {}
    docs = []
    for layer, d in dossier.documents:
        if d.volume != vid:
            continue
        if d.type in GENERATED_TYPES:
            latest[d.type] = d  # later layers replace earlier sets
        else:
            docs.append(d)
    # Page numbers as the latest table of contents shows them (recomputed the same way here).
    with zipfile.ZipFile(package) as zf:
        def member(d) -> bytes:
            return zf.read(d.file)

        generated: dict[str, bytes] = {}
        if not all(t in latest for t in GENERATED_TYPES):
            last = records[-1]
            sheets = plan_volume_sheets(records, [], layer=last.layer, case=dossier.case, agency=last.agency,
                                        new_volumes=[vol], persons=dossier.persons, created=created)
            sheet = sheets[0][1]
            generated = {COVER: cover_pdf(sheet), TOC: toc_pdf(sheet)[0], REMARKS: remarks_pdf(sheet)}

        def part(doc_type: str) -> bytes:
            return generated[doc_type] if doc_type in generated else member(latest[doc_type])

        parts: list[tuple[str, str, bytes]] = [("cover", "卷宗封面", part(COVER)), ("toc", "卷内目录", part(TOC))]
        page = 1
        for seq, d in enumerate(docs, start=1):
            span = f"{page}" if d.pages == 1 else f"{page}-{page + d.pages - 1}"
            parts.append(("doc", f"{seq} {d.title}（第 {span} 页）", member(d)))
            page += d.pages
        parts.append(("remarks", "备考表", part(REMARKS)))

        out = pikepdf.new()
        sources = []
        labels = []
        outline_items = []
        claims = set()
        first_doc_page = None
        for kind, title, data in parts:
            claims.add((pdfa_claim(data) or "").upper())
            src = pikepdf.open(io.BytesIO(data))
            sources.append(src)
            start = len(out.pages)
            out.pages.extend(src.pages)
            outline_items.append((title, start))
            if kind == "cover":
                labels.append((start, Dictionary(P=pikepdf.String("封面"))))
            elif kind == "toc":
                labels.append((start, Dictionary(S=Name.D, P=pikepdf.String("目录-"), St=1)))
            elif kind == "doc" and first_doc_page is None:
                first_doc_page = start
                labels.append((start, Dictionary(S=Name.D, St=1)))
            elif kind == "remarks":
                labels.append((start, Dictionary(P=pikepdf.String("备考表"))))
        nums = Array()
        for index, label in labels:
            nums.append(index)
            nums.append(label)
        out.Root.PageLabels = Dictionary(Nums=nums)
        with out.open_outline() as outline:
            for title, start in outline_items:
                outline.root.append(pikepdf.OutlineItem(title, start))
        out.Root.PageMode = Name.UseOutlines
        out.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        total = len(out.pages)
        conformance = "U" if claims <= {"2U", "2A"} else "B"
        title = f"{dossier.case.name} {vol.title}（第 {number} 卷，阅读本）"
        data = finish_pdfa(out, title=title, author=records[-1].agency.name, created=created, lang="zh-CN",
                           conformance=conformance)
        for src in sources:
            src.close()
    from .pdfa.check import check_pdf

    report = check_pdf(data)
    issues = tuple(f"{i.rule_id} {i.location}: {i.detail}".strip() for i in report.issues) if not report.conformant else ()
    with atomic_output(output) as tmp:
        Path(tmp).write_bytes(data)
    return ExportResult(output, vid, vol.title, len(docs), total, conformance, issues)

