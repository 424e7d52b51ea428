"""The builder writes its package past the page cache (edossier.directio, issue 19): the bytes on the disk
must be exactly the bytes written, whatever the order of writes, seeks back and flushes zipfile makes,
and a file system that refuses O_DIRECT must get an ordinary file."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from edossier import directio
from edossier.container.zipio import PackageWriter


def _direct_folder(tmp_path: Path) -> Path:
    """A folder whose file system takes O_DIRECT: pytest's tmp_path, or one beside this repository
    (tmp_path may be on a file system that refuses it: tmpfs before Linux 6.6)."""
    for folder in (tmp_path, Path(__file__).resolve().parent.parent / ".pytest-directio"):
        folder.mkdir(exist_ok=True)
        w = directio.open_writer(folder / "probe.bin")
        w.close()
        (folder / "probe.bin").unlink()
        if w.direct:
            return folder
    pytest.skip("no file system here takes O_DIRECT")


@pytest.fixture
def folder(tmp_path):
    d = _direct_folder(tmp_path)
    yield d
    for p in d.glob("*.bin"):
        p.unlink()


@pytest.fixture
def small_buffer(monkeypatch):
    # three aligned blocks: every test crosses buffer boundaries many times
    monkeypatch.setattr(directio, "WRITE_BUFFER", 3 * directio.ALIGN)


ops = st.lists(st.one_of(
    st.tuples(st.just("write"), st.binary(min_size=0, max_size=5 * 4096)),
    st.tuples(st.just("seek"), st.floats(min_value=0, max_value=1)),
    st.tuples(st.just("flush"), st.none()),
), max_size=40)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_any_writes_seeks_and_flushes_leave_exactly_the_model_bytes(folder, small_buffer, steps):
    path = folder / "model.bin"
    model = io.BytesIO()
    w = directio.open_writer(path)
    assert w.direct
    for op, arg in steps:
        if op == "write":
            assert w.write(arg) == len(arg)
            model.write(arg)
        elif op == "seek":
            size = model.getbuffer().nbytes
            pos = int(arg * size)
            assert w.seek(pos) == model.seek(pos)
        else:
            w.flush()
            # after a flush, an ordinary reader sees every byte written so far at its offset
            # (the builder's check-ahead reads members back by offset once their data is flushed)
            expected = model.getvalue()
            with open(path, "rb") as fh:
                assert fh.read(len(expected)) == expected
        assert w.tell() == model.tell()
    w.close()
    assert path.read_bytes() == model.getvalue()  # the padding of the last block is truncated away


def test_a_write_below_the_buffer_reads_patches_and_writes_back_only_its_blocks(folder, small_buffer):
    path = folder / "patch.bin"
    w = directio.open_writer(path)
    body = bytes(range(256)) * 100  # 25,600 bytes: the first two buffers are on the disk
    w.write(body)
    w.seek(4090)  # straddles the first two blocks, far below the buffer
    w.write(b"ABCDEFGHIJKL")
    w.seek(0, os.SEEK_END)
    w.write(b"tail")
    w.close()
    want = bytearray(body)
    want[4090:4102] = b"ABCDEFGHIJKL"
    assert path.read_bytes() == bytes(want) + b"tail"


def test_zipfile_writes_the_same_archive_through_it(folder, small_buffer):
    members = [("mimetype", b"application/vnd.etsi.asic-e+zip", zipfile.ZIP_STORED),
               ("a.pdf", os.urandom(3 * 4096 + 17), zipfile.ZIP_STORED),
               ("b.xml", b"<r>" + b"x" * 50_000 + b"</r>", zipfile.ZIP_DEFLATED),
               ("c.pdf", os.urandom(1), zipfile.ZIP_STORED),
               ("d.pdf", os.urandom(20_000), zipfile.ZIP_STORED)]

    def write(fh):
        with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
            for name, data, method in members:
                info = zipfile.ZipInfo(name, date_time=(2026, 12, 5, 12, 0, 0))
                info.compress_type = method
                zf.writestr(info, data)

    expected = io.BytesIO()
    write(expected)
    path = folder / "zip.bin"
    w = directio.open_writer(path)
    assert w.direct
    write(w)
    w.close()
    assert path.read_bytes() == expected.getvalue()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert [zf.read(n) for n, _, _ in members] == [d for _, d, _ in members]


def test_the_package_writer_writes_the_same_bytes_past_the_cache_and_through_it(folder):
    docs = [(f"Documents/{i:03d}.pdf", os.urandom(n)) for i, n in enumerate((5_000_000, 4096, 123, 9_999_999))]
    out = {}
    for direct in (True, False):
        path = folder / f"pkg-{direct}.bin"
        positions = []
        with PackageWriter(path, date_time=(2026, 12, 5, 12, 0, 0), direct=direct) as writer:
            assert writer.direct is direct
            digests = [writer.add_bytes_later(name, data, compress=False,
                                              written=lambda off, n: positions.append((off, n)))
                       for name, data in docs]
            writer.add_bytes("META-INF/manifest001.xml", b"<manifest/>" * 1000, compress=True)
        assert [d.result() for d in digests] == [hashlib.sha256(data).digest() for _, data in docs]
        # `written` gives where each stored member's data lies in the file
        raw = path.read_bytes()
        assert [raw[o:o + n] for o, n in positions] == [data for _, data in docs]
        out[direct] = raw
    assert out[True] == out[False]


def test_a_file_system_that_refuses_o_direct_gets_an_ordinary_file(tmp_path, monkeypatch):
    real_open = os.open

    def refuse(path, flags, *args):
        if flags & getattr(os, "O_DIRECT", 0):
            raise OSError(errno.EINVAL, "Invalid argument")  # what tmpfs answered before Linux 6.6
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    w = directio.open_writer(tmp_path / "plain.bin")
    assert w.direct is False
    w.write(b"hello")
    w.close()
    assert (tmp_path / "plain.bin").read_bytes() == b"hello"


def test_other_errors_at_open_are_not_hidden(tmp_path):
    with pytest.raises(FileNotFoundError):
        directio.open_writer(tmp_path / "no-such-folder" / "x.bin")


def test_seeking_outside_the_file_is_refused(folder):
    w = directio.open_writer(folder / "seek.bin")
    w.write(b"abc")
    with pytest.raises(OSError):
        w.seek(4)
    with pytest.raises(OSError):
        w.seek(-1)
    w.close()


def test_a_failed_write_raises_the_systems_error_and_close_still_frees_everything(folder, small_buffer, monkeypatch):
    w = directio.open_writer(folder / "full.bin")
    real = os.pwritev

    def full(fd, buffers, offset, *args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "pwritev", full)
    with pytest.raises(OSError) as exc:
        w.write(os.urandom(4 * directio.ALIGN))  # fills the buffer: written out, and fails
    assert exc.value.errno == errno.ENOSPC
    with pytest.raises(OSError) as again:  # the tail cannot be written either: the same error, not a BufferError
        w.close()
    assert again.value.errno == errno.ENOSPC
    assert w.closed
    monkeypatch.setattr(os, "pwritev", real)
    w.close()  # closing twice is nothing

