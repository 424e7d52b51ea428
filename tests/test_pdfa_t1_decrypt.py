"""Type 1 font decryption (eexec and charstrings, Adobe Type 1 Font Format 7.1) in C (_jpegscan.c, issue 19)
against its Python twin (fontprograms._t1_decrypt_py), and both against the format's own definition."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edossier.pdfa import fontprograms
from edossier.pdfa.fontprograms import _t1_decrypt, _t1_decrypt_c, _t1_decrypt_py

needs_accel = pytest.mark.skipif(_t1_decrypt_c is None, reason="_jpegscan.c not built")

C1, C2 = 52845, 22719  # the format's constants (7.1)


def _encrypt(plain: bytes, r: int) -> bytes:
    """The format's encryption, written out from 7.1: c = p ^ (r >> 8); r = ((c + r) * c1 + c2) mod 65536."""
    out = bytearray()
    for p in plain:
        c = p ^ (r >> 8)
        out.append(c)
        r = ((c + r) * C1 + C2) % 65536
    return bytes(out)


def test_the_format_s_own_example_of_a_charstring():
    # 7.1: charstrings use r = 4330 and lenIV (4) random bytes first. "0 500 hsbw endchar" in the charstring
    # encoding (6.2: 0 is 139; 500 is 248 136, (248 - 247) * 256 + 136 + 108; hsbw 13, endchar 14), encrypted
    # by the definition, comes back byte for byte (the random bytes are dropped by the caller, not here)
    plain = bytes([1, 2, 3, 4, 139, 248, 136, 13, 14])
    enc = _encrypt(plain, 4330)
    assert enc != plain
    assert _t1_decrypt_py(enc, 4330) == plain
    assert _t1_decrypt(enc, 4330) == plain
    # the first cipher byte by hand: 4330 >> 8 = 16, so 1 ^ 16 = 17
    assert enc[0] == 17


def test_eexec_key_and_the_first_bytes_by_hand():
    # r = 55665 (eexec): 55665 >> 8 = 217; the plain byte 0 encrypts to 217, and the next key is
    # ((217 + 55665) * 52845 + 22719) mod 65536, computed here step by step
    r1 = ((217 + 55665) * 52845 + 22719) % 65536
    enc = bytes([217, 0 ^ (r1 >> 8)])
    assert _t1_decrypt(enc, 55665) == b"\x00\x00"
    assert _t1_decrypt_py(enc, 55665) == b"\x00\x00"


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=600), r=st.integers(0, 0xFFFF))
def test_decryption_undoes_the_format_s_encryption(data, r):
    assert _t1_decrypt(_encrypt(data, r), r) == data
    assert _t1_decrypt_py(_encrypt(data, r), r) == data


@needs_accel
@settings(max_examples=600, deadline=None)
@given(data=st.one_of(st.binary(max_size=2000),
                      st.sampled_from([b"", b"\x00", b"\xff" * 4097, bytes(range(256)) * 3])),
       r=st.one_of(st.integers(0, 0xFFFF), st.sampled_from([0, 4330, 55665, 0xFFFF])))
def test_c_and_python_agree(data, r):
    assert _t1_decrypt_c(data, r) == _t1_decrypt_py(data, r)
    assert _t1_decrypt_c(memoryview(data), r) == _t1_decrypt_py(data, r)  # any buffer
    assert _t1_decrypt_c(bytearray(data), r) == _t1_decrypt_py(data, r)


@needs_accel
@pytest.mark.parametrize("r", [-1, 0x10000, 2**40, -2**40])
def test_a_key_that_is_not_16_bit_is_refused_by_both(r):
    with pytest.raises(ValueError):
        _t1_decrypt(b"abc", r)
    with pytest.raises((ValueError, OverflowError)):
        _t1_decrypt_c(b"abc", r)
    with pytest.raises(ValueError):
        _t1_decrypt_py(b"abc", r)  # the Python loop: a byte value outside 0..255


@needs_accel
def test_the_c_loop_refuses_what_is_no_buffer():
    with pytest.raises(TypeError):
        _t1_decrypt_c("text", 4330)
    with pytest.raises(TypeError):
        _t1_decrypt_c(b"abc")


def test_the_fallback_is_used_without_the_c_module(monkeypatch):
    data = _encrypt(b"currentfile eexec", 55665)
    monkeypatch.setattr(fontprograms, "_t1_decrypt_c", None)
    assert fontprograms._t1_decrypt(data, 55665) == b"currentfile eexec"
