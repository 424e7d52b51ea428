"""Signed packages with hostile content: the signature is good, so only the later checks can refuse them."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from edossier.container.asic import DataObject, build_manifest, manifest_name, signature_name
from edossier.signing.cades import sign_manifest

from . import rawzip

RECORD = "dossier/001.xml"


def layer1_members(package: Path) -> dict[str, bytes]:
    """The data members (record and documents) of layer 1 of a real package."""
    with zipfile.ZipFile(package) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()
                if i.filename != "mimetype" and not i.filename.startswith("META-INF/")}


def manifest_for(data: dict[str, bytes], layer: int = 1) -> bytes:
    objects = []
    for name, content in data.items():
        mime = "application/xml" if name.endswith(".xml") else "application/pdf"
        objects.append(DataObject(name, mime, hashlib.sha256(content).digest(), rootfile=(name == RECORD)))
    return build_manifest(layer, objects)


def forge(data: dict[str, bytes], credential, *, signature: bytes | None = None, manifest: bytes | None = None,
          zip64: bool = False, stored: bool = False) -> bytes:
    """A one-layer package over `data`, with a real signature by `credential` (or the given bytes)."""
    manifest = manifest if manifest is not None else manifest_for(data)
    p7s = signature if signature is not None else sign_manifest(credential, manifest)
    members = [rawzip.Member(b"mimetype", b"application/vnd.etsi.asic-e+zip")]
    for name, content in data.items():
        method = 8 if name.endswith(".xml") and not stored else 0
        members.append(rawzip.Member(name.encode(), content, method=method))
    members.append(rawzip.Member(manifest_name(1).encode(), manifest, method=8))
    members.append(rawzip.Member(signature_name(1).encode(), p7s))
    if zip64:
        for m in members[1:]:
            body = m.body()
            m.lfh = {"csize": 0xFFFFFFFF, "usize": 0xFFFFFFFF, "extra": rawzip.zip64_extra(len(m.data), len(body))}
    return rawzip.build(members)
