"""Document checks in a second process (validation/helper.py, issue 19): the same report as in one
process, for every package of the conformance corpus, and no weaker when the helper dies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edossier.conformance.run import load_corpus
from edossier.signing.trustlist import load_trustlist
from edossier.validation import helper as helper_mod
from edossier.validation.pipeline import validate_package

CORPUS = Path(__file__).resolve().parents[1] / "samples" / "corpus"

pytestmark = pytest.mark.skipif(not helper_mod.available(), reason="needs fork and two cores")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def corpus_trust(corpus):
    return load_trustlist(corpus.trust_list, anchor=corpus.trust_anchor)


def _comparable(report) -> dict:
    d = report.to_dict()
    d.pop("durations", None)
    d.pop("validated_at", None)
    return d


def test_every_corpus_package_gets_the_same_report_with_a_helper(corpus, corpus_trust):
    # every good, bad and warn package: container and member defects (C011 CRC mismatch, C010 bomb)
    # included, which the helper meets when it reads a document itself
    cases = corpus.cases
    assert len(cases) >= 100
    for c in cases:
        alone = validate_package(c.package, trust=corpus_trust, at=corpus.validation_time)
        helped = validate_package(c.package, trust=corpus_trust, at=corpus.validation_time, document_processes=1)
        assert _comparable(helped) == _comparable(alone), c.package


def _package_with_documents(corpus, n: int) -> Path:
    for c in corpus.cases:
        if c.klass == "good":
            import zipfile

            with zipfile.ZipFile(c.package) as zf:
                if sum(x.endswith(".pdf") for x in zf.namelist()) >= n:
                    return c.package
    pytest.skip(f"no good corpus package with {n} documents")


def test_documents_the_helper_claims_are_checked_there(corpus, corpus_trust, monkeypatch):
    # The parent waits until the helper has claimed every document, so all are read, hashed and
    # checked in the helper; the report is the same as in one process and every document counts.
    package = _package_with_documents(corpus, 3)
    alone = validate_package(package, trust=corpus_trust, at=corpus.validation_time)
    from edossier.validation import members

    outcomes = []
    real = members.Checked.__init__

    def counting(self, outcome):
        outcomes.append(outcome)
        real(self, outcome)

    monkeypatch.setattr(members.Checked, "__init__", counting)
    monkeypatch.setattr(helper_mod.DocumentHelper, "claim", lambda self, name: _wait_all_claimed(self))
    helped = validate_package(package, trust=corpus_trust, at=corpus.validation_time, document_processes=1)
    assert _comparable(helped) == _comparable(alone)
    documents = [d for rec in alone.layers for d in (rec.record.documents if rec.record else ())]
    assert len(outcomes) == len(documents) >= 3
    assert all(kind == "ok" for kind, _ in outcomes)
    assert helped.established.get("documents") is True


def test_a_helper_that_dies_leaves_nothing_unchecked(corpus, corpus_trust, monkeypatch):
    # The helper claims documents and dies without reporting (as a crash in qpdf on hostile input
    # would): the parent reads, hashes and checks those itself, and the report is the same.
    package = _package_with_documents(corpus, 3)
    alone = validate_package(package, trust=corpus_trust, at=corpus.validation_time)

    def dying(self, read, check, send):
        for _ in range(len(self.names)):
            self._claim_next()  # takes every document, then dies
        os._exit(3)

    monkeypatch.setattr(helper_mod.DocumentHelper, "_serve", dying)
    helped = validate_package(package, trust=corpus_trust, at=corpus.validation_time, document_processes=1)
    assert _comparable(helped) == _comparable(alone)
    assert helped.established.get("documents") is True


def test_a_document_changed_under_the_helper_is_caught(corpus, corpus_trust, monkeypatch):
    # The digest compared with the manifest is of the very bytes the helper checked: a helper that
    # checked other bytes than the member's (simulated by flipping one) must produce I001, never a
    # silent accept.
    package = _package_with_documents(corpus, 3)
    real = helper_mod.DocumentHelper._serve

    def tampering(self, read, check, send):
        def read_flipped(name):
            data = bytearray(read(name))
            data[len(data) // 2] ^= 1
            return bytes(data)
        return real(self, read_flipped, check, send)

    monkeypatch.setattr(helper_mod.DocumentHelper, "_serve", tampering)
    # The parent must not take any document: it waits at the start until the helper has claimed them all.
    monkeypatch.setattr(helper_mod.DocumentHelper, "claim", lambda self, name: _wait_all_claimed(self))
    helped = validate_package(package, trust=corpus_trust, at=corpus.validation_time, document_processes=1)
    assert helped.verdict == "reject"
    assert "I001" in {f.code for f in helped.findings}


def test_the_parent_checks_its_own_documents_while_the_helper_is_slow(corpus, corpus_trust, monkeypatch):
    # A slow helper (each of its documents takes 0.5 s more): instead of idling until the helper's next
    # document in member order is reported, the parent checks the documents it holds; the report is the
    # same as in one process, in the same order, and every document is checked once.
    import time

    from edossier.validation import members

    package = _package_with_documents(corpus, 3)
    alone = validate_package(package, trust=corpus_trust, at=corpus.validation_time)
    real_serve = helper_mod.DocumentHelper._serve

    def slow(self, read, check, send):
        def slow_check(name, data):
            time.sleep(0.5)
            return check(name, data)
        return real_serve(self, read, slow_check, send)

    monkeypatch.setattr(helper_mod.DocumentHelper, "_serve", slow)
    # the helper claims the first document; the parent takes the rest
    first = []

    def claim(self, name):
        if not first:
            first.append(name)
            _wait_first_claimed(self)
            return False
        return helper_mod.DocumentHelper.claim.__wrapped__(self, name)

    claim.__wrapped__ = helper_mod.DocumentHelper.claim
    monkeypatch.setattr(helper_mod.DocumentHelper, "claim", claim)
    ahead = []
    real_ahead = members.MemberReader._check_one_ahead

    def counting(self):
        checked = real_ahead(self)
        ahead.append(checked)
        return checked

    monkeypatch.setattr(members.MemberReader, "_check_one_ahead", counting)
    helped = validate_package(package, trust=corpus_trust, at=corpus.validation_time, document_processes=1)
    assert _comparable(helped) == _comparable(alone)
    assert helped.established.get("documents") is True
    assert sum(ahead) >= 1  # checked while the helper's first document was not yet reported


def _wait_first_claimed(helper) -> None:
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with helper._next.get_lock():
            if helper._next.value >= 1:
                return
        time.sleep(0.005)
    raise AssertionError("the helper did not claim a document")


def _wait_all_claimed(helper) -> bool:
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with helper._next.get_lock():
            if helper._next.value >= len(helper.names):
                return False
        time.sleep(0.005)
    raise AssertionError("the helper did not claim the documents")


def test_stopping_early_ends_the_helper_quietly(corpus, capfd):
    # The parent stops after the first member (an error, Ctrl-C): the helper process is gone after
    # close(), and nothing (no traceback of a broken pipe) reaches the terminal.
    from edossier.container.zipio import open_package
    from edossier.validation.members import MemberReader

    package = _package_with_documents(corpus, 3)
    with open_package(package) as pkg:
        names = [n for n in pkg.order if n != "mimetype"]
        docs = {n: None for n in names if n.endswith(".pdf")}
        reader = MemberReader(pkg, names, docs, check=lambda name, data: ("ok", []), helpers=1)
        proc = reader.helper._proc
        next(iter(reader))
        reader.close()
    assert not proc.is_alive()
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "Error" not in err, err


def test_a_corrupt_document_read_by_the_helper_is_reported_as_in_one_process(corpus, corpus_trust, monkeypatch,
                                                                            tmp_path):
    # One byte of a stored document flipped: its CRC-32 no longer matches (C011) and it cannot be
    # hashed. The helper, which reads it, reports the read error; the report is the one-process report.
    import struct
    import zipfile

    package = _package_with_documents(corpus, 3)
    data = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(".pdf"))
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0x01
    broken = tmp_path / "broken.edp"
    broken.write_bytes(bytes(data))
    alone = validate_package(broken, trust=corpus_trust, at=corpus.validation_time)
    assert "C011" in {f.code for f in alone.findings} and alone.verdict == "reject"
    monkeypatch.setattr(helper_mod.DocumentHelper, "claim", lambda self, name: _wait_all_claimed(self))
    helped = validate_package(broken, trust=corpus_trust, at=corpus.validation_time, document_processes=1)
    assert _comparable(helped) == _comparable(alone)
