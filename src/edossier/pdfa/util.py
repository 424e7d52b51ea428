"""Small helpers shared by the check modules."""

from __future__ import annotations

import re
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from .limits import LimitExceeded

_HEX = re.compile(r"#([0-9A-Fa-f]{2})")


def name_raw(n: pikepdf.Object) -> bytes:
    """The bytes of a PDF name after #xx expansion, without the leading slash."""
    try:
        u = n.unparse()
    except Exception:  # noqa: BLE001
        u = str(n).encode("utf-8", "surrogateescape")
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), u[1:])


def is_valid_utf8_name(n: pikepdf.Object) -> bool:
    try:
        name_raw(n).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def name_str(n) -> str:
    """A name as text, never raising (invalid UTF-8 is replaced)."""
    try:
        return str(n)
    except Exception:  # noqa: BLE001
        return "/" + name_raw(n).decode("utf-8", "replace")


def objref(o: pikepdf.Object) -> str:
    try:
        if o.is_indirect:
            return f"object {o.objgen[0]} {o.objgen[1]} R"
    except Exception:  # noqa: BLE001
        pass
    return "direct object"


def key(o: pikepdf.Object):
    """A hashable identity for an object (objgen for indirect ones, id() otherwise)."""
    try:
        if o.is_indirect:
            return o.objgen
    except Exception:  # noqa: BLE001
        pass
    return ("direct", id(o))


def get(d: pikepdf.Object, k: str, default=None):
    """d[k], or `default` when d has no such key or is no dictionary (never raising).

    A membership test first: pikepdf answers a missing key in d.get by throwing and catching a C++ exception
    (~2.3 us; ~0.35 us for `in`), and about half of the checks' look-ups miss (optional entries). qpdf's
    key test and item access both count a null value as absent, as d.get does."""
    try:
        if k in d:
            return d[k]
    except Exception:  # noqa: BLE001
        pass
    return default


MAX_INHERIT_DEPTH = 64  # /Parent links followed for an inherited attribute (a loop must end)


def inherited(o, k: str):
    """The value of `k` on `o` or, where `o` lacks it, on the nearest /Parent that has it (inheritable
    page attributes such as /Resources, form-field attributes such as /FT); None when no ancestor within
    MAX_INHERIT_DEPTH has it or the chain breaks."""
    for _ in range(MAX_INHERIT_DEPTH):
        v = get(o, k)
        if v is not None:
            return v
        o = get(o, "/Parent")
        if not isinstance(o, Dictionary):
            return None
    return None


def is_dict(o) -> bool:
    return isinstance(o, (Dictionary, Stream))


def filter_names(stream: pikepdf.Object) -> list[str]:
    f = get(stream, "/Filter")
    if f is None:
        return []
    if isinstance(f, Name):
        return [str(f)]
    if isinstance(f, Array):
        return [str(x) for x in f if isinstance(x, Name)]
    return []


def num(o, default=None):
    """A Python number for a PDF integer/real (or a Python int/float/Decimal), else default."""
    if isinstance(o, bool):
        return default
    if isinstance(o, int):
        return o
    if isinstance(o, float):
        return o
    if isinstance(o, Decimal):
        f = float(o)
        return int(f) if f.is_integer() else f
    try:
        if isinstance(o, pikepdf.Object) and o._type_code in (pikepdf.ObjectType.integer, pikepdf.ObjectType.real):
            return float(o) if o._type_code == pikepdf.ObjectType.real else int(o)
    except Exception:  # noqa: BLE001
        pass
    return default


class Node:
    """One reachable dictionary/stream/array with its entries already read into Python."""

    __slots__ = ("obj", "is_array", "d", "items")

    def __init__(self, obj, is_array: bool, d: dict | None, items: list | None) -> None:
        self.obj = obj
        self.is_array = is_array
        self.d = d  # key -> value for dictionaries and streams
        self.items = items  # values for arrays


def graph(ctx) -> list[Node]:
    """Every dictionary/stream/array reachable from the trailer, each read once (cached per document).

    DFS with a node budget; direct objects are included (they are reached through their parents).
    An object that cannot be read is counted in ``ctx.cache["unreadable"]``: check_pdf turns a non-zero
    count into CHECK-ERROR, because every check that walks the graph missed it (could not check).
    """
    nodes = ctx.cache.get("graph")
    if nodes is not None:
        return nodes
    nodes = []
    unreadable = 0
    budget = ctx.limits.max_walk_nodes
    seen: set = set()
    stack = [ctx.pdf.trailer]
    while stack:
        o = stack.pop()
        try:
            if o.is_indirect:
                k = o.objgen
                if k in seen:
                    continue
                seen.add(k)
        except Exception:  # noqa: BLE001
            unreadable += 1
            continue
        if len(nodes) >= budget:
            raise LimitExceeded(f"more than {budget} objects walked")
        try:
            if isinstance(o, Array):
                vals = list(o)
                nodes.append(Node(o, True, None, vals))
            else:
                d = dict(o.items())
                vals = d.values()
                nodes.append(Node(o, False, d, None))
        except Exception:  # noqa: BLE001
            unreadable += 1
            continue
        for v in vals:
            if isinstance(v, (Dictionary, Stream, Array)):
                stack.append(v)
    ctx.cache["graph"] = nodes
    ctx.cache["unreadable"] = unreadable
    ctx.cache["reachable"] = seen  # (number, generation) of every indirect object reached (AC-UNACCOUNTED)
    return nodes


def page_objs(ctx):
    """Every page's object, in page order: pikepdf's page list made once per document (iterating `pdf.pages`
    builds a Page wrapper for each page, ~1 us, and six checks did it). If qpdf fails part-way through the
    list, it is not kept: each caller then iterates pdf.pages itself, meeting the same failure where it did."""
    objs = ctx.cache.get("page_objs")
    if objs is None:
        try:
            objs = [page.obj for page in ctx.pdf.pages]
        except Exception:  # noqa: BLE001
            return (page.obj for page in ctx.pdf.pages)
        ctx.cache["page_objs"] = objs
    return objs


def resource_entries(ctx, category: str) -> list:
    """(value, location) for every entry of a resource category (e.g. "/ExtGState") anywhere in the file."""
    cache = ctx.cache.get("res_entries")
    if cache is None:
        cache = {}
        cats = ("/ExtGState", "/XObject", "/ColorSpace", "/Pattern", "/Shading", "/Font", "/Properties")
        seen: dict = {c: set() for c in cats}
        for n in graph(ctx):
            if n.is_array:
                continue
            for c in cats:
                d = n.d.get(c)
                if d is not None and isinstance(d, Dictionary):
                    for k2, v in d.items():
                        kk = key(v)
                        if kk in seen[c]:
                            continue
                        seen[c].add(kk)
                        cache.setdefault(c, []).append((v, f"{objref(n.obj)} {c} {k2}"))
        ctx.cache["res_entries"] = cache
    return cache.get(category, [])


def dict_nodes(ctx) -> list[Node]:
    c = ctx.cache.get("dict_nodes")
    if c is None:
        c = [n for n in graph(ctx) if not n.is_array]
        ctx.cache["dict_nodes"] = c
    return c


def all_dicts(ctx) -> list:
    """Every dictionary/stream reachable from the trailer (cached)."""
    return [n.obj for n in dict_nodes(ctx)]


def all_arrays(ctx) -> list:
    c = ctx.cache.get("all_arrays")
    if c is None:
        c = [n.obj for n in graph(ctx) if n.is_array]
        ctx.cache["all_arrays"] = c
    return c
