"""Signatures inside documents (PAdES): validated per document, modification analysis included."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from conftest import make_source, scan
from edossier.building.pipeline import BuildChecks, build_package
from edossier.pdfmake.scans import images_to_pdfa
from edossier.validation.pipeline import validate_package


def signed_pdf(tmp_path, cred) -> bytes:
    import datetime as dt

    pdf, _ = images_to_pdfa([scan(tmp_path / "p.jpg", "record")], title="讯问笔录", author=None,
                            created=dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc))
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                           signers.PdfSignatureMetadata(field_name="Officer"), signer=cred.signer)
    return out.getvalue()


def package_with(tmp_path, agencies, creds, pdf: bytes, *, trust=None):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "讯问笔录", 1)])
    (src / "scans" / "signed.pdf").write_bytes(pdf)
    toml = src / "dossier.toml"
    toml.write_text(toml.read_text("utf-8").replace('files = ["scans/d1-1.jpg"]', 'files = ["scans/signed.pdf"]'),
                    "utf-8")
    out = tmp_path / "p.edp"
    # a defective signature inside a document is refused by the preflight; the validator's own tests
    # need the package anyway (test_preflight.py covers the refusal)
    build_package(src, out, creds["police"], checks=BuildChecks(trust=trust, enabled=trust is not None))
    return out


def codes(report):
    return {f.code for f in report.findings}


def test_signed_document_accepted(tmp_path, agencies, creds, trust):
    # with the trust list, the builder's preflight checks the document's signature and lets it through
    report = validate_package(package_with(tmp_path, agencies, creds, signed_pdf(tmp_path, creds["police"]),
                                           trust=trust), trust=trust)
    assert report.verdict == "accept", [(f.code, f.message_en) for f in report.findings]


def test_document_signed_by_another_agency(tmp_path, agencies, creds, trust):
    report = validate_package(package_with(tmp_path, agencies, creds, signed_pdf(tmp_path, creds["court"])),
                              trust=trust)
    assert "G014" in codes(report) and report.verdict == "reject"


def test_broken_document_signature(tmp_path, agencies, creds, trust):
    data = bytearray(signed_pdf(tmp_path, creds["police"]))
    pos = data.index(b"/Title")  # inside the signed byte range
    data[pos + 1] = ord("t")
    report = validate_package(package_with(tmp_path, agencies, creds, bytes(data)), trust=trust)
    assert "G014" in codes(report)


def test_change_after_signing(tmp_path, agencies, creds, trust):
    data = signed_pdf(tmp_path, creds["police"])
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)  # not a change a signature allows
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    report = validate_package(package_with(tmp_path, agencies, creds, out.getvalue()), trust=trust)
    assert report.verdict == "reject"
    assert codes(report) & {"G015", "D004"}, [(f.code, f.message_en) for f in report.findings]
