"""Making the corpus packages: sources, signed layers, and hand-assembled (forged) packages.

`Workshop` is what a case function gets. It builds layers through the library (`build_package`,
`append_layer`) from small generated sources, signing with the corpus PKI at fixed times, and can
re-assemble a package from modified members with fresh, correct manifests and signatures, so that a
case carries exactly the defect it is about.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from ..building.pipeline import BuildChecks, append_layer, build_package
from ..container.asic import (DataObject, MIMETYPE, build_manifest, layer_objects_of, manifest_name, record_name,
                              signature_name)
from ..signing.cades import Credential
from .pki import CST, PKI_TIME
from .signing import FixedTimeStamper, corpus_credential, sign_bytes

#: creation (and signing) time of layers 1, 2, 3 …
LAYER_TIMES = (dt.datetime(2026, 11, 10, 15, 0, tzinfo=CST), dt.datetime(2026, 11, 13, 16, 0, tzinfo=CST),
               dt.datetime(2026, 11, 20, 11, 0, tzinfo=CST), dt.datetime(2026, 11, 24, 11, 0, tzinfo=CST))
ZIP_TIME = (2026, 11, 10, 7, 0, 0)


# --- a tiny TOML writer for build sources --------------------------------------------------------

def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"'


def toml_text(spec: dict) -> str:
    lines = []
    for key, value in spec.items():
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [f"{k} = {_value(v)}" for k, v in value.items() if v is not None]
            lines.append("")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {_value(v)}" for k, v in item.items() if v is not None]
                lines.append("")
    return "\n".join(lines)


def page_image(path: Path, label: str) -> None:
    """One small bilevel page (A4 proportions, 210×297 pixels at 200 dpi, so about 1×1.5 inches: the
    archival minimum resolution, D007): a frame and a label, a few hundred bytes."""
    img = Image.new("1", (210, 297), 1)
    draw = ImageDraw.Draw(img)
    draw.rectangle([10, 10, 199, 286], outline=0)
    draw.rectangle([20, 20, 189, 44], outline=0)
    draw.text((26, 26), label[:24], fill=0)
    for y in range(64, 270, 14):
        draw.line([26, y, 26 + (y * 37) % 150, y], fill=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "PNG", dpi=(200, 200))


def write_source(folder: Path, spec: dict) -> Path:
    """A build source folder from `spec` (the dossier.toml content as a dict). A document may give
    `pages` (generated page images) or `pdf` (bytes of a PDF to use as is) instead of `files`."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = {k: ([dict(d) for d in v] if k == "documents" else v) for k, v in spec.items()}
    for d in spec.get("documents", []):
        if "pdf" in d:
            (folder / f"{d['id']}.pdf").write_bytes(d.pop("pdf"))
            d["files"] = [f"{d['id']}.pdf"]
        elif "pages" in d:
            n = d.pop("pages")
            d["files"] = []
            for p in range(1, n + 1):
                rel = f"scans/{d['id']}-{p}.png"
                page_image(folder / rel, f"{d['id']} {p}/{n}")
                d["files"].append(rel)
    (folder / "dossier.toml").write_text(toml_text(spec), encoding="utf-8")
    return folder


# --- packages as member lists --------------------------------------------------------------------

def read_members(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def data_members(package: bytes, layer: int | None = None) -> dict[str, bytes]:
    """Record and documents (of one layer, or all), in archive order."""
    out = {}
    for name, data in read_members(package).items():
        if name == "mimetype" or name.startswith("META-INF/"):
            continue
        if layer is None or name in (record_name(layer),) or name.startswith(f"documents/{layer:03d}/"):
            out[name] = data
    return out


def _mime(name: str) -> str:
    return "application/xml" if name.endswith(".xml") else "application/pdf"


def write_zip(members: list[tuple[str, bytes, bool]]) -> bytes:
    """A ZIP of (name, data, deflate?) in order, the way PackageWriter writes it (fixed timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, deflate in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data, compresslevel=6 if deflate else None)
    return buf.getvalue()


@dataclass
class Layer:
    """One layer to assemble: its data members and who signs; hooks make the defects."""

    members: dict[str, bytes]
    credential: Credential
    manifest: bytes | None = None  # use these bytes instead of a correct manifest
    signature: bytes | None = None  # use these bytes instead of a signature over the manifest
    omit: tuple[str, ...] = ()  # names listed in the manifest but not written
    unlisted: tuple[str, ...] = ()  # names written but not listed in the manifest
    drop_carried: tuple[str, ...] = ()  # earlier data objects this layer's manifest leaves out
    extra_objects: list = field(default_factory=list)  # DataObjects listed in addition


def assemble(layers: list[Layer]) -> bytes:
    """A package from layers of data members, with manifests covering everything so far."""
    out: list[tuple[str, bytes, bool]] = [("mimetype", MIMETYPE, False)]
    carried: list[DataObject] = []
    for n, layer in enumerate(layers, start=1):
        new = []
        for name, data in layer.members.items():
            if name not in layer.unlisted:
                new.append(DataObject(name, _mime(name), hashlib.sha256(data).digest(), rootfile=name == record_name(n)))
            if name not in layer.omit:
                out.append((name, data, name.endswith(".xml")))
        objects = [DataObject(o.uri, o.mime, o.digest) for o in carried if o.uri not in layer.drop_carried]
        objects += new + list(layer.extra_objects)
        manifest = layer.manifest if layer.manifest is not None else build_manifest(n, objects)
        signature = layer.signature if layer.signature is not None else sign_bytes(layer.credential, manifest)
        out.append((manifest_name(n), manifest, True))
        out.append((signature_name(n), signature, False))
        carried = [o for o in objects if o.uri in {x.uri for x in carried} | {x.uri for x in new}]
        carried = list({o.uri: o for o in carried}.values())
        carried += layer_objects_of(n, manifest, signature)  # later manifests cover this layer (spec §4.2)
    return write_zip(out)


class Workshop:
    """Shared state of one generator run: the PKI folder, a scratch folder, cached base packages."""

    def __init__(self, pki_dir: Path, scratch: Path):
        self.pki = Path(pki_dir)
        self.scratch = Path(scratch)
        self._cache: dict = {}
        self._n = 0

    # credentials ----------------------------------------------------------------------------
    def cred(self, name: str, layer: int = 1, *, digest: str | None = None, cades: bool = True,
             tsa: str | None = None, tsa_time: dt.datetime | None = None) -> Credential:
        when = LAYER_TIMES[layer - 1]
        if (self.pki / f"{name}.pem").exists():  # an SM2 credential of the corpus PKI (#20)
            from .signing import corpus_sm2_credential

            return corpus_sm2_credential(self.pki / f"{name}.pem", signing_time=when)
        stamper = FixedTimeStamper(self.pki / f"{tsa}.p12", tsa_time or when + dt.timedelta(minutes=1)) if tsa else None
        return corpus_credential(self.pki / f"{name}.p12", signing_time=when, digest=digest, cades=cades,
                                 timestamper=stamper)

    # building through the library ------------------------------------------------------------
    def build(self, *layers: tuple[dict, Credential]) -> bytes:
        """Layers built with build_package / append_layer from (spec, credential) pairs."""
        self._n += 1
        folder = self.scratch / f"b{self._n}"
        previous = None
        for n, (spec, cred) in enumerate(layers, start=1):
            src = write_source(folder / f"src{n}", spec)
            out = folder / f"{n}.edp"
            # the corpus is made of deliberately defective packages: no preflight
            kw = dict(created=LAYER_TIMES[n - 1], check_signer=False, checks=BuildChecks(enabled=False),
                      **_BUILD_OPTIONS)
            if previous is None:
                build_package(src, out, cred, **kw)
            else:
                append_layer(previous, src, out, cred, **kw)
            previous = out
        return previous.read_bytes()

    def cached(self, key: str, make) -> bytes:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def reforge(self, package: bytes, edit=None, *, layer_hooks: dict | None = None,
                creds: list[Credential] | None = None) -> bytes:
        """Rebuild `package` layer by layer from its data members, after `edit(members)` (a dict of all
        data members, changed in place), with correct manifests and signatures unless hooks say otherwise."""
        members = data_members(package)
        if edit:
            edit(members)
        layers = []
        n = 1
        while manifest_name(n) in read_members(package):
            n += 1
        count = n - 1
        for n in range(1, count + 1):
            mine = {k: v for k, v in members.items() if k == record_name(n) or k.startswith(f"documents/{n:03d}/")}
            cred = (creds or [])[n - 1] if creds and len(creds) >= n else self.cred(_ROLE_CRED[n], n)
            layers.append(Layer(mine, cred, **(layer_hooks or {}).get(n, {})))
        return assemble(layers)


# No generated cover, table of contents or remarks sheets: they would make every case ten times larger,
# and the corpus is about defects, not about those pages.
_BUILD_OPTIONS = {"generated_pages": False}
_ROLE_CRED = {1: "police", 2: "procuratorate", 3: "court", 4: "justice"}

__all__ = ["LAYER_TIMES", "Layer", "Workshop", "assemble", "data_members", "read_members", "write_source",
           "write_zip", "PKI_TIME"]
