"""The package an append extends: its layers, objects and records, read and checked for integrity
before anything is added."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..container.asic import (DataObject, ManifestError, layer_objects_of, manifest_name, parse_manifest, record_name,
                              signature_name)
from ..container.zipio import OpenedPackage, open_package
from ..record.model import Record, RecordError, parse_record
from ..errors import BuildError


@dataclass
class _Base:
    """What an append needs to know about the package it extends."""

    layers: int
    objects: list[DataObject]
    records: list[Record]


def _read_base(path: Path, algorithm: str = "sha256") -> _Base:
    """Read the package being appended to; refuse one whose latest layer does not hold together.
    The objects come back with digests in `algorithm`, the new layer's manifest digest algorithm: each
    listed member is checked in its manifest's algorithm and, when the new layer uses another one,
    hashed again in the same pass (spec §4.3: a layer may change the algorithm)."""
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
        objects = _check_base_integrity(pkg, manifest.objects, path, algorithm)
        latest = layer_objects_of(layers, pkg.read(manifest_name(layers), pkg.limits.max_xml_bytes),
                                  pkg.read(signature_name(layers), 1024 * 1024), algorithm)
    return _Base(layers, objects + latest, records)


def _check_base_integrity(pkg: OpenedPackage, objects, path: Path, algorithm: str = "sha256") -> list[DataObject]:
    """The listed objects, each checked against the package, with digests in `algorithm`."""
    listed = {o.uri for o in objects}
    out = []
    for o in objects:
        found = pkg.digests(o.uri, tuple(dict.fromkeys((o.algorithm, algorithm)))) if o.uri in pkg.infos else {}
        if found.get(o.algorithm) != o.digest:
            raise BuildError(f"{path}: {o.uri} does not match the latest manifest; validate the package first",
                             f"{path}：{o.uri} 与最新清单不符；请先校验该卷宗包")
        out.append(DataObject(o.uri, o.mime, found[algorithm], algorithm=algorithm))
    extra = [n for n in pkg.order if n != "mimetype" and not n.startswith("META-INF/") and n not in listed]
    if extra:
        raise BuildError(f"{path}: {extra[0]} is not covered by any signature; validate the package first",
                         f"{path}：{extra[0]} 未经签名覆盖；请先校验该卷宗包")
    return out
