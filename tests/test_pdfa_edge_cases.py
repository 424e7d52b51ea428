"""PDF/A-2 checker on edge cases written from the text of ISO 19005-2 and RDF/XML, not from corpus files.

Each case is a generated file named by the clause it exercises: the conforming edge case must give no
issue at all, and the matching violation must give the clause's rule id. The three classes of false alarm
seen on outside files (#14 item 5) are here: RDF/XML abbreviations in XMP, a CMap that uses a predefined
CMap by name, and an extension value type without field descriptions.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from pikepdf import Dictionary, Name, String
from test_pdfa_check import _recipe_2u, _save, ids, minimal_pdfa

from edossier.pdfa.check import check_pdf

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NSDECL = (f'xmlns:rdf="{RDF}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
          'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
          'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
          'xmlns:stRef="http://ns.adobe.com/xap/1.0/sType/ResourceRef#" '
          'xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"')
ID = '<rdf:Description rdf:about="" pdfaid:part="2" pdfaid:conformance="B"/>'


def packet(body: str, ident: str = ID) -> str:
    return ("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
            f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF {NSDECL}>{ident}{body}</rdf:RDF></x:xmpmeta>'
            '<?xpacket end="w"?>')


def with_xmp(xml: str) -> bytes:
    def mod(pdf):
        pdf.Root.Metadata = pdf.make_stream(xml.encode("utf-8"), Type=Name.Metadata, Subtype=Name.XML)
    return minimal_pdfa(mod)


def issues(data: bytes) -> list:
    return [(i.rule_id, i.message_en) for i in check_pdf(data).issues]


# ---------------------------------------------------------------------------------------------
# 6.6.2.1 / 6.6.2.3.1: XMP written with the RDF/XML abbreviations (W3C RDF/XML Syntax, 2004, §2)

XMP_CONFORMING = {
    # 6.6.2.3.1-1: RDF/XML 6.1.4 and the XMP toolkit read a bare about/ID on rdf:Description as rdf:about
    "6.6.2.3.1-1 bare about attribute":
        packet('<rdf:Description about="" dc:format="application/pdf"/>',
               ident='<rdf:Description about="" pdfaid:part="2" pdfaid:conformance="B"/>'),
    "6.6.2.3.1-1 bare ID attribute": packet('<rdf:Description ID="d1" about="" dc:format="application/pdf"/>'),
    # 6.6.2.3.1-2: property attributes (RDF/XML 2.5) are simple values of the declared type
    "6.6.2.3.1-2 property attributes":
        packet('<rdf:Description rdf:about="" dc:format="application/pdf" xmp:CreateDate="2026-01-02T03:04:05Z"'
               ' pdf:Producer="edossier"/>'),
    # RDF/XML 2.11: rdf:parseType="Resource" is a struct (xmpMM:DerivedFrom is a ResourceRef)
    "6.6.2.3.1-2 parseType Resource struct":
        packet('<rdf:Description rdf:about=""><xmpMM:DerivedFrom rdf:parseType="Resource">'
               '<stRef:documentID>uuid:1</stRef:documentID><stRef:instanceID>uuid:2</stRef:instanceID>'
               '</xmpMM:DerivedFrom></rdf:Description>'),
    # the same struct as a nested rdf:Description, with its fields as property attributes
    "6.6.2.3.1-2 nested Description struct":
        packet('<rdf:Description rdf:about=""><xmpMM:DerivedFrom>'
               '<rdf:Description stRef:documentID="uuid:1"><stRef:instanceID>uuid:2</stRef:instanceID>'
               '</rdf:Description></xmpMM:DerivedFrom></rdf:Description>'),
    # RDF/XML 2.12: an empty property element whose attributes are the struct's fields
    "6.6.2.3.1-2 empty element with property attributes":
        packet('<rdf:Description rdf:about=""><xmpMM:DerivedFrom stRef:documentID="uuid:1"/></rdf:Description>'),
    # RDF/XML 2.13: a typed node as the value (XMP reads it as a struct with an rdf:type qualifier)
    "6.6.2.3.1-2 typed node struct":
        packet('<rdf:Description rdf:about=""><xmpMM:DerivedFrom><stRef:ResourceRef>'
               '<stRef:documentID>uuid:1</stRef:documentID></stRef:ResourceRef></xmpMM:DerivedFrom>'
               '</rdf:Description>'),
    # XMP 2005 "Qualifiers": rdf:value carries the value of a qualified property (here a Lang Alt item)
    "6.6.2.3.1-2 rdf:value qualified item":
        packet('<rdf:Description rdf:about=""><dc:title><rdf:Alt>'
               '<rdf:li xml:lang="x-default" rdf:parseType="Resource"><rdf:value>卷宗</rdf:value></rdf:li>'
               '</rdf:Alt></dc:title></rdf:Description>'),
    "6.6.2.3.1-2 rdf:value in nested Description":
        packet('<rdf:Description rdf:about=""><dc:source><rdf:Description><rdf:value>scan</rdf:value>'
               '</rdf:Description></dc:source></rdf:Description>'),
    # RDF/XML 2.4: an empty property element with rdf:resource is a URI value (xmp:BaseURL is a URL)
    "6.6.2.3.1-2 rdf:resource value":
        packet('<rdf:Description rdf:about=""><xmp:BaseURL rdf:resource="http://example.org/"/></rdf:Description>'),
    # XML 1.0 2.12: xml:lang applies to the element's content, so Lang Alt items inherit it
    "6.6.2.3.1-2 xml:lang inherited by Lang Alt items":
        packet('<rdf:Description rdf:about="" xml:lang="x-default"><dc:title><rdf:Alt><rdf:li>卷宗</rdf:li>'
               '</rdf:Alt></dc:title></rdf:Description>'),
    "6.6.2.3.1-2 xml:lang on the Alt":
        packet('<rdf:Description rdf:about=""><dc:description><rdf:Alt xml:lang="zh-CN"><rdf:li>卷宗</rdf:li>'
               '</rdf:Alt></dc:description></rdf:Description>'),
    # XMP writes one rdf:Description per schema, all about the same resource
    "6.6.2.3.1-1 several Descriptions with the same about":
        packet('<rdf:Description rdf:about="" dc:format="application/pdf"/>'
               '<rdf:Description rdf:about=""><dc:creator><rdf:Seq><rdf:li>某公安局</rdf:li></rdf:Seq></dc:creator>'
               '</rdf:Description><rdf:Description rdf:about="" pdf:Producer="edossier"/>'),
}


@pytest.mark.parametrize("case", sorted(XMP_CONFORMING))
def test_xmp_abbreviation_conforms(case):
    assert issues(with_xmp(XMP_CONFORMING[case])) == []


XMP_VIOLATIONS = {
    # a Lang Alt item with no language anywhere in scope
    "6.6.2.3.1-2": packet('<rdf:Description rdf:about=""><dc:title><rdf:Alt><rdf:li>卷宗</rdf:li></rdf:Alt>'
                          '</dc:title></rdf:Description>'),
    # a property attribute of the wrong type
    "6.6.2.3.1-2 attribute": packet('<rdf:Description rdf:about="" xmp:CreateDate="yesterday"/>'),
    # a struct field that the struct type does not define, written as an attribute
    "6.6.2.3.1-2 field": packet('<rdf:Description rdf:about=""><xmpMM:DerivedFrom stRef:colour="red"/>'
                                '</rdf:Description>'),
    # an unqualified attribute other than about/ID is no RDF term: a property without a schema
    "6.6.2.3.1-1": packet('<rdf:Description rdf:about="" format="application/pdf"/>'),
    # a property attribute in an undeclared namespace
    "6.6.2.3.1-1 attribute": packet('<rdf:Description rdf:about="" xmlns:zz="http://example.invalid/" zz:a="1"/>'),
    # two child elements without rdf:parseType, and rdf:resource with content, are not RDF/XML
    "6.6.2.1-4": packet('<rdf:Description rdf:about=""><dc:source><rdf:Bag/><rdf:Seq/></dc:source>'
                        '</rdf:Description>'),
    "6.6.2.1-4 resource": packet('<rdf:Description rdf:about=""><xmp:BaseURL rdf:resource="http://e/">x'
                                 '</xmp:BaseURL></rdf:Description>'),
    "6.6.2.1-4 mixed": packet('<rdf:Description rdf:about=""><dc:source>a<rdf:Description/></dc:source>'
                              '</rdf:Description>'),
}


@pytest.mark.parametrize("case", sorted(XMP_VIOLATIONS))
def test_xmp_violation_is_found(case):
    rid = case.split()[0]
    assert rid in {r for r, _ in issues(with_xmp(XMP_VIOLATIONS[case]))}


# ---------------------------------------------------------------------------------------------
# 6.6.2.3.3: extension value types. Table 5: pdfaType:field ("Seq Field") is optional.

def _ext(type_fields: str, value: str) -> str:
    ext = ('<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
           'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
           'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#" '
           'xmlns:pdfaType="http://www.aiim.org/pdfa/ns/type#" xmlns:pdfaField="http://www.aiim.org/pdfa/ns/field#">'
           '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
           '<pdfaSchema:schema>edossier case</pdfaSchema:schema>'
           '<pdfaSchema:namespaceURI>http://example.org/case/</pdfaSchema:namespaceURI>'
           '<pdfaSchema:prefix>case</pdfaSchema:prefix>'
           '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
           '<pdfaProperty:name>stage</pdfaProperty:name><pdfaProperty:valueType>StageType</pdfaProperty:valueType>'
           '<pdfaProperty:category>internal</pdfaProperty:category>'
           '<pdfaProperty:description>procedural stage</pdfaProperty:description></rdf:li></rdf:Seq>'
           '</pdfaSchema:property>'
           '<pdfaSchema:valueType><rdf:Seq><rdf:li rdf:parseType="Resource">'
           '<pdfaType:type>StageType</pdfaType:type>'
           '<pdfaType:namespaceURI>http://example.org/stage/</pdfaType:namespaceURI>'
           '<pdfaType:prefix>stage</pdfaType:prefix>'
           f'<pdfaType:description>a stage</pdfaType:description>{type_fields}</rdf:li></rdf:Seq>'
           '</pdfaSchema:valueType></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>')
    use = ('<rdf:Description rdf:about="" xmlns:case="http://example.org/case/" '
           f'xmlns:stage="http://example.org/stage/">{value}</rdf:Description>')
    return packet(ext + use)


_FIELD = ('<pdfaType:field><rdf:Seq><rdf:li rdf:parseType="Resource"><pdfaField:name>code</pdfaField:name>'
          '<pdfaField:valueType>Integer</pdfaField:valueType><pdfaField:description>stage code</pdfaField:description>'
          '</rdf:li></rdf:Seq></pdfaType:field>')
_STRUCT_VALUE = '<case:stage rdf:parseType="Resource"><stage:code>3</stage:code></case:stage>'


@pytest.mark.parametrize("fields", ["", "<pdfaType:field><rdf:Seq/></pdfaType:field>"], ids=["absent", "empty"])
def test_6_6_2_3_3_value_type_without_fields_conforms(fields):
    assert issues(with_xmp(_ext(fields, "<case:stage>审查起诉</case:stage>"))) == []


def test_6_6_2_3_3_value_type_with_fields_conforms():
    assert issues(with_xmp(_ext(_FIELD, _STRUCT_VALUE))) == []


def test_6_6_2_3_1_struct_value_of_a_type_without_fields_fails():
    # the field stage:code is described nowhere: an undeclared property (veraPDF 6-6-2-3-3-t03-fail-b)
    assert "6.6.2.3.1-2" in {r for r, _ in issues(with_xmp(_ext("", _STRUCT_VALUE)))}


def test_6_6_2_3_1_struct_field_of_the_wrong_type_fails():
    bad = _STRUCT_VALUE.replace(">3<", ">three<")
    assert "6.6.2.3.1-2" in {r for r, _ in issues(with_xmp(_ext(_FIELD, bad)))}


def test_6_6_2_3_1_simple_value_of_a_structured_type_fails():
    assert "6.6.2.3.1-2" in {r for r, _ in issues(with_xmp(_ext(_FIELD, "<case:stage>3</case:stage>")))}


# ---------------------------------------------------------------------------------------------
# 6.2.11.3.3: CMaps. An embedded CMap may use (usecmap) a CMap of ISO 32000-1 Table 118 by name; codes it
# does not map itself are then mapped by that CMap (ISO 32000-1 9.7.5.3).

def _cmap_font(tmp_path, cmap: bytes, **entries) -> bytes:
    data = _recipe_2u(tmp_path, ocr_layer=False)
    pdf = pikepdf.open(io.BytesIO(data))
    for o in pdf.objects:
        if isinstance(o, Dictionary) and o.get("/Subtype") == "/Type0":
            entries.setdefault("CIDSystemInfo", Dictionary(Registry=String("Adobe"), Ordering=String("Identity"),
                                                           Supplement=0))
            o.Encoding = pdf.make_stream(cmap, Type=Name.CMap, CMapName=Name("/Edossier-H"), **entries)
    return _save(pdf)


def _cmap(body: bytes) -> bytes:
    return (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> def\n"
            b"/CMapName /Edossier-H def /CMapType 1 def\n" + body +
            b"\nendcmap CMapName currentdict /CMap defineresource pop end end")


_FULL = b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n1 begincidrange <0000> <FFFF> 0 endcidrange"


def test_6_2_11_3_3_embedded_identity_cmap_conforms(tmp_path):
    assert issues(_cmap_font(tmp_path, _cmap(_FULL))) == []


@pytest.mark.parametrize("how", ["dict+operator", "operator", "dict"])
def test_6_2_11_3_3_usecmap_identity_by_name_conforms(tmp_path, how):
    body = b"/Identity-H usecmap" if how != "dict" else b""
    kw = {"UseCMap": Name("/Identity-H")} if how != "operator" else {}
    assert issues(_cmap_font(tmp_path, _cmap(body), **kw)) == []


def test_6_2_11_3_3_usecmap_predefined_cjk_cmap_by_name_is_allowed(tmp_path):
    data = _cmap_font(tmp_path, _cmap(b"/UniGB-UCS2-H usecmap"), UseCMap=Name("/UniGB-UCS2-H"))
    assert not {r for r, _ in issues(data) if r.startswith("6.2.11.3.3")}


def test_6_2_11_3_3_usecmap_of_a_non_predefined_cmap_fails(tmp_path):
    data = _cmap_font(tmp_path, _cmap(b"/Custom-Other-H usecmap"), UseCMap=Name("/Custom-Other-H"))
    assert "6.2.11.3.3-3" in {r for r, _ in issues(data)}


def test_6_2_11_3_3_usecmap_of_an_embedded_cmap_stream_fails(tmp_path):
    data = _recipe_2u(tmp_path, ocr_layer=False)
    pdf = pikepdf.open(io.BytesIO(data))
    parent = pdf.make_stream(_cmap(_FULL), Type=Name.CMap, CMapName=Name("/Parent-H"))
    for o in pdf.objects:
        if isinstance(o, Dictionary) and o.get("/Subtype") == "/Type0":
            o.Encoding = pdf.make_stream(_cmap(b""), Type=Name.CMap, CMapName=Name("/Edossier-H"), UseCMap=parent)
    assert "6.2.11.3.3-3" in {r for r, _ in issues(_save(pdf))}


def test_6_2_11_3_3_wmode_mismatch_fails(tmp_path):
    data = _cmap_font(tmp_path, _cmap(b"/WMode 1 def\n" + _FULL))
    assert "6.2.11.3.3-2" in {r for r, _ in issues(data)}


def test_6_2_11_8_code_unmapped_by_a_cmap_without_parent_is_notdef(tmp_path):
    # no usecmap: a code outside every cidrange selects CID 0 (ISO 32000-1 9.7.6.3), the .notdef glyph
    data = _cmap_font(tmp_path, _cmap(b"1 begincodespacerange <0000> <FFFF> endcodespacerange"))
    assert "6.2.11.8-1" in {r for r, _ in issues(data)}


def test_6_2_11_8_explicit_cid_0_under_usecmap_is_notdef(tmp_path):
    # the CMap's own mappings win over the parent's: mapping the shown codes to CID 0 shows .notdef
    pdf = pikepdf.open(io.BytesIO(_recipe_2u(tmp_path, ocr_layer=False)))
    shown = b""
    for operands, op in pikepdf.parse_content_stream(pdf.pages[0]):
        if str(op) in ("Tj", "TJ"):
            items = operands[0] if str(op) == "TJ" else [operands[0]]
            shown += b"".join(bytes(x) for x in items if isinstance(x, pikepdf.String))
    codes = sorted({int.from_bytes(shown[i:i + 2], "big") for i in range(0, len(shown), 2)})
    assert codes and 0 not in codes
    body = b"%d begincidchar\n" % len(codes) + b"".join(b"<%04X> 0\n" % c for c in codes) + b"endcidchar\n"
    data = _cmap_font(tmp_path, _cmap(body + b"/Identity-H usecmap"), UseCMap=Name("/Identity-H"))
    assert "6.2.11.8-1" in {r for r, _ in issues(data)}


def test_6_2_11_3_3_non_embedded_non_predefined_cmap_fails(tmp_path):
    data = _recipe_2u(tmp_path, ocr_layer=False)
    pdf = pikepdf.open(io.BytesIO(data))
    for o in pdf.objects:
        if isinstance(o, Dictionary) and o.get("/Subtype") == "/Type0":
            o.Encoding = Name("/Edossier-H")
    assert "6.2.11.3.3-1" in {r for r, _ in issues(_save(pdf))}


# ---------------------------------------------------------------------------------------------
# 6.2.4.3: a Device colour space is restricted where it is used, i.e. painted with (veraPDF tests the colour
# spaces of painting operators). minimal_pdfa has an sRGB OutputIntent, so DeviceCMYK needs DefaultCMYK.

def _content(ops: bytes, font: bool = False) -> bytes:
    def mod(pdf):
        pdf.pages[0].Contents = pdf.make_stream(ops)
        if font:
            pdf.pages[0].Resources = Dictionary(Font=Dictionary(F1=Dictionary(
                Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)))
    return minimal_pdfa(mod)


DEVICE_CONFORMING = {
    "CMYK fill set, replaced before painting": b"0 0 0 1 k 0.2 0.4 0.6 rg 100 100 200 200 re f",
    "CMYK stroke set, only filled": b"0 0 0 1 K 0.2 0.4 0.6 rg 100 100 200 200 re f",
    "CMYK fill set, only stroked": b"0 0 0 1 k 0.2 0.4 0.6 RG 100 100 200 200 re S",
    "CMYK set inside q/Q, painted after Q in RGB": b"0.2 0.4 0.6 rg q 0 0 0 1 k Q 100 100 200 200 re f",
    "CMYK set for invisible (Tr 3) text": b"BT 3 Tr 0 0 0 1 k 0 0 0 1 K /F1 12 Tf 72 72 Td (OCR) Tj ET",
    "CMYK set, path only clipped": b"0 0 0 1 k 100 100 200 200 re W n",
}


@pytest.mark.parametrize("case", sorted(DEVICE_CONFORMING))
def test_6_2_4_3_device_colour_set_but_not_painted_conforms(case):
    assert issues(_content(DEVICE_CONFORMING[case], font=b"Tf" in DEVICE_CONFORMING[case])) == []


DEVICE_VIOLATIONS = {
    "fill": b"0 0 0 1 k 100 100 200 200 re f",
    "stroke": b"0 0 0 1 K 100 100 200 200 re S",
    "fill restored by Q": b"0 0 0 1 k q 0.2 0.4 0.6 rg Q 100 100 200 200 re f",
    "cs /DeviceCMYK": b"/DeviceCMYK cs 0 0 0 1 sc 100 100 200 200 re B",
    "stroke colour under fill-mode text": b"BT 0 Tr 0 0 0 1 K /F1 12 Tf 72 72 Td (A) Tj ET",
    "inline image mask": b"0 0 0 1 k q 10 0 0 10 50 50 cm BI /IM true /W 8 /H 1 ID \xaa EI Q",
}


@pytest.mark.parametrize("case", sorted(DEVICE_VIOLATIONS))
def test_6_2_4_3_device_colour_painted_fails(case):
    data = _content(DEVICE_VIOLATIONS[case], font=b"Tf" in DEVICE_VIOLATIONS[case])
    assert "6.2.4.3-3" in {r for r, _ in issues(data)}
