"""xmlsafe.parse_xml answers its depth and refusal questions in libxml2 (issue 19) instead of walking every
element in Python; it must accept and refuse exactly what the walk did, with the same message. The walk is
written out here as the definition, and random trees (depth, comments, processing instructions, XInclude
elements of both namespaces, xsi schema locations, anywhere) are judged by both."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree

from edossier import xmlsafe
from edossier.xmlsafe import XmlError, parse_xml

XI = ["http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"]
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _walk(root, max_depth: int) -> str | None:
    """The checks after parsing as parse_xml made them before issue 19's sixth round: the message, or None."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        if d > max_depth:
            break
        stack.extend((child, d + 1) for child in el)
    if deepest > max_depth:
        return f"XML nesting is deeper than the limit of {max_depth}"
    for el in root.iter():
        if isinstance(el, etree._Entity):
            return "entity references are not allowed"
        if not isinstance(el.tag, str):
            continue
        if el.tag.startswith(tuple(f"{{{ns}}}" for ns in XI)):
            return "XInclude is not allowed"
        if {f"{{{XSI}}}schemaLocation", f"{{{XSI}}}noNamespaceSchemaLocation"}.intersection(el.attrib):
            return "xsi:schemaLocation is not allowed (the schema is edossier's own)"
    return None


kinds = st.sampled_from(["plain", "plain", "plain", "comment", "pi", "xi2001", "xi2003", "xsi", "xsi-nons",
                         "other-ns"])


@st.composite
def trees(draw):
    """XML text of a random tree, its nodes drawn from `kinds`, up to 9 deep."""
    def node(depth: int) -> str:
        kind = draw(kinds) if depth > 1 else "plain"
        if kind == "comment":
            return "<!-- c -->"
        if kind == "pi":
            return "<?p x?>"
        children = "".join(node(depth + 1) for _ in range(draw(st.integers(0, 3 if depth < 9 else 0))))
        if kind in ("xi2001", "xi2003"):
            ns = XI[0] if kind == "xi2001" else XI[1]
            return f'<xi:include xmlns:xi="{ns}" href="x">{children}</xi:include>'
        if kind == "xsi":
            return f'<e xmlns:xsi="{XSI}" xsi:schemaLocation="u x.xsd">{children}</e>'
        if kind == "xsi-nons":
            return f'<e xmlns:xsi="{XSI}" xsi:noNamespaceSchemaLocation="x.xsd">t{children}</e>'
        if kind == "other-ns":  # a schemaLocation attribute outside the xsi namespace is allowed
            return f'<o:e xmlns:o="urn:other" o:schemaLocation="u">{children}</o:e>'
        return f"<e a='1'>text{children}</e>"
    return node(1)


@settings(max_examples=400, deadline=None)
@given(trees(), st.integers(1, 8))
def test_the_same_verdict_and_message_as_the_walk(text, max_depth):
    data = text.encode()
    expected = _walk(etree.fromstring(data), max_depth)
    if expected is None:
        assert parse_xml(data, max_depth=max_depth).tag is not None
    else:
        with pytest.raises(XmlError) as exc:
            parse_xml(data, max_depth=max_depth)
        assert exc.value.en == expected


def test_depth_at_the_limit_and_one_past_it_counted_by_hand():
    # root at depth 1; three nested elements below it: depth 4. A comment under the deepest adds one.
    assert parse_xml(b"<a><b><c><d/></c></b></a>", max_depth=4) is not None
    with pytest.raises(XmlError, match="deeper than the limit of 3"):
        parse_xml(b"<a><b><c><d/></c></b></a>", max_depth=3)
    with pytest.raises(XmlError, match="deeper than the limit of 4"):
        parse_xml(b"<a><b><c><d><!-- five --></d></c></b></a>", max_depth=4)
    # many nodes, none deep: more nodes than the limit does not make a tree deep
    wide = b"<a>" + b"<b/><!--c--><?p q?>" * 40 + b"</a>"
    assert parse_xml(wide, max_depth=2) is not None
    # the default limit: 64 levels pass, 65 do not
    deep = lambda n: b"<e>" * n + b"</e>" * n  # noqa: E731
    assert parse_xml(deep(64)) is not None
    with pytest.raises(XmlError, match="deeper than the limit of 64"):
        parse_xml(deep(65))


def test_refusals_anywhere_in_the_tree():
    for body in (f'<xi:include xmlns:xi="{XI[0]}" href="/etc/passwd"/>', f'<y:x xmlns:y="{XI[1]}"/>'):
        with pytest.raises(XmlError, match="XInclude"):
            parse_xml(f"<a><b>{body}</b></a>".encode())
    with pytest.raises(XmlError, match="schemaLocation"):
        parse_xml(f'<a><b><c xmlns:s="{XSI}" s:noNamespaceSchemaLocation="x.xsd"/></b></a>'.encode())
    assert parse_xml(b'<a xmlns:o="urn:o" o:schemaLocation="u"><b/></a>') is not None
    assert xmlsafe._anything_refused(etree.fromstring(b"<a><b/></a>")) is False
