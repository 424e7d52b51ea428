"""The supervisory-commission role (监察机关, #15) and the one list of roles every schema carries."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from edossier.resources import schema_bytes
from edossier.roles import ROLES, ROLE_ZH, role_name

XS = "{http://www.w3.org/2001/XMLSchema}"


def _xsd_roles(name: str, type_name: str | None) -> list[str]:
    """The enumeration of the role type of an XSD (a named simpleType, or the one under an attribute)."""
    tree = etree.fromstring(schema_bytes(name))
    if type_name:
        [st] = [t for t in tree.iter(f"{XS}simpleType") if t.get("name") == type_name]
    else:
        [st] = [a.find(f"{XS}simpleType") for a in tree.iter(f"{XS}attribute") if a.get("name") == "role"]
    return [e.get("value") for e in st.iter(f"{XS}enumeration")]


@pytest.mark.parametrize("name,type_name", [("record-0.1.xsd", "Role"), ("trustlist-0.2.xsd", "Role"),
                                            ("receipt-0.2.xsd", None)])
def test_every_xsd_names_every_role(name, type_name):
    assert _xsd_roles(name, type_name) == list(ROLES)


def test_json_schemas_name_every_role():
    src = json.loads(schema_bytes("dossier-source-0.1.schema.json"))
    report = json.loads(schema_bytes("report-0.1.schema.json"))

    def enums(node):
        if isinstance(node, dict):
            if "role" in node and isinstance(node["role"], dict) and "enum" in node["role"]:
                yield node["role"]["enum"]
            for v in node.values():
                yield from enums(v)
        elif isinstance(node, list):
            for v in node:
                yield from enums(v)

    assert [e for e in enums(src) if "police" in e] == [list(ROLES)]
    assert [e for e in enums(report) if "police" in e] == [list(ROLES) + [None]]


def test_supervision_role_names():
    assert "supervision" in ROLES
    assert ROLE_ZH["supervision"] == "监察机关"
    assert role_name("supervision", "zh-CN") == "监察机关"
    assert role_name("supervision", "en") == "supervisory commission"
    assert role_name("prison", "zh") == "prison"  # unknown roles are shown as given, never a KeyError


def _gb32100(first17: str) -> str:
    """GB 32100-2015 §4.3 by hand: weights 3^i mod 31, C18 = 31 − (Σ mod 31), 31 → 0."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights))
    return alphabet[(31 - total % 31) % 31]


def test_demo_supervisory_commission_credit_code():
    from edossier.demo.pki import DEMO_AGENCIES

    [sup] = [a for a in DEMO_AGENCIES if a.role == "supervision"]
    code = sup.credit_code
    assert sup.name.endswith("监察委员会")
    # GB 32100: registration authority 1 (机构编制), category 1 (机关), division 440305 (深圳市南山区)
    assert code[:2] == "11" and code[2:8] == "440305"
    # GB 11714 organisation code MB2D4000 + check: weights 3 7 9 10 5 8 4 2, M=22 B=11 D=13:
    # 22·3 + 11·7 + 2·9 + 13·10 + 4·5 + 0 + 0 + 0 = 66 + 77 + 18 + 130 + 20 = 311; 311 mod 11 = 3; 11 − 3 = 8
    assert code[8:17] == "MB2D40008"
    assert code[17] == _gb32100(code[:17])


# --- a supervisory commission's layer, end to end ---------------------------------------------------------

SUPERVISION_DOCS = [("s1", "立案决定书", 1), ("s2", "讯问笔录", 1), ("s3", "询问笔录", 1), ("s4", "起诉意见书", 1)]


def _recent(days: int) -> str:
    import datetime as dt

    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0)
    return (now - dt.timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def supervision_case(tmp_path_factory, agencies, creds):
    """监察委员会 → 人民检察院: the commission transfers (监察法 2018 Art. 45 para 1 item 4), the
    procuratorate accepts and appends its layer."""
    from conftest import make_source
    from edossier.building.pipeline import append_layer, build_package

    base = tmp_path_factory.mktemp("supervision")
    sup = agencies["supervision"]
    src = make_source(base / "src-sup", sup, docs=SUPERVISION_DOCS,
                      extra=('[layer]\nstage = "移送起诉"\nprofile = "supervision-transfer-for-prosecution"\n\n'
                             f'[[events]]\ntype = "移送起诉"\ntime = {_recent(2)}\nactor = "{sup.name}"\n'
                             'document = "s4"\n'))
    proc = make_source(base / "src-proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                       volumes=(("v2", "检察卷"),), with_case=False,
                       extra=f'[[events]]\ntype = "受理"\ntime = {_recent(1)}\nactor = "{agencies["procuratorate"].name}"\n')
    p1, p2 = base / "1.edp", base / "2.edp"
    build_package(src, p1, creds["supervision"])
    append_layer(p1, proc, p2, creds["procuratorate"])
    return {"dir": base, "packages": [p1, p2], "source": src}


def test_supervision_layer_is_accepted(supervision_case, trust):
    from edossier.validation.pipeline import validate_package

    for pkg in supervision_case["packages"]:
        report = validate_package(pkg, trust=trust)
        assert report.verdict == "accept", [(f.code, f.message_en) for f in report.findings]
        assert not [f for f in report.findings if f.code.startswith("K0") and f.severity == "error"]


def test_supervision_role_is_shown_by_name(supervision_case, pki):
    from click.testing import CliRunner

    from edossier.cli.main import main

    p2 = supervision_case["packages"][1]
    wide = {"COLUMNS": "200"}  # rich folds table cells to the terminal width
    res = CliRunner().invoke(main, ["--lang", "zh-CN", "inspect", str(p2)], catch_exceptions=False, env=wide)
    assert res.exit_code == 0 and "监察机关" in res.output and "深圳市南山区监察委员会" in res.output
    res = CliRunner().invoke(main, ["--lang", "zh-CN", "validate", str(p2), "--trust", str(pki / "trustlist.xml")],
                             catch_exceptions=False, env=wide)
    assert res.exit_code == 0 and "监察机关" in res.output, res.output
    res = CliRunner().invoke(main, ["validate", str(p2), "--trust", str(pki / "trustlist.xml"), "--format", "json"],
                             catch_exceptions=False)
    import jsonschema

    doc = json.loads(res.output)
    jsonschema.validate(doc, json.loads(schema_bytes("report-0.1.schema.json")))
    layers = doc["packages"][0]["layers"]
    assert [la["role"] for la in layers] == ["supervision", "procuratorate"]


def test_supervision_credential_cannot_sign_as_another_role(tmp_path, agencies, creds, trust):
    """Trust-list entries are per role (spec §9.3 rule 1): the commission's code under role police is
    not listed, so its layer fails G004 even though the certificate chain is the commission's own."""
    from conftest import make_source
    from edossier.building.pipeline import BuildChecks, build_package
    from edossier.demo.pki import DemoAgency
    from edossier.validation.pipeline import validate_package

    sup = agencies["supervision"]
    posing = DemoAgency("police", sup.name, sup.credit_code)
    src = make_source(tmp_path / "src", posing, docs=SUPERVISION_DOCS)
    out = tmp_path / "posing.edp"
    build_package(src, out, creds["supervision"], checks=BuildChecks(enabled=False))
    report = validate_package(out, trust=trust)
    assert report.verdict == "reject"
    assert "G004" in {f.code for f in report.findings}


def test_supervisory_commission_signs_a_receipt(supervision_case, creds, trust, tmp_path):
    """A case returned for 补充调查 (监察法 2018 Art. 47 para 3) comes back to the commission, which may
    give a receipt: receipt 0.2 names the role, and the receipt checks against the package."""
    from edossier.receipt import make_receipt, parse_receipt, validate_receipt

    p2 = supervision_case["packages"][1]
    out = tmp_path / "r.edr"
    r = make_receipt(p2, out, creds["supervision"], trust=trust)
    assert r.receiver_role == "supervision" and r.receiver_code == "11440305MB2D40008R"
    import zipfile

    with zipfile.ZipFile(out) as zf:
        names = [n for n in zf.namelist() if n.endswith(".xml") and "receipt" in n.lower()]
        assert names, zf.namelist()
        assert parse_receipt(zf.read(names[0])).receiver_role == "supervision"
    check = validate_receipt(out, trust=trust, package=p2)
    assert check.verdict == "accept", [(f.code, f.message_en) for f in check.findings]


def test_every_renderer_names_every_role():
    """Reports and dashboards show a role by name in both languages, never the bare key."""
    from edossier.report import html, text
    from edossier.stats.render import ROLE_NAMES

    for role in ROLES:
        assert ROLE_NAMES[role][0] == ROLE_ZH[role]
        assert text._L["zh-CN"]["roles"][role] == ROLE_ZH[role]
        assert html._L["zh-CN"]["roles"][role] == ROLE_ZH[role]
        assert html._L["en"]["roles"][role]
    assert ROLE_NAMES["supervision"] == ("监察机关", "supervisory commission")
