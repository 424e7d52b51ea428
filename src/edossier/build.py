"""The build pipeline: one agency's source folder in, one new signed layer out.

`build_package` makes the first layer of a new package; `append_layer` copies an existing package
byte for byte and adds the next layer. Both read the source, make the PDF/A documents, write the
record, the ASiC manifest (covering every data object now in the package) and the signature, and
replace the output file atomically.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import __version__
from .container.asic import (DataObject, ManifestError, build_manifest, document_name, manifest_name,
                             parse_manifest, record_name, signature_name)
from .container.zipio import OpenedPackage, PackageWriter, open_package
from .fsutil import atomic_output
from .pdfa.build import ImageInputError, images_to_pdfa, pdfa_claim
from .record.model import (Agency, Case, Document, Event, Person, Record, RecordError, Scan, Volume,
                           parse_record, record_to_xml)
from .record.source import Source, SourceError, load_source
from .signing.cades import Credential, sign_manifest

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}
Progress = Callable[[int, int, str], None]


class BuildError(ValueError):
    """The build cannot go ahead; English and Chinese messages for the user."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en = en
        self.zh = zh


@dataclass(frozen=True)
class BuildResult:
    output: Path
    layer: int
    documents: int
    pages: int
    warnings: tuple[tuple[str, str], ...] = ()  # (en, zh)


@dataclass
class _Base:
    """What an append needs to know about the package it extends."""

    layers: int
    objects: list[DataObject]
    records: list[Record]


def build_package(source_dir: Path, output: Path, credential: Credential, *, created: dt.datetime | None = None,
                  progress: Progress | None = None, check_signer: bool = True) -> BuildResult:
    return _make_layer(source_dir, output, credential, base_path=None, created=created, progress=progress,
                       check_signer=check_signer)


def append_layer(package: Path, source_dir: Path, output: Path, credential: Credential, *,
                 created: dt.datetime | None = None, progress: Progress | None = None,
                 check_signer: bool = True) -> BuildResult:
    return _make_layer(source_dir, output, credential, base_path=Path(package), created=created,
                       progress=progress, check_signer=check_signer)


def _make_layer(source_dir, output, credential, *, base_path, created, progress, check_signer) -> BuildResult:
    output = Path(output)
    try:
        source = load_source(Path(source_dir))
    except SourceError as exc:
        raise BuildError(exc.en, exc.zh) from None
    if base_path is not None and base_path.resolve() == output.resolve():
        raise BuildError("the output must be a new file; the input package is never modified",
                         "输出必须是新文件；输入的卷宗包不会被修改")
    base = _read_base(base_path) if base_path else _Base(0, [], [])
    layer = base.layers + 1
    created = created or dt.datetime.now().astimezone().replace(microsecond=0)
    data = source.data
    agency = Agency(data["agency"]["name"], data["agency"]["credit_code"], data["agency"]["role"])
    if check_signer:
        _check_signer(credential, agency)
    case = _case(data, base)
    volumes = tuple(Volume(v["id"], v["title"], v.get("kind")) for v in data.get("volumes", []))
    known_volumes = {v.id for r in base.records for v in r.volumes} | {v.id for v in volumes}
    known_docs = {d.id for r in base.records for d in r.documents}

    docs_in = data["documents"]
    for d in docs_in:
        if d["volume"] not in known_volumes:
            raise BuildError(f"document {d['id']}: volume {d['volume']!r} is not defined in [[volumes]] or an earlier layer",
                             f"文件 {d['id']}：卷 {d['volume']!r} 未在 [[volumes]] 或此前的层中定义")
        if d["id"] in known_docs:
            raise BuildError(f"document id {d['id']!r} is used twice (ids are unique across all layers)",
                             f"文件编号 {d['id']!r} 重复（编号在所有层中必须唯一）")
        known_docs.add(d["id"])

    warnings: list[tuple[str, str]] = []
    built: list[tuple[Document, bytes]] = []
    total_pages = 0
    for i, d in enumerate(docs_in, start=1):
        if progress:
            progress(i - 1, len(docs_in), d["title"])
        member = document_name(layer, i)
        pdf_bytes, pages, scan = _document_pdf(source, d, created, warnings)
        total_pages += pages
        built.append((Document(
            id=d["id"], volume=d["volume"], type=d["type"], title=d["title"],
            date=dt.date.fromisoformat(d["date"]), pages=pages, file=member,
            number=d.get("number"), author=d.get("author"), scan=scan), pdf_bytes))
    if progress:
        progress(len(docs_in), len(docs_in), "")

    layer_info = data.get("layer", {})
    record = Record(
        layer=layer, created=created, case=case, agency=agency,
        stage=layer_info.get("stage"), note=layer_info.get("note"),
        persons=tuple(Person(p["role"], p["name"], p.get("id_number"), p.get("gender")) for p in data.get("persons", [])),
        volumes=volumes,
        documents=tuple(doc for doc, _ in built),
        events=tuple(Event(e["type"], dt.datetime.fromisoformat(e["time"]), e.get("actor"), e.get("note"))
                     for e in data.get("events", [])),
        generator=f"edossier {__version__}",
    )
    record_xml = record_to_xml(record)
    try:
        parse_record(record_xml)  # what we write must pass our own validator
    except RecordError as exc:
        raise BuildError(f"the record does not validate: {exc.detail}", f"生成的卷宗记录未通过校验：{exc.detail}") from None

    stamp = created.astimezone(dt.timezone.utc)
    with atomic_output(output) as tmp:
        with PackageWriter(tmp, base=base_path, date_time=stamp.timetuple()[:6]) as writer:
            new_objects = [DataObject(record_name(layer), "application/xml",
                                      writer.add_bytes(record_name(layer), record_xml, compress=True), rootfile=True)]
            for doc, pdf_bytes in built:
                new_objects.append(DataObject(doc.file, "application/pdf",
                                              writer.add_bytes(doc.file, pdf_bytes, compress=False)))
            carried = [DataObject(o.uri, o.mime, o.digest) for o in base.objects]
            manifest = build_manifest(layer, carried + new_objects)
            writer.add_bytes(manifest_name(layer), manifest, compress=True)
            writer.add_bytes(signature_name(layer), sign_manifest(credential, manifest), compress=False)
    return BuildResult(output, layer, len(built), total_pages, tuple(warnings))


def _check_signer(credential: Credential, agency: Agency) -> None:
    if credential.organization_id != agency.credit_code and credential.organization != agency.name:
        raise BuildError(
            f"the signing credential belongs to {credential.organization or credential.subject}, "
            f"not to {agency.name} ({agency.credit_code}) named in dossier.toml",
            f"签名凭据属于 {credential.organization or credential.subject}，"
            f"而不是 dossier.toml 中的 {agency.name}（{agency.credit_code}）")


def _case(data: dict, base: _Base) -> Case:
    first = base.records[0].case if base.records else None
    if "case" not in data:
        if first is None:
            raise BuildError("dossier.toml: [case] is required for the first layer",
                             "dossier.toml：第一层必须包含 [case]")
        return first
    c = data["case"]
    case = Case(c["number"], c["name"], tuple(c["charges"]), c.get("procedure"))
    if first is not None and case.number != first.number:
        raise BuildError(f"dossier.toml: case number {case.number!r} differs from the package's {first.number!r}",
                         f"dossier.toml：案件编号 {case.number!r} 与卷宗包中的 {first.number!r} 不一致")
    return case


def _document_pdf(source: Source, d: dict, created: dt.datetime, warnings: list) -> tuple[bytes, int, Scan | None]:
    try:
        files = [source.file(f) for f in d["files"]]
    except SourceError as exc:
        raise BuildError(f"document {d['id']}: {exc.en}", f"文件 {d['id']}：{exc.zh}") from None
    pdfs = [f for f in files if f.suffix.lower() == ".pdf"]
    others = [f for f in files if f.suffix.lower() not in IMAGE_SUFFIXES | {".pdf"}]
    if others:
        raise BuildError(f"document {d['id']}: {others[0].name}: unsupported file type (use JPEG, PNG, TIFF or PDF/A-2)",
                         f"文件 {d['id']}：{others[0].name}：不支持的文件类型（请使用 JPEG、PNG、TIFF 或 PDF/A-2）")
    if pdfs:
        if len(files) != 1:
            raise BuildError(f"document {d['id']}: a PDF must be the document's only file",
                             f"文件 {d['id']}：PDF 文件必须单独构成一份文件")
        data = pdfs[0].read_bytes()
        claim = pdfa_claim(data)
        if not claim or not claim.startswith("2"):
            raise BuildError(
                f"document {d['id']}: {pdfs[0].name} is not PDF/A-2 (claims {claim or 'nothing'}); "
                "convert it to PDF/A-2 or supply the page scans instead",
                f"文件 {d['id']}：{pdfs[0].name} 不是 PDF/A-2（声明为 {claim or '无'}）；请先转换为 PDF/A-2，或改为提供扫描图像")
        import pikepdf

        with pikepdf.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
        return data, pages, None
    try:
        pdf_bytes, infos = images_to_pdfa(files, title=d["title"], author=d.get("author"), created=created)
    except ImageInputError as exc:
        raise BuildError(f"document {d['id']}: {exc.en}", f"文件 {d['id']}：{exc.zh}") from None
    dpis = [i.dpi for i in infos if i.dpi]
    for f, info in zip(files, infos):
        if info.dpi and info.dpi < 200:
            warnings.append((f"{f.name}: scanned at {info.dpi} dpi, below the 200 dpi archival minimum (DA/T 31)",
                             f"{f.name}：扫描分辨率 {info.dpi} dpi，低于档案扫描最低要求 200 dpi（DA/T 31）"))
    colours = {i.colour for i in infos}
    scan = Scan(min(dpis), colours.pop() if len(colours) == 1 else "mixed") if dpis else None
    return pdf_bytes, len(infos), scan


def _read_base(path: Path) -> _Base:
    """Read the package being appended to; refuse one whose latest layer does not hold together."""
    opened = open_package(path)
    if isinstance(opened, list):
        f = opened[0]
        raise BuildError(f"{path}: {f.message_en}", f"{path}：{f.message_zh}")
    with opened as pkg:
        errors = [f for f in pkg.findings if f.severity == "error"]
        if errors:
            raise BuildError(f"{path}: {errors[0].message_en} ({errors[0].location})",
                             f"{path}：{errors[0].message_zh}（{errors[0].location}）")
        layers = 0
        while manifest_name(layers + 1) in pkg.infos:
            layers += 1
        if layers == 0:
            raise BuildError(f"{path}: the package has no signed layer", f"{path}：卷宗包没有已签名的层")
        try:
            manifest = parse_manifest(pkg.read(manifest_name(layers), pkg.limits.max_xml_bytes))
            records = [parse_record(pkg.read(record_name(n), pkg.limits.max_xml_bytes)) for n in range(1, layers + 1)]
        except (ManifestError, RecordError, KeyError, ValueError) as exc:
            raise BuildError(f"{path}: cannot read layer data ({exc}); validate the package first",
                             f"{path}：无法读取层数据（{exc}）；请先校验该卷宗包") from None
        _check_base_integrity(pkg, manifest.objects, path)
    return _Base(layers, list(manifest.objects), records)


def _check_base_integrity(pkg: OpenedPackage, objects, path: Path) -> None:
    listed = {o.uri for o in objects}
    for o in objects:
        if o.uri not in pkg.infos or pkg.sha256(o.uri) != o.digest:
            raise BuildError(f"{path}: {o.uri} does not match the latest manifest; validate the package first",
                             f"{path}：{o.uri} 与最新清单不符；请先校验该卷宗包")
    extra = [n for n in pkg.order if n != "mimetype" and not n.startswith("META-INF/") and n not in listed]
    if extra:
        raise BuildError(f"{path}: {extra[0]} is not covered by any signature; validate the package first",
                         f"{path}：{extra[0]} 未经签名覆盖；请先校验该卷宗包")
