"""Embedded font programs for 6.2.11 (fonts.py): Type 1 decrypted and parsed, TrueType/OpenType and bare
CFF read with fontTools, one Program per font with its glyph names, widths and code mapping."""

from __future__ import annotations

import io
import re
import threading
from collections import OrderedDict

from pikepdf import Dictionary, Stream

from .limits import LimitExceeded
from .util import get, key, num


def _fontfile(font):
    fd = get(font, "/FontDescriptor")
    if not isinstance(fd, Dictionary):
        return None, None
    for k in ("/FontFile", "/FontFile2", "/FontFile3"):
        s = get(fd, k)
        if isinstance(s, Stream):
            return k, s
    return None, None

def _t1_decrypt_py(data: bytes, r: int) -> bytes:
    """Type 1 charstring/eexec decryption (Adobe Type 1 Font Format 7.1; the algorithm of fontTools.misc.eexec,
    a faster loop): the reference, and the fallback where _jpegscan.c was not built."""
    out = bytearray(len(data))
    for i, c in enumerate(data):
        out[i] = c ^ (r >> 8)
        r = ((c + r) * 52845 + 22719) & 0xFFFF
    return bytes(out)


try:  # the C helpers of pdfa/ (built by setup.py where a compiler exists)
    from edossier.pdfa._jpegscan import t1_decrypt as _t1_decrypt_c
except ImportError:  # pragma: no cover - a source install without a C compiler
    _t1_decrypt_c = None


def _t1_decrypt(data: bytes, r: int) -> bytes:
    """_t1_decrypt_py, in C where it was built (a Python loop a byte: 12 ms of a veraPDF corpus pass, issue 19;
    tests/test_pdfa_t1_decrypt.py compares the two). Only 16-bit keys (the format's are 55665 and 4330)."""
    if not 0 <= r <= 0xFFFF:
        raise ValueError(f"Type 1 decryption key {r} is not 16-bit")
    if _t1_decrypt_c is None:
        return _t1_decrypt_py(data, r)
    return _t1_decrypt_c(data, r)


def _suckfont(data: bytes):
    """fontTools.misc.psLib.suckfont(data, "ascii"), step for step, except that the eexec section is
    decrypted by _t1_decrypt: fontTools decrypts it through a function call per byte, about a quarter of the
    time a corpus pass spends reading Type 1 fonts."""
    import re

    from fontTools.misc import psLib

    m = re.search(rb"/FontName\s+/([^ \t\n\r]+)\s+def", data)
    font_name = m.group(1).decode() if m else None
    interpreter = _interpreter_class()(encoding="ascii")
    interpreter.interpret(b"/Helvetica 4 dict dup /Encoding StandardEncoding put definefont pop")
    interpreter.interpret(data)
    fontdir = interpreter.dictstack[0]["FontDirectory"].value
    if font_name in fontdir:
        rawfont = fontdir[font_name]
    else:
        names = list(fontdir.keys())
        if len(names) > 1:
            names.remove("Helvetica")
        names.sort()
        rawfont = fontdir[names[0]]
    interpreter.close()
    return psLib.unpack_item(rawfont)


_INTERPRETER = None

# psLib's lexical classes (fontTools.misc.psLib): its whitespace is string.whitespace, and a name token runs up to
# whitespace or one of ][(){}<>/% (any other byte, non-ASCII included, continues it; a token that is not ASCII
# then fails to decode, so a name read here is limited to ASCII and must end where psLib's would).
_PS_W = rb"[ \t\n\r\x0b\x0c]"
_PS_NAME = rb"[^\x80-\xff \t\n\r\x0b\x0c\[\](){}<>/%]"
_PS_END = rb"(?![^ \t\n\r\x0b\x0c\[\](){}<>/%])"
# "/name 12 RD " (a CharStrings entry) and "dup 5 12 RD " (a Subrs entry), up to the byte readstring skips;
# at most 9 digits (int() of any such token is the number itself)
_PS_CHARSTRING = re.compile(rb"/(" + _PS_NAME + rb"*)" + _PS_W + rb"+([0-9]{1,9})" + _PS_W + rb"+(" + _PS_NAME
                            + rb"+)" + _PS_END)
_PS_SUBR = re.compile(rb"dup" + _PS_W + rb"+([0-9]{1,9})" + _PS_W + rb"+([0-9]{1,9})" + _PS_W + rb"+(" + _PS_NAME
                      + rb"+)" + _PS_END)
# "dup 65 /A put" (an Encoding entry)
_PS_ENCODING = re.compile(rb"dup" + _PS_W + rb"+([0-9]{1,9})" + _PS_W + rb"+/(" + _PS_NAME + rb"*)" + _PS_END + _PS_W
                          + rb"*put" + _PS_END)
_PS_NEXT_NAME = re.compile(_PS_W + rb"*(" + _PS_NAME + rb"+)" + _PS_END)
# a bracket, or a literal or name (a run of bytes that are neither whitespace nor ][(){}<>/%) after whitespace
_PS_TOKEN = re.compile(rb"[ \t\n\r\x0b\x0c]*(?:([\[\]{}])|(/?)([^\[\](){}<>/% \t\n\r\x0b\x0c]*))")
_READ = ("string", "currentfile", "exch", "readstring", "pop")  # RD / -| : {string currentfile exch readstring pop}
_DEF = ("noaccess", "def")  # ND / |- : {noaccess def}
_PUT = ("noaccess", "put")  # NP / | : {noaccess put}


_MISSING = object()


def _lookup(dictstack: list, name):
    """psLib's resolve_name (the topmost dictionary that has the name decides), _MISSING where none has it."""
    for d in reversed(dictstack):
        if name in d:
            return d[name]
    return _MISSING


def _interpreter_class():
    global _INTERPRETER
    if _INTERPRETER is None:
        from fontTools.misc import psLib
        from fontTools.misc.psOperators import ps_literal, ps_string

        class _Tokenizer(psLib.PSTokenizer):
            def getnexttoken(self):
                """psLib.PSTokenizer.getnexttoken for a name, a literal or a bracket (what a Type 1 program is
                mostly made of) with one match: the whitespace it skips, the run of bytes up to whitespace or
                ][(){}<>/% it takes, the token text decoded as strictly; a string, hex string, comment, stray
                ) or >, or the end, goes to psLib's own method (which skips the same whitespace again)."""
                m = _PS_TOKEN.match(self.buf, self.pos)
                bracket = m.group(1)
                if bracket is not None and m.start(1) < self.len:  # psLib ends where its length says
                    self.pos = m.end()
                    return "do_special", bracket.decode(self.encoding)
                slash, run = m.group(2, 3)
                if not slash and not run or m.start(2) >= self.len:
                    return super().getnexttoken()
                self.pos = m.end()
                return ("do_literal", "/" + run.decode(self.encoding)) if slash else ("", run.decode(self.encoding))

        class _Interpreter(psLib.PSInterpreter):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                # the operators as the interpreter made them, before the program could redefine anything
                self._ops = {n: self.dictstack[0][n] for n in ("dup", "put", "index") + _READ + _DEF + _PUT}

            def ps_eexec(self):
                # psOperators.ps_eexec and PSTokenizer.starteexec in one, with the faster decryption
                f = self.pop("filetype").value
                f.pos = f.pos + 1
                f.dirtybuf = f.buf[f.pos:]
                f.buf = _t1_decrypt(f.dirtybuf, 55665)
                f.len = len(f.buf)
                f.pos = 4

            def ps_for(self):
                """psOperators.ps_for, except that "A i 1 n {1 index exch /name put} for" (a Type 1 program's
                clear text fills its Encoding array with /.notdef so) stores the literal at i..n of A in one
                step when psLib's loop would do just that: integer bounds, increment 1, the indexes inside the
                array, the procedure exactly those five items, its names now the interpreter's own operators
                (the loop changes only the array, so they stay so). Each pass of psLib's loop pushes the index,
                duplicates the array under it (1 index), swaps the two and puts the literal at the index,
                leaving the stack as before; after the last, the array is left on the stack."""
                stack = self.stack
                if len(stack) >= 5:
                    array, first, step, last, proc = stack[-5:]
                    if proc.type == "proceduretype" and first.type == step.type == last.type == "integertype" and \
                            step.value == 1 and array.type == "arraytype" and 0 <= first.value and \
                            last.value < len(array.value) and self._fill_procedure(proc):
                        del stack[-4:]
                        name = proc.value[3]
                        values = array.value
                        for k in range(first.value, last.value + 1):
                            values[k] = name
                        return
                super().ps_for()

            def _fill_procedure(self, proc) -> bool:
                """`proc` is {1 index exch /name put} as psLib would run it now."""
                items = proc.value
                if proc.literal or len(items) != 5:
                    return False
                one, index, exch, name, put = items
                return (one.type == "integertype" and one.literal and one.value == 1
                        and name.type == "literaltype" and name.literal
                        and all(item.type == "nametype" and not item.literal and item.value == want
                                and self._system_op(want)
                                for item, want in ((index, "index"), (exch, "exch"), (put, "put"))))

            def interpret(self, data, getattr=getattr):
                """psLib.PSInterpreter.interpret, except that a CharStrings, Subrs or Encoding entry is read in one step
                (`_entry`) when that step provably has the effect psLib's tokens and operators would have: a
                Type 1 program is mostly such entries (~8 tokens and operators each), and interpreting them was
                most of the time a corpus pass spends on Type 1 fonts (issue 19)."""
                tokenizer = self.tokenizer = _Tokenizer(data, self.encoding)
                getnexttoken = tokenizer.getnexttoken
                do_token = self.do_token
                handle_object = self.handle_object
                entry = self._entry
                while 1:
                    if not self.proclevel:
                        tokenizer.skipwhite()
                        pos = tokenizer.pos
                        if pos < tokenizer.len and tokenizer.buf[pos] in b"/d" and entry(tokenizer, pos):
                            continue
                    tokentype, token = getnexttoken()
                    if not token:
                        break
                    if tokentype:
                        handler = getattr(self, tokentype)
                        object = handler(token)
                    else:
                        object = do_token(token)
                    if object is not None:
                        handle_object(object)
                tokenizer.close()
                self.tokenizer = None

            def _system_op(self, name: str) -> bool:
                """The name, looked up now, is the interpreter's own operator (psLib would call it)."""
                op = self._ops[name]
                return _lookup(self.dictstack, name) is op and not op.literal

            def _procedure_of(self, name: bytes, body: tuple) -> bool:
                """The token `name`, read now, is a name (not a number: psLib's do_token decides) whose value is a
                procedure psLib would call, made of the names `body`, each of them the interpreter's own operator."""
                token = self.do_token(name.decode("ascii"))
                if token.type != "nametype":
                    return False
                dictstack = self.dictstack
                proc = _lookup(dictstack, token.value)
                if proc is _MISSING or proc.type != "proceduretype" or proc.literal:
                    return False
                items = proc.value
                if len(items) != len(body):
                    return False
                ops = self._ops
                for item, want in zip(items, body):
                    if item.type != "nametype" or item.literal or item.value != want:
                        return False
                    op = ops[want]
                    if _lookup(dictstack, want) is not op or op.literal:
                        return False
                return True

            def _entry(self, tokenizer, pos: int) -> bool:
                """One "/name n RD <n bytes> ND", "dup i n RD <n bytes> NP" or "dup i /name put" entry at `pos`, if
                it is one and psLib would read it with those operators without an error: then its effect, and
                True; else False and nothing done (psLib's own loop reads it, errors included). psLib would push
                the literal (or duplicate the array on top of the stack) and the numbers; RD makes a string of n
                bytes, skips the byte after the RD token and reads n bytes into it (all of them: the data must be
                there), drops readstring's boolean; ND / NP mark the string noaccess and def it under the name in
                the current dictionary / put it at index i of the array; put stores the literal at index i. The
                stack ends as it began."""
                buf = tokenizer.buf
                if buf[pos] == 0x2F:  # "/"
                    m = _PS_CHARSTRING.match(buf, pos)
                    if m is None:
                        return False
                    n = int(m.group(2))
                    body = _DEF
                else:
                    m = _PS_SUBR.match(buf, pos)
                    if m is None:
                        m = _PS_ENCODING.match(buf, pos)
                        if m is None:
                            return False
                        body = None
                    else:
                        n = int(m.group(2))
                        body = _PUT
                    if not self.stack:
                        return False
                    target = self.stack[-1]
                    i = int(m.group(1))
                    if target.type != "arraytype" or i >= len(target.value) or not self._system_op("dup"):
                        return False
                    if body is None:
                        if not self._system_op("put"):
                            return False
                        target.value[i] = ps_literal(m.group(2).decode("ascii"))
                        tokenizer.pos = m.end()
                        return True
                start = m.end() + 1
                end = start + n
                if end > tokenizer.len:  # readstring reads up to the tokenizer's length
                    return False
                # a name must follow the data, so all n bytes are there (readstring would read fewer at the end)
                after = _PS_NEXT_NAME.match(buf, end)
                if after is None or not self._procedure_of(m.group(3), _READ) or \
                        not self._procedure_of(after.group(1), body):
                    return False
                s = ps_string(buf[start:end])
                s.access = 3  # noaccess on a new string (access 0)
                if body is _DEF:
                    self.dictstack[-1][m.group(1).decode("ascii")] = s
                else:
                    target.value[i] = s
                tokenizer.pos = after.end()
                return True

        _INTERPRETER = _Interpreter
    return _INTERPRETER


def _parse_type1(data: bytes) -> dict:
    """fontTools.t1Lib.T1Font.parse on in-memory data, with the faster eexec and charstring decryption."""
    from fontTools.misc import psCharStrings

    font = _suckfont(data)
    charstrings = font["CharStrings"]
    priv = font["Private"]
    lenIV = priv.get("lenIV", 4)
    if lenIV < 0:
        raise ValueError("lenIV < 0")
    subrs = priv.get("Subrs", [])
    for name in list(charstrings.keys())[:70000]:
        charstrings[name] = psCharStrings.T1CharString(_t1_decrypt(charstrings[name], 4330)[lenIV:], subrs=subrs)
    for i in range(len(subrs)):
        subrs[i] = psCharStrings.T1CharString(_t1_decrypt(subrs[i], 4330)[lenIV:], subrs=subrs)
    return font


class Program:
    """What we need from an embedded font program: glyph lookup and advance widths."""

    def __init__(self, kind: str, data: bytes) -> None:
        self.kind = kind
        self.tt = None
        self.cff = None
        self.t1 = None
        self.ok = False
        try:
            if kind == "/FontFile":
                self.t1 = _parse_type1(data)
                self.order = list(self.t1["CharStrings"].keys())
                self.num_glyphs = len(self.order)
                self.ok = True
                return
            if kind == "/FontFile2" or (kind == "/FontFile3" and data[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")):
                from fontTools.ttLib import TTFont

                self.tt = TTFont(io.BytesIO(data), lazy=True, fontNumber=0)
                self.upem = self.tt["head"].unitsPerEm or 1000
                self.num_glyphs = self.tt["maxp"].numGlyphs
                self.order = self.tt.getGlyphOrder()
                self.ok = True
            elif kind == "/FontFile3":
                from fontTools.cffLib import CFFFontSet

                cs = CFFFontSet()
                cs.decompile(io.BytesIO(data), None)
                self.cff = cs[cs.fontNames[0]]
                self.order = self.cff.charset
                self.num_glyphs = len(self.order)
                self.ok = True
        except Exception:  # noqa: BLE001
            self.ok = False

    def cmap(self, pid: int, eid: int):
        try:
            t = self.tt["cmap"].getcmap(pid, eid)
            return t.cmap if t is not None else None
        except Exception:  # noqa: BLE001
            return None

    def cmaps(self) -> list[tuple[int, int]]:
        try:
            return [(t.platformID, t.platEncID) for t in self.tt["cmap"].tables]
        except Exception:  # noqa: BLE001
            return []

    def has_glyph(self, gname: str) -> bool:
        if self.t1 is not None:
            return gname in self.t1["CharStrings"]
        if self.cff is not None:
            return gname in self.cff.CharStrings
        return gname in self.order

    def advance(self, gname: str) -> float | None:
        try:
            if self.t1 is not None:
                from fontTools.pens.basePen import NullPen

                cs = self.t1["CharStrings"][gname]
                cs.draw(NullPen())
                fm = self.t1.get("FontMatrix") or [0.001]
                return cs.width * fm[0] * 1000
            if self.tt is not None:
                return self.tt["hmtx"][gname][0] * 1000.0 / self.upem
            if self.cff is not None:
                cs = self.cff.CharStrings[gname]
                cs.decompile()
                from fontTools.pens.basePen import NullPen

                cs.draw(NullPen())
                w = cs.width
                fm = getattr(self.cff, "FontMatrix", [0.001])
                scale = fm[0] * 1000 if fm and fm[0] else 1
                return w * scale
        except Exception:  # noqa: BLE001
            return None
        return None

    def cid_glyph(self, cid: int) -> str | None:
        """CFF CID-keyed: glyph name for a CID (None if absent)."""
        if self.cff is None:
            return None
        if hasattr(self.cff, "ROS"):
            nm = f"cid{cid:05d}"
            return nm if nm in self.cff.CharStrings else None
        if 0 <= cid < len(self.order):
            return self.order[cid]
        return None


# Parsed programs by (kind, SHA-256 of the program bytes), across documents (issue 19): the same embedded
# font recurs from document to document (the generated pages' CJK font, a producer's standard fonts), and
# parsing it is the costly part (Type 1 decryption, TrueType hmtx: ~45 ms for a CJK subset). A Program is
# a function of those bytes alone, so a program with the same bytes gives the same answers. Per thread:
# fontTools loads tables lazily and is not safe to share between threads (the exchange node validates
# on several). Bounded by the bytes it holds.
_PROGRAMS_MAX_BYTES = 24 * 1024 * 1024
_programs = threading.local()


def _shared_program(kind: str, data: bytes) -> Program:
    import hashlib

    cache = getattr(_programs, "cache", None)
    if cache is None:
        cache = _programs.cache = OrderedDict()
        _programs.size = 0
    k = (kind, hashlib.sha256(data).digest())
    prog = cache.get(k)
    if prog is not None:
        cache.move_to_end(k)
        return prog
    prog = Program(kind, data)
    if len(data) <= _PROGRAMS_MAX_BYTES // 4:
        cache[k] = prog
        _programs.size += len(data)
        prog.nbytes = len(data)
        while _programs.size > _PROGRAMS_MAX_BYTES:
            _, old = cache.popitem(last=False)
            _programs.size -= old.nbytes
    return prog


def _program(ctx, font) -> Program | None:
    cache = ctx.cache.setdefault("programs", {})
    k = key(font)
    if k in cache:
        return cache[k]
    kind, ff = _fontfile(font)
    prog = None
    if ff is not None:
        try:
            data = ctx.stream_bytes(ff)
            if kind == "/FontFile":
                n1, n2 = num(get(ff, "/Length1")), num(get(ff, "/Length2"))
                if isinstance(n1, int) and isinstance(n2, int) and 0 < n1 + n2 <= len(data):
                    data = data[:n1 + n2]
            prog = _shared_program(kind, data)
            if not prog.ok:
                prog = None
        except LimitExceeded:
            raise  # a bomb is PDF-UNREADABLE (the runner), not merely a program that cannot be read
        except Exception:  # noqa: BLE001 - a stream qpdf cannot decode: no program
            prog = None
    cache[k] = prog
    return prog
