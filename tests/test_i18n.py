"""Chinese is complete (issue #16): one message catalogue, every message with a zh-CN text using the same
parameters, unfilled parameters fail, legal citations in Chinese numerals, and every command's human
output under --lang zh-CN free of untranslated English (docs/i18n.md)."""

from __future__ import annotations

import html
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from edossier.cli.main import all_commands, main
from edossier.findings import finding, registry
from edossier.i18n import STRICT_ENV, MessageParamError, catalogue, fill, message, pair, params_of, t
from edossier.i18n.explain import schema_error, toml_error
from edossier.i18n.numerals import zh_numeral

# --- the catalogue ---------------------------------------------------------------------------------------


def _all_messages():
    """Every message a user can see that is data: the catalogue and the finding registry."""
    yield from ((key, m.en, m.zh) for key, m in catalogue().items())
    yield from ((f"finding.{c.code}", c.en, c.zh) for c in registry().values())


def _same_params(en: str, zh: str) -> bool:
    # a Chinese text may take `x_zh` where the English takes `x` (the Chinese form of the same value)
    return {p.removesuffix("_zh") for p in params_of(en)} == {p.removesuffix("_zh") for p in params_of(zh)}


def test_every_message_has_chinese_with_the_same_parameters():
    entries = list(_all_messages())
    assert len(entries) > 300  # the catalogue (≈250) and the registry (≈120) are both enumerated
    missing = [key for key, en, zh in entries if not en.strip() or not zh.strip()]
    assert not missing, f"messages without a text in both languages: {missing}"
    untranslated = [key for key, en, zh in entries if zh == en and re.search(r"[A-Za-z]{3}", en)]
    assert not untranslated, f"zh-CN text identical to the English: {untranslated}"
    no_cjk = [key for key, en, zh in entries if re.search(r"[A-Za-z]{3}", re.sub(r"\{[^}]*\}", "", zh))
              and not re.search(r"[\u4e00-\u9fff]", zh)]
    assert not no_cjk, f"zh-CN text without any Chinese: {no_cjk}"
    differ = [(key, sorted(params_of(en)), sorted(params_of(zh))) for key, en, zh in entries
              if not _same_params(en, zh)]
    assert not differ, f"zh-CN and en use different parameters: {differ}"


def test_findings_are_read_through_the_same_lookup():
    c = registry()["K012"]
    assert message("finding.K012") == (c.en, c.zh)
    en, zh = pair("finding.K012", value="X", name="an agency", name_zh="某机关")
    assert en == c.en.format(value="X", name="an agency") and zh == c.zh.format(value="X", name_zh="某机关")


def test_every_finding_can_be_described_without_a_case():
    from edossier.findings import describe_finding

    for code, c in registry().items():
        for lang in ("en", "zh-CN"):
            text = describe_finding(code, lang)  # KeyError: a parameter without a param.<name> noun
            assert "{" not in text, (code, text)
    assert describe_finding("K072", "zh-CN").startswith("〈名称〉 的统一社会信用代码 〈值〉")


def test_unfilled_parameters_raise_under_tests_and_show_the_template_in_production(monkeypatch):
    with pytest.raises(MessageParamError):
        t("html.page", "zh-CN")
    with pytest.raises(MessageParamError):
        finding("K012", value="11440300MB2C123453")  # no name
    with pytest.raises(MessageParamError):
        fill("{a} {b!r}", {"a": 1})
    monkeypatch.setenv(STRICT_ENV, "0")
    assert t("html.page", "zh-CN") == "第 {n} 页"
    assert fill("{a} {b!r} {c:>4}", {"a": 1}) == "1 {b} {c}"
    with pytest.raises(KeyError):
        t("no.such.message", "en")  # a missing key is a bug in any mode


# --- Chinese numerals and legal citations ---------------------------------------------------------------

@pytest.mark.parametrize("n, expected", [
    (1, "一"), (9, "九"), (10, "十"), (11, "十一"), (15, "十五"), (20, "二十"), (91, "九十一"),
    (100, "一百"), (105, "一百零五"), (110, "一百一十"), (111, "一百一十一"), (156, "一百五十六"),
    (172, "一百七十二"), (208, "二百零八"), (296, "二百九十六"), (1000, "一千"), (1001, "一千零一"),
    (1010, "一千零一十"), (1100, "一千一百"), (2020, "二千零二十"), (10000, "一万"), (10010, "一万零一十"),
    (100000, "十万"), (0, "零"),
])
def test_chinese_numerals(n, expected):
    # by hand: 一百七十二 = 1×100 + 7×10 + 2; a zero between digits is read once (一百零五, 一千零一十);
    # a leading 一十 is written 十 (第十条, 十五); 208 = 2×100 + 0×10 + 8 → 二百零八
    assert zh_numeral(n) == expected


@pytest.mark.parametrize("bad", [-1, 10 ** 8, 1.5, True])
def test_chinese_numerals_refuse_what_they_cannot_write(bad):
    with pytest.raises(ValueError):
        zh_numeral(bad)


@pytest.mark.parametrize("basis, zh", [
    ("CPL 2018 Art. 172 para 1", "《刑事诉讼法》第一百七十二条第一款"),
    ("CPL 2018 Art. 91 para 3", "《刑事诉讼法》第九十一条第三款"),
    ("CPL 2018 Art. 10", "《刑事诉讼法》第十条"),
    ("CPL 2018 Art. 110 para 2", "《刑事诉讼法》第一百一十条第二款"),
    ("CPL 2018 Art. 172 para 1 (速裁)", "《刑事诉讼法》第一百七十二条第一款（速裁程序）"),
    ("CPL 2018 Art. 156, Art. 158", "《刑事诉讼法》第一百五十六条、第一百五十八条"),
    ("SPP Rules 2019 Art. 296", "《人民检察院刑事诉讼规则》第二百九十六条"),
    ("CPL 2018 Art. 220 (recalculated / 重新计算)", "《刑事诉讼法》第二百二十条（重新计算）"),
])
def test_legal_basis_in_chinese(basis, zh):
    from edossier.caserules.legal import basis_text

    assert basis_text(basis, "zh-CN") == zh
    assert basis_text(basis, "en").startswith(basis.split(" (")[0])


def test_article_spans_in_both_languages():
    from edossier.caserules.legal import articles_text

    spans = [(227, 229), (243, 243)]
    assert articles_text("CPL", spans, "en") == "CPL 2018 Arts. 227-229, 243"
    assert articles_text("CPL", spans, "zh-CN") == "《刑事诉讼法》第二百二十七条至第二百二十九条、第二百四十三条"
    assert articles_text("CPL", [(25, 27)], "zh-CN") == "《刑事诉讼法》第二十五条至第二十七条"
    assert articles_text("CPL", [(250, 250)], "en") == "CPL 2018 Art. 250"


def test_every_basis_the_deadline_engine_writes_can_be_cited_in_chinese():
    from edossier.caserules import deadlines
    from edossier.caserules.legal import basis_text, parse_basis

    src = Path(deadlines.__file__).read_text("utf-8")
    literals = set(re.findall(r'"((?:CPL 2018|SPP Rules 2019) Art\. \d+(?: para \d+)?(?: \([^"()]*\))?)"', src))
    assert len(literals) >= 15
    for text in literals:
        assert parse_basis(text), text
        assert "Art" not in basis_text(text, "zh-CN"), text
    # what the engine appends later: further articles, notes
    assert parse_basis("CPL 2018 Art. 156, Art. 158, Art. 157")
    assert basis_text("CPL 2018 Art. 208 para 1 (higher court)", "zh-CN") == "《刑事诉讼法》第二百零八条第一款（上级人民法院批准）"
    assert basis_text("not a citation", "zh-CN") == "not a citation"  # shown as recorded, never dropped


def test_expired_period_findings_cite_the_law_in_chinese():
    from edossier.caserules.check import check_case
    from test_caserules_support import ev, rec

    # detained 2026-11-02, no arrest request within 3 days (CPL 2018 Art. 91 para 1)
    events = [ev("立案", "2026-11-01 09:00"), ev("拘留", "2026-11-02 10:00"), ev("提请批准逮捕", "2026-11-20 10:00")]
    found = [f for f in check_case([rec(events=events)]) if f.code == "K050"]
    assert found
    assert "《刑事诉讼法》第九十一条第一款" in found[0].message_zh, found[0].message_zh
    assert "CPL 2018 Art. 91 para 1" in found[0].message_en


# --- K072-K074 name the agency -------------------------------------------------------------------------

def test_credit_code_structure_findings_name_the_agency_not_the_event():
    from edossier.caserules.check import check_case
    from edossier.idcodes import credit_code_check_char
    from test_caserules_support import ev, rec

    # registration authority 0 does not exist (GB 32100-2015 table 1): K072; check character made right
    body = "01440300MB2C12345"
    code = body + credit_code_check_char(body)
    unknown = ev("提取血样", "2026-11-02 10:00", agency=code)
    [f] = [f for f in check_case([rec(events=[unknown])]) if f.code == "K072"]
    assert "提取血样" in f.message_zh and "办理机关" in f.message_zh, f.message_zh  # the event's agency
    assert f.message_zh.startswith("事件“提取血样”所记录的办理机关"), f.message_zh
    named = ev("提取血样", "2026-11-02 10:00", agency=code, actor="深圳市南山区人民医院")
    [f] = [f for f in check_case([rec(events=[named])]) if f.code == "K072"]
    assert f.message_zh.startswith("深圳市南山区人民医院 的统一社会信用代码"), f.message_zh
    assert "{" not in f.message_en + f.message_zh


# --- third-party messages: jsonschema and tomllib --------------------------------------------------------

SCHEMA = {"type": "object", "required": ["name"], "additionalProperties": False,
          "properties": {"name": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]+$"},
                         "n": {"type": "integer", "minimum": 1, "maximum": 9}, "role": {"enum": ["police", "court"]},
                         "day": {"type": "string", "format": "date"}, "list": {"type": "array", "minItems": 1,
                                                                             "maxItems": 2, "uniqueItems": True}}}


@pytest.mark.parametrize("instance, kind", [
    ({}, "required"), ({"name": "ab", "x": 1}, "additionalProperties"), ({"name": "ab", "role": "polic"}, "enum"),
    ({"name": 3}, "type"), ({"name": "a"}, "minLength"), ({"name": "abcde"}, "maxLength"),
    ({"name": "AB"}, "pattern"), ({"name": "ab", "n": 0}, "minimum"), ({"name": "ab", "n": 10}, "maximum"),
    ({"name": "ab", "day": "2026-13-01"}, "format"), ({"name": "ab", "list": []}, "minItems"),
    ({"name": "ab", "list": [1, 2, 3]}, "maxItems"), ({"name": "ab", "list": [1, 1]}, "uniqueItems"),
])
def test_json_schema_messages_are_translated(instance, kind):
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [e for e in validator.iter_errors(instance) if e.validator == kind]
    assert errors, kind
    en, zh = schema_error(errors[0])
    assert re.search(r"[\u4e00-\u9fff]", zh) and en != zh
    assert "property" not in en and "is not valid under" not in en  # jsonschema's own wording is replaced
    assert not _english_words(zh), (zh, _english_words(zh))


@pytest.mark.parametrize("text, zh_part", [
    ('a = \n', "无效的值（第 1 行，第 5 列）"),
    ('a = 1\na = 2\n', "同一个值被重复定义"),
    ('[t]\n[t]\n', "被重复声明"),
    ('a = "x', "字符串没有结束引号（在文件末尾）"),
    ('a = "x\n', "此处不允许字符 '\\n'"),
    ('a = {b = 1\n', "内联表没有结束"),
    ('a = "\\q"\n', "反斜杠必须转义"),
    ('a = [1, 2\n', "列表没有结束"),
    ('a b = 1\n', "键后应为 '='"),
    ('[t\n', "表头末尾应为 ']'"),
    ('a = 2026-02-30\n', "无效的日期或日期时间（第 1 行，第 5 列）"),
    ('a = 1 b = 2\n', "语句后应换行"),
])
def test_toml_syntax_errors_are_translated(text, zh_part):
    import tomllib

    with pytest.raises(tomllib.TOMLDecodeError) as exc:
        tomllib.loads(text)
    en, zh = toml_error(exc.value)
    assert zh_part in zh, zh
    assert zh.startswith("TOML 语法错误：") and en.startswith("TOML syntax error: ")
    assert not _english_words(zh), zh


# --- every command's human output under zh-CN -------------------------------------------------------------

# Words that may stay as they are in Chinese output. Each is the standard's or product's own name,
# written so in Chinese technical text too (GB/T and the SPP rules write "PDF", "XML", "SHA-256"):
ALLOWED = frozenset("""
PDF ASiC CAdES PAdES XAdES SHA CRL OCSP TSA ZIP XML XSD JSON TOML JPEG PNG TIFF ETSI RFC ISO UTC OCR HTML
ICC CMS XMP PKCS PKI SOI EOI IEND CRC CMYK RGB sRGB DPI dpi CJK JUnit SARIF URI UTF
edossier PyMuPDF veraPDF
INDETERMINATE RSA DOCTYPE mimetype Rootfile SigReference DataObjectReference DigestValue DigestMethod MimeType
DossierRecord ASiCManifest SignedData DER INTEGER SEQUENCE ASCII Unicode
""".split())
# INDETERMINATE: the ETSI main indication, shown as the code after its plain meaning (无法确认). DOCTYPE,
# mimetype (the ASiC member of that name) and the element names of the ASiC manifest and the record
# (Rootfile, SigReference, DossierRecord …), ASN.1 (SignedData, DER, INTEGER, SEQUENCE: an SM2
# signature's form, DER SEQUENCE{r, s} of GB/T 35275) and character sets (ASCII,
# Unicode) are names the standards define, written as in the file.
# Removed before looking for words, each because it is not prose: URLs; file names and paths (anything with
# a slash or a file extension, XPath locations); hex digests; ISO 8601 times; values quoted as the user
# typed them ('police'); identifiers joined by - or _ (profile ids, ETSI indications such as TOTAL_PASSED,
# option names such as --trust-anchor, dossier.toml keys); finding codes (A123); camelCase names of XML
# attributes and ASN.1 fields (typeCode, organizationIdentifier); XML qualified names (pdfaid:part,
# rdf:RDF); names with digits (sha1, v2); the name
# of a PDF signature field (data: 签名域 Officer); a command to run, in `backticks`; Rich markup.
_NOT_PROSE = [re.compile(p) for p in (
    r"签名域 [^\s）)]+", r"`[^`]*`", r"\w+://\S+", r"urn:\S+", r"\S*[/\\]\S*", r"\b[\w.-]+\.[A-Za-z][A-Za-z0-9]{0,4}\b", r"\b[0-9a-fA-F]{16,}\b",
    r"\d{4}-\d\d-\d\dT[\d:.+-]+", r"'[^'\n]*'", r"(?<![\w-])--?[a-z][\w-]*", r"\b\w+(?:[-_]\w+)+\b",
    r"\b[A-Z]\d{3}\b", r"\b[a-z]+(?:[A-Z][a-z0-9]*)+\b", r"\b[A-Za-z]+\d+\b", r"\b[A-Za-z]+:[A-Za-z]+\b",
    r"\[/?[a-z ]+\]", r"%%EOF")]
# First of all (before the path and name patterns cut into it): a third-party library's own error text,
# quoted as such after our Chinese explanation (i18n.quoted_original: 原文「PdfError: can't find
# startxref」): data for a vendor's support, shown verbatim like a file name. %%EOF: the PDF keyword.
_NOT_PROSE.insert(0, re.compile(r"原文「[^」]*」"))


def _command_names() -> set[str]:
    # the CLI's own command names are what the user types (请用 edossier validate 命令校验)
    commands = all_commands()  # command modules are imported on demand
    names = set(commands)
    for cmd in commands.values():
        names |= set(getattr(cmd, "commands", {}))
    return names


def _english_words(text: str, also: frozenset = frozenset()) -> list[tuple[list[str], str]]:
    """(words, line) for each line of `text` with an ASCII word of 3 or more letters that is not allowed."""
    allowed = ALLOWED | _command_names() | also
    out = []
    for line in text.splitlines():
        s = line
        for pattern in _NOT_PROSE:
            s = pattern.sub(" ", s)
        words = [w for w in re.findall(r"[A-Za-z]{3,}", s) if w not in allowed]
        if words:
            out.append((words, line))
    return out


def _html_text(page: str) -> str:
    """The text a reader sees in the page's own language: <head> (the title repeats the h1), and every
    element marked lang="en" (the deliberate second language under each message and verdict) removed."""
    body = page.split("<body>", 1)[1]
    body = re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S)
    for _ in range(3):  # nested elements: innermost first
        body = re.sub(r'<(div|span)\b[^>]*\blang="en"[^>]*>[^<]*</\1>', "", body)
    body = re.sub(r"<svg\b.*?</svg>", "", body, flags=re.S)  # charts: their captions are checked as text
    return html.unescape(re.sub(r"<[^>]+>", "\n", body))


def _junit_text(xml: str) -> str:
    """What a CI viewer shows first: test names, failure and skip messages, and the first message line of
    each finding block (the next line repeats it in English by design, for mixed-language CI logs)."""
    root = ET.fromstring(xml)
    out = []
    for el in root.iter():
        if el.tag == "testcase":  # "container（容器）": the stage id keeps CI history the same in any language
            out.append(el.get("name").split("（", 1)[-1])
        if el.tag in ("failure", "skipped"):
            out.append(el.get("message"))
        if el.tag in ("failure", "system-out") and el.text:
            for block in el.text.split("\n\n"):
                lines = block.splitlines()
                out += lines[:2] + lines[3:]  # drop the English line of each block
    return "\n".join(x for x in out if x)


@pytest.fixture(scope="module")
def zh(tmp_path_factory):
    """Run a command under --lang zh-CN on a wide terminal, so that no word or path is cut at a line end
    (COLUMNS for the consoles a command makes; the width of the standard-error console made at import)."""
    from edossier.cli import main as cli_main

    def run(*args, ok=(0, 1, 2)):
        res = CliRunner(env={"COLUMNS": "250"}).invoke(main, ["--lang", "zh-CN", *map(str, args)],
                                                       catch_exceptions=False)
        assert res.exit_code in ok, res.output
        assert "Traceback" not in res.output
        return res

    width = cli_main.stderr_console().width
    cli_main.stderr_console().width = 250
    yield run
    cli_main.stderr_console().width = width


def assert_chinese(text: str, *, data: tuple[str, ...] = (), names: frozenset = frozenset()) -> None:
    """No untranslated English in `text`; `data` are strings from the input (names in a trust list) that
    are shown as they are, `names` further words allowed for one command only."""
    for value in data:
        text = text.replace(value, " ")
    found = _english_words(text, names)
    assert not found, "untranslated English under --lang zh-CN:\n" + "\n".join(
        f"  {words}: {line}" for words, line in found)
    assert re.search(r"[\u4e00-\u9fff]", text), text


@pytest.fixture(scope="module")
def bad_package(three_layers, tmp_path_factory):
    from edossier.demo.run import tamper_member

    bad = tmp_path_factory.mktemp("zh") / "bad.edp"
    tamper_member(three_layers["packages"][-1], bad, prefix="documents/002/")
    return bad


def test_validate_text_html_junit_in_chinese(zh, three_layers, bad_package, pki, tmp_path):
    good = three_layers["packages"][-1]
    trust = pki / "trustlist.xml"
    assert_chinese(zh("validate", good, bad_package, "--trust", trust).output)
    zh("validate", good, bad_package, "--trust", trust, "--format", "html", "-o", tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text("utf-8")
    assert_chinese(_html_text(page))
    zh("validate", good, bad_package, "--trust", trust, "--format", "junit", "-o", tmp_path / "r.xml")
    assert_chinese(_junit_text((tmp_path / "r.xml").read_text("utf-8")))


def test_inspect_log_deadlines_in_chinese(zh, three_layers):
    package = three_layers["packages"][-1]
    for command in ("inspect", "log", "deadlines"):
        assert_chinese(zh(command, package).output)


def test_lint_and_build_refusal_in_chinese(zh, tmp_path, agencies, pki):
    from conftest import make_source

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    toml = src / "dossier.toml"
    text = toml.read_text("utf-8")
    # a bad role, an unknown key, a bad date, a date-time without offset, an empty file list
    toml.write_text(text.replace('role = "police"', 'role = "polic"').replace("date = 2026-11-02", 'date = "2026-13-01"\nfoo = 1')
                    + '\n[[events]]\ntype = "立案"\ntime = 2026-11-02T09:30:00\n', "utf-8")
    res = zh("lint", src)
    assert res.exit_code == 1
    assert_chinese(res.output)
    assert "不是允许的值" in res.output and "未知的键" in res.output and "UTC 时差" in res.output
    res = zh("build", src, "-o", tmp_path / "x.edp", "--signer", pki / "police.p12")
    assert res.exit_code != 0
    assert_chinese(res.output)
    toml.write_text('[case]\nnumber = "x"\nname = \n', "utf-8")  # TOML syntax error
    res = zh("lint", src)
    assert "无效的值（第 3 行" in res.output
    assert_chinese(res.output)
    toml.write_text(text.replace('[case]\n', '[case]\nprocedure = 5\n'), "utf-8")  # wrong type
    assert_chinese(zh("lint", src).output)


def test_receipts_in_chinese(zh, three_layers, pki, tmp_path):
    package = three_layers["packages"][1]
    receipt = tmp_path / "r.edr"
    res = zh("receipt", package, "--signer", pki / "court.p12", "--trust", pki / "trustlist.xml", "-o", receipt)
    assert res.exit_code == 0, res.output
    assert_chinese(res.output)
    res = zh("validate-receipt", receipt, "--trust", pki / "trustlist.xml", "--package", package)
    assert_chinese(res.output)
    other = three_layers["packages"][2]  # a receipt does not fit another package
    res = zh("validate-receipt", receipt, "--trust", pki / "trustlist.xml", "--package", other)
    assert res.exit_code == 1
    assert_chinese(res.output)


def test_trust_and_keys_in_chinese(zh, pki, tmp_path):
    trust = pki / "trustlist.xml"
    names = tuple(n for n in re.findall(r"<(?:\w+:)?Name[^>]*>([^<]+)<", trust.read_text("utf-8")))
    assert_chinese(zh("trust", "show", trust).output, data=names)
    res = zh("trust", "show", pki / "trust-anchor.pem")  # a PEM file is not XML: libxml2's words stay English-only
    assert "不是格式正确的 XML（第 1 行" in res.output, res.output
    assert_chinese(res.output)
    # a credit code with a wrong check character, and a PKI folder without the CA
    res = zh("keys", "issue", pki, "--role", "police", "--name", "某县公安局", "--credit-code", "11440300MB2C123453",
             "-o", tmp_path / "x.p12")
    assert res.exit_code != 0
    assert_chinese(res.output)
    res = zh("keys", "issue", tmp_path, "--role", "police", "--name", "某县公安局", "--credit-code",
             "11440300MB2C123452", "-o", tmp_path / "y.p12")
    assert res.exit_code != 0
    assert_chinese(res.output)
    assert_chinese(zh("keys", "issue").output)  # a usage error: click's English is translated
    demo = tmp_path / "pki"
    assert_chinese(zh("keys", "demo", demo).output)
    res = zh("keys", "revoke", demo, "--role", "police", "--serial", "1")
    assert res.exit_code == 0, res.output
    assert "公安机关 CA" in res.output
    assert_chinese(res.output)
    assert_chinese(zh("validate", "--trus", trust, "x.edp").output)
    assert_chinese(zh("nosuchcommand").output)


def _plain_pdf(tmp_path) -> Path:
    import pymupdf

    plain = tmp_path / "plain.pdf"  # an ordinary PDF: no PDF/A claim, no XMP, a font not embedded
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "hello")
    doc.save(plain)
    return plain


ISO_32000 = frozenset({"Catalog", "Type", "Metadata", "Subtype", "pdfaid", "AcroForm", "Names", "OCProperties",
                       "Perms", "trailer", "XObject", "EmbeddedFiles", "JavaScript", "GoTo", "GoToR", "GoToE",
                       "Thread", "Named", "SubmitForm", "Launch", "DefaultGray", "DeviceGray", "DCTDecode"})


def test_pdfa_check_in_chinese(zh, tmp_path):
    res = zh("pdfa", "check", _plain_pdf(tmp_path))
    assert res.exit_code == 1
    assert "第 1 页，字体 /helv" in res.output, res.output  # the location inside the PDF is translated
    assert "（没有可读取的 XMP）" in res.output, res.output  # and the checker's detail
    # ISO 32000 names of PDF objects and keys are written as in the file, as every PDF tool shows them.
    assert_chinese(res.output, names=ISO_32000)


def test_pdfa_details_in_chinese():
    from edossier.pdfa.detail_zh import detail_zh

    assert detail_zh("2 %%EOF markers, 1 xref sections with /Prev") == "2 个 %%EOF 标记，1 个带 /Prev 的交叉引用段"
    assert detail_zh("fill inherited from the page") == "从页面继承的填充"
    assert detail_zh("code 65: 500 vs 600") == "编码 65：500 与 600 不一致"
    assert detail_zh("/Helvetica") == "/Helvetica"  # a PDF name stays as it is


def test_conformance_in_chinese(zh, tmp_path):
    from test_conformance import small_corpus

    small = small_corpus(tmp_path, ["good/none_minimal", "bad/I001_document-changed", "warn/C014_deflated-pdf"])
    res = zh("conformance", "--corpus", small, "-j", "1")
    assert res.exit_code == 0, res.output
    assert_chinese(res.output)


def test_stats_in_chinese(zh, three_layers, bad_package, pki, tmp_path):
    folder = tmp_path / "packages"
    folder.mkdir()
    for p in [*three_layers["packages"], bad_package]:
        shutil.copy(p, folder / p.name)
    trust = pki / "trustlist.xml"
    assert_chinese(zh("stats", folder, "--trust", trust, "--format", "text", "-j", "1").output)
    zh("stats", folder, "--trust", trust, "-o", tmp_path / "s.html", "-j", "1")
    assert_chinese(_html_text((tmp_path / "s.html").read_text("utf-8")))


def test_export_and_error_paths_in_chinese(zh, three_layers, pki, tmp_path):
    package = three_layers["packages"][-1]
    res = zh("export", package, "--volume", "99", "-o", tmp_path / "v.pdf")
    assert res.exit_code != 0
    assert_chinese(res.output)
    for args in (("validate", tmp_path / "nothing.edp", "--trust", pki / "trustlist.xml"), ("inspect", tmp_path / "nothing.edp"),
                 ("deadlines", tmp_path / "nothing.edp"), ("lint", tmp_path / "nofolder")):
        res = zh(*args)
        assert res.exit_code == 2, res.output
        assert_chinese(res.output)
    junk = tmp_path / "junk.edp"
    junk.write_bytes(b"not a zip at all")
    assert_chinese(zh("validate", junk, "--trust", pki / "trustlist.xml").output)
    assert_chinese(zh("inspect", junk).output)
    policy = tmp_path / "p.toml"
    policy.write_text("[levels\nK022 = 'IGNORE'\n", "utf-8")
    res = zh("validate", package, "--trust", pki / "trustlist.xml", "--policy", policy)
    assert res.exit_code == 2
    assert_chinese(res.output)


def test_the_scanner_finds_english():
    # the check itself can fail: an English sentence, and English hidden among codes and paths
    assert _english_words("卷宗包 is not a package")
    assert _english_words("S010 错误 dossier.toml: key 'x': needs a value")
    assert not _english_words("S010 错误 documents/001/0001.pdf 'police' TOTAL_PASSED SHA-256 2026-11-02T09:30+08:00")
    page = '<html><head><title>REJECT</title></head><body><p>拒收</p><span lang="en">REJECT</span></body></html>'
    assert _html_text(page).split() == ["拒收"]


# --- every package of the conformance corpus, validated under zh-CN ---------------------------------------

# Findings whose messages may not yet be fully Chinese: none (third-party parsers' words are quoted as
# 原文「…」 after a Chinese explanation, see _NOT_PROSE). Kept as the place to name one, with its reason.
KNOWN_GAPS: frozenset = frozenset()
_FINDING_HEAD = re.compile(r"^\s+([A-Z]\d{3}) ")


def _corpus_report(zh) -> str:
    import glob

    from edossier.conformance import default_corpus

    corpus = default_corpus()
    packages = sorted(glob.glob(str(corpus / "*" / "*" / "package.edp")))
    assert len(packages) > 100
    return zh("validate", *packages, "--trust", corpus / "trustlist.xml", "--trust-anchor", corpus / "trust-anchor.pem",
              "--at", "2026-12-01T00:00:00Z", "-j", "1").output


def _without_gaps(text: str) -> str:
    out, code = [], None
    for line in text.splitlines():
        m = _FINDING_HEAD.match(line)
        if m:
            code = m.group(1)
        elif not line.startswith("      "):
            code = None  # a message line is indented under its finding's head line
        if not (code in KNOWN_GAPS and line.startswith("      ")):
            out.append(line)
    return "\n".join(out)


@pytest.fixture(scope="module")
def corpus_zh(zh):
    return _corpus_report(zh)


def test_every_corpus_package_is_reported_in_chinese(corpus_zh):
    # every code of the registry's error and warning families appears in the corpus (test_conformance)
    assert_chinese(_without_gaps(corpus_zh), names=ISO_32000)


def test_every_corpus_package_is_reported_in_chinese_without_exceptions(corpus_zh):
    assert_chinese(corpus_zh, names=ISO_32000)
