"""Running the corpus against a validator and judging the answers (`edossier conformance`).

A case passes when the validator's verdict is the expected one and, if the validator reports finding
codes (our validator always; a third-party one when it prints our JSON report), every required code
is among them and every code it reports (of any severity) is required or allowed: a good case has no
finding at all. A case whose validator reported no codes is judged on its exit code only; every
outcome says how it was judged (`Outcome.judged_on`), the output states the rule (JUDGING_RULE), and
`require_codes` fails such a case (`edossier conformance --require-codes`).
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import CORPUS_FILE, EXPECTED_FILE, PACKAGE_FILE
from ..errors import UserError


class CorpusError(UserError):
    """Corpus: English and Chinese message (errors.UserError)."""


@dataclass(frozen=True)
class CorpusCase:
    id: str
    klass: str
    folder: Path
    verdict: str
    required: tuple[str, ...]
    allowed: tuple[str, ...]

    @property
    def package(self) -> Path:
        return self.folder / PACKAGE_FILE


@dataclass(frozen=True)
class Corpus:
    folder: Path
    validation_time: dt.datetime
    trust_list: Path
    cases: tuple[CorpusCase, ...]
    trust_anchor: Path | None = None  # the certificate of the corpus trust list's operator (spec §9.1.1)


@dataclass
class Outcome:
    case: CorpusCase
    verdict: str | None  # what the validator said: accept | reject | None (could not tell)
    codes: dict[str, str] | None = None  # code -> severity, when the validator reports codes
    passed: bool = False
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    output: str = ""  # what a third-party validator printed, for the JUnit report

    @property
    def judged_on(self) -> str:
        """"codes" when the finding codes were compared, "exit code" when only the verdict was (the
        validator printed no JSON report): a warn case then passes on its verdict alone."""
        return "codes" if self.codes is not None else "exit code"


# Stated in every conformance report (text and JUnit), so that a reader knows what a PASS means.
JUDGING_RULE = (
    "A case passes when the verdict (exit code 0 = accept, 1 = reject) is the expected one and, when the "
    "validator prints edossier's JSON report, every required finding code is reported and no code is reported "
    "that is neither required nor allowed. A case whose validator printed no JSON report is judged on its exit "
    "code only (marked \"exit code only\"); --require-codes fails such a case.",
    "用例通过的条件：结论（退出码 0 = 接收，1 = 拒收）与预期一致；若校验器输出 edossier 的 JSON 报告，"
    "则必须报告每个要求的问题代码，且不得报告既非要求也非允许的代码。校验器未输出 JSON 报告的用例仅按退出码判定"
    "（标为“仅退出码”）；使用 --require-codes 时此类用例判为失败。",
)

NO_CODES = ("no finding codes reported (the validator printed no JSON report); --require-codes needs them",
            "未报告问题代码（校验器未输出 JSON 报告）；--require-codes 要求报告代码")


def load_corpus(folder: Path) -> Corpus:
    folder = Path(folder)
    index = folder / CORPUS_FILE
    try:
        data = json.loads(index.read_text("utf-8"))
        when = dt.datetime.fromisoformat(data["validation_time"].replace("Z", "+00:00"))
        cases = []
        for c in data["cases"]:
            case_dir = folder / c["id"]
            expected = json.loads((case_dir / EXPECTED_FILE).read_text("utf-8"))
            cases.append(CorpusCase(c["id"], c["class"], case_dir, expected["verdict"],
                                    tuple(expected["required_codes"]), tuple(expected["allowed_codes"])))
        trust = folder / data["trust_list"]
        anchor = folder / data["trust_anchor"] if data.get("trust_anchor") else None
    except OSError as exc:
        raise CorpusError(f"{folder}: not a conformance corpus ({exc.strerror}: {exc.filename})",
                          f"{folder}：不是一致性测试集（{exc.strerror}：{exc.filename}）") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{index}: malformed corpus index ({type(exc).__name__}: {exc})",
                          f"{index}：测试集索引格式错误（{type(exc).__name__}：{exc}）") from None
    return Corpus(folder, when, trust, tuple(cases), anchor)


def judge(case: CorpusCase, verdict: str | None, codes: dict[str, str] | None, *,
          require_codes: bool = False) -> list[str]:
    """Why the validator's answer does not match the case (empty: it passes). Without codes (None) the
    verdict alone is judged, unless `require_codes`."""
    problems = []
    if verdict != case.verdict:
        problems.append(f"verdict {verdict or 'unknown'}, expected {case.verdict}")
    if codes is None and require_codes:
        problems.append(NO_CODES[0])
    if codes is not None:
        missing = [c for c in case.required if c not in codes]
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        unexpected = sorted(c for c in codes if c not in case.required and c not in case.allowed)
        if unexpected:
            problems.append(f"unexpected {', '.join(unexpected)}")
    return problems


def _codes_of(report) -> dict[str, str]:
    out: dict[str, str] = {}
    rank = {"error": 0, "supervision": 1, "warning": 2, "info": 3}
    for f in report.findings:
        if f.code not in out or rank.get(f.severity, 3) < rank.get(out[f.code], 3):
            out[f.code] = f.severity
    return out


def run_in_process(corpus: Corpus, *, jobs: int | None = None, progress=None) -> list[Outcome]:
    """Validate every case with edossier itself (corpus trust list, corpus validation time)."""
    from ..batch.many import ValidateOptions, validate_many
    from ..signing.trustlist import load_trustlist

    start = time.monotonic()
    from ..signing.trustlist_model import TrustListError

    try:
        trust = load_trustlist(corpus.trust_list, anchor=corpus.trust_anchor)
    except TrustListError as exc:  # e.g. a corpus whose index names no trust_anchor
        raise CorpusError(f"{corpus.folder}: {exc.en}", f"{corpus.folder}：{exc.zh}") from None
    options = ValidateOptions(corpus.trust_list, corpus.validation_time, trust=trust)
    reports = validate_many([c.package for c in corpus.cases], options, jobs=jobs, progress=progress)
    per_case = (time.monotonic() - start) / max(1, len(corpus.cases))
    out = []
    for c, r in zip(corpus.cases, reports):
        codes = _codes_of(r)
        problems = judge(c, r.verdict, codes)
        out.append(Outcome(c, r.verdict, codes, not problems, problems, per_case))
    return out


def _command(template: str, case: CorpusCase, corpus: Corpus) -> list[str]:
    at = corpus.validation_time.isoformat().replace("+00:00", "Z")
    values = {"pkg": str(case.package), "trust": str(corpus.trust_list), "at": at, "expected": str(case.folder / EXPECTED_FILE),
              "anchor": str(corpus.trust_anchor or "")}
    return [part.format_map(_Keep(values)) for part in shlex.split(template)]


class _Keep(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def parse_json_report(text: str) -> dict[str, str] | None:
    """Codes (code -> severity) from our JSON report format, if `text` is one; else None."""
    text = text.strip()
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
        codes: dict[str, str] = {}
        for pkg in data["packages"]:
            for f in pkg["findings"]:
                sev = f.get("severity", "error")
                if f["code"] not in codes or sev == "error":
                    codes[f["code"]] = sev
        return codes
    except (ValueError, KeyError, TypeError):
        return None


def run_external(corpus: Corpus, template: str, *, timeout: float = 300, progress=None,
                 require_codes: bool = False) -> list[Outcome]:
    """Run `template` (with {pkg}, and optionally {trust}, {anchor}, {at}) once per case. Exit code 0 means accept,
    1 reject, anything else that the validator could not judge the package. With `require_codes`, a case
    whose validator printed no JSON report fails (otherwise it is judged on the exit code only)."""
    if "{pkg}" not in template:
        raise CorpusError("--validator: the command must contain {pkg}", "--validator：命令中必须包含 {pkg}")
    out = []
    for i, c in enumerate(corpus.cases, start=1):
        argv = _command(template, c, corpus)
        start = time.monotonic()
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
            rc, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except FileNotFoundError:
            raise CorpusError(f"--validator: command not found: {argv[0]}",
                              f"--validator：找不到命令 {argv[0]}") from None
        except subprocess.TimeoutExpired:
            rc, stdout, stderr = None, "", f"timed out after {timeout} s"
        verdict = {0: "accept", 1: "reject"}.get(rc)
        codes = parse_json_report(stdout)
        problems = judge(c, verdict, codes, require_codes=require_codes)
        if verdict is None:
            problems.insert(0, f"exit code {rc}" if rc is not None else stderr)
        out.append(Outcome(c, verdict, codes, not problems, problems, time.monotonic() - start,
                           (stdout[-4000:] + stderr[-4000:])))
        if progress:
            progress(i, len(corpus.cases), out[-1])
    return out
