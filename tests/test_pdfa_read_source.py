"""How check_pdf reads a file it is given by path (pdfa/check._read_source, os-level calls since issue 19's
fifth round): the same bytes as from memory, the same refusals with the same words as Path.stat/Path.open,
and every byte of a source that delivers its data in short reads."""

from __future__ import annotations

import errno
import os
import threading

from edossier.pdfa.check import _read_source, _read_upto, check_pdf
from edossier.pdfa.limits import PdfLimits

from test_pdfa_check import ids, minimal_pdfa


def _unreadable_detail(rep) -> str:
    (issue,) = [i for i in rep.issues if i.rule_id == "PDF-UNREADABLE"]
    return issue.message_en


def test_a_file_reads_as_its_bytes(tmp_path):
    data = minimal_pdfa()
    p = tmp_path / "a.pdf"
    p.write_bytes(data)
    assert _read_source(p, PdfLimits()) == data
    assert _read_source(str(p), PdfLimits()) == data
    assert check_pdf(p) == check_pdf(data)


def test_a_missing_file_is_unreadable_with_the_os_words(tmp_path):
    p = tmp_path / "gone.pdf"
    rep = check_pdf(p)
    assert ids(rep) == {"PDF-UNREADABLE"}
    # what Path.stat said: the error class, then "[Errno 2] No such file or directory: '<path>'"
    assert f"FileNotFoundError: [Errno {errno.ENOENT}] {os.strerror(errno.ENOENT)}: '{p}'" in _unreadable_detail(rep)


def test_a_directory_is_unreadable_as_path_open_said(tmp_path):
    # os.open opens a directory for reading; Path.open refused it with IsADirectoryError naming the path
    rep = check_pdf(tmp_path)
    assert ids(rep) == {"PDF-UNREADABLE"}
    assert f"IsADirectoryError: [Errno {errno.EISDIR}] {os.strerror(errno.EISDIR)}: '{tmp_path}'" in \
        _unreadable_detail(rep)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    p = tmp_path / "big.pdf"
    p.write_bytes(b"%PDF-1.7\n" + b"0" * 191)  # 200 bytes
    rep = check_pdf(p, limits=PdfLimits(max_file_bytes=199))
    assert ids(rep) == {"PDF-UNREADABLE"}
    assert "file is 200 bytes, limit 199" in _unreadable_detail(rep)
    assert _read_source(p, PdfLimits(max_file_bytes=200)) == p.read_bytes()


def test_short_reads_are_joined_to_the_whole(tmp_path):
    # a pipe hands its data over in the pieces it was written in: os.read returns each piece alone
    r, w = os.pipe()
    pieces = [bytes([i]) * (1000 + 37 * i) for i in range(20)]

    def writer():
        for piece in pieces:
            os.write(w, piece)
        os.close(w)

    t = threading.Thread(target=writer)
    t.start()
    try:
        total = sum(map(len, pieces))
        got = _read_upto(r, total + 1)  # one byte more than there is: all of it, then the end
        assert got == b"".join(pieces)
        assert _read_upto(r, 10) == b""
    finally:
        t.join()
        os.close(r)


def test_read_upto_stops_at_n(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(bytes(range(256)) * 4)
    fd = os.open(p, os.O_RDONLY)
    try:
        assert _read_upto(fd, 300) == (bytes(range(256)) * 4)[:300]
        assert _read_upto(fd, 10_000) == (bytes(range(256)) * 4)[300:]
    finally:
        os.close(fd)
