"""Validation policy: levels per code, --strict, --suppress, and the shipped default."""

from __future__ import annotations

from pathlib import Path

import pytest

from edossier.findings import finding
from edossier.policy import Policy, PolicyError, default_policy_toml, load_policy

ROOT = Path(__file__).resolve().parents[1]


def findings():
    return [finding("C014", "documents/001/0001.pdf"), finding("I001", "x", manifest="m", algorithm="SHA-256"),
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
    ("[levels]\nC014 = 'MAYBE'\n", "FAIL, SUPERVISE, WARN"),
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


UNCHECKED = sorted(c for c in __import__("edossier.findings", fromlist=["registry"]).registry() if c.startswith("X"))


@pytest.mark.parametrize("code", UNCHECKED)
def test_could_not_check_codes_refused_in_suppress(code):
    with pytest.raises(PolicyError) as exc:
        Policy().with_options(suppress=(code,))
    assert code in exc.value.en and "always an error" in exc.value.en and code in exc.value.zh


@pytest.mark.parametrize("code", UNCHECKED)
@pytest.mark.parametrize("level", ["WARN", "INFORM", "IGNORE"])
def test_could_not_check_codes_refused_in_policy_files(tmp_path, code, level):
    p = tmp_path / "p.toml"
    p.write_text(f'[levels]\n{code} = "{level}"\n', "utf-8")
    with pytest.raises(PolicyError) as exc:
        load_policy(p)
    assert code in exc.value.en and level in exc.value.en and exc.value.zh


@pytest.mark.parametrize("code", UNCHECKED)
def test_could_not_check_codes_stay_errors_under_any_policy_object(code):
    # even a Policy built in code (not through the loader) and --strict never lower them
    f = finding(code, "x", layer="001", group="codes", detail="boom")
    lowered = Policy("hand-made", {code: "IGNORE"}).with_options(strict=True)
    assert [(g.code, g.severity) for g in lowered.apply([f])] == [(code, "error")]
    # naming one at FAIL is allowed (it changes nothing)
    assert Policy("ok", {code: "FAIL"}).apply([f])[0].severity == "error"
