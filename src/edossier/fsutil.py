"""File-system helpers: every file edossier writes is written atomically (temp file + rename), and
never over one of the command's inputs (`guard_output`)."""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError


def _fsync_dir(folder: Path) -> None:
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


@contextlib.contextmanager
def atomic_output(path: Path | str, *, mode: int = 0o644):
    """Yield a temporary path next to `path`; on success it is fsynced and renamed onto `path`.

    On any exception the temporary file is removed and `path` is left as it was, so a failed or
    interrupted run never leaves a half-written file behind.
    """
    path = Path(path)
    tmp = None
    try:
        # The name is chosen before the file is created, so that an interrupt at any moment after
        # creation (tests send one exactly then) still finds and removes it.
        while True:
            tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.part"
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                break
            except FileExistsError:
                continue
            except OSError as exc:  # no such folder, no permission: name the output, not our temporary file
                tmp = None
                raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def atomic_write_bytes(path: Path | str, data: bytes, *, mode: int = 0o644) -> None:
    with atomic_output(path, mode=mode) as tmp:
        tmp.write_bytes(data)


# --- Output paths: an output never lands on an input (docs/builder.md "Output paths") -----------------

class OutputPathError(UserError):
    """An output path that would overwrite one of the command's inputs (a usage error: exit 2)."""


@dataclass(frozen=True)
class Input:
    """Something a command reads and must leave byte-identical.

    `en`/`zh` say what it is ("the signing credential", "签名凭据"). With `tree=True` the path is a
    folder (a build source, a PKI folder, a corpus): no output may be the folder itself or an existing
    file anywhere inside it, whatever its name.
    """

    path: Path
    en: str
    zh: str
    tree: bool = False


def _stat(path) -> os.stat_result | None:
    try:
        return os.stat(path)  # follows symlinks: a link to an input is the input
    except (OSError, ValueError):
        return None


_case_cache: dict[tuple[int, int], bool] = {}


def case_insensitive(folder: Path | str) -> bool:
    """Whether names in `folder` are looked up case-insensitively (macOS, Windows, casefold ext4, vfat).

    Probed by creating a lower-case name and looking it up in upper case; cached per folder (casefold
    ext4 sets it per folder). A folder that cannot be written to is probed through its own name, or
    assumed case-sensitive.
    """
    folder = Path(os.path.realpath(folder))
    st = _stat(folder)
    if st is None:
        return False
    if (st.st_dev, st.st_ino) in _case_cache:
        return _case_cache[st.st_dev, st.st_ino]
    probe = folder / f".edossier-case-probe-{secrets.token_hex(4)}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        name = folder.name
        if name.swapcase() == name:
            return False
        other = _stat(folder.parent / name.swapcase())
        result = other is not None and (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino)
    else:
        try:
            result = _stat(folder / probe.name.upper()) is not None
        finally:
            with contextlib.suppress(OSError):
                probe.unlink()
    _case_cache[st.st_dev, st.st_ino] = result
    return result


def same_file(a, b, *, fold: bool | None = None) -> bool:
    """Whether paths `a` and `b` name the same file: after symlinks, hard links included.

    Both existing: the same device and inode. Where a file system reports no inode (st_ino 0, as some
    network and FAT drivers do) or a path does not exist, the real paths are compared, case-folded when
    the folder is case-insensitive (`fold`; probed when None).
    """
    return _same(_Known(a), _Known(b), fold)


class _Known:
    """A path with its stat and real path, each found once (guard_output compares one output with
    every input: a build's 1,000 scans)."""

    def __init__(self, path):
        self.path = path
        self.stat = _stat(path)
        self._real = None

    @property
    def real(self) -> str:
        if self._real is None:
            self._real = os.path.normcase(os.path.realpath(self.path))
        return self._real


def _same(a: _Known, b: _Known, fold: bool | None) -> bool:
    sa, sb = a.stat, b.stat
    if sa is not None and sb is not None and sa.st_ino and sb.st_ino:
        return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)
    ra, rb = a.real, b.real
    if ra == rb:
        return True
    if ra.casefold() != rb.casefold():
        return False  # no spelling of the one is the other: no need to probe the file system
    if fold is None:
        fold = case_insensitive(Path(ra).parent)
    return fold


def _inside(path, folder, *, fold: bool | None = None) -> bool:
    """Whether `path` (after symlinks) is `folder` or lies somewhere below it."""
    real = Path(os.path.realpath(path))
    known = _Known(folder)
    return any(_same(_Known(p), known, fold) for p in (real, *real.parents))


def guard_output(output: Path | str, inputs, *, what: tuple[str, str] = ("the output", "输出文件"),
                 folder: bool = False, fold: bool | None = None) -> None:
    """Refuse (OutputPathError) an `output` that would overwrite one of `inputs` (`Input`s; None skipped).

    A file output is refused when it is the same file as an input (after symlinks, hard links and
    case-insensitive names included: `same_file`), or an existing file inside an input folder. A `folder`
    output (a folder the command writes into) is refused when it is an input or lies inside an input
    folder, existing or not. Anything else, an existing file included, may be replaced atomically.
    The message names the output and the input.
    """
    output = Path(output)
    inputs = [i for i in inputs if i is not None]
    out = _Known(output)
    exists = out.stat is not None

    def refuse(inp: Input) -> None:
        if folder or not exists:
            en, zh = f"would write into {inp.en} ({inp.path})", f"会写入{inp.zh}（{inp.path}）"
        elif inp.tree:
            en, zh = f"would overwrite a file in {inp.en} ({inp.path})", f"会覆盖{inp.zh}（{inp.path}）中的文件"
        else:
            en, zh = f"would overwrite {inp.en} ({inp.path})", f"会覆盖{inp.zh}（{inp.path}）"
        raise OutputPathError(f"{what[0]} {output} {en}; inputs are never modified: choose another output path",
                              f"{what[1]} {output} {zh}；输入文件不会被修改，请另选输出路径")

    for inp in sorted(inputs, key=lambda i: i.tree):  # files first: the message names the exact input
        if not inp.tree:
            if _same(out, _Known(inp.path), fold):
                refuse(inp)
        elif folder:
            if _inside(output, inp.path, fold=fold):
                refuse(inp)
        elif exists and _inside(output, inp.path, fold=fold):
            refuse(inp)
