"""Errors the user reads (errors.UserError) come back whole from a worker process: OCR workers, the batch
validator's processes and the build's pools pickle them to the parent. Exception's default pickling calls
the class with its args, (en,) only, which UserError(en, zh) and subclasses with other signatures refuse."""

from __future__ import annotations

import pickle

import pytest

from edossier.errors import BuildError, UserError
from edossier.ocr import OcrError, OcrUnavailable
from edossier.pdfmake.sheets import GlyphError
from edossier.serve.edo import PageError


@pytest.mark.parametrize("error", [
    UserError("bad input", "输入有误"),
    BuildError("the source has no documents", "来源中没有文书"),
    OcrError("tesseract failed: out of memory", "tesseract 运行失败：内存不足"),
    OcrUnavailable("RapidOCR is not installed", "未安装 RapidOCR"),
    PageError("too_large", "the page is too large", "页面过大", count=3),  # (kind, en, zh, count)
    GlyphError(["\U00020000"], "cover"),  # (chars, where): the messages are made from them
], ids=lambda e: type(e).__name__)
def test_a_user_error_survives_pickling_with_both_messages_and_its_fields(error):
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert (back.en, back.zh, back.args) == (error.en, error.zh, error.args)
    assert vars(back) == vars(error)  # kind/count, chars: whatever the subclass keeps
    assert str(back) == error.en


def test_the_systems_reasons_in_both_languages():
    import errno

    from edossier.errors import os_reason

    assert os_reason(OSError(errno.ENOSPC, "No space left on device")) == ("No space left on device", "磁盘空间不足")
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == ("Permission denied", "没有权限")
    # a reason without a Chinese text here is shown as the system gives it, in both
    assert os_reason(OSError(errno.EXDEV, "Invalid cross-device link")) == ("Invalid cross-device link",) * 2
    # no strerror: the errno's own text
    assert os_reason(OSError(errno.EROFS, None))[1] == "只读文件系统"
