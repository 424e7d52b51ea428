"""Member names and ASiC manifests: property tests for the parsers."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from edossier.container.asic import (DataObject, ManifestError, build_manifest, document_name, name_problem,
                                     parse_manifest, record_name)


@pytest.mark.parametrize("name", ["documents/001/0001.pdf", "dossier/001.xml", "attachments/002/a.mp4"])
def test_generated_names_are_fine(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name,why", [
    ("", "empty"), ("../x.pdf", "'..'"), ("/abs.pdf", "absolute"), ("C:/x.pdf", "absolute"),
    ("a\\b.pdf", "backslash"), ("a\x00b", "NUL"), ("a//b", "empty"), ("dir/", "directory"),
    ("文件.pdf", "characters"), ("e\u0301.pdf", "NFC"), ("docs/CON.pdf", "reserved"), ("a/./b", "'.'"),
])
def test_bad_names(name, why):
    problem = name_problem(name)
    assert problem and why in problem


@given(st.text(max_size=80))
def test_any_accepted_name_is_safe(name):
    if name_problem(name) is None:
        parts = name.split("/")
        assert ".." not in parts and "" not in parts and not name.startswith("/")
        assert all(c.isascii() and (c.isalnum() or c in "._-/") for c in name)


def objects(n=3):
    out = [DataObject(record_name(1), "application/xml", hashlib.sha256(b"r").digest(), True)]
    out += [DataObject(document_name(1, i), "application/pdf", hashlib.sha256(bytes([i])).digest()) for i in range(1, n)]
    return out


def test_manifest_round_trip():
    objs = objects()
    data = build_manifest(1, objs)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
    m = parse_manifest(data)
    assert m.sig_ref == "META-INF/signature001.p7s"
    assert list(m.objects) == objs
    assert m.rootfiles == ["dossier/001.xml"]
    assert build_manifest(1, objs) == data  # deterministic


@pytest.mark.parametrize("mutate,code", [
    (lambda s: s.replace("xmlenc#sha256", "xmldsig#sha1"), "S002"),
    (lambda s: s.replace("02918/v1.2.1#", "2918/v1.1.1#"), "S002"),
    (lambda s: s.replace('<asic:SigReference URI="META-INF/signature001.p7s" MimeType="application/pkcs7-signature"/>', ""), "S002"),
    (lambda s: '<!DOCTYPE x [<!ENTITY a "b">]>' + s.split("?>", 1)[1], "S001"),
    (lambda s: s[:-40], "S001"),
    (lambda s: s.replace("</asic:ASiCManifest>", "<asic:Other/></asic:ASiCManifest>"), "S002"),
])
def test_manifest_profile_violations(mutate, code):
    text = build_manifest(1, objects()).decode()
    with pytest.raises(ManifestError) as exc:
        parse_manifest(mutate(text).encode())
    assert exc.value.code == code


def test_duplicate_and_short_digest():
    objs = objects()
    dup = build_manifest(1, objs + [objs[1]])
    with pytest.raises(ManifestError, match="twice"):
        parse_manifest(dup)
    short = build_manifest(1, [DataObject("a.pdf", "application/pdf", b"\x00" * 20)])
    with pytest.raises(ManifestError, match="32"):
        parse_manifest(short)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=2000))
def test_manifest_parser_never_crashes(junk, pos):
    data = build_manifest(1, objects())
    mutated = data[:pos] + junk + data[pos + len(junk):]
    try:
        m = parse_manifest(mutated)
    except ManifestError as exc:
        assert exc.code in ("S001", "S002")
    else:
        for o in m.objects:
            assert len(o.digest) == 32


def test_digest_value_is_base64_of_sha256():
    data = build_manifest(1, objects())
    assert base64.b64encode(hashlib.sha256(b"r").digest()) in data
