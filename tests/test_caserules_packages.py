"""Scenario packages (built, signed, validated) for every stage profile, and the bundled sample."""

from __future__ import annotations

import pytest

from conftest import make_source
from edossier.building.pipeline import BuildChecks, BuildError, append_layer, build_package
from edossier.resources import samples_dir
from edossier.validation.pipeline import validate_package
from test_caserules import COMPLETE

ROLE = {"public-prosecution": "procuratorate", "execution-handover": "court",
        "supervision-transfer-for-prosecution": "supervision"}
MISSING = {  # one required document left out per profile
    "arrest-request": "提请批准逮捕书", "transfer-for-prosecution": "起诉意见书", "theft-fasttrack-transfer": "询问笔录",
    "dui-fasttrack-transfer": "血液酒精含量检验鉴定意见书", "supplementary-retransfer": "补充侦查报告书",
    "public-prosecution": "起诉书", "execution-handover": "结案登记表",
    "supervision-transfer-for-prosecution": "起诉意见书",
}


def _extra(name: str) -> str:
    """The profile, and events dated just before now so that no period is left running past its end."""
    import datetime as dt

    docs, events, procedure = COMPLETE[name]
    if "拘留" in events:  # detention → arrest request (→ approval, arrest, transfer)
        events = ["拘留", "提请批准逮捕"] + ([] if name == "arrest-request" else ["批准逮捕", "逮捕", "移送审查起诉"])
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0)
    lines = [f'[layer]\nprofile = "{name}"\n']
    for i, e in enumerate(events):
        when = (now - dt.timedelta(days=len(events) - i)).isoformat()
        lines.append(f'[[events]]\ntype = "{e}"\ntime = {when}\n')
    return "\n".join(lines)


def _package(tmp_path, agencies, creds, name: str, drop: str | None = None):
    docs, _, procedure = COMPLETE[name]
    role = ROLE.get(name, "police")
    keep = [d for d in docs if d != drop]
    if name == "dui-fasttrack-transfer" and drop:
        keep = [d for d in keep if d != "呼气酒精含量检测单"]  # blood drawn, so the breath test alone is not enough
    src = make_source(tmp_path / f"src-{name}-{bool(drop)}", agencies[role],
                      docs=[(f"d{i}", t, 1) for i, t in enumerate(keep, 1)], extra=_extra(name))
    if procedure:
        text = (src / "dossier.toml").read_text(encoding="utf-8")
        (src / "dossier.toml").write_text(text.replace('charges = ["盗窃"]\n', f'charges = ["盗窃"]\nprocedure = "{procedure}"\n', 1),
                                          encoding="utf-8")
    out = tmp_path / f"{name}-{bool(drop)}.edp"
    if drop:
        # the builder's preflight refuses it (nothing written) ...
        from edossier.building.preflight import PreflightRefused

        with pytest.raises(PreflightRefused) as refused:
            build_package(src, out, creds[role])
        assert "K021" in {f.code for f in refused.value.blocking} and not out.exists()
        # ... so the defective package, for the validator's own test, is made without it
        build_package(src, out, creds[role], checks=BuildChecks(enabled=False))
        return out
    build_package(src, out, creds[role])
    return out


@pytest.mark.parametrize("name", sorted(COMPLETE))
def test_profile_scenario_packages(name, tmp_path, agencies, creds, trust):
    complete = validate_package(_package(tmp_path, agencies, creds, name), trust=trust)
    assert complete.verdict == "accept", [f.message_en for f in complete.findings if f.severity == "error"]
    missing = validate_package(_package(tmp_path, agencies, creds, name, drop=MISSING[name]), trust=trust)
    assert missing.verdict == "reject"
    k021 = [f for f in missing.findings if f.code == "K021"]
    assert k021 and all(MISSING[name] in f.message_zh for f in k021), [f.message_zh for f in k021]
    assert {f.code for f in missing.findings if f.severity == "error"} == {"K021"}


def test_validate_profile_option_applies_to_the_whole_package(three_layers, trust):
    pkg = three_layers["packages"][-1]
    assert validate_package(pkg, trust=trust).verdict == "accept"
    report = validate_package(pkg, trust=trust, profile="execution-handover")
    assert report.verdict == "reject"
    assert {"执行通知书", "结案登记表"} <= {f.params["doc"] for f in report.findings if f.code == "K021"}


def test_build_refuses_unknown_types_with_suggestions(tmp_path, agencies, creds):
    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立按决定书", 1)])
    with pytest.raises(BuildError) as exc:
        build_package(src, tmp_path / "x.edp", creds["police"])
    assert "documents[0].type" in exc.value.en and "立案决定书 (A005)" in exc.value.en
    assert "dossier.toml:" in exc.value.en and "立案决定书" in exc.value.zh
    src = make_source(tmp_path / "src2", agencies["police"], docs=[("d1", "立案决定书", 1)],
                      extra='[layer]\nprofile = "transfer"\n')
    with pytest.raises(BuildError, match="unknown profile 'transfer'"):
        build_package(src, tmp_path / "y.edp", creds["police"])


def test_build_writes_codes_and_code_lists(three_layers):
    import zipfile

    from edossier.record.model import parse_record

    with zipfile.ZipFile(three_layers["packages"][0]) as zf:
        rec = parse_record(zf.read("dossier/001.xml"))
    assert [d.type_code for d in rec.documents] == ["A005", "C004"]
    assert {(c.name, c.uri) for c in rec.code_lists} == {("document-type", "urn:edossier:codelist:document-type")}


@pytest.fixture(scope="session")
def sample_package(tmp_path_factory, creds):
    base = tmp_path_factory.mktemp("sample")
    case = samples_dir() / "theft-fasttrack"
    p1, p2, p3 = base / "1.edp", base / "2.edp", base / "3.edp"
    build_package(case / "police", p1, creds["police"])
    append_layer(p1, case / "procuratorate", p2, creds["procuratorate"])
    append_layer(p2, case / "court", p3, creds["court"])
    return [p1, p2, p3]


def test_sample_declares_profile_and_is_accepted(sample_package, trust):
    from edossier.summary import summarize

    layers = summarize(sample_package[-1]).layers
    assert [layer.record.profile for layer in layers] == ["transfer-for-prosecution", "public-prosecution", None]
    report = validate_package(sample_package[-1], trust=trust)
    assert report.verdict == "accept", [f.message_en for f in report.findings if f.severity == "error"]
    # complete for its stages: every document the profiles expect is there (no K022), and each 换押 and
    # 换押接收 names its 换押证 (no K076), so not even an info note is left
    assert report.findings == [], [(f.code, f.message_en) for f in report.findings]
    # the fast-track theft variant is satisfied by the police layer too
    police = validate_package(sample_package[0], trust=trust, profile="theft-fasttrack-transfer")
    assert not [f for f in police.findings if f.code == "K021"]


@pytest.mark.parametrize("given", ["PR05", "速裁"])
def test_build_writes_the_procedure_name(given, tmp_path, agencies, creds):
    # a code or an alias in dossier.toml is written as the list's name, which every reader resolves
    from edossier.container.zipio import open_package
    from edossier.record.model import parse_record

    src = make_source(tmp_path / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    text = (src / "dossier.toml").read_text(encoding="utf-8")
    (src / "dossier.toml").write_text(text.replace('charges = ["盗窃"]\n', f'charges = ["盗窃"]\nprocedure = "{given}"\n', 1),
                                      encoding="utf-8")
    out = tmp_path / "p.edp"
    build_package(src, out, creds["police"], checks=BuildChecks(enabled=False))
    with open_package(out) as pkg:
        record = parse_record(pkg.read("dossier/001.xml", 1 << 20))
    assert record.case.procedure == "速裁程序"
