"""The one base for errors the user must read: every one carries an English and a Chinese message."""

from __future__ import annotations


class UserError(ValueError):
    """A problem the user can fix (bad input, missing tool); `en` and `zh` are shown, never a traceback."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en = en
        self.zh = zh

    def message(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en

    def __reduce__(self):
        # An error raised in a worker process (OCR, batch validation, the build's pools) is pickled back.
        # Exception's own pickling calls type(self)(*self.args), and args is (en,): UserError(en) fails and
        # breaks the pool. Rebuilt without __init__ instead, so any subclass's signature comes back whole.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls, args, state):
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class BuildError(UserError):
    """The build cannot go ahead; English and Chinese messages for the user. Here rather than in
    build.py so that the preflight (which build.py calls) can refine it without importing the builder."""


class CodedError(ValueError):
    """Input that breaks a rule with a finding code (a malformed manifest, a record the schema refuses):
    the validator turns it into finding `code` with `detail`, so it carries no Chinese text of its own
    (the registry's message has both languages). `ManifestError` and `RecordError` are this class."""

    def __init__(self, code: str, detail: str, detail_zh: str | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.detail_zh = detail if detail_zh is None else detail_zh


# The operating system's reasons a command could not read or write a file, in Chinese (the English is
# the system's own strerror). Others are shown in English in both languages.
_OS_REASONS_ZH = {"ENOSPC": "磁盘空间不足", "EDQUOT": "超出磁盘配额", "EACCES": "没有权限", "EPERM": "操作不被允许",
                  "EROFS": "只读文件系统", "EIO": "输入/输出错误", "ENOENT": "文件或目录不存在",
                  "EISDIR": "是一个目录", "ENOTDIR": "不是目录", "ENAMETOOLONG": "文件名过长",
                  "EFBIG": "文件过大", "EMFILE": "打开的文件过多", "ENOMEM": "内存不足"}


def os_reason(exc: OSError) -> tuple[str, str]:
    """(en, zh) of why an operating-system call failed: "No space left on device" / "磁盘空间不足"."""
    import errno
    import os

    en = exc.strerror or (os.strerror(exc.errno) if exc.errno else str(exc)) or type(exc).__name__
    name = errno.errorcode.get(exc.errno or 0, "")
    return en, _OS_REASONS_ZH.get(name, en)
