"""The PDF checker's safety limits and the bounded decoding they need: a leaf every check module may
import (it imports nothing of the package), so that a limit hit deep in a walk is one exception type,
LimitExceeded, which the runner (check.py) reports as PDF-UNREADABLE."""

from __future__ import annotations

import re

from dataclasses import dataclass


@dataclass(frozen=True)
class PdfLimits:
    max_file_bytes: int = 1 << 30  # 1 GiB
    max_objects: int = 2_000_000
    max_pages: int = 20_000
    max_stream_bytes: int = 64 << 20  # decompressed bytes read from any one stream
    max_content_ops: int = 5_000_000  # content-stream operators parsed per document
    # tokens (operators and operands) of any one content stream handed to a parser: pikepdf holds a parsed stream
    # whole, at 170-290 bytes a token (measured: "q" 286, "1 0 0 1 0 0 cm" 170 a token), so an 18 KB file of 8 M
    # "q" operators took 2.2 GB before max_content_ops was ever looked at (issue 19, ninth round)
    max_stream_tokens: int = 500_000
    max_form_depth: int = 12  # nesting of Form XObjects / patterns / Type 3 glyphs
    max_issues_per_rule: int = 25
    max_walk_nodes: int = 2_000_000  # objects visited by the whole-document walks


# qpdf's warning for an integer beyond 64 bits, which it reads as null (in a document, with the whole object
# holding it): all that is left of an out-of-range number (6.1.13-1); check.py (document objects) and
# contentwalk.py (content streams) read it
QPDF_OVERFLOW = re.compile(r"overflow/underflow converting ([-+]?\d+) to 64-bit integer")


class LimitExceeded(Exception):
    """A safety limit was hit; reported as PDF-UNREADABLE."""


# the start of a content-stream token (ISO 32000-1 7.2: a run of regular characters, a name, or a delimiter
# that opens an object); inside strings and inline-image data this counts more than there are, never fewer
_TOKEN = re.compile(rb"[^\x00\t\n\x0c\r \[\]<>(){}/%]+|[\[\]{}(<>/]")


def tokens_over(data: bytes, limit: int) -> bool:
    """Whether content-stream `data` holds more than `limit` tokens, counted before any parser builds them
    (PdfLimits.max_stream_tokens). Each token takes at least one byte, so data of at most `limit` bytes is
    not counted at all; larger data is counted a MiB at a time, stopping as soon as the count passes the limit
    (a token cut at a slice boundary counts twice: a bound, never an undercount)."""
    if len(data) <= limit:
        return False
    n = 0
    step = 1 << 20
    for i in range(0, len(data), step):
        n += _TOKEN.subn(b"", data[i:i + step])[1]
        if n > limit:
            return True
    return False


def parse_guard(data: bytes, limit: int) -> bytes:
    """`data`, if a parser may hold it: LimitExceeded when it holds more than `limit` tokens (tokens_over). Every
    place that hands a content stream to pikepdf's parser calls this first (the checks' content walk, the image
    checks' placement parse, the builder's re-wrap)."""
    if tokens_over(data, limit):
        raise LimitExceeded(f"content stream of more than {limit} tokens")
    return data


_ASCII_FILTERS = {"/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85"}
# worst-case output/input ratio of the filters qpdf decodes (image codecs are not decoded by read_bytes)
_EXPANSION = {"/FlateDecode": 1032.0, "/Fl": 1032.0, "/LZWDecode": 2800.0, "/LZW": 2800.0,
              "/RunLengthDecode": 64.0, "/RL": 64.0, "/ASCIIHexDecode": 0.5, "/AHx": 0.5,
              "/ASCII85Decode": 0.8, "/A85": 0.8}


def ascii_decode(name: str, data: bytes) -> bytes:
    import base64
    import binascii

    if name in ("/ASCIIHexDecode", "/AHx"):
        h = bytes(b for b in data.split(b">", 1)[0] if chr(b) in "0123456789abcdefABCDEF")
        if len(h) % 2:
            h += b"0"
        return binascii.unhexlify(h)
    body = data.strip()
    if body.startswith(b"<~"):
        body = body[2:]
    body = body.split(b"~>", 1)[0]
    try:
        return base64.a85decode(body, adobe=False, ignorechars=b" \t\n\r\x0b\x0c")
    except ValueError:
        return b""
