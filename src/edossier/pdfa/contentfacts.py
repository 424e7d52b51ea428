"""The facts the content walk (contentwalk.py) records for the domain checks: fonts and the codes they
show, colour uses with the colour space in force, and everything else a check of graphics.py,
colour.py or fonts.py reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf


@dataclass
class FontUse:
    font: pikepdf.Object
    name: str
    loc: str
    modes: set = field(default_factory=set)
    strings: set = field(default_factory=set)  # distinct (bytes, render mode)
    nbytes: int = 0


@dataclass
class ColourUse:
    space: object  # Name or Array (a colour space object)
    loc: str
    defaults: dict  # "/DefaultRGB" etc. -> colour space found in the current resources
    what: str  # "fill", "stroke", "image", "shading", "group", "inline image"
    # a colour set with rg/k/g/cs (fill, stroke) counts for 6.2.4.3 once something is painted with it
    painted: bool = True


@dataclass
class Facts:
    colours: list = field(default_factory=list)
    fonts: dict = field(default_factory=dict)  # key(font) -> FontUse
    undefined_ops: list = field(default_factory=list)
    max_q: int = 0
    max_q_loc: str = ""
    inline_images: list = field(default_factory=list)  # (dict-like, loc)
    intents: list = field(default_factory=list)  # (name, loc)
    inherited: list = field(default_factory=list)  # (loc, resource name)
    page_transparency: dict = field(default_factory=dict)  # page index -> bool
    extgstates: list = field(default_factory=list)  # (ExtGState dict, loc)
    images: list = field(default_factory=list)  # (image stream, loc)
    forms: list = field(default_factory=list)  # (form stream, loc)
    xobjects_other: list = field(default_factory=list)
    shadings: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (loc, message)
    cids_over: list = field(default_factory=list)
    opm_cmyk: list = field(default_factory=list)  # locations: ICCBased CMYK used with overprint and OPM 1
    numbers: list = field(default_factory=list)  # (rule id, loc, detail) for content-stream operand limits
