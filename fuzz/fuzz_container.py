"""atheris harness: the strict container reader (edossier.container.zipread / zipio).

Contract: for any bytes, opening either returns findings or an OpenedPackage; reading a member either
yields exactly its declared bytes or raises MemberError / LimitError. Anything else escaping is a bug.
Differential check: whatever our reader returns for a member, Python's zipfile must return too.

    python fuzz/fuzz_container.py -max_total_time=3600 -rss_limit_mb=2048 -timeout=10 -max_len=65536 \\
        fuzz/corpus/container fuzz/seeds/container
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

LIMITS = None


def TestOneInput(data: bytes) -> None:  # noqa: N802 - the name atheris expects
    from edossier.container.zipio import LimitError, Limits, inspect_archive
    from edossier.container.zipread import MemberError, ZipRejected, parse_archive

    global LIMITS
    LIMITS = LIMITS or Limits(max_members=256, max_member_bytes=1 << 22, max_total_bytes=1 << 24)
    fh = io.BytesIO(data)
    try:
        archive = parse_archive(fh, len(data), max_members=LIMITS.max_members)
    except ZipRejected as exc:
        assert exc.code.startswith("C"), exc.code
        return
    pkg = inspect_archive(fh, Path("fuzz.edp"), archive, LIMITS)
    if isinstance(pkg, list):
        return
    for name in pkg.order:
        try:
            ours = pkg.read(name, 1 << 22)
        except (MemberError, LimitError):
            continue
        assert len(ours) == pkg.infos[name].file_size
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            theirs = zf.read(zf.getinfo(name))
        assert theirs == ours, f"zipfile reads {name!r} differently"


if __name__ == "__main__":
    import atheris

    with atheris.instrument_imports(include=["edossier"]):
        import edossier.container.zipio  # noqa: F401
        import edossier.container.zipread  # noqa: F401
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
