"""The PDF/A and active-content checks' details (the bracketed part after a rule's description) in
Chinese. PDF names (/Helvetica, XObject, DeviceGray), values and numbers stay as they are; the English
words around them are translated. A detail that is none of these (a PDF library's own error) is shown as
it is."""

from __future__ import annotations

import re

from ..i18n import quoted_original

_USES = {"fill": "填充", "stroke": "描边", "image": "图像", "shading": "渐变", "group": "透明组",
         "inline image": "内嵌图像", "fill (initial colour space)": "填充（初始色彩空间）",
         "stroke (initial colour space)": "描边（初始色彩空间）", "text": "文字"}

_EXACT = {
    **_USES,
    "JavaScript name tree": "名称树中的 JavaScript", "EmbeddedFiles name tree": "EmbeddedFiles 名称树",
    "file specification with EF": "带 EF 的文件规范", "JavaScript action": "JavaScript 动作",
    "FileAttachment annotation": "FileAttachment 注释", "recursion too deep": "递归过深",
    "bpcc box / bit depth": "bpcc 盒 / 位深度", "not a readable ICC profile": "不是可读取的 ICC 配置文件",
    "CIDSystemInfo missing": "缺少 CIDSystemInfo",
    "CIDSystemInfo of CIDFont and CMap differ": "CIDFont 与 CMap 的 CIDSystemInfo 不一致",
    "missing": "缺失", "no %%EOF marker": "没有 %%EOF 标记",
    "stream keyword not followed by CRLF or LF": "stream 关键字后不是 CRLF 或 LF",
    "no EOL before endstream": "endstream 之前没有行结束符",
    "structure type name is not valid UTF-8": "结构类型名称不是有效的 UTF-8", "colourant name": "色料名称",
    "no Metadata stream": "没有 Metadata 流", "no rdf:RDF element": "没有 rdf:RDF 元素",
    "no readable XMP": "没有可读取的 XMP", "no pdfaid:part": "没有 pdfaid:part",
    "schema entry is not a structure": "schema 条目不是结构", "valueType entry is not a structure": "valueType 条目不是结构",
    "property entry is not a structure": "property 条目不是结构", "field entry is not a structure": "field 条目不是结构",
    "pdfaExtension:schemas must be a Bag with prefix pdfaExtension":
        "pdfaExtension:schemas 必须是前缀为 pdfaExtension 的 Bag",
    "not well-formed": "格式不正确", "CharSet is not a string": "CharSet 不是字符串",
    "widget of no field type": "没有域类型的构件注释",
}

_PATTERNS = [(re.compile(p, re.S), zh) for p, zh in (
    (r"no bytes before %PDF-", r"%PDF- 之前没有数据"),
    (r"(\d+) bytes before %PDF-", r"%PDF- 之前有 \1 字节"),
    (r"ZIP local file header", r"ZIP 本地文件头"),
    (r"ZIP end of central directory", r"ZIP 中央目录结束记录"),
    (r"(\d+) %%EOF markers, (\d+) xref sections with /Prev", r"\1 个 %%EOF 标记，\2 个带 /Prev 的交叉引用段"),
    (r"(\d+) %%EOF markers in a linearized file", r"线性化文件中有 \1 个 %%EOF 标记"),
    (r"(\d+) object\(s\) could not be read, so the checks that walk the objects did not see them",
     r"\1 个对象无法读取，遍历对象的检查未能看到它们"),
    (r"document catalog became unreadable: (.*)", r"文档目录变得无法读取：\1"),
    (r"(\d+) different DestOutputProfile objects", r"\1 个不同的 DestOutputProfile 对象"),
    (r"(\d+) channels", r"\1 个通道"),
    (r"(\d+) colourants", r"\1 种色料"),
    (r"no TransferFunction for (.+)", r"\1 没有 TransferFunction"),
    (r"TransferFunction for (.+)", r"\1 的 TransferFunction"),
    (r"class (.+), space (.+), version (.+)", r"类别 \1，色彩空间 \2，版本 \3"),
    (r"N (\d+) does not match profile space (.+)", r"N = \1 与配置文件的色彩空间 \2 不符"),
    (r"font program cannot be read: (.+)", r"字体程序无法读取：\1"),
    (r"embedded CMap cannot be read: (.+)", r"嵌入的 CMap 无法读取：\1"),
    (r"code (\d+): glyph procedure cannot be read: (.+)", r"编码 \1：字形过程无法读取：\2"),
    (r"CIDSet cannot be read: (.+)", r"CIDSet 无法读取：\1"),
    (r"metadata stream cannot be read: (.+)", r"元数据流无法读取：\1"),
    (r"code (\d+): (.+) vs (.+)", r"编码 \1：\2 与 \3 不一致"),
    (r"code (\d+)", r"编码 \1"),
    (r"CharSet lacks (.+)", r"CharSet 缺少 \1"),
    (r"CIDSet lacks CID (.+)", r"CIDSet 缺少 CID \1"),
    (r"WMode (.+) vs (.+)", r"WMode \1 与 \2 不一致"),
    (r"glyph name (.+) in Differences", r"Differences 中的字形名 \1"),
    (r"invalid value (.+)", r"无效的值 \1"),
    (r"operator (.+)", r"运算符 \1"),
    (r"q nesting (\d+)", r"q 嵌套 \1 层"),
    (r"(\d+) bytes after %%EOF", r"%%EOF 之后有 \1 字节"),
    (r"(\d+) indirect objects", r"\1 个间接对象"),
    (r"Length (\d+), actual (\d+)", r"Length 为 \1，实际为 \2"),
    (r"(\S+) is not valid UTF-8", r"\1 不是有效的 UTF-8"),
    (r"undefined field (\S+) in (\S+)", r"\2 中未定义的字段 \1"),
    (r"undefined value type (.+)", r"未定义的值类型 \1"),
    (r"prefix (.+)", r"前缀 \1"),
    (r"(\S+): invalid RDF \((.*)\)", r"\1：无效的 RDF（\2）"),
    (r"(\S+) is not (\S+)", r"\1 不是 \2"),
)]
_INHERITED = re.compile(r"(.+) inherited from the page")
# an exception's text as a library wrote it ("PdfError: can't find startxref", "qpdf: …"): quoted
_LIBRARY = re.compile(r"(?:[A-Z]\w*(?:Error|Exception|Warning)|qpdf): .+", re.S)


def detail_zh(detail: str) -> str:
    """`detail` in Chinese, or as it is when it is not one of the checks' own phrases."""
    if not detail or detail in _EXACT:
        return _EXACT.get(detail, detail)
    m = _INHERITED.fullmatch(detail)
    if m:
        return f"从页面继承的{_USES.get(m.group(1), m.group(1))}"
    for pattern, zh in _PATTERNS:
        if pattern.fullmatch(detail):
            return pattern.sub(zh, detail)
    if _LIBRARY.fullmatch(detail):
        return quoted_original(detail)
    return detail


__all__ = ["detail_zh"]
