"""bundled_toml: the parsed copies of edossier's own TOML data (start-up, issue 19) give exactly what
tomllib gives, and anything wrong with a copy only means parsing again."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest

from edossier import bundled_toml

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = sorted([*(ROOT / "src" / "edossier" / "codes").glob("*.toml"), ROOT / "src" / "edossier" / "i18n" / "messages.toml",
                  *(ROOT / "schemas" / "codelists").glob("*.toml"), *(ROOT / "schemas" / "profiles").glob("*.toml"),
                  ROOT / "src" / "edossier" / "pdfa" / "rules.toml"])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "pycache"
    monkeypatch.setattr(bundled_toml, "CACHE_DIR", folder)
    monkeypatch.setattr(bundled_toml.sys, "dont_write_bytecode", False)  # as without PYTHONDONTWRITEBYTECODE
    return folder


def _has_dates(value) -> bool:
    if isinstance(value, dict):
        return any(_has_dates(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_dates(v) for v in value)
    return isinstance(value, (dt.date, dt.time))


def _no_parsing(monkeypatch):
    def refuse(text):
        raise AssertionError("parsed although a stored copy exists")

    monkeypatch.setattr(bundled_toml.tomllib, "loads", refuse)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_file_reads_back_exactly(path, cache, monkeypatch):
    text = path.read_text("utf-8")
    want = tomllib.loads(text)
    first = bundled_toml.loads(text)
    assert first == want and json.dumps(first, sort_keys=True, default=str) == json.dumps(want, sort_keys=True, default=str)
    stored = list(cache.glob("toml-*.json"))
    if _has_dates(want):  # JSON cannot give them back, so nothing is stored
        assert stored == []
        return
    assert len(stored) == 1
    _no_parsing(monkeypatch)
    second = bundled_toml.loads(text)
    assert second == want
    # the same types, not just equal values (1 == 1.0 == True in Python)
    assert json.dumps(second, sort_keys=True) == json.dumps(want, sort_keys=True)


def test_a_copy_is_named_by_the_text(cache):
    assert bundled_toml.loads('a = 1\n') == {"a": 1}
    assert bundled_toml.loads('a = 2\n') == {"a": 2}
    assert bundled_toml.loads('a = 1\n') == {"a": 1}
    assert sorted(p.suffix for p in cache.iterdir()) == [".json", ".json"]  # no temporary file left
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in cache.iterdir())


@pytest.mark.parametrize("garbage", [b"{not json", b"[1, 2]", b"\xff\xfe", b""])
def test_a_damaged_copy_is_parsed_again_and_replaced(garbage, cache):
    text = 'name = "立案决定书"\nsizes = [1, 2.5, true]\n[t]\nx = "y"\n'
    want = tomllib.loads(text)
    assert bundled_toml.loads(text) == want
    (copy,) = cache.glob("toml-*.json")
    copy.write_bytes(garbage)
    assert bundled_toml.loads(text) == want
    assert json.loads(copy.read_bytes()) == want


def test_dates_are_never_stored(cache):
    text = "day = 2026-12-05\nwhen = 2026-12-05T07:00:00+08:00\n"
    got = bundled_toml.loads(text)
    assert got == {"day": dt.date(2026, 12, 5),
                   "when": dt.datetime(2026, 12, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))}
    assert not cache.exists() or list(cache.iterdir()) == []


def test_an_unwritable_folder_only_means_parsing(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder would be")
    monkeypatch.setattr(bundled_toml, "CACHE_DIR", blocker / "pycache")
    assert bundled_toml.loads("a = [1, 2]\n") == {"a": [1, 2]}
    assert bundled_toml.loads("a = [1, 2]\n") == {"a": [1, 2]}


def test_nothing_is_written_when_python_writes_no_byte_code(cache, monkeypatch):
    # PYTHONDONTWRITEBYTECODE / python -B: the installation is left as it is; a copy already there is used
    monkeypatch.setattr(bundled_toml.sys, "dont_write_bytecode", True)
    assert bundled_toml.loads("a = 1\n") == {"a": 1}
    assert not cache.exists() or list(cache.iterdir()) == []
    monkeypatch.setattr(bundled_toml.sys, "dont_write_bytecode", False)
    bundled_toml.loads("a = 1\n")
    monkeypatch.setattr(bundled_toml.sys, "dont_write_bytecode", True)
    _no_parsing(monkeypatch)
    assert bundled_toml.loads("a = 1\n") == {"a": 1}


def test_copies_go_where_python_keeps_the_byte_code(monkeypatch, tmp_path):
    package = Path(bundled_toml.__file__).resolve().parent
    monkeypatch.setattr(bundled_toml.sys, "pycache_prefix", None)
    assert bundled_toml._default_cache_dir() == package / "__pycache__"
    monkeypatch.setattr(bundled_toml.sys, "pycache_prefix", str(tmp_path / "prefix"))  # PYTHONPYCACHEPREFIX
    assert bundled_toml._default_cache_dir() == tmp_path / "prefix" / package.relative_to(package.anchor)


def test_a_syntax_error_is_tomllibs(cache):
    with pytest.raises(tomllib.TOMLDecodeError):
        bundled_toml.loads("a = \n")
    assert not cache.exists() or list(cache.iterdir()) == []
