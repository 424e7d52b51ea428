"""The one walk over every content stream (pages, Form XObjects, patterns, soft masks, Type 3 glyphs,
annotation appearances) with the resources in force at each point, recording the facts (Facts) that the
domain checks read. graphics.py runs it once per document (facts) and holds the 6.2.2/6.1.13 checks."""

from __future__ import annotations

import hashlib
import os
import warnings

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from .contentfacts import ColourUse, Facts, FontUse
from .contentfast import (_CS_OPS_FILL, _CS_OPS_STROKE, _FILLS, _INITIAL, _PAINT, _STROKES, _fact_sizes,
                          _indirect_key, _initial_gray, _Quiet, _simple_instructions, _xobject_paints, same_lookups,
                          walk_simple)
from .contentlimits import _hex_in_content, _limits_in_operands, long_number
from .limits import QPDF_OVERFLOW, LimitExceeded, parse_guard
from .util import get, inherited, key, name_str, num

# PDF names compared with in the checks, built once: `Name.X` costs ~0.5 us each time (pikepdf builds it)
_N_Type3 = Name.Type3
_N_Transparency = Name.Transparency
_N_ICCBased = Name.ICCBased


OPERATORS = set("""b B b* B* BDC BI BMC BT BX c cm CS cs d d0 d1 Do DP EI EMC ET EX f F f* G g gs h i ID j J K k l
m M MP n q Q re RG rg ri s S SC sc SCN scn sh T* Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz v w W W* y ' \"""".split())


# Names built once: Name.<attribute> costs ~0.7 us (pikepdf builds it in Python), and these are tested for every
# XObject drawn
_IMAGE, _FORM = Name.Image, Name.Form

_PIKEPDF_DIR = os.path.dirname(pikepdf.__file__) + os.sep


_PARSE_GROUPED = getattr(pikepdf.Object, "_parse_stream_grouped", None)


def parse_stream(stream) -> list:
    """pikepdf.parse_content_stream(stream) for a stream object: the call that function makes for one, without
    its type tests, two of which look up /Type in the stream (a missing key costs pikepdf a C++ exception:
    ~5 us a stream, issue 19); the same instructions and the same errors (its one conversion is kept).
    Where pikepdf has no such method, the public function."""
    if _PARSE_GROUPED is None:
        return pikepdf.parse_content_stream(stream)
    try:
        return _PARSE_GROUPED(stream, "")
    except pikepdf.PdfError as e:
        if "supposed to be a stream or an array" in str(e):
            raise TypeError("parse_content_stream called on non-stream Object") from e
        raise


def _from_pikepdf(w: warnings.WarningMessage) -> bool:
    """A warning pikepdf raised while parsing (its parser reports a damaged stream as a UserWarning
    from its own code — or from this call site, should a pikepdf version warn with stacklevel=2),
    not one that merely happened during the parse (a finalizer's ResourceWarning, another thread's)."""
    where = str(w.filename)
    return issubclass(w.category, UserWarning) and (where.startswith(_PIKEPDF_DIR) or where == __file__)


# operators that need no bookkeeping here
_BORING = set("""b B b* B* BDC BMC BT BX c cm d d0 d1 DP EMC ET EX f F f* h i j J l m M MP n re s S SC sc T* Tc
Td TD TL Tm Ts Tw Tz v w W W* y""".split())


_TEXT_SHOW = {"Tj", "'", '"', "TJ"}
# _INITIAL, _FILLS, _STROKES, _PAINT, _CS_OPS_FILL, _CS_OPS_STROKE: contentfast.py (the fast walk keeps the same
# colour state, and imports point down)
_INLINE_CS = {"/G": "/DeviceGray", "/RGB": "/DeviceRGB", "/CMYK": "/DeviceCMYK", "/I": "/Indexed"}


def page_resources(page: pikepdf.Object):
    return inherited(page, "/Resources")


class Walker:
    # Content streams with the same decoded bytes are walked once when the first walk was quiet (see
    # walk_stream); False walks every stream (tests compare both ways).
    memo = True
    # Streams of _SIMPLE instructions are read without pikepdf's parser (walk_simple); False parses all.
    fast = True

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.f = Facts()
        self.visited: set = set()  # (stream key, resources key) already walked
        self.page_index = 0
        self.transparent = False
        self.quiet: dict = {}  # (SHA-256 of the decoded bytes, depth) -> _Quiet
        self._lookups: list | None = None  # the lookups of the walk being recorded
        self._walks = 0  # walk_bytes calls so far (a nested walk makes the outer one not quiet)

    # resources: list of dicts, innermost first; `own` = whether innermost is the stream's own
    def lookup(self, res_chain, cat: str, name: str, loc: str):
        for depth, (res, own) in enumerate(res_chain):
            if res is None:
                continue
            d = get(res, cat)
            if isinstance(d, Dictionary) and name in d:
                if not own:
                    self.f.inherited.append((loc, f"{cat}{name_str(name)}"))
                v = d[name]
                if self._lookups is not None:
                    self._lookups.append((cat, name, _indirect_key(v), own))
                return v
        if self._lookups is not None:
            self._lookups.append((cat, name, None, None))
        return None

    def _same_lookups(self, q: _Quiet, res_chain) -> bool:
        return same_lookups(q, res_chain)

    def defaults(self, res_chain) -> dict:
        out = {}
        for res, own in res_chain:
            if res is None:
                continue
            cs = get(res, "/ColorSpace")
            if isinstance(cs, Dictionary):
                for k in ("/DefaultRGB", "/DefaultCMYK", "/DefaultGray"):
                    if k in cs and k not in out:
                        out[k] = cs[k]
            break  # defaults come from the current resource dictionary only
        return out

    def walk_stream(self, stream, res_chain, loc: str, depth: int) -> None:
        if depth > self.ctx.limits.max_form_depth:
            return
        k = (key(stream), tuple(key(r) if r is not None else None for r, _ in res_chain[:1]))
        if k in self.visited:
            return
        self.visited.add(k)
        try:
            data = self.ctx.stream_bytes(stream)
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, LimitExceeded):
                raise
            self.f.errors.append((loc, f"cannot decode content stream: {exc}"))
            return
        if not self.memo:
            self.walk_bytes(data, res_chain, loc, depth)
            return
        # Walked once, answered for every copy (an OCR layer repeated on many pages, a form XObject copied
        # per page). Why skipping the copy cannot change any finding: a walk is a function of the decoded
        # bytes, the depth (it decides the initial colour space and the form-depth limit), the objects the
        # resource lookups return and the facts gathered so far (which only grow: an image once recorded is
        # passed over by every later walk, the copy's as the first's). A walk is *quiet* when it appended nothing
        # to any list of Facts (no colour use, image, form, ExtGState, shading, inline image, intent,
        # inherited resource, undefined operator, operand-limit or parse finding: _FACT_LISTS) and started
        # no nested walk (form, pattern, Type 3 glyph). What a quiet walk can leave is then only (a) font
        # uses: set additions of (string, mode) under the same font objects, which a second identical walk
        # adds again to no effect (and the 2 MB cap per font only ever stops additions), a FontUse's first
        # location being that of its first use either way; (b) the q-nesting maximum, which a copy reaches
        # again but never exceeds, so max_q and its location stay; (c) the operator budget, charged here
        # for the copy as its walk would. A copy is answered from a quiet walk only when its decoded bytes
        # have the same SHA-256, it is at the same depth, and each name the first walk looked up resolves,
        # in the copy's own resource chain, to the same indirect object found in a dictionary of the same
        # kind (own / inherited), or to nothing again (_same_lookups); a direct object never matches. Then
        # every operator of the copy does what it did in the first walk. A walk that is not quiet is never
        # remembered: its copies are walked, so their locations are reported as before.
        mk = (hashlib.sha256(data).digest(), depth)
        q = self.quiet.get(mk)
        if q is not None and self._same_lookups(q, res_chain):
            self.ctx.ops_budget -= q.nops
            if self.ctx.ops_budget < 0:
                raise LimitExceeded("too many content-stream operators")
            return
        before, walks, budget = _fact_sizes(self.f), self._walks, self.ctx.ops_budget
        # a nested walk (a form drawn by this stream) records its own lookups; this walk is then not quiet
        outer, self._lookups = self._lookups, []
        lookups = self._lookups
        try:
            self.walk_bytes(data, res_chain, loc, depth)
        finally:
            self._lookups = outer
        if self._walks == walks + 1 and _fact_sizes(self.f) == before and q is None:
            self.quiet[mk] = _Quiet(budget - self.ctx.ops_budget, lookups)

    def walk_bytes(self, data: bytes, res_chain, loc: str, depth: int) -> None:
        self._walks += 1
        # before either parser holds the stream whole (~200 bytes a token): not after, as max_content_ops is
        parse_guard(data, self.ctx.limits.max_stream_tokens)
        # A string > 32767 bytes needs a stream that long; an out-of-range number needs a run of
        # >= 10 digits (or >= 30 zeros after the point) outside strings and comments (long_number). Only then
        # look at operands.
        deep = len(data) > 32767
        limits = deep or long_number(data)
        if self.fast and not limits:
            simple = _simple_instructions(data)
            if simple is not None:
                self.walk_simple(simple, data, res_chain, loc, depth)
                return
        try:
            scratch = self.ctx.cache.get("scratch")
            if scratch is None:
                scratch = pikepdf.new()
                self.ctx.cache["scratch"] = scratch
            with warnings.catch_warnings(record=True) as warned:
                warnings.simplefilter("always")
                instrs = parse_stream(pikepdf.Stream(scratch, data))
            # catch_warnings records every warning raised anywhere in the process meanwhile: a
            # finalizer the garbage collector happens to run here ("unclosed file", a ResourceWarning)
            # or another thread. Only pikepdf's own complaints about this stream say it is damaged.
            for w in [w for w in warned if _from_pikepdf(w)][:3]:
                self.f.errors.append((loc, f"content stream: {w.message}"))
            if limits:
                # qpdf reads an integer beyond 64 bits as null and says so only in its warnings (the scratch
                # document's, cleared as they are read): out of range (6.1.13-1) as surely as any other.
                # Such an integer has >= 19 digits, so `limits` holds for every stream that can have one.
                for w in scratch.get_warnings():
                    m = QPDF_OVERFLOW.search(str(w))
                    if m:
                        self.f.numbers.append(("6.1.13-1", loc, m.group(1)[:40]))
        except Exception as exc:  # noqa: BLE001
            self.f.errors.append((loc, f"cannot parse content stream: {exc}"))
            return
        self.ctx.ops_budget -= len(instrs)
        if self.ctx.ops_budget < 0:
            raise LimitExceeded("too many content-stream operators")
        f = self.f
        qdepth = 0
        font = None
        font_name = ""
        mode = 0
        mode_stack = []
        # the initial colour space of a page is DeviceGray; forms inherit the caller's (not tracked)
        fill_cs = stroke_cs = _INITIAL if depth == 0 else None
        # the ColourUse of the current fill / stroke colour space, marked painted when an operator paints
        # with it (ISO 19005-2 6.2.4.3 restricts Device colour spaces that are used, i.e. painted with;
        # veraPDF tests the colour spaces of painting operators)
        fill_use = stroke_use = None
        defaults = self.defaults(res_chain)
        boring = _BORING
        opm = [0, False, None]  # OPM, OP, op
        if limits:
            _limits_in_operands(instrs, f, loc, deep)
        if b"<" in data:
            _hex_in_content(data, f, loc)
        text_font = None  # the font object last shown with, its key and whether it is a dictionary
        text_key = text_ok = None
        for ins in instrs:
            try:
                op = str(ins[1])  # the operator; ins[1] is about twice as fast as ins.operator in pikepdf
            except Exception:  # noqa: BLE001
                op = "?"
            if op in boring:
                if op in _PAINT:
                    if fill_use is not None and op in _FILLS:
                        fill_use.painted = True
                    if stroke_use is not None and op in _STROKES:
                        stroke_use.painted = True
                if op in _PAINT and (fill_cs is _INITIAL or stroke_cs is _INITIAL):
                    fill_cs, stroke_cs = _initial_gray(f, op, fill_cs, stroke_cs, loc, defaults)
                if opm[0] == 1 and op in _PAINT:
                    if op in _FILLS:
                        _opm_check(f, opm, fill_cs, True, loc)
                    if op in _STROKES:
                        _opm_check(f, opm, stroke_cs, False, loc)
                continue
            if op == "INLINE IMAGE":
                if self.inline_image(ins, res_chain, loc, defaults) and fill_use is not None:
                    fill_use.painted = True  # an image mask paints with the fill colour
                continue
            if op not in OPERATORS:
                f.undefined_ops.append((op, loc))
                continue
            ops = ins.operands
            if op == "q":
                qdepth += 1
                mode_stack.append((mode, font, font_name, fill_cs, stroke_cs, list(opm), fill_use, stroke_use))
                if qdepth > f.max_q:
                    f.max_q, f.max_q_loc = qdepth, loc
            elif op == "Q":
                qdepth = max(0, qdepth - 1)
                if mode_stack:
                    mode, font, font_name, fill_cs, stroke_cs, opm, fill_use, stroke_use = mode_stack.pop()
            elif op in _TEXT_SHOW:
                # (tested before the other operators: an OCR layer is mostly text)
                if font is not text_font:
                    text_font = font
                    text_ok = font is not None and isinstance(font, Dictionary)
                    text_key = key(font) if text_ok else None
                if not text_ok:
                    continue
                strings = []
                if op == "TJ":
                    if ops and isinstance(ops[0], Array):
                        strings = [bytes(s) for s in ops[0] if isinstance(s, pikepdf.String)]
                else:
                    s = ops[-1] if ops else None
                    if isinstance(s, pikepdf.String):
                        strings = [bytes(s)]
                self.text(font, font_name, strings, mode, loc, res_chain, depth, text_key)
                # visible text counts as painting with both the fill and the stroke colour, whatever the
                # rendering mode: veraPDF's corpus fails DeviceRGB stroke colour under mode 0 text
                # (6-2-4-3-t01-fail-s/-t). Mode 3 (invisible, e.g. an OCR layer) paints nothing.
                if mode != 3:
                    if fill_use is not None:
                        fill_use.painted = True
                    if stroke_use is not None:
                        stroke_use.painted = True
            elif op == "Tf" and ops and isinstance(ops[0], Name):
                font_name = name_str(ops[0])
                font = self.lookup(res_chain, "/Font", ops[0], loc)
            elif op == "Tr" and ops:
                mode = num(ops[0], 0)
            elif op in _CS_OPS_FILL:
                fill_cs = Name(_CS_OPS_FILL[op])
                fill_use = ColourUse(fill_cs, loc, defaults, "fill", painted=False)
                f.colours.append(fill_use)
            elif op in _CS_OPS_STROKE:
                stroke_cs = Name(_CS_OPS_STROKE[op])
                stroke_use = ColourUse(stroke_cs, loc, defaults, "stroke", painted=False)
                f.colours.append(stroke_use)
            elif op in ("cs", "CS") and ops and isinstance(ops[0], Name):
                nm = name_str(ops[0])
                if nm in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern"):
                    space = Name(nm)
                else:
                    space = self.lookup(res_chain, "/ColorSpace", ops[0], loc)
                use = None
                if space is not None:
                    use = ColourUse(space, loc, defaults, "fill" if op == "cs" else "stroke", painted=False)
                    f.colours.append(use)
                if op == "cs":
                    fill_cs, fill_use = space, use
                else:
                    stroke_cs, stroke_use = space, use

            elif op in ("scn", "SCN") and ops and isinstance(ops[-1], Name):
                pat = self.lookup(res_chain, "/Pattern", ops[-1], loc)
                if isinstance(pat, (Dictionary, Stream)):
                    self.pattern(pat, res_chain, loc, depth)
            elif op == "sh" and ops and isinstance(ops[0], Name):
                sh = self.lookup(res_chain, "/Shading", ops[0], loc)
                if isinstance(sh, (Dictionary, Stream)):
                    f.shadings.append((sh, loc))
                    cs = get(sh, "/ColorSpace")
                    if cs is not None:
                        f.colours.append(ColourUse(cs, loc, defaults, "shading"))
            elif op == "Do" and ops and isinstance(ops[0], Name):
                xo = self.lookup(res_chain, "/XObject", ops[0], loc)
                if isinstance(xo, Stream):
                    _xobject_paints(xo, fill_use, stroke_use)
                    self.xobject(xo, res_chain, f"{loc}, XObject {name_str(ops[0])}", depth, defaults)
            elif op == "gs" and ops and isinstance(ops[0], Name):
                gs = self.lookup(res_chain, "/ExtGState", ops[0], loc)
                if isinstance(gs, Dictionary):
                    self.extgstate(gs, res_chain, loc, depth)
                    v = num(get(gs, "/OPM"))
                    if v is not None:
                        opm[0] = v
                    v = get(gs, "/OP")
                    if isinstance(v, bool):
                        opm[1] = v
                    v = get(gs, "/op")
                    if isinstance(v, bool):
                        opm[2] = v
                    fnt = get(gs, "/Font")
                    if isinstance(fnt, Array) and len(fnt) >= 1 and isinstance(fnt[0], Dictionary):
                        font, font_name = fnt[0], "(ExtGState font)"
            elif op == "ri" and ops and isinstance(ops[0], Name):
                f.intents.append((name_str(ops[0]), loc))

    def walk_simple(self, instrs: list, data: bytes, res_chain, loc: str, depth: int) -> None:
        walk_simple(self, instrs, data, res_chain, loc, depth)

    def text(self, font, font_name, strings, mode, loc, res_chain, depth, k=None) -> None:
        if k is None:
            k = key(font)
        fu = self.f.fonts.get(k)
        if fu is None:
            fu = self.f.fonts[k] = FontUse(font, font_name, f"{loc}, font {font_name}")
            if get(font, "/Subtype") == _N_Type3:
                self.type3(font, res_chain, f"{loc}, Type3 font {font_name}", depth)
        fu.modes.add(mode)
        for s in strings:
            if fu.nbytes < 2_000_000 and (s, mode) not in fu.strings:
                fu.strings.add((s, mode))
                fu.nbytes += len(s)

    def type3(self, font, res_chain, loc, depth) -> None:
        procs = get(font, "/CharProcs")
        res = get(font, "/Resources")
        chain = [(res, True)] + res_chain if res is not None else [(None, False)] + [(r, False) for r, _ in res_chain]
        if isinstance(procs, Dictionary):
            for n, p in list(procs.items())[:512]:
                if isinstance(p, Stream):
                    self.walk_stream(p, chain, f"{loc} glyph {n}", depth + 1)

    def pattern(self, pat, res_chain, loc, depth) -> None:
        pt = get(pat, "/PatternType")
        if pt == 1 and isinstance(pat, Stream):
            res = get(pat, "/Resources")
            chain = [(res, True)] + res_chain if res is not None else [(r, False) for r, _ in res_chain]
            self.walk_stream(pat, chain, f"{loc}, pattern", depth + 1)
        elif pt == 2:
            sh = get(pat, "/Shading")
            if isinstance(sh, (Dictionary, Stream)):
                self.f.shadings.append((sh, loc))
                cs = get(sh, "/ColorSpace")
                if cs is not None:
                    self.f.colours.append(ColourUse(cs, loc, self.defaults(res_chain), "shading"))
            gs = get(pat, "/ExtGState")
            if isinstance(gs, Dictionary):
                self.extgstate(gs, res_chain, loc, depth)

    def extgstate(self, gs, res_chain, loc, depth) -> None:
        self.f.extgstates.append((gs, loc))
        smask = get(gs, "/SMask")
        if isinstance(smask, Dictionary):
            self.transparent = True
            g = get(smask, "/G")
            if isinstance(g, Stream):
                self.form(g, res_chain, f"{loc}, soft mask", depth)
        bm = get(gs, "/BM")
        if bm is not None:
            names = [bm] if isinstance(bm, Name) else list(bm) if isinstance(bm, Array) else []
            if any(name_str(b) not in ("/Normal", "/Compatible") for b in names):
                self.transparent = True
        for k in ("/CA", "/ca"):
            v = num(get(gs, k))
            if v is not None and v < 1:
                self.transparent = True
        ri = get(gs, "/RI")
        if isinstance(ri, Name):
            self.f.intents.append((name_str(ri), loc))

    def xobject(self, xo, res_chain, loc, depth, defaults) -> None:
        st = get(xo, "/Subtype")
        if st == _IMAGE:
            self.image(xo, loc, defaults)
        elif st == _FORM:
            self.form(xo, res_chain, loc, depth)
        else:
            self.f.xobjects_other.append((xo, loc))

    def image(self, xo, loc, defaults) -> None:
        k = (key(xo), "img")
        if k in self.visited:
            return
        self.visited.add(k)
        self.f.images.append((xo, loc))
        if get(xo, "/SMask") is not None or num(get(xo, "/SMaskInData"), 0):
            self.transparent = True
        if get(xo, "/ImageMask") is True:
            return
        cs = get(xo, "/ColorSpace")
        if cs is not None:
            self.f.colours.append(ColourUse(cs, loc, defaults, "image"))

    def form(self, xo, res_chain, loc, depth) -> None:
        self.f.forms.append((xo, loc))
        res = get(xo, "/Resources")
        chain = [(res, True)] + res_chain if res is not None else [(r, False) for r, _ in res_chain]
        grp = get(xo, "/Group")
        if isinstance(grp, Dictionary) and get(grp, "/S") == _N_Transparency:
            self.transparent = True
            cs = get(grp, "/CS")
            if cs is not None:
                self.f.colours.append(ColourUse(cs, loc, self.defaults(chain), "group"))
        self.walk_stream(xo, chain, loc, depth + 1)

    def inline_image(self, ins, res_chain, loc, defaults) -> bool:
        """Record an inline image; True when it is an image mask (painted with the fill colour)."""
        try:
            iim = ins.iimage
            d = iim.obj
        except Exception as exc:  # noqa: BLE001
            self.f.errors.append((loc, f"inline image: {exc}"))
            return False
        self.f.inline_images.append((d, loc))
        it = get(d, "/Intent")
        if isinstance(it, Name):
            self.f.intents.append((name_str(it), loc + ", inline image"))
        if get(d, "/IM") is True or get(d, "/ImageMask") is True:
            return True
        cs = get(d, "/CS", get(d, "/ColorSpace"))
        if isinstance(cs, Name):
            s = name_str(cs)
            if s in _INLINE_CS:
                cs = Name(_INLINE_CS[s])
            elif s not in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Indexed"):
                cs = self.lookup(res_chain, "/ColorSpace", s, loc)
        elif isinstance(cs, Array) and len(cs) and isinstance(cs[0], Name) and name_str(cs[0]) in ("/I", "/Indexed"):
            base = cs[1] if len(cs) > 1 else None
            if isinstance(base, Name) and name_str(base) in _INLINE_CS:
                base = Name(_INLINE_CS[name_str(base)])
            elif isinstance(base, Name) and name_str(base) not in ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray"):
                base = self.lookup(res_chain, "/ColorSpace", name_str(base), loc)
            cs = base
        if cs is not None:
            self.f.colours.append(ColourUse(cs, loc, defaults, "inline image"))
        return False


def _opm_check(f: Facts, opm, space, fill: bool, loc: str) -> None:
    if opm[0] != 1:
        return
    flag = (opm[2] if opm[2] is not None else opm[1]) if fill else opm[1]
    if not flag:
        return
    if isinstance(space, Array) and len(space) >= 2 and space[0] == _N_ICCBased and \
            isinstance(space[1], Stream) and num(get(space[1], "/N")) == 4:
        f.opm_cmyk.append(loc)


