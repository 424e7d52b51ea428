"""What lets the content walk (contentwalk.py) do less without concluding anything else: the record of a
quiet walk, which answers a copy of the same stream (Walker.walk_stream, where the argument is), and the
simple-stream grammar with its walk (walk_simple), which reads a scanned page's or an OCR layer's stream
without pikepdf's parser. Issue 19; tests/test_pdfa_walk_memo.py and tests/test_pdfa_walk_fast.py."""

from __future__ import annotations

import operator
import re

from pikepdf import Dictionary, Name, Stream

from .contentfacts import ColourUse, Facts
from .limits import LimitExceeded
from .util import get, key, name_str


# The lists of Facts a walk appends to. A walk that appended to none of them is "quiet" (see Walker.walk_stream).
_FACT_LISTS = ("colours", "undefined_ops", "inline_images", "intents", "inherited", "extgstates", "images", "forms",
               "xobjects_other", "shadings", "errors", "cids_over", "opm_cmyk", "numbers")


_FACT_GETTER = operator.attrgetter(*_FACT_LISTS)
_IMAGE, _FORM = Name.Image, Name.Form  # built once (Name.X costs ~0.5 us); compared with only

# The colour state of a walk (contentwalk.Walker.walk_bytes and walk_simple): the painting operators, and the
# operators that set a device colour space.
_INITIAL = object()  # a page's colour space before any is set (DeviceGray, recorded when first painted with)
_FILLS = {"f", "F", "f*", "B", "B*", "b", "b*"}
_STROKES = {"S", "s", "B", "B*", "b", "b*"}
_PAINT = _FILLS | _STROKES
_CS_OPS_FILL = {"rg": "/DeviceRGB", "k": "/DeviceCMYK", "g": "/DeviceGray"}
_CS_OPS_STROKE = {"RG": "/DeviceRGB", "K": "/DeviceCMYK", "G": "/DeviceGray"}


def _xobject_paints(xo: Stream, fill_use, stroke_use) -> None:
    """Drawing `xo` (Do) paints with the current colours: a stencil mask with the fill colour; a form may
    paint with the colours it inherits (not followed into the form: counted as painted with both). Shared
    by both walks."""
    if fill_use is not None or stroke_use is not None:
        st = get(xo, "/Subtype")
        if st == _FORM or (st == _IMAGE and get(xo, "/ImageMask") is True):
            if fill_use is not None:
                fill_use.painted = True
            if stroke_use is not None and st == _FORM:
                stroke_use.painted = True


def _initial_gray(f: Facts, op: str, fill_cs, stroke_cs, loc, defaults):
    """Painting with `op` while a colour space is still the initial one (a page's DeviceGray): that use is
    recorded, as the colour space it now is; returns the fill and stroke colour spaces. Shared by both walks
    (walk_simple here, contentwalk.walk_bytes), which must record exactly the same."""
    if fill_cs is _INITIAL and op in _FILLS:
        f.colours.append(ColourUse(Name.DeviceGray, loc, defaults, "fill (initial colour space)"))
        fill_cs = Name.DeviceGray
    if stroke_cs is _INITIAL and op in _STROKES:
        f.colours.append(ColourUse(Name.DeviceGray, loc, defaults, "stroke (initial colour space)"))
        stroke_cs = Name.DeviceGray
    return fill_cs, stroke_cs


def _fact_sizes(f: Facts) -> int:
    """The lists only grow: their total length is unchanged exactly when none of them changed."""
    return sum(map(len, _FACT_GETTER(f)))


class _Quiet:
    """What a quiet walk of some content bytes did: the operators it counted against the budget and every
    resource lookup it made, as (category, name, objgen of the result or None, `own` of the dictionary it was
    found in)."""

    __slots__ = ("nops", "lookups")

    def __init__(self, nops: int, lookups: list) -> None:
        self.nops = nops
        self.lookups = lookups


def same_lookups(q: _Quiet, res_chain) -> bool:
    """Whether every lookup of the quiet walk `q` finds the same indirect object here (or nothing, again)."""
    for cat, name, objgen, own in q.lookups:
        found = None
        for res, own2 in res_chain:
            if res is None:
                continue
            d = get(res, cat)
            if isinstance(d, Dictionary) and name in d:
                found = (_indirect_key(d[name]), own2)
                break
        if found is None:
            if objgen is not None or own is not None:
                return False
        elif objgen is None or found != (objgen, own):
            # a direct object found twice is not known to be the same object: walk the stream
            return False
    return True


def walk_simple(walker, instrs: list, data: bytes, res_chain, loc: str, depth: int) -> None:
    """walk_bytes for a stream of _SIMPLE instructions, without pikepdf's parser: what walk_bytes does for
    each of these operators, and nothing else (no colour operator, so no colour use or painting; no
    operand is out of range, as walk_bytes's `limits` is false). tests/test_pdfa_walk_fast.py compares
    the reports of both on hostile, generated and mutated streams."""
    walker.ctx.ops_budget -= len(instrs)
    if walker.ctx.ops_budget < 0:
        raise LimitExceeded("too many content-stream operators")
    f = walker.f
    # No _hex_in_content: it reports hex strings (found by _lex_hex, which skips literal strings and
    # comments) with a non-hex digit or an odd count, and the only hex strings of a _SIMPLE stream are
    # whole bytes of hex digits. Its blanking of inline-image data (ID ... EI) cannot make one up: ID and
    # EI occur here only inside literal strings, which hold no parentheses or backslash, so a blanked
    # span joins two literal strings into one that _lex_hex skips.
    qdepth = 0
    font = None
    font_name = ""
    mode = 0
    mode_stack = []
    defaults = None
    # walk_bytes's colour state: the current fill / stroke colour space (a page starts in DeviceGray, which is
    # recorded when first painted with; a form inherits its caller's, not tracked) and the ColourUse painting
    # marks. No operator of this grammar sets an overprint mode (gs is not in it), so walk_bytes's OPM test
    # never fires for these streams.
    fill_cs = stroke_cs = _INITIAL if depth == 0 else None
    fill_use = stroke_use = None
    text_font = None
    text_key = text_ok = None
    found: dict = {}  # category -> [(its dictionary in each resource dictionary of the chain, own)]

    def lookup(cat, name):
        """Walker.lookup with each category's dictionaries read once per stream: the same answer, the same
        records (an inherited resource, the lookups of a walk being recorded)."""
        dicts = found.get(cat)
        if dicts is None:
            dicts = found[cat] = [(get(res, cat), own) for res, own in res_chain if res is not None]
            dicts = found[cat] = [(d if isinstance(d, Dictionary) else None, own) for d, own in dicts]
        for d, own in dicts:
            if d is not None and name in d:
                if not own:
                    walker.f.inherited.append((loc, f"{cat}{name_str(name)}"))
                v = d[name]
                if walker._lookups is not None:
                    walker._lookups.append((cat, name, _indirect_key(v), own))
                return v
        if walker._lookups is not None:
            walker._lookups.append((cat, name, None, None))
        return None

    for whole, qq, fname, tr, tj_hex, tj_array, tj_string, xname, gop in instrs:
        if gop:
            op = gop.decode("ascii")
            if op in _PAINT:  # walk_bytes's _BORING branch for a painting operator, in its order
                if fill_use is not None and op in _FILLS:
                    fill_use.painted = True
                if stroke_use is not None and op in _STROKES:
                    stroke_use.painted = True
                if fill_cs is _INITIAL or stroke_cs is _INITIAL:
                    if defaults is None:
                        defaults = walker.defaults(res_chain)
                    fill_cs, stroke_cs = _initial_gray(f, op, fill_cs, stroke_cs, loc, defaults)
            elif op in _CS_OPS_FILL:
                if defaults is None:
                    defaults = walker.defaults(res_chain)
                fill_cs = Name(_CS_OPS_FILL[op])
                fill_use = ColourUse(fill_cs, loc, defaults, "fill", painted=False)
                f.colours.append(fill_use)
            elif op in _CS_OPS_STROKE:
                if defaults is None:
                    defaults = walker.defaults(res_chain)
                stroke_cs = Name(_CS_OPS_STROKE[op])
                stroke_use = ColourUse(stroke_cs, loc, defaults, "stroke", painted=False)
                f.colours.append(stroke_use)
            # else: path construction, clipping or n: nothing to record
        elif qq:
            if qq == b"q":
                qdepth += 1
                mode_stack.append((mode, font, font_name, fill_cs, stroke_cs, fill_use, stroke_use))
                if qdepth > f.max_q:
                    f.max_q, f.max_q_loc = qdepth, loc
            else:
                qdepth = max(0, qdepth - 1)
                if mode_stack:
                    mode, font, font_name, fill_cs, stroke_cs, fill_use, stroke_use = mode_stack.pop()
        elif tj_hex or tj_array or tj_string:
            if font is not text_font:
                text_font = font
                text_ok = font is not None and isinstance(font, Dictionary)
                text_key = key(font) if text_ok else None
            if not text_ok:
                continue
            if tj_string:
                strings = [_string_value(tj_string)]
            elif tj_hex:
                strings = [bytes.fromhex(tj_hex[2:-2].decode())]
            else:
                strings = [lit[1:-1] if lit else bytes.fromhex(h.decode())
                           for h, lit in _TJ_STRINGS.findall(tj_array)]
            walker.text(font, font_name, strings, mode, loc, res_chain, depth, text_key)
            # as walk_bytes: visible text paints with both colours (mode 3, invisible, paints nothing)
            if mode != 3:
                if fill_use is not None:
                    fill_use.painted = True
                if stroke_use is not None:
                    stroke_use.painted = True
        elif fname:
            # the name as text: a dictionary finds "/F0" as it finds Name("/F0"), and the grammar's names are
            # ASCII without # escapes, so the text is what name_str would give
            font_name = fname.decode("ascii")
            font = lookup("/Font", font_name)
        elif tr:
            mode = int(tr)
        elif xname:
            name = xname.decode("ascii")
            xo = lookup("/XObject", name)
            if isinstance(xo, Stream):
                _xobject_paints(xo, fill_use, stroke_use)
                if defaults is None:
                    defaults = walker.defaults(res_chain)
                walker.xobject(xo, res_chain, f"{loc}, XObject {name}", depth, defaults)
        # else: an operator of _BORING without painting, nothing to record


# The fast path (Walker.walk_simple): content streams made only of these instructions, as an OCR layer and a
# scanned page write them (q 595 0 0 842 0 0 cm /Im0 Do Q; BT 3 Tr /F0 12 Tf 1 0 0 1 72 700 Tm [<0102>] TJ
# ET), are read with one regular expression instead of pikepdf's parser. Each alternative is one operator with
# the operands the walk reads, in the only form accepted: numbers in plain notation, names without # escapes,
# hex strings of whole bytes without white space, literal strings without backslash, parenthesis or CR (so
# the bytes between the parentheses are the string). Every instruction must be followed by white space, a
# delimiter or the end, and the instructions must cover the whole stream but white space: anything else (a
# comment, a colour or path operator, an undefined operator, an operand of another type or count, a token
# this grammar does not know) sends the whole stream to pikepdf's parser and walk_bytes, as before.
_W = rb"[\t\n\x0c\r ]"  # PDF white space but NUL, which is left to pikepdf
_END = rb"(?![^\t\n\x0c\r ()<>\[\]{}/%])"  # the token ends: white space, a delimiter or the end follows
_NUM = rb"[+-]?(?:\d++(?:\.\d*+)?|\.\d++)" + _END
_HEXS = rb"<(?:[0-9A-Fa-f]{2})*+>"
_LITS = rb"\([^()\\\r]*+\)"
_NAME = rb"/[A-Za-z0-9_.+\-]++"


def _grammar(g: bytes) -> bytes:
    """One instruction with the white space before it; g is b"(" for the groups walk_simple reads, b"(?:" for
    none (in a repeat, Python 3.11's re can report a wrong group span for a capture under a possessive
    quantifier: the run below has none)."""
    return (
        g + _W + rb"*+(?:"  # 1: the instruction with the white space before it
        + g + rb"q|Q)"  # 2
        rb"|(?>(?:" + _NUM + _W + rb"++)*+)(?:BT|ET|T\*|cm|Tm|Td|TD|Tc|Tw|Tz|TL|Ts|w)"
        rb"|" + g + _NAME + rb")" + _W + rb"++" + _NUM + _W + rb"++Tf"  # 3
        rb"|" + g + rb"\d{1,3})" + _W + rb"++Tr"  # 4
        rb"|" + g + rb"\[<(?:[0-9A-Fa-f]{2})*+>\])" + _W + rb"*+TJ"  # 5: one hex string, as an OCR layer shows a line
        rb"|" + g + rb"\[(?:" + _W + rb"*+(?:" + _HEXS + rb"|" + _LITS + rb"|" + _NUM + rb"))*+" + _W
        + rb"*+\])" + _W + rb"*+TJ"  # 6
        rb"|" + g + _HEXS + rb"|" + _LITS + rb")" + _W + rb"*+Tj"  # 7
        rb"|" + g + _NAME + rb")" + _W + rb"++Do"  # 8
        rb"|(?>(?:" + _NUM + _W + rb"++)*+)" + g + rb"rg|RG|g|G|k|K|re|m|l|c|v|y|h|n|W\*|W|f\*|f|F|B\*|B|b\*|b|S|s)"  # 9
        rb"))" + _END)


_SIMPLE = re.compile(_grammar(b"("))
# The longest run of them from the start: linear (possessive, so a failed instruction ends the run at once).
_SIMPLE_RUN = re.compile(rb"(?:" + _grammar(b"(?:") + rb")*+")
_TJ_STRINGS = re.compile(rb"<([0-9A-Fa-f]*)>|(\([^()\\\r]*\))")
_TRAILING_WS = b"\t\n\x0c\r "
_FIRST = operator.itemgetter(0)


def _simple_instructions(data: bytes) -> list | None:
    """The instructions of a stream that is nothing but _SIMPLE instructions and white space, else None."""
    stop = len(data.rstrip(_TRAILING_WS))
    # The run first: it stops at the first instruction that is not simple (most streams that are not show it
    # early, with a colour or path operator), where findall would try again at every later byte (and a long
    # run of numbers without an operator would cost it time quadratic in their count).
    if _SIMPLE_RUN.match(data).end() != stop:
        return None
    instrs = _SIMPLE.findall(data)
    # non-overlapping matches (each with the white space before it) inside the stream less its trailing white
    # space (a match ends with an operator or a delimiter) that add up to its length cover all of it
    if sum(map(len, map(_FIRST, instrs))) != stop:
        return None
    return instrs


def _string_value(tok: bytes) -> bytes:
    return bytes.fromhex(tok[1:-1].decode()) if tok[:1] == b"<" else tok[1:-1]


def _indirect_key(o):
    """objgen of an indirect object, else None (direct objects have no identity to compare)."""
    try:
        return o.objgen if o.is_indirect else None
    except Exception:  # noqa: BLE001
        return None
