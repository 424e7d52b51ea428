"""Facts about exact bytes, established earlier in this process and kept by their digest (issue 19).

The builder checks each document it makes in a second process while it makes the next one
(building/ahead.py), then its preflight validates the finished package. The expensive part of a
document's checks, the PDF/A checks and the image checks (`documents.document_facts`), is a pure
function of the document's bytes; the builder's second process computes it from the bytes it read back
from the output file, and notes it here under the digest of exactly those bytes. When the preflight's
integrity stage reads a member and its digest (computed there, from the bytes it read) is noted here,
`check_document` takes these facts instead of computing them again; the rest of the document check
(the claimed part, the record's page count, PDF signatures) runs as always.

Never a fact about other bytes: a document changed after its facts were taken has another digest and is
checked from scratch (tests/test_build_ahead.py).

Facts on their way (issue 19, fifth round): the builder starts its preflight without waiting for the
check-ahead process to finish the last documents, and `expect`s the digests of the documents it handed
over. `facts_for` waits for an expected digest's facts while the `alive` callable given with it says the
process is still working (and still reporting), then takes them or, when it gives up, returns None: the
document is checked from scratch, as without any notes. Waiting only decides who computes the same facts. Nothing here is ever a verdict; failures are kept
like passes (the facts are the findings themselves). The notes live until `forget` (the builder
forgets its own after the preflight) and never exceed MAX entries.
"""

from __future__ import annotations

import threading

MAX = 8192

_lock = threading.Lock()
_FACTS: dict[tuple[str, bytes], object] = {}  # (hashlib algorithm name, digest) -> documents.DocumentFacts
_EXPECTED: dict[tuple[str, bytes], tuple[threading.Event, object]] = {}  # key -> (set when settled, alive())


def remember(algorithm: str, digest: bytes, facts) -> None:
    with _lock:
        if len(_FACTS) >= MAX:
            _FACTS.clear()
        _FACTS[(algorithm, digest)] = facts
        waiting = _EXPECTED.pop((algorithm, digest), None)
    if waiting is not None:
        waiting[0].set()


def expect(algorithm: str, digest: bytes, alive) -> None:
    """Facts for (algorithm, digest) are being computed: `facts_for` waits for them while `alive()`."""
    with _lock:
        if (algorithm, digest) not in _FACTS:
            _EXPECTED.setdefault((algorithm, digest), (threading.Event(), alive))


def give_up(keys=None) -> None:
    """No more facts will come for `keys` (or for any): wake whoever waits for them."""
    with _lock:
        gone = [_EXPECTED.pop(k, None) for k in list(_EXPECTED if keys is None else keys)]
    for waiting in gone:
        if waiting is not None:
            waiting[0].set()


def facts_for(digests: dict | None):
    """The facts noted for a member whose digests ({algorithm: digest}, as the integrity stage computed
    them from the bytes it read) include a noted one; else None."""
    if not digests or not (_FACTS or _EXPECTED):
        return None
    with _lock:
        for key in digests.items():
            found = _FACTS.get(key)
            if found is not None:
                return found
        waiting = [(key, _EXPECTED[key]) for key in digests.items() if key in _EXPECTED]
    for key, (settled, alive) in waiting:
        while not settled.wait(0.25):
            if not alive():
                give_up([key])
                break
        with _lock:
            found = _FACTS.get(key)
        if found is not None:
            return found
    return None


def forget(keys=None) -> None:
    """Drop the notes under `keys` ((algorithm, digest) pairs), or all of them."""
    with _lock:
        if keys is None:
            _FACTS.clear()
        else:
            for key in keys:
                _FACTS.pop(key, None)
    give_up(keys)
