"""Type 1 programs: the interpreter's one-step reading of CharStrings, Subrs and Encoding entries
(pdfa/fontprograms._Interpreter._entry, issue 19) gives what fontTools' own PostScript interpreter gives.

The reference is fontTools.misc.psLib.suckfont on the same bytes, with no shortcut: for every program below
(a canonical one, programs where a shortcut would go wrong if it trusted the names RD/ND/NP/dup/put, and
random mutations of the entries) both must return the same font dictionary, or both fail."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("fontTools")

from fontTools.misc import eexec, psLib  # noqa: E402
from fontTools.misc.psCharStrings import T1CharString  # noqa: E402

from edossier.pdfa import fontprograms  # noqa: E402


def _charstring(width: int) -> bytes:
    cs = T1CharString(program=[0, width, "hsbw", 0, 0, "rmoveto", 100, 0, "rlineto", "closepath", "endchar"])
    cs.compile()
    return eexec.encrypt(b"\x00\x00\x00\x00" + cs.bytecode, 4330)[0]


def _subr() -> bytes:
    return eexec.encrypt(b"\x00\x00\x00\x00\x0b", 4330)[0]  # return


RD, ND, NP = b"RD", b"ND", b"NP"


def _private(rd=RD, nd=ND, np=NP, defs=None, subrs=None, glyphs=None, nsubrs=None, after=b" ", sep=b" ",
             tail=b"\n") -> bytes:
    """The eexec section of a Type 1 program: Private with Subrs, then CharStrings."""
    defs = defs if defs is not None else (
        b"/" + rd + b" {string currentfile exch readstring pop} executeonly def\n"
        b"/" + nd + b" {noaccess def} executeonly def\n"
        b"/" + np + b" {noaccess put} executeonly def\n")
    subrs = subrs if subrs is not None else [_subr(), _subr(), _subr()]
    glyphs = glyphs if glyphs is not None else [(b".notdef", 0), (b"A", 600), (b"B", 650), (b"space", 250)]
    out = [b"dup /Private 8 dict dup begin\n", defs, b"/lenIV 4 def\n",
           b"/Subrs %d array\n" % (len(subrs) if nsubrs is None else nsubrs)]
    for i, s in enumerate(subrs):
        out.append(b"dup %d %d %s" % (i, len(s), rd) + sep + s + after + np + tail)
    out.append(nd + b"\n2 index /CharStrings %d dict dup begin\n" % len(glyphs))
    for name, width in glyphs:
        cs = _charstring(width)
        out.append(b"/" + name + b" %d %s" % (len(cs), rd) + sep + cs + after + nd + tail)
    out.append(b"end\nend\nreadonly put\nnoaccess put\ndup /FontName get exch definefont pop\n"
               b"mark currentfile closefile\n")
    return b"".join(out)


_FILL = b"0 1 255 {1 index exch /.notdef put} for\n"


def _program(private: bytes, encoding: bytes | None = None, fill: bytes = _FILL) -> bytes:
    encoding = encoding if encoding is not None else b"dup 65 /A put\ndup 66 /B put\ndup 32 /space put\n"
    clear = (b"%!PS-AdobeFont-1.0: Test 001\n11 dict begin\n"
             b"/FontInfo 2 dict dup begin /version (001) readonly def end readonly def\n"
             b"/FontName /Test def\n/Encoding 256 array\n" + fill + encoding +
             b"readonly def\n/PaintType 0 def\n/FontType 1 def\n/FontMatrix [0.001 0 0 0.001 0 0] readonly def\n"
             b"/FontBBox {0 0 1000 1000} readonly def\ncurrentdict end\ncurrentfile eexec\n")
    return clear + eexec.encrypt(b"\x11\x22\x33\x44" + private, 55665)[0] + b"\n" + b"0" * 512 + b"\ncleartomark\n"


def _outcome(read, data):
    try:
        return "ok", read(data)
    except Exception as exc:  # noqa: BLE001 - compared: both readers must fail alike
        return "error", type(exc).__name__


def _reference(data):
    return psLib.suckfont(data, "ascii")


@pytest.fixture
def steps(monkeypatch):
    """How many entries the shortcut read (so that a test sees it was used, not merely harmless)."""
    cls = fontprograms._interpreter_class()
    real = cls._entry
    seen = {"fast": 0}

    def counting(self, tokenizer, pos):
        done = real(self, tokenizer, pos)
        seen["fast"] += done
        return done

    monkeypatch.setattr(cls, "_entry", counting)
    return seen


def test_a_canonical_program_is_read_in_steps_and_alike(steps):
    data = _program(_private())
    mine, ref = _outcome(fontprograms._suckfont, data), _outcome(_reference, data)
    assert ref[0] == "ok" and mine == ref
    font = mine[1]
    assert sorted(font["CharStrings"]) == [".notdef", "A", "B", "space"]
    assert len(font["Private"]["Subrs"]) == 3 and font["Encoding"][65] == "A"
    # 3 Subrs + 4 CharStrings + 3 Encoding entries
    assert steps["fast"] == 10
    # and the parsed program answers as fontTools' would: the advance width of A is its hsbw width
    prog = fontprograms.Program("/FontFile", data)
    assert prog.ok and prog.advance("A") == 600 and prog.has_glyph("space") and not prog.has_glyph("C")


@pytest.mark.parametrize("rd, nd, np", [(b"-|", b"|-", b"|"), (b"RD", b"ND", b"NP"), (b"read", b"def2", b"put2")])
def test_other_names_for_the_procedures(steps, rd, nd, np):
    data = _program(_private(rd=rd, nd=nd, np=np))
    assert _outcome(fontprograms._suckfont, data) == _outcome(_reference, data)
    assert steps["fast"] == 10


# Programs in which the entries do NOT mean what they seem to: the shortcut must stand aside (psLib's reading
# is then the answer, error or not).
_STD = (b"/RD {string currentfile exch readstring pop} executeonly def\n/ND {noaccess def} executeonly def\n"
        b"/NP {noaccess put} executeonly def\n")
_TRICKS = {
    # RD reads one more operator, ND and NP do something else
    "rd-different": _private(defs=_STD.replace(b"readstring pop}", b"readstring pop pop}")),
    "nd-is-put": _private(defs=_STD.replace(b"{noaccess def}", b"{noaccess put}")),
    "np-is-def": _private(defs=_STD.replace(b"{noaccess put}", b"{noaccess def}")),
    "bound": _private(defs=_STD.replace(b"executeonly def", b"bind executeonly def")),
    # a glyph named like an operator the procedures call: from then on, psLib finds the glyph's string
    "glyph-named-pop": _private(glyphs=[(b".notdef", 0), (b"pop", 500), (b"A", 600)]),
    "glyph-named-def": _private(glyphs=[(b"def", 500), (b"A", 600), (b"B", 600)]),
    "glyph-named-string": _private(glyphs=[(b"string", 500), (b"A", 600)]),
    "glyph-named-RD": _private(glyphs=[(b"RD", 500), (b"A", 600)]),
    # dup and put redefined before the Subrs
    "dup-redefined": _private(defs=_STD + b"/dup {} def\n"),
    "put-redefined": _private(defs=_STD + b"/put {pop pop pop} def\n", subrs=[_subr()]),
    # a procedure name that psLib reads as a number, not a name
    "numeric-rd": _private(rd=b"1e5"),
    "radix-nd": _private(nd=b"8#17"),
    # ... and one whose number is also a key (def takes any key): psLib pushes the number all the same
    "numeric-key-rd": _private(rd=b"1e5", defs=_STD.replace(b"/RD ", b"100000 ")),
    "numeric-key-nd": _private(nd=b"7.0", defs=_STD.replace(b"/ND ", b"7 ")),
    # Subrs array too short, data cut short, odd bytes around the data
    "subr-index-out-of-range": _private(nsubrs=1),
    "comment-before-nd": _private(after=b" %c\n"),
    "nd-glued-to-data": _private(after=b""),
    "non-ascii-after-data": _private(after=b"\xe9"),
    "non-ascii-after-rd": _private(sep=b"\xe9"),  # psLib's token is "RD\xe9", not ASCII
    "non-ascii-after-nd": _private(tail=b"\xe9\n"),
    "slash-after-rd": _private(sep=b"/"),  # the byte readstring skips need not be a space
    "nd-then-brace": _private(tail=b"{}\n"),
    "brace-after-data": _private(after=b"{"),
}


@pytest.mark.parametrize("name", sorted(_TRICKS))
def test_programs_where_the_names_mean_something_else(name):
    data = _program(_TRICKS[name])
    assert _outcome(fontprograms._suckfont, data) == _outcome(_reference, data)


@pytest.mark.parametrize("encoding", [
    b"dup 300 /A put\n",  # beyond the array: psLib fails
    b"dup 65 /\xc3\xa9 put\n",  # not ASCII
    b"dup 65 /A/put\n",  # a literal, not put
    b"dup 65 /Aput\n",
    b"dup 65 /A %x\nput\n",
    b"/put {pop pop} def dup 65 /A put\n",
    b"dup 65 /A put dup 66 /B\nput\n",
])
def test_encoding_entries(encoding):
    data = _program(_private(), encoding=encoding)
    assert _outcome(fontprograms._suckfont, data) == _outcome(_reference, data)


def test_the_encoding_is_filled_in_one_step(monkeypatch):
    """"0 1 255 {1 index exch /.notdef put} for" is done in one step, and gives psLib's Encoding."""
    cls = fontprograms._interpreter_class()
    real = cls._fill_procedure
    used = []
    monkeypatch.setattr(cls, "_fill_procedure", lambda self, proc: used.append(real(self, proc)) or used[-1])
    data = _program(_private())
    mine, ref = _outcome(fontprograms._suckfont, data), _outcome(_reference, data)
    assert ref[0] == "ok" and mine == ref and used == [True]
    assert ref[1]["Encoding"][:3] == [".notdef"] * 3 and ref[1]["Encoding"][65] == "A"


@pytest.mark.parametrize("fill", [
    b"0 1 256 {1 index exch /.notdef put} for\n",  # one past the end: psLib fails
    b"0 1 255 {1 index exch /x put} for\n",
    b"5 1 3 {1 index exch /.notdef put} for\n",  # nothing to do
    b"0 2 255 {1 index exch /.notdef put} for\n",
    b"255 -1 0 {1 index exch /.notdef put} for\n",
    b"0.0 1 255 {1 index exch /.notdef put} for\n",
    b"0 1 255.0 {1 index exch /.notdef put} for\n",
    b"-1 1 255 {1 index exch /.notdef put} for\n",
    b"0 1 255 {2 index exch /.notdef put} for\n",
    b"0 1 255 {1 index exch (x) put} for\n",
    b"/foo 7 def 0 1 255 {1 index exch foo put} for\n",  # an executable name: psLib puts its value, 7
    b"0 1 255 {1 index exch /.notdef put pop} for\n",
    b"0 1 255 {1 index exch /.notdef put} bind for\n",
    b"/index {pop} def 0 1 255 {1 index exch /.notdef put} for\n",
    b"/exch {} def 0 1 255 {1 index exch /.notdef put} for\n",
    b"/put {pop pop pop} def 0 1 255 {1 index exch /.notdef put} for\n",
    b"0 1 255 {1 index exch /.notdef put}\n",  # no for: the procedure stays on the stack
    b"1 255 {1 index exch /.notdef put} for\n",  # the array is the start value
    b"pop 0 1 255 {1 index exch /.notdef put} for\n",  # no array below
])
def test_fills_that_are_not_the_usual_one(fill):
    data = _program(_private(), fill=fill)
    assert _outcome(fontprograms._suckfont, data) == _outcome(_reference, data)


def test_a_truncated_program():
    data = _program(_private())
    for cut in (len(data) // 3, len(data) // 2, len(data) - 600):
        assert _outcome(fontprograms._suckfont, data[:cut]) == _outcome(_reference, data[:cut])


_PIECES = [b" ", b"\n", b"\t", b"\x0c", b"\x0b", b"\x00", b"RD", b"ND", b"NP", b"-|", b"|-", b"dup", b"put", b"def",
           b"/", b"/A", b"%", b"(", b")", b"{", b"}", b"[", b"]", b"<", b">", b"0", b"7", b"99", b"12345678901",
           b"\xe9", b"#", b"1e3", b"pop", b"string", b"noaccess"]


def test_random_mutations_of_the_entries(steps):
    """Mutants of the canonical program (a piece of PostScript inserted, deleted or replaced in the Subrs and
    CharStrings), each read both ways: the same dictionary or both failing."""
    rnd = random.Random(19)
    base = _private()
    lo = base.index(b"/Subrs")
    agree = diverse = 0
    for _ in range(400):
        p = bytearray(base)
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randrange(lo, len(p))
            piece = rnd.choice(_PIECES)
            op = rnd.random()
            if op < 0.4:
                p[at:at] = piece
            elif op < 0.7:
                p[at:at + len(piece)] = piece
            else:
                del p[at:at + rnd.randint(1, 4)]
        data = _program(bytes(p))
        mine, ref = _outcome(fontprograms._suckfont, data), _outcome(_reference, data)
        assert mine == ref, bytes(p)
        agree += 1
        diverse += ref[0] == "ok"
    # the mutants must exercise both outcomes, or the comparison says little
    assert agree == 400 and 10 < diverse < 390 and steps["fast"] > 1000


def _tokens(tokenizer_class, data: bytes):
    """Every (type, text) a tokenizer gives for `data`, and its position after each; the error that ends it."""
    t = tokenizer_class(data, "ascii")
    out = []
    try:
        while True:
            kind, token = t.getnexttoken()
            out.append((kind, token, t.pos))
            if not token:
                return out, None
    except Exception as exc:  # noqa: BLE001 - compared: both tokenizers must fail alike
        return out, type(exc).__name__


def _tokenizer_class():
    """The tokenizer the interpreter reads with (made inside its interpret)."""
    seen = []
    real = psLib.PSTokenizer.__init__

    def grab(self, *args, **kwargs):
        seen.append(type(self))
        real(self, *args, **kwargs)

    psLib.PSTokenizer.__init__ = grab
    try:
        fontprograms._suckfont(_program(_private()))
    finally:
        psLib.PSTokenizer.__init__ = real
    assert seen and seen[0] is not psLib.PSTokenizer
    return seen[0]


def test_the_tokenizer_reads_what_pslib_reads():
    """The one-match tokenizer against psLib's on random runs of PostScript pieces and stray bytes: the same
    tokens, the same positions, the same error."""
    mine = _tokenizer_class()
    rnd = random.Random(1919)
    pieces = _PIECES + [b"/a/b", b"{}", b"[]", b"<41 42>", b"<4g>", b"(a(b)c)", b"(\\))", b"% c\n", b"\r\n", b"\x7f",
                        b"\x80", b"\xff", b"a\x00b", b"//x", b"/", b"exch", b"8#17"]
    kinds = set()
    for _ in range(3000):
        data = b"".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        ref = _tokens(psLib.PSTokenizer, data)
        assert _tokens(mine, data) == ref, data
        kinds.update(k for k, _, _ in ref[0])
        kinds.add(ref[1])
    assert {"do_special", "do_literal", "", "do_string", "do_hexstring", "do_comment", None,
            "PSTokenError", "UnicodeDecodeError"} <= kinds
