"""Generate the conformance corpus: `python -m edossier.conformance.generate [--out samples/corpus]`.

Reproducible: the PKI in `<out>/pki` (or `--pki`) is made once and then reused, every time in the
packages is fixed, and RSA signatures are deterministic, so a second run writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..fsutil import atomic_write_bytes
from . import CLASSES, CORPUS_FILE, EXPECTED_FILE, PACKAGE_FILE, default_corpus
from .pki import VALIDATION_TIME, ensure_pki, trust_list_bytes

CORPUS_VERSION = "1"


def _json(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def expected_of(c) -> dict:
    return {"verdict": c.verdict, "required_codes": list(c.required), "allowed_codes": sorted(c.allowed)}


def guard_corpus_folder(out: Path, pki: Path | None = None) -> None:
    """Refuse (OutputPathError) a corpus folder that is, or lies inside, a build source (a folder with
    dossier.toml), or whose case-class folders, which `generate` deletes and remakes, hold one or the
    PKI folder to reuse."""
    from ..fsutil import Input, OutputPathError, guard_output
    from ..building.source import SOURCE_FILE

    real = Path(os.path.realpath(out))
    sources = [p for p in (real, *real.parents) if (p / SOURCE_FILE).is_file()]
    guard_output(out, [Input(p, "a build source folder", "构建源文件夹", tree=True) for p in sources],
                 what=("the corpus folder", "测试集文件夹"), folder=True)
    for klass in CLASSES:
        if pki is not None:
            guard_output(pki, [Input(real / klass, "a case folder the generator deletes", "生成时会删除的用例文件夹",
                                     tree=True)], what=("the PKI folder", "PKI 文件夹"), folder=True)
        held = next((p for p in sorted((real / klass).rglob(SOURCE_FILE))), None) if (real / klass).is_dir() else None
        if held is not None:
            raise OutputPathError(
                f"the corpus folder {out}: generating would delete {real / klass}, which holds the build source "
                f"{held.parent}; choose another folder",
                f"测试集文件夹 {out}：生成时会删除 {real / klass}，其中有构建源文件夹 {held.parent}；请另选文件夹")


def generate(out: Path, *, pki: Path | None = None, only: list[str] | None = None, log=None) -> list:
    """Write the corpus to `out`; return the cases written. `only` limits it to case ids containing
    one of the given strings (for development: the other cases' folders are left alone, and
    corpus.json still lists every case)."""
    from .builder import Workshop
    from .cases import CASES

    from ..logs import quiet_libraries

    quiet_libraries()
    out = Path(out)
    guard_corpus_folder(out, Path(pki) if pki else None)
    out.mkdir(parents=True, exist_ok=True)
    pki = ensure_pki(Path(pki) if pki else out / "pki")
    ids = [c.id for c in CASES]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuntimeError(f"duplicate case ids: {sorted(dupes)}")
    selected = [c for c in CASES if not only or any(o in c.id for o in only)]
    if only:  # development: remake the selected cases, leave the others as they are
        for c in selected:
            shutil.rmtree(out / c.klass / c.name, ignore_errors=True)
    else:
        for klass in CLASSES:
            shutil.rmtree(out / klass, ignore_errors=True)
    atomic_write_bytes(out / "trustlist.xml", trust_list_bytes(pki))
    atomic_write_bytes(out / "trust-anchor.pem", (pki / "trust-anchor.pem").read_bytes())
    with tempfile.TemporaryDirectory(prefix="edossier-corpus-") as scratch:
        w = Workshop(pki, Path(scratch))
        for c in selected:
            folder = out / c.klass / c.name
            folder.mkdir(parents=True)
            atomic_write_bytes(folder / PACKAGE_FILE, c.make(w))
            atomic_write_bytes(folder / EXPECTED_FILE, _json(expected_of(c)))
            atomic_write_bytes(folder / "README.md", f"{c.zh} / {c.en}\n".encode("utf-8"))
            if log:
                log(c.id)
    index = {
        "corpus_version": CORPUS_VERSION,
        "validation_time": VALIDATION_TIME.isoformat().replace("+00:00", "Z"),
        "trust_list": "trustlist.xml",
        "trust_anchor": "trust-anchor.pem",
        "cases": [{"id": c.id, "class": c.klass, **expected_of(c), "package": f"{c.id}/{PACKAGE_FILE}",
                   "description": {"zh-CN": c.zh, "en": c.en}} for c in CASES],
    }
    atomic_write_bytes(out / CORPUS_FILE, _json(index))
    return selected


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m edossier.conformance.generate", description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=None, help="corpus folder (default: the bundled samples/corpus)")
    p.add_argument("--pki", type=Path, default=None, help="PKI folder to reuse or make (default: OUT/pki)")
    p.add_argument("--only", action="append", help="only cases whose id contains this text (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    out = args.out or default_corpus()
    from ..fsutil import OutputPathError

    try:
        cases = generate(out, pki=args.pki, only=args.only, log=None if args.quiet else print)
    except OutputPathError as exc:
        print(f"error: {exc.en}\n错误：{exc.zh}", file=sys.stderr)
        return 2
    print(f"{len(cases)} cases written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
