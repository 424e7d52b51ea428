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


# --- SM3 manifests (docs/spec.md §4.3) ------------------------------------------------------------------

# GB/T 32905-2016 appendix A, example 1: SM3("abc")
SM3_ABC = bytes.fromhex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
# GB/T 32905-2016 appendix A, example 2: SM3 of "abcd" repeated 16 times (512 bits)
SM3_ABCD16 = bytes.fromhex("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


def test_sm3_digest_matches_the_standards_examples():
    from edossier.container.asic import digest_of

    assert digest_of(b"abc", "sm3") == SM3_ABC
    assert digest_of(b"abcd" * 16, "sm3") == SM3_ABCD16
    with pytest.raises(ValueError):
        digest_of(b"abc", "md5")


def test_sm3_manifest_round_trip_names_the_oid_urn():
    from edossier.container.asic import SM3_URI

    assert SM3_URI == "urn:oid:1.2.156.10197.1.401"  # RFC 3061 URN of the SM3 OID (GB/T 33560)
    objs = [DataObject(record_name(1), "application/xml", SM3_ABC, True, "sm3"),
            DataObject(document_name(1, 1), "application/pdf", SM3_ABCD16, algorithm="sm3")]
    data = build_manifest(1, objs)
    assert data.count(b'<ds:DigestMethod Algorithm="urn:oid:1.2.156.10197.1.401"/>') == 2
    assert b"xmlenc#sha256" not in data
    assert base64.b64encode(SM3_ABC) in data
    m = parse_manifest(data)
    assert list(m.objects) == objs and m.algorithm == "sm3"
    assert parse_manifest(build_manifest(1, objects())).algorithm == "sha256"


def test_a_manifest_uses_one_digest_algorithm():
    objs = [DataObject(record_name(1), "application/xml", SM3_ABC, True, "sm3"),
            DataObject(document_name(1, 1), "application/pdf", hashlib.sha256(b"x").digest())]
    with pytest.raises(ValueError):
        build_manifest(1, objs)
    text = build_manifest(1, objects()).decode().replace(
        "http://www.w3.org/2001/04/xmlenc#sha256", "urn:oid:1.2.156.10197.1.401", 1)
    with pytest.raises(ManifestError, match="mixes digest algorithms") as exc:
        parse_manifest(text.encode())
    assert exc.value.code == "S002" and "SM3" in exc.value.detail_zh


@pytest.mark.parametrize("uri", ["urn:oid:1.2.156.10197.1.401.1", "http://www.w3.org/2001/04/xmldsig-more#sm3x",
                                 "URN:OID:1.2.156.10197.1.402", "sm3"])
def test_other_digest_uris_are_refused(uri):
    text = build_manifest(1, objects()).decode().replace("http://www.w3.org/2001/04/xmlenc#sha256", uri)
    with pytest.raises(ManifestError, match="neither SHA-256") as exc:
        parse_manifest(text.encode())
    assert exc.value.code == "S002"
