"""Access to the data files that ship with edossier (schemas, samples)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


def schema_bytes(name: str) -> bytes:
    return resources.files("edossier.schemas").joinpath(name).read_bytes()


@cache
def xml_schema(name: str):
    from .xmlsafe import load_schema

    return load_schema(schema_bytes(name))


def samples_dir() -> Path:
    """The bundled samples folder (a real directory both in a source tree and when installed)."""
    return Path(str(resources.files("edossier.samples")))
