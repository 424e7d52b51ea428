"""6.1.9: the object number, generation number and "obj" keyword of an indirect object are separated by one
space each (structure.obj_spacing, reading what the raw scan's match found since issue 19's fifth round)."""

from __future__ import annotations

import re

import pikepdf
import pytest

from edossier.pdfa.check import check_pdf

from test_pdfa_check import ids, minimal_pdfa


def _with_header(first: bytes, second: bytes) -> bytes:
    """The minimal document with object 1's header written with `first` between the numbers and `second`
    before "obj" (each one byte, so no offset moves)."""
    data = minimal_pdfa(compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    m = re.search(rb"\n1 0 obj\n", data)
    assert m
    return data[:m.start() + 1] + b"1" + first + b"0" + second + b"obj" + data[m.start() + 8:]


def test_single_spaces_conform():
    assert "6.1.9-1" not in ids(check_pdf(_with_header(b" ", b" "), active_content=False))


@pytest.mark.parametrize("first, second", [(b"\t", b" "), (b" ", b"\t"), (b"\x00", b" "), (b"\r", b"\n")])
def test_other_white_space_fails(first, second):
    rep = check_pdf(_with_header(first, second), active_content=False)
    assert [i.location for i in rep.issues if i.rule_id == "6.1.9-1"] == ["object 1 0 R"]
