"""Validation policy: levels per code, --strict, --suppress, and the shipped default."""

from __future__ import annotations

from pathlib import Path

import pytest

from edossier.findings import finding
from edossier.policy import Policy, PolicyError, default_policy_toml, load_policy

ROOT = Path(__file__).resolve().parents[1]


def findings():
    return [finding("C014", "documents/001/0001.pdf"), finding("I001", "x", manifest="m"),
            finding("G013", "s", layer="001", detail="t")]


def test_default_keeps_registry_severities():
    out = Policy().apply(findings())
    assert [(f.code, f.severity) for f in out] == [("C014", "warning"), ("I001", "error"), ("G013", "info")]


def test_levels_strict_and_suppress(tmp_path):
    p = tmp_path / "p.toml"
    p.write_text('name = "court"\n[levels]\nC014 = "FAIL"\nG013 = "IGNORE"\nI001 = "WARN"\n', "utf-8")
    policy = load_policy(p)
    assert [(f.code, f.severity) for f in policy.apply(findings())] == [("C014", "error"), ("I001", "warning")]
    strict = Policy().with_options(strict=True)
    assert {f.code: f.severity for f in strict.apply(findings())}["C014"] == "error"
    quiet = Policy().with_options(suppress=("I001",))
    assert "I001" not in {f.code for f in quiet.apply(findings())}


@pytest.mark.parametrize("text,needle", [
    ("[levels]\nX999 = 'FAIL'\n", "unknown finding code"),
    ("[levels]\nC014 = 'MAYBE'\n", "FAIL, WARN"),
    ("levels = 3\n", "table"),
    ("colour = 1\n", "unknown key"),
    ("[levels\n", "TOML"),
])
def test_bad_policies(tmp_path, text, needle):
    p = tmp_path / "p.toml"
    p.write_text(text, "utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(p)
    assert needle in exc.value.en and exc.value.zh


def test_suppress_unknown_code_suggests():
    with pytest.raises(PolicyError) as exc:
        Policy().with_options(suppress=("G0133",))
    assert "did you mean" in exc.value.en and "G013" in exc.value.en


def test_shipped_default_is_current():
    assert (ROOT / "schemas" / "policy-default.toml").read_text("utf-8") == default_policy_toml(), \
        "run python -m edossier.policy > schemas/policy-default.toml"
    load_policy(ROOT / "schemas" / "policy-default.toml")
