"""Strict DER (X.690 §10): why a CMS structure is BER rather than DER, checked before a signature is
judged (docs/spec.md §8)."""

from __future__ import annotations




def der_problem(data: bytes) -> str | None:
    """Why `data` is not DER, or None when it is: definite minimal lengths, primitive strings, minimal
    INTEGERs and ENUMERATEDs, BOOLEANs of 00/FF, and every universal SET OF in ascending order.

    A complete check (X.690 §10-11 as far as CMS and X.509 use them) that does not decode values:
    re-encoding with asn1crypto (`dump(force=True)`) would tell the same but costs ~95 ms per
    signature once asn1crypto.tsp is imported; this walk over the TLV headers takes a few ms.
    Context-tagged IMPLICIT SET OFs (the signed attributes) are checked by `unsorted_set`.
    """
    stack = [(0, len(data), False)]
    while stack:
        pos, end, is_set = stack.pop()
        previous = None
        while pos < end:
            element_start = pos
            tag = data[pos]
            pos += 1
            if tag & 0x1F == 0x1F:  # high tag number: base-128 digits
                while pos < end and data[pos] & 0x80:
                    pos += 1
                pos += 1
            if pos >= end:
                return "truncated element"
            first = data[pos]
            pos += 1
            if first == 0x80:
                return "indefinite length"
            if first > 0x80:
                n = first & 0x7F
                if n > 8 or pos + n > end or data[pos] == 0:
                    return "malformed or non-minimal length"
                length = int.from_bytes(data[pos:pos + n], "big")
                pos += n
                if length < 0x80:
                    return "long-form length where the short form is required"
            else:
                length = first
            if pos + length > end:
                return "element longer than its container"
            if tag & 0x20:
                if tag in (0x23, 0x24):  # constructed BIT STRING / OCTET STRING: BER only
                    return "constructed string"
                stack.append((pos, pos + length, tag == 0x31))
            elif tag in (0x02, 0x0A):  # INTEGER, ENUMERATED: two's complement in the fewest octets
                if length == 0:
                    return "empty INTEGER"
                if length > 1 and ((data[pos] == 0 and data[pos + 1] < 0x80)
                                   or (data[pos] == 0xFF and data[pos + 1] >= 0x80)):
                    return "non-minimal INTEGER"
            elif tag == 0x01 and (length != 1 or data[pos] not in (0x00, 0xFF)):
                return "BOOLEAN other than 00 or FF"
            pos += length
            if is_set:
                encoding = data[element_start:pos]
                if previous is not None and encoding < previous:
                    return "SET OF not in ascending order"
                previous = encoding
    return None


def der_lengths(data: bytes) -> bool:
    """True when `data` is DER (kept for callers of the first version; see `der_problem`)."""
    return der_problem(data) is None


def unsorted_set(contents: bytes) -> bool:
    """True when the TLVs in `contents` (the contents of a SET OF) are not in ascending order."""
    pos, previous = 0, None
    while pos < len(contents):
        start = pos
        pos += 1
        first = contents[pos]
        pos += 1
        if first & 0x80:
            n = first & 0x7F
            length = int.from_bytes(contents[pos:pos + n], "big")
            pos += n
        else:
            length = first
        pos += length
        encoding = contents[start:pos]
        if previous is not None and encoding < previous:
            return True
        previous = encoding
    return False
