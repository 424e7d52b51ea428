"""Start-up (issue 19): what a validation imports, measured in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys


def _fresh(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_verification_modules_leave_out_the_signers():
    # Verifying a CMS signature needs pyHanko's generic_cms, never its signers (PDF writer, stamps,
    # HTTP time-stamp client and aiohttp): those are ~0.2 s of every `validate` start.
    got = _fresh(
        "import json, sys\n"
        "from edossier.signing.pyhanko_import import verification_modules\n"
        "g, s, k = verification_modules()\n"
        "print(json.dumps({'mods': sorted(m for m in ('aiohttp', 'pyhanko.sign.signers', 'pyhanko.stamp',"
        " 'pyhanko.sign.validation.pdf_embedded') if m in sys.modules),"
        " 'names': [g.__name__, s.__name__, k.__name__],"
        " 'fn': callable(g.async_validate_detached_cms)}))")
    assert got == {"mods": [], "names": ["pyhanko.sign.validation.generic_cms", "pyhanko.sign.validation.status",
                                        "pyhanko.sign.validation.settings"], "fn": True}


def test_deferred_packages_become_whole_on_first_use():
    # After the cheap import, code that uses the package level (the builder's `from pyhanko.sign import
    # signers`, pades' `from pyhanko.sign.validation import async_validate_pdf_signature`) must see
    # pyHanko exactly as a normal import would, with every submodule existing once.
    got = _fresh(
        "import json, sys\n"
        "from edossier.signing.pyhanko_import import verification_modules\n"
        "g, _, _ = verification_modules()\n"
        "from pyhanko.sign.validation import async_validate_pdf_signature\n"
        "from pyhanko.sign import signers, PdfSigner\n"
        "import pyhanko.sign, pyhanko.sign.validation as v\n"
        "print(json.dumps({'same': v.generic_cms is g is sys.modules['pyhanko.sign.validation.generic_cms'],"
        " 'signer': PdfSigner is signers.PdfSigner, 'pdf': callable(async_validate_pdf_signature),"
        " 'plain': [type(sys.modules[m]).__name__ for m in ('pyhanko.sign', 'pyhanko.sign.validation')],"
        " 'all': sorted(pyhanko.sign.__all__)[:2]}))")
    assert got == {"same": True, "signer": True, "pdf": True, "plain": ["module", "module"],
                   "all": ["DEFAULT_MD", "DEFAULT_SIGNING_STAMP_STYLE"]}


def test_after_a_normal_import_nothing_is_deferred():
    got = _fresh(
        "import json, sys\n"
        "import pyhanko.sign\n"
        "from edossier.signing.pyhanko_import import verification_modules\n"
        "verification_modules()\n"
        "print(json.dumps([type(sys.modules[m]).__name__ for m in ('pyhanko.sign', 'pyhanko.sign.validation')]))")
    assert got == ["module", "module"]


def test_star_import_after_the_cheap_import_sees_the_package():
    got = _fresh(
        "import json\n"
        "from edossier.signing.pyhanko_import import verification_modules\n"
        "verification_modules()\n"
        "ns = {}\n"
        "exec('from pyhanko.sign import *', ns)\n"
        "print(json.dumps(sorted(k for k in ('PdfSigner', 'SimpleSigner', 'sign_pdf') if k in ns)))")
    assert got == ["PdfSigner", "SimpleSigner", "sign_pdf"]
