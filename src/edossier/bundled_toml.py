"""The TOML data files that ship with edossier (finding codes, messages, code lists), parsed once per
installation: start-up, issue 19.

tomllib is pure Python: the ~100 KB of TOML a validation reads (the finding registry, the message
catalogue, the document-type code list) cost ~15 ms of CPU at every start, more than a tenth of what a
one-page validation does besides importing. :func:`loads` keeps each parse as JSON (which the C decoder
reads in well under a millisecond) where Python keeps the package's byte-code (its ``__pycache__``
folder, or the PYTHONPYCACHEPREFIX tree), named by the SHA-256 of the TOML text:

* the answer is a function of the text alone, and JSON holds every value these files use (strings,
  numbers, booleans, arrays, tables) exactly; a text whose data JSON cannot give back equal (dates, NaN)
  is parsed each time and never stored;
* whoever can write that folder can already change the code beside it, so the copy is as trustworthy as
  the modules (a per-user cache folder would not be: a shared CI cache could change finding severities);
* a folder that cannot be written (a read-only installation) or a copy that cannot be read or decoded
  only means parsing again; writes are atomic (a temporary file renamed onto the copy), so concurrent
  first runs are harmless;
* like byte-code, nothing is written when Python is told not to write byte-code
  (PYTHONDONTWRITEBYTECODE, ``python -B``): that asks for an installation left as it is.

Only for bundled data: a user's TOML (a policy file, a dossier source) is parsed with tomllib directly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tomllib
from pathlib import Path

def _default_cache_dir() -> Path:
    """Where Python keeps this package's byte-code: its `__pycache__`, or under PYTHONPYCACHEPREFIX
    (sys.pycache_prefix) when byte-code is kept outside the source tree."""
    here = Path(__file__).resolve().parent
    if sys.pycache_prefix:
        return Path(sys.pycache_prefix) / here.relative_to(here.anchor)
    return here / "__pycache__"


#: Where the parsed copies go (tests point it elsewhere).
CACHE_DIR = _default_cache_dir()


def _path(text: str) -> Path:
    return CACHE_DIR / f"toml-{hashlib.sha256(text.encode('utf-8')).hexdigest()}.json"


def loads(text: str) -> dict:
    """tomllib.loads(text), from the stored copy when there is one (see the module documentation)."""
    path = _path(text)
    try:
        data = json.loads(path.read_bytes())
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass  # no copy yet, or an unreadable one: parse (and store it again)
    data = tomllib.loads(text)
    try:
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return data  # a date or a NaN: JSON would not give it back
    if json.loads(encoded) == data and not sys.dont_write_bytecode:
        _store(path, encoded)
    return data


def _store(path: Path, encoded: bytes) -> None:
    """Write a copy atomically (a temporary file renamed onto it). Not fsutil.atomic_write_bytes: this
    leaf sits below fsutil (the message catalogue uses it), and a copy needs no fsync — one cut short
    by a crash does not decode and is parsed again."""
    import tempfile

    tmp = None
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=CACHE_DIR, prefix=".toml-", suffix=".tmp")
        os.fchmod(fd, 0o644)  # readable by every user of the installation, as its byte-code is
        with os.fdopen(fd, "wb") as fh:
            fh.write(encoded)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        # a read-only installation parses every time
