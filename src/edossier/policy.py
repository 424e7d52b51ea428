"""Validation policy: how much each finding code counts (like the level of a check in EU DSS's
constraint file). FAIL = error (rejects), SUPERVISE = supervision (shown first, never
rejects), WARN = warning, INFORM = info, IGNORE = dropped.

A policy file is TOML (docs/policy.md):

    name = "court intake"
    [levels]
    C014 = "FAIL"     # deflated media rejected here
    G013 = "IGNORE"

Codes not named keep their registry severity. The could-not-check codes (X…) are always FAIL: a policy
that names one with another level, or `--suppress X…`, is refused (docs/spec.md §10.2a). `--strict` raises every WARN to FAIL; `--suppress CODE`
sets IGNORE. The shipped default (`schemas/policy-default.toml`) names every code at its registry level.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .i18n.explain import toml_error
from .findings import Finding, is_unchecked, registry
from .errors import UserError

# SUPERVISE keeps a finding a supervision finding (shown first, never rejects); a policy may set a
# supervision code to FAIL (e.g. an intake that refuses overdue cases) or WARN instead.
LEVELS = {"FAIL": "error", "SUPERVISE": "supervision", "WARN": "warning", "INFORM": "info", "IGNORE": None}
DEFAULT_LEVEL = {"error": "FAIL", "supervision": "SUPERVISE", "warning": "WARN", "info": "INFORM"}
MAX_POLICY_BYTES = 1024 * 1024


class PolicyError(UserError):
    """Policy: English and Chinese message (errors.UserError)."""


@dataclass(frozen=True)
class Policy:
    name: str = "default"
    levels: dict[str, str] = field(default_factory=dict)  # code -> FAIL/WARN/INFORM/IGNORE

    def level(self, code: str) -> str:
        if is_unchecked(code):
            return "FAIL"  # never lowered, whatever a caller put into `levels`
        if code in self.levels:
            return self.levels[code]
        c = registry().get(code)
        return DEFAULT_LEVEL[c.severity] if c else "FAIL"

    def with_options(self, *, strict: bool = False, suppress: tuple[str, ...] = ()) -> "Policy":
        levels = {code: self.level(code) for code in registry()}
        if strict:
            levels = {code: "FAIL" if lvl == "WARN" else lvl for code, lvl in levels.items()}
        for code in suppress:
            _known(code, "--suppress")
            _lowerable(code, "IGNORE", "--suppress")
            levels[code] = "IGNORE"
        return Policy(self.name + (" (strict)" if strict else ""), levels)

    def apply(self, findings: list[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            severity = LEVELS[self.level(f.code)]
            if severity is None:
                continue
            out.append(f if severity == f.severity else dataclasses.replace(f, severity=severity))
        # A missing fact still rejects (PackageReport.verdict); the caller settles the report again.
        return out


def _lowerable(code: str, level: str, where: str) -> None:
    if is_unchecked(code) and level != "FAIL":
        raise PolicyError(
            f"{where}: {code} says the validator could not check something; it is always an error and "
            f"cannot be set to {level}",
            f"{where}：{code} 表示校验器未能完成某项检查，始终是错误，不能设为 {level}")


def _known(code: str, where: str) -> None:
    if code not in registry():
        import difflib

        near = difflib.get_close_matches(code, list(registry()), n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise PolicyError(f"{where}: unknown finding code {code}{hint}", f"{where}：未知的问题代码 {code}{hint}")


def load_policy(path: Path) -> Policy:
    path = Path(path)
    try:
        raw = path.read_bytes()[: MAX_POLICY_BYTES + 1]
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read ({exc.strerror})", f"{path}：无法读取（{exc.strerror}）") from None
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError(f"{path}: larger than 1 MiB", f"{path}：超过 1 MiB")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not a TOML policy (not UTF-8 at byte {exc.start})",
                          f"{path}：不是 TOML 格式的策略文件（第 {exc.start} 字节不是 UTF-8 编码）") from None
    except tomllib.TOMLDecodeError as exc:
        en, zh = toml_error(exc)
        raise PolicyError(f"{path}: not a TOML policy ({en})", f"{path}：不是 TOML 格式的策略文件（{zh}）") from None
    unknown = set(data) - {"name", "version", "levels"}
    if unknown:
        raise PolicyError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}",
                          f"{path}：未知的键 {', '.join(sorted(unknown))}")
    levels = data.get("levels", {})
    if not isinstance(levels, dict):
        raise PolicyError(f"{path}: [levels] must be a table", f"{path}：[levels] 必须是表")
    for code, level in levels.items():
        _known(code, f"{path} [levels]")
        if level not in LEVELS:
            raise PolicyError(f"{path}: {code} = {level!r}; use FAIL, SUPERVISE, WARN, INFORM or IGNORE",
                              f"{path}：{code} = {level!r}；只能是 FAIL、SUPERVISE、WARN、INFORM 或 IGNORE")
        _lowerable(code, level, f"{path} [levels]")
    return Policy(str(data.get("name", path.stem)), dict(levels))


def default_policy_toml() -> str:
    """The shipped default policy, generated from the registry (`python -m edossier.policy`)."""
    lines = ["# edossier default validation policy, generated from the finding registry by",
             "# `python -m edossier.policy > schemas/policy-default.toml` (a test fails when it is stale).",
             "# Copy it, change levels (FAIL, SUPERVISE, WARN, INFORM, IGNORE) and pass it with `validate --policy FILE`.",
             'name = "default"', 'version = "0.1"', "", "[levels]"]
    for code, c in registry().items():
        lines.append(f'{code} = "{DEFAULT_LEVEL[c.severity]}"  # {c.en[:90]}')
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(default_policy_toml())
