"""atheris harness: the dossier record parser (edossier.record.model.parse_record, via xmlsafe).

Contract: any bytes give a Record or RecordError (S004/S005); nothing else may escape.

    python fuzz/fuzz_record.py -max_total_time=3600 -rss_limit_mb=2048 -timeout=10 -dict=fuzz/xml.dict \\
        fuzz/corpus/record fuzz/seeds/record
"""

from __future__ import annotations

import sys


def TestOneInput(data: bytes) -> None:  # noqa: N802
    from edossier.record.model import RecordError, parse_record

    try:
        parse_record(data)
    except RecordError as exc:
        assert exc.code in ("S004", "S005"), exc.code


if __name__ == "__main__":
    import atheris

    with atheris.instrument_imports(include=["edossier"]):
        import edossier.record.model  # noqa: F401
        import edossier.xmlsafe  # noqa: F401
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
