"""Writing a large new file past the page cache (O_DIRECT): the builder's package.

Why: the builder writes a package once and fsyncs it (fsutil.atomic_output). Through the page cache,
every page of a new file must first be given to the writing process by the kernel, and written back
later; on a virtual machine whose host takes freed memory back (firecracker, balloon drivers, free page
reporting) that costs more than everything else the build does: 3.6 s of system CPU for 584 MB here,
against 0.03 s written past the cache (docs/performance.md, "sixth round: build"). Past the cache the
bytes go from our buffer to the disk, which the fsync waits for anyway. The preflight reads the package
back through the cache as any validation does: measured, that was faster than reading past it (the
kernel's read-ahead overlaps the disk with the hashing; the pages come from memory the build just freed).
An appended layer's copy of its base is written through the cache: past it, the preflight's reading of
the whole base back from the disk cost what the copy saved (four alternating rounds: no faster).

O_DIRECT wants the file offset, the length and the memory address aligned (to the device's logical block
size; ALIGN is a multiple of every common one). The writer keeps one aligned buffer (an anonymous mmap,
page-aligned) and copies through it. Where the file system refuses O_DIRECT (tmpfs before Linux 6.6,
some network file systems; EINVAL at open or on the first write) `open_writer` returns an ordinary file,
so callers never depend on it. Only systems with O_DIRECT (Linux) use it.
"""

from __future__ import annotations

import errno
import mmap
import os

ALIGN = 4096
WRITE_BUFFER = 4 * 1024 * 1024  # bytes copied between two writes to the disk (resident while writing)

_O_DIRECT = getattr(os, "O_DIRECT", 0)
_REFUSED = (errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP)


def _down(n: int) -> int:
    return n - n % ALIGN


def _up(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def _pwrite_all(fd: int, view: memoryview, offset: int) -> None:
    done = 0
    while done < len(view):
        n = os.pwritev(fd, [view[done:]], offset + done)
        if n <= 0:
            raise OSError(errno.EIO, "short write")
        done += n


def _pread_into(fd: int, view: memoryview, offset: int) -> int:
    """Fill `view` from `offset` (aligned); fewer bytes only at the end of the file."""
    done = 0
    while done < len(view):
        n = os.preadv(fd, [view[done:]], offset + done)
        if n <= 0:
            break
        done += n
        if n % ALIGN:
            break  # the end of the file (a direct read returns whole blocks before it)
    return done


class DirectWriter:
    """A seekable, write-only file over an O_DIRECT descriptor, enough for zipfile.ZipFile(self, "w").

    The data after the last multiple of WRITE_BUFFER stays in the buffer until it is full or `flush`
    writes it out (padded with zeros to ALIGN; `close` truncates the file to its true size). zipfile seeks
    back to complete each member's local header: a write below the buffer reads, patches and writes
    back the aligned blocks it touches. Invariant: size == base + fill (the file has no holes)."""

    def __init__(self, fd: int, name: str):
        self.name = name
        self._fd = fd
        self._buf = mmap.mmap(-1, WRITE_BUFFER)
        self._view = memoryview(self._buf)
        self._base = 0  # file offset of the buffer's first byte (a multiple of WRITE_BUFFER)
        self._fill = 0  # bytes of the buffer that hold data
        self._dirty = 0  # buffer offset from which the buffer differs from the disk
        self._pos = 0
        self._size = 0
        self.closed = False

    # the parts of the file-object protocol zipfile uses
    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._fd

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        target = {os.SEEK_SET: pos, os.SEEK_CUR: self._pos + pos, os.SEEK_END: self._size + pos}[whence]
        if not 0 <= target <= self._size:
            raise OSError(errno.EINVAL, f"seek to {target} outside 0..{self._size}")
        self._pos = target
        return target

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        n = len(view)
        if self._pos < self._base:  # completing a header already on the disk
            k = min(n, self._base - self._pos)
            self._patch(self._pos, view[:k])
            self._pos += k
            view = view[k:]
        while len(view):
            at = self._pos - self._base
            k = min(len(view), WRITE_BUFFER - at)
            self._view[at:at + k] = view[:k]
            self._dirty = min(self._dirty, at)
            self._pos += k
            self._fill = max(self._fill, at + k)
            view = view[k:]
            if self._fill == WRITE_BUFFER:
                _pwrite_all(self._fd, self._view[_down(self._dirty):], self._base + _down(self._dirty))
                self._base += WRITE_BUFFER
                self._fill = self._dirty = 0
        self._size = max(self._size, self._pos)
        return n

    def _patch(self, pos: int, data: memoryview) -> None:
        start, end = _down(pos), _up(pos + len(data))  # end <= base: base is a multiple of ALIGN
        # freed when the last view goes (not closed here: after an error its traceback still holds one)
        sv = memoryview(mmap.mmap(-1, end - start))
        got = _pread_into(self._fd, sv, start)
        if got < end - start:
            raise OSError(errno.EIO, f"read {got} of {end - start} bytes back at {start}")
        sv[pos - start:pos - start + len(data)] = data
        _pwrite_all(self._fd, sv, start)

    def flush(self) -> None:
        """Put every byte written so far on the disk (readers by offset see them; the last block padded)."""
        if self._fill > self._dirty:
            end = _up(self._fill)
            self._view[self._fill:end] = bytes(end - self._fill)
            _pwrite_all(self._fd, self._view[_down(self._dirty):end], self._base + _down(self._dirty))
            self._dirty = self._fill

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.flush()
            os.ftruncate(self._fd, self._size)
        finally:
            self.closed = True
            os.close(self._fd)
            try:
                self._view.release()
                self._buf.close()
            except BufferError:
                pass  # a failed write's traceback still holds a slice: the buffer goes with it

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_writer(path, *, direct: bool = True):
    """An empty file at `path` (created or truncated) to write: a DirectWriter where the file system
    takes O_DIRECT, else an ordinary buffered file. `.direct` on the result says which."""
    if direct and _O_DIRECT:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | _O_DIRECT, 0o600)
        except OSError as exc:
            if exc.errno not in _REFUSED:
                raise
        else:
            probe = mmap.mmap(-1, ALIGN)
            try:
                _pwrite_all(fd, memoryview(probe), 0)  # some file systems refuse only on the first write
                os.ftruncate(fd, 0)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in _REFUSED:
                    raise
            else:
                writer = DirectWriter(fd, str(path))
                writer.direct = True
                return writer
            finally:
                probe.close()
    fh = open(path, "wb")
    fh.direct = False
    return fh
