"""Shared fixtures: a demo PKI made once per session, and small generated build sources."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from edossier.signing.cades import load_credential
from edossier.demo.pki import load_demo_trustlist, make_demo_pki

# Strict messages (edossier.i18n): a template parameter a caller did not supply raises instead of being
# shown as `{name}`, here and in every subprocess the tests start (they inherit the environment).
os.environ["EDOSSIER_STRICT_MESSAGES"] = "1"

logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)

# the developer tools outside the package (tools/: the veraPDF corpus harness, the docs generators)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

VERAPDF_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "verapdf"


def require_verapdf_corpus() -> Path:
    """The veraPDF corpus (../shared/corpus/verapdf), on which the PDF/A checker's claims rest. Missing:
    under CI (CI=true) the test FAILS, since a CI that silently skips it proves nothing; on a developer's
    machine it skips, loudly (a warning and the skip reason in the -ra summary)."""
    import os
    import warnings

    if (VERAPDF_CORPUS / "PDF_A-2b").is_dir():
        return VERAPDF_CORPUS
    why = (f"veraPDF corpus not found at {VERAPDF_CORPUS}: it must sit next to the repository "
           "(../shared/corpus/verapdf)")
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(why + "; CI must have it", pytrace=False)
    warnings.warn(why + "; SKIPPING the corpus tests (they fail under CI=true)", stacklevel=2)
    pytest.skip("NO veraPDF CORPUS: " + why)


CASE = '''[case]
number = "深南公(刑)立字〔2026〕00123号"
name = "张某盗窃案"
charges = ["盗窃"]
'''


@pytest.fixture(scope="session")
def session_pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pki")
    make_demo_pki(directory)
    return directory


@pytest.fixture(scope="session")
def pki(session_pki):
    return session_pki


@pytest.fixture(scope="session")
def trust(pki):
    return load_demo_trustlist(pki)


@pytest.fixture(scope="session")
def anchor_args(pki):
    """CLI arguments that name the session demo PKI's trust-list anchor (add after --trust)."""
    return ["--trust-anchor", str(pki / "trust-anchor.pem")]


@pytest.fixture(scope="session")
def creds(pki):
    return {role: load_credential(pki / f"{role}.p12")
            for role in ("police", "procuratorate", "court", "justice", "supervision")}


@pytest.fixture(scope="session")
def agencies(trust):
    return {a.role: a for a in trust.agencies}


def scan(path: Path, text: str, *, mode: str = "L", fmt: str = "JPEG", size=(413, 585), dpi=200) -> Path:
    """A tiny page image (A4 proportions, 413×585 pixels at 200 dpi, so about 2×3 inches: the archival
    minimum, so validation has no D007 to say about it) with a little drawing, so that pages differ."""
    img = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([20, 20, size[0] - 20, 60], outline="black")
    draw.text((30, 30), text, fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, fmt, dpi=(dpi, dpi))
    return path


def make_source(folder: Path, agency, *, docs: list[tuple[str, str, int]], volumes=(("v1", "诉讼文书卷"),),
                with_case: bool = True, extra: str = "") -> Path:
    """Write a dossier.toml plus scans: docs are (id, type, pages)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [CASE if with_case else ""]
    lines.append(f'[agency]\nname = "{agency.name}"\ncredit_code = "{agency.credit_code}"\nrole = "{agency.role}"\n')
    for vid, title in volumes:
        lines.append(f'[[volumes]]\nid = "{vid}"\ntitle = "{title}"\n')
    for doc_id, doc_type, pages in docs:
        files = []
        for p in range(1, pages + 1):
            scan(folder / "scans" / f"{doc_id}-{p}.jpg", f"{doc_id} page {p}")
            files.append(f'"scans/{doc_id}-{p}.jpg"')
        volume = volumes[0][0] if volumes else "v1"
        lines.append(f'[[documents]]\nid = "{doc_id}"\nvolume = "{volume}"\ntype = "{doc_type}"\n'
                     f'title = "{doc_type}"\ndate = 2026-11-02\nfiles = [{", ".join(files)}]\n')
    lines.append(extra)
    (folder / "dossier.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def three_layers(tmp_path_factory, agencies, creds):
    """police → procuratorate → court, built once per session from tiny generated scans."""
    return _build_three(tmp_path_factory.mktemp("layers"), agencies, creds,
                        police_docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])


def _build_three(base, agencies, creds, *, police_docs) -> dict:
    """police → procuratorate → court in `base`, each layer signed with its role's credential."""
    from edossier.building.pipeline import append_layer, build_package

    police = make_source(base / "src-police", agencies["police"], docs=police_docs)
    proc = make_source(base / "src-proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                       volumes=(("v2", "检察卷"),), with_case=False)
    court = make_source(base / "src-court", agencies["court"], docs=[("c1", "刑事判决书", 1)],
                        volumes=(("v3", "审判卷"),))
    p1, p2, p3 = base / "1.edp", base / "2.edp", base / "3.edp"
    build_package(police, p1, creds["police"])
    append_layer(p1, proc, p2, creds["procuratorate"])
    append_layer(p2, court, p3, creds["court"])
    return {"dir": base, "packages": [p1, p2, p3], "sources": [police, proc, court]}


@pytest.fixture(scope="session")
def sm2_pki(tmp_path_factory):
    """An SM2 demo PKI (issue #20): SM2 root, issuing CAs, signers (PEM credentials), CRLs and TSA."""
    directory = tmp_path_factory.mktemp("sm2pki")
    return make_demo_pki(directory, key_type="sm2")


@pytest.fixture(scope="session")
def sm2_three_layers(tmp_path_factory, sm2_pki):
    """police → procuratorate → court, every layer signed with the SM2 demo credentials."""
    agencies = {a.role: a for a in sm2_pki.trustlist.agencies}
    creds = {role: load_credential(sm2_pki.p12_paths[role]) for role in ("police", "procuratorate", "court")}
    built = _build_three(tmp_path_factory.mktemp("sm2layers"), agencies, creds, police_docs=[("d1", "立案决定书", 1)])
    return {**built, "creds": creds}


@pytest.fixture(scope="session", autouse=True)
def _trust_anchor_env(session_pki):
    """CLI tests name the session demo PKI's trust anchor through EDOSSIER_TRUST_ANCHOR (as a user
    may); tests with another PKI pass --trust-anchor, which overrides it."""
    import os

    old = os.environ.get("EDOSSIER_TRUST_ANCHOR")
    os.environ["EDOSSIER_TRUST_ANCHOR"] = str(session_pki / "trust-anchor.pem")
    yield
    if old is None:
        os.environ.pop("EDOSSIER_TRUST_ANCHOR", None)
    else:
        os.environ["EDOSSIER_TRUST_ANCHOR"] = old

