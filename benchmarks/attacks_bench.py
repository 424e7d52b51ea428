"""Wall time of the validator on every heavy attack case (bombs, huge XML) and a sample of the rest.

    python benchmarks/attacks_bench.py [--every N] [--limit SECONDS] [--workdir DIR]

The attack corpus (tests/attacks) is generated here from a fresh demo PKI and three small layers, as the
test session does; each measured case runs alone in its own process (os.wait4). The target is the one of
docs/security.md: every case answered in under 10 s. It is a benchmark, not a test, because wall time
depends on the machine's load: tests/test_attacks.py checks the codes, the exit codes and the memory
ceiling, which do not. Exit 1 when a case is over the limit. Run it on an idle machine:

    flock /tmp/bench.lock python benchmarks/attacks_bench.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests"))


def build_layers(work: Path):
    """Demo PKI and police → procuratorate → court packages, as tests/conftest.py's session fixtures."""
    from conftest import make_source

    from edossier.building.pipeline import append_layer, build_package
    from edossier.signing.cades import load_credential
    from edossier.demo.pki import load_demo_trustlist, make_demo_pki

    pki = work / "pki"
    make_demo_pki(pki)
    agencies = {a.role: a for a in load_demo_trustlist(pki).agencies}
    creds = {role: load_credential(pki / f"{role}.p12")
             for role in ("police", "procuratorate", "court", "justice", "supervision")}
    police = make_source(work / "src-police", agencies["police"], docs=[("d1", "立案决定书", 2), ("d2", "讯问笔录", 1)])
    proc = make_source(work / "src-proc", agencies["procuratorate"], docs=[("p1", "起诉书", 1)],
                       volumes=(("v2", "检察卷"),), with_case=False)
    court = make_source(work / "src-court", agencies["court"], docs=[("c1", "刑事判决书", 1)], volumes=(("v3", "审判卷"),))
    p1, p2, p3 = work / "1.edp", work / "2.edp", work / "3.edp"
    build_package(police, p1, creds["police"])
    append_layer(p1, proc, p2, creds["procuratorate"])
    append_layer(p2, court, p3, creds["court"])
    return [p1, p2, p3], pki, creds


def main(argv=None) -> int:
    from attacks.corpus import generate
    from attacks.run import TIME_LIMIT, measure

    from edossier.logs import quiet_libraries

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=12, help="besides every heavy case, every Nth other case")
    ap.add_argument("--limit", type=float, default=TIME_LIMIT, help="seconds a case may take")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    quiet_libraries()
    with tempfile.TemporaryDirectory(prefix="attacks-bench-") as tmp:
        work = args.workdir or Path(tmp)
        packages, pki, creds = build_layers(work)
        corpus = generate(work / "attacks", packages, pki, creds)
        plain = [c for c in corpus if not c.heavy and c.xfail is None]
        cases = [c for c in corpus if c.heavy] + plain[::args.every]
        over = []
        print(f"{'case':40} {'seconds':>8} {'MB':>6}")
        for case in cases:
            out = measure(case)
            flag = "  OVER" if out.seconds >= args.limit else ""
            print(f"{case.cls + '/' + case.id:40} {out.seconds:8.2f} {out.max_rss_mb:6.0f}{flag}")
            if flag:
                over.append(case.id)
    print(f"{len(cases)} cases, limit {args.limit:.0f} s: " + (f"{len(over)} over ({', '.join(over)})" if over else "all under"))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
