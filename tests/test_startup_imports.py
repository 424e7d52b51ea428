"""Start-up (issue 19): what a validation imports, measured in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


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
        " 'pyhanko.sign.validation.pdf_embedded', 'pyhanko.sign.diff_analysis.commons',"
        " 'pyhanko.sign.diff_analysis.policies', 'pyhanko.sign.diff_analysis.rules') if m in sys.modules"
        " and type(sys.modules[m]).__name__ != '_DeferredPackage'),"
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


def test_diff_analysis_serves_three_names_then_becomes_whole():
    # status.py takes DiffResult, ModificationLevel and SuspiciousModification from the deferred
    # diff_analysis package: they must be policy_api's own objects; the first other name (as
    # policy_decl's `from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY`) runs the real
    # __init__, after which the package is a plain module with every name, the served ones unchanged.
    got = _fresh(
        "import json, sys\n"
        "from edossier.signing.pyhanko_import import verification_modules\n"
        "_, status, _ = verification_modules()\n"
        "da = sys.modules['pyhanko.sign.diff_analysis']\n"
        "api = sys.modules['pyhanko.sign.diff_analysis.policy_api']\n"
        "out = {'served': [status.DiffResult is api.DiffResult, status.ModificationLevel is api.ModificationLevel,"
        " status.SuspiciousModification is api.SuspiciousModification],"
        " 'before': type(da).__name__, 'policies_before': 'pyhanko.sign.diff_analysis.policies' in sys.modules}\n"
        "from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult\n"
        "out['after'] = type(sys.modules['pyhanko.sign.diff_analysis']).__name__\n"
        "out['whole'] = [DiffResult is api.DiffResult, type(DEFAULT_DIFF_POLICY).__name__,"
        " 'pyhanko.sign.diff_analysis.policies' in sys.modules]\n"
        "print(json.dumps(out))")
    assert got == {"served": [True, True, True], "before": "_DeferredPackage", "policies_before": False,
                   "after": "module", "whole": [True, "StandardDiffPolicy", True]}


def test_a_signing_credential_loads_without_the_pdf_signer_or_aiohttp(pki):
    # A build signs CMS with SimpleSigner only: the signers' and time stamps' package __init__s (the PDF
    # signer, aiohttp's HTTP client: ~0.1 s of every build) must not run (pdf_cms itself needs
    # pyhanko.stamp's constants), and the signer must be
    # pyHanko's own class, the one `pyhanko.sign.signers.SimpleSigner` names once the package is whole.
    got = _fresh(
        "import json, sys\n"
        "from cryptography.hazmat.primitives import hashes\n"
        "from edossier.signing.cades import load_credential\n"
        f"cred = load_credential({str(pki / 'police.p12')!r})\n"
        "loaded = lambda m: m in sys.modules and type(sys.modules[m]).__name__ != '_DeferredPackage'\n"
        "out = {'before': sorted(m for m in ('aiohttp', 'pyhanko.sign.signers', 'pyhanko.sign.timestamps',"
        " 'pyhanko.sign.signers.pdf_signer', 'pyhanko.sign.timestamps.aiohttp_client') if loaded(m))}\n"
        "from pyhanko.sign.timestamps import HTTPTimeStamper\n"
        "from pyhanko.sign import signers\n"
        "import pyhanko.sign.timestamps.aiohttp_client as ac\n"
        "out['after'] = [type(cred.signer) is signers.SimpleSigner, HTTPTimeStamper is ac.HTTPTimeStamper,"
        " loaded('aiohttp'), loaded('pyhanko.sign.signers')]\n"
        "print(json.dumps(out))")
    assert got == {"before": [], "after": [True, True, True, True]}


def test_no_deferred_package_binds_a_submodule_name_to_anything_else():
    # A deferred package hands out its submodules without running its __init__ (`from pyhanko.sign import
    # attributes`): right only while no __init__ binds a submodule's name to another object.
    got = _fresh(
        "import importlib, json, pkgutil, sys\n"
        "from edossier.signing.pyhanko_import import _DEFERRED\n"
        "bad = []\n"
        "for name in _DEFERRED:\n"
        "    pkg = importlib.import_module(name)\n"
        "    for info in pkgutil.iter_modules(pkg.__path__):\n"
        "        try:\n"
        "            sub = importlib.import_module(f'{name}.{info.name}')\n"
        "        except ImportError:  # an optional extra (pkcs11, CSC): cannot be handed out either\n"
        "            continue\n"
        "        if getattr(pkg, info.name) is not sub:\n"
        "            bad.append(f'{name}.{info.name}')\n"
        "print(json.dumps(bad))")
    assert got == []


def test_after_a_normal_import_nothing_is_deferred():
    got = _fresh(
        "import json, sys\n"
        "import pyhanko.sign\n"
        "from edossier.signing.pyhanko_import import verification_modules\n"
        "verification_modules()\n"
        "print(json.dumps([type(sys.modules[m]).__name__ for m in ('pyhanko.sign', 'pyhanko.sign.validation',"
        " 'pyhanko.sign.diff_analysis')]))")
    assert got == ["module", "module", "module"]


def test_star_import_after_the_cheap_import_sees_the_package():
    got = _fresh(
        "import json\n"
        "from edossier.signing.pyhanko_import import verification_modules\n"
        "verification_modules()\n"
        "ns = {}\n"
        "exec('from pyhanko.sign import *', ns)\n"
        "print(json.dumps(sorted(k for k in ('PdfSigner', 'SimpleSigner', 'sign_pdf') if k in ns)))")
    assert got == ["PdfSigner", "SimpleSigner", "sign_pdf"]

# Modules that a validation of a scanned package never needs; each was on the path of `edossier validate`
# at some point and cost start-up time (issue 19): the other commands' modules, fontTools (only for
# documents with embedded fonts), the PDF and font writers, pyHanko's signers and HTTP clients, Pillow,
# the progress bar (stderr is not a terminal here), the HTML report.
NOT_ON_THE_VALIDATE_PATH = (
    "fontTools", "aiohttp", "requests", "PIL", "pyhanko.sign.signers", "pyhanko.sign.timestamps", "pyhanko.stamp",
    "edossier.building", "edossier.pdfmake", "edossier.webfont", "edossier.report.html", "rich.progress",
    "edossier.cli.cmd_build", "edossier.cli.cmd_keys", "edossier.cli.cmd_serve", "edossier.cli.cmd_trust",
    "edossier.cli.cmd_pdfa", "edossier.cli.cmd_case", "edossier.cli.cmd_receipt", "edossier.cli.cmd_conformance",
)


def test_validate_imports_only_what_a_validation_needs(tmp_path, pki, agencies, creds):
    # The whole command, as the console script runs it, on a one-page scanned package (the start-up
    # benchmark's case): it must accept (exit 0) and leave every module above unimported, with the
    # collector on again afterwards.
    from conftest import make_source
    from edossier.building.pipeline import build_package

    package = tmp_path / "one.edp"
    build_package(make_source(tmp_path / "src", agencies["police"], docs=[("d1", "讯问笔录", 1)]), package,
                  creds["police"])
    args = ["edossier", "validate", str(package), "--trust", str(pki / "trustlist.xml"),
            "--trust-anchor", str(pki / "trust-anchor.pem"), "--format", "json", "-o", str(tmp_path / "report.json")]
    # run() ends the process itself (cli/main._end) after the atexit handlers: the state is read in one,
    # and _fresh requires exit status 0
    got = _fresh(
        "import atexit, gc, json, sys\n"
        f"sys.argv = {args!r}\n"
        f"atexit.register(lambda: print(json.dumps({{'gc': gc.isenabled(), 'frozen': gc.get_freeze_count(),"
        f" 'loaded': sorted(m for m in {NOT_ON_THE_VALIDATE_PATH!r} if m in sys.modules"
        f" and type(sys.modules[m]).__name__ != '_DeferredPackage')}})))\n"
        "from edossier.cli.main import run\n"
        "run()\n")
    # the console entry point leaves the imports frozen: the process ends with the command
    assert got["frozen"] > 10_000
    assert {k: got[k] for k in ("gc", "loaded")} == {"gc": True, "loaded": []}
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["packages"][0]["verdict"] == "accept"


def test_in_process_commands_unfreeze_when_they_end(tmp_path):
    # Tests (CliRunner) run command after command in one process: what validate froze must be
    # collectable again when the command ends, or garbage frozen with it would pile up.
    got = _fresh(
        "import gc, json\n"
        "from click.testing import CliRunner\n"
        "from edossier.cli.main import main\n"
        f"res = CliRunner().invoke(main, ['validate', {str(tmp_path / 'missing.edp')!r}, '--trust',"
        f" {str(tmp_path / 'missing.xml')!r}])\n"
        "print(json.dumps({'code': res.exit_code, 'frozen': gc.get_freeze_count(), 'gc': gc.isenabled()}))")
    assert got == {"code": 2, "frozen": 0, "gc": True}


def test_command_table_names_every_command_of_every_module():
    # `edossier.cli.main.COMMAND_MODULES` is how a command's module is found without importing the
    # others: each module, imported alone in a fresh interpreter, must register exactly the commands
    # the table gives it, and every command module must be in the table.
    modules = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "cli").glob("cmd_*.py"))
    got = _fresh(
        "import importlib, json\n"
        "from edossier.cli.main import COMMAND_MODULES, main\n"
        "out = {}\n"
        f"for name in {modules!r}:\n"
        "    before = set(main.commands)\n"
        "    importlib.import_module('edossier.cli.' + name)\n"
        "    out[name] = sorted(set(main.commands) - before)\n"
        "table = {}\n"
        "for command, module in COMMAND_MODULES.items():\n"
        "    table.setdefault(module, []).append(command)\n"
        "print(json.dumps({'registered': out, 'table': {m: sorted(c) for m, c in table.items()}}))")
    assert got["registered"] == got["table"]
    assert sorted(got["table"]) == modules


def test_help_lists_every_command_and_each_runs_from_its_module():
    # `edossier --help` and an unknown name behave as when every module was imported at start.
    from click.testing import CliRunner

    from edossier.cli.main import COMMAND_MODULES, main

    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    listed = [line.split()[0] for line in res.output.split("Commands:\n", 1)[1].splitlines() if line.strip()]
    assert listed == sorted(COMMAND_MODULES)
    res = CliRunner().invoke(main, ["keys", "--help"])
    assert res.exit_code == 0 and "demo" in res.output
    res = CliRunner().invoke(main, ["no-such-command"])
    assert res.exit_code == 2 and "No such command 'no-such-command'" in res.output


def test_collector_paused_freezes_and_restores():
    # The block runs with the collector off; afterwards what exists is frozen (never traversed again) and
    # the collector is as it was before, also when the block raises or the collector was already off.
    got = _fresh(
        "import gc, json\n"
        "from edossier.cli.main import collector_paused\n"
        "out = {}\n"
        "with collector_paused():\n"
        "    out['inside'] = gc.isenabled()\n"
        "    kept = [[i] for i in range(1000)]\n"
        "out['after'] = gc.isenabled()\n"
        "out['frozen'] = gc.get_freeze_count() >= 1000\n"
        "try:\n"
        "    with collector_paused():\n"
        "        raise KeyError('x')\n"
        "except KeyError:\n"
        "    out['after_raise'] = gc.isenabled()\n"
        "gc.disable()\n"
        "with collector_paused():\n"
        "    pass\n"
        "out['stays_off'] = not gc.isenabled()\n"
        "gc.enable()\n"
        "import click\n"
        "with click.Context(click.Command('x')) as ctx:\n"
        "    with collector_paused(ctx):\n"
        "        pass\n"
        "    out['frozen_in_command'] = gc.get_freeze_count() > 0\n"
        "out['unfrozen_after'] = gc.get_freeze_count() == 0\n"
        "print(json.dumps(out))")
    assert got == {"inside": False, "after": True, "frozen": True, "after_raise": True, "stays_off": True,
                   "frozen_in_command": True, "unfrozen_after": True}
