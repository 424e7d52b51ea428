"""The bundled sample case: its sources are complete, consistent and reproducible."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from PIL import Image

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CASE = SAMPLES / "theft-fasttrack"
ROLES = ("police", "procuratorate", "court")


def _sources() -> dict[str, dict]:
    return {role: tomllib.loads((CASE / role / "dossier.toml").read_text("utf-8")) for role in ROLES}


SOURCES = _sources()
FILES = [(role, f) for role, spec in SOURCES.items() for doc in spec["documents"] for f in doc["files"]]


# --- check characters, implemented here independently of the library -------------------------

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def uscc_ok(code: str) -> bool:
    if not re.fullmatch(f"[{USCC_CHARS}]{{18}}", code):
        return False
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31] == code[17]


def resident_id_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS))
    return "10X98765432"[total % 11] == number[17]


def test_check_functions_on_known_values():
    assert uscc_ok("91350100M000100Y43")  # the example printed in GB 32100-2015
    assert not uscc_ok("91350100M000100Y44")
    assert resident_id_ok("11010519491231002X")  # the example printed in GB 11643-1999
    assert not resident_id_ok("110105194912310021")


# --- (a) every page file exists, decodes, is an A4 scan at 200 dpi ---------------------------

@pytest.mark.parametrize("role,rel", FILES, ids=[f"{r}/{f}" for r, f in FILES])
def test_page_file_is_a_200dpi_image(role, rel):
    path = CASE / role / rel
    assert path.is_file(), path
    with Image.open(path) as img:
        img.load()
        assert img.format in ("JPEG", "PNG")
        assert img.size == (1654, 2339)
        dpi = img.info.get("dpi")
        assert dpi is not None and tuple(round(float(v)) for v in dpi) == (200, 200)


def test_mixture_of_inputs():
    modes = {}
    for role, rel in FILES:
        with Image.open(CASE / role / rel) as img:
            modes[(img.format, img.mode)] = modes.get((img.format, img.mode), 0) + 1
    assert ("JPEG", "L") in modes and ("JPEG", "RGB") in modes and ("PNG", "L") in modes


def test_scans_folders_hold_only_listed_files():
    for role, spec in SOURCES.items():
        listed = {f for doc in spec["documents"] for f in doc["files"]}
        present = {p.relative_to(CASE / role).as_posix() for p in (CASE / role / "scans").iterdir()}
        assert present == listed, role


def test_images_stay_small():
    # a greyscale A4 page at 200 dpi, JPEG quality 45, is 70-220 kB; the repository carries the whole
    # case, so the average page stays under 160 kB and no page over 250 kB
    sizes = [(CASE / role / rel).stat().st_size for role, rel in FILES]
    assert sum(sizes) / len(sizes) < 160_000
    assert max(sizes) < 250_000


# --- (b) ids, volumes and the case header ---------------------------------------------------

def test_document_ids_unique_across_sources():
    ids = [doc["id"] for spec in SOURCES.values() for doc in spec["documents"]]
    assert len(ids) == len(set(ids))


def test_volumes_resolve_to_this_or_an_earlier_layer():
    known: set[str] = set()
    for role in ROLES:
        spec = SOURCES[role]
        own = [v["id"] for v in spec.get("volumes", [])]
        assert not known & set(own), f"{role} redefines a volume"
        known |= set(own)
        for doc in spec["documents"]:
            assert doc["volume"] in known, (role, doc["id"])


def test_case_header_identical_and_roles_in_order():
    cases = [SOURCES[r]["case"] for r in ROLES]
    assert all(c == cases[0] for c in cases)
    assert "〔" in cases[0]["number"] and "〕" in cases[0]["number"]
    assert [SOURCES[r]["agency"]["role"] for r in ROLES] == list(ROLES)


def test_events_are_in_time_order():
    times = [e["time"] for r in ROLES for e in SOURCES[r].get("events", [])]
    assert all(t.tzinfo is not None for t in times)
    assert times == sorted(times)


# --- (c) identity numbers and credit codes --------------------------------------------------

def test_credit_codes_valid():
    for role, spec in SOURCES.items():
        assert uscc_ok(spec["agency"]["credit_code"]), role


def test_resident_id_numbers_valid():
    persons = [p for spec in SOURCES.values() for p in spec.get("persons", [])]
    assert persons
    for p in persons:
        assert resident_id_ok(p["id_number"]), p["name"]
        if "gender" in p:  # 17th digit: odd = male, even = female
            assert (int(p["id_number"][16]) % 2 == 1) == (p["gender"] == "male"), p["name"]


# --- (d) the scans are reproducible ---------------------------------------------------------

def _generator():
    spec = importlib.util.spec_from_file_location("make_scans_under_test", SAMPLES / "make_scans.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_scans_regenerates_identical_files(tmp_path):
    gen = _generator()
    env = gen.environment()
    if env != gen.GENERATED_WITH:
        pytest.skip(f"rasteriser/encoder versions differ from those of the committed scans: {env}")
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(SAMPLES / "make_scans.py"), "--out", str(out)],
                   check=True, capture_output=True, timeout=300)
    for role, rel in FILES:
        fresh = out / CASE.name / role / rel
        assert fresh.read_bytes() == (CASE / role / rel).read_bytes(), f"{role}/{rel}"
