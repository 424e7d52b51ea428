"""SM2 libraries side by side (issue 20): correctness against the published examples and speed.

    flock /tmp/bench.lock python benchmarks/sm2_bench.py [--quick] [--json OUT]

Correctness, per library: SM3 of GB/T 32905-2016 examples 1 ("abc") and 2 ("abcd" × 16); the
GB/T 32918.5-2017 / GM/T 0003.5-2012 Appendix A signature (d_A, ID 1234567812345678, M "message
digest"): does the library verify the published (r, s), and — where it lets k be fixed — does it
produce exactly that (r, s) with the published k? Speed: SM2 sign and verify per second of CPU time
(user + sys of this process, or of the node process for the JavaScript libraries), median of 3 runs;
ECDSA P-256 (cryptography/OpenSSL) beside them. `benchmarks/run.py --only signatures` prints the
verify figures as rows; docs/signatures.md has the table.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from edossier.signing import sm2  # noqa: E402

D_A = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
R_S = ("F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
       "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA")
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_512 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
MSG = b"message digest"
JS = REPO / "tests" / "interop" / "js"


def cpu() -> float:
    return time.process_time()  # user + sys CPU time of this process, finer than os.times()' ticks


def per_second(fn, n: int) -> float:
    """Operations per CPU second: median of 3 runs of n calls."""
    rates = []
    for _ in range(3):
        t = cpu()
        for _ in range(n):
            fn()
        rates.append(n / max(cpu() - t, 1e-9))
    return statistics.median(rates)


def lib_edossier(n):
    key = sm2.private_key_from_scalar(D_A)
    raw = bytes.fromhex(R_S)
    out = {"sm3": sm2.sm3(b"abc").hex() == SM3_ABC and sm2.sm3(b"abcd" * 16).hex() == SM3_512,
           "verifies_published": sm2.verify(key.public, MSG, raw) == "raw",
           "reproduces_published": "no (k not exposed; Tongsuo draws k)"}
    k2 = sm2.generate_private_key()
    sig = sm2.sign(k2, MSG)
    out["sign_per_s"] = per_second(lambda: sm2.sign(k2, MSG), n)
    out["verify_per_s"] = per_second(lambda: sm2.verify(k2.public, MSG, sig), n)
    return out


def lib_tongsuopy_direct(n):
    """tongsuopy's own cryptography-style API (DigestSign: Z with Tongsuo's default ID)."""
    from tongsuopy.backends.tongsuo.backend import backend
    from tongsuopy.crypto import hashes
    from tongsuopy.crypto.asymciphers import ec

    key = ec.generate_private_key(ec.SM2(), backend)
    sig = key.sign(MSG, ec.ECDSA(hashes.SM3()))
    pub = key.public_key()
    # which ID does its DigestSign use? check against ours
    nums = pub.public_numbers()
    ours_pub = sm2.SM2PublicKey(nums.x, nums.y)
    out = {"default_id_is": "1234567812345678" if sm2.verify(ours_pub, MSG, sig) else
           ("empty" if sm2.verify(ours_pub, MSG, sig, uid=b"") else "other")}
    out["sign_per_s"] = per_second(lambda: key.sign(MSG, ec.ECDSA(hashes.SM3())), n)
    out["verify_per_s"] = per_second(lambda: pub.verify(sig, MSG, ec.ECDSA(hashes.SM3())), n)
    return out


def lib_gmssl(n):
    from gmssl import sm2 as g, sm3, func

    key = sm2.private_key_from_scalar(D_A)
    c = g.CryptSM2(private_key=f"{D_A:064x}", public_key=key.public.point()[1:].hex())
    out = {"sm3": sm3.sm3_hash(func.bytes_to_list(b"abc")) == SM3_ABC
           and sm3.sm3_hash(func.bytes_to_list(b"abcd" * 16)) == SM3_512,
           "verifies_published": bool(c.verify_with_sm3(R_S.lower(), MSG)),
           "reproduces_published": c.sign_with_sm3(MSG, K).upper() == R_S}
    sig = c.sign_with_sm3(MSG)
    out["sign_per_s"] = per_second(lambda: c.sign_with_sm3(MSG), max(10, n // 10))
    out["verify_per_s"] = per_second(lambda: c.verify_with_sm3(sig, MSG), max(10, n // 10))
    return out


def lib_sm_crypto_pypi(n):
    from sm_crypto import sm2 as s, sm3

    priv = s.SM2PrivateKey(f"{D_A:064x}")
    pub = priv.public_key()
    sig = s.SM2Signature(int(R_S[:64], 16), int(R_S[64:], 16))
    out = {"sm3": sm3.sm3_hash(b"abc") == SM3_ABC if isinstance(sm3.sm3_hash(b"abc"), str) else None,
           "verifies_published": bool(pub.verify_with_sm3(sig, MSG)),
           "reproduces_published": str(priv.sign_with_sm3(MSG, K.lower())).upper() == R_S}
    mine = priv.sign_with_sm3(MSG)
    out["sign_per_s"] = per_second(lambda: priv.sign_with_sm3(MSG), max(10, n // 10))
    out["verify_per_s"] = per_second(lambda: pub.verify_with_sm3(mine, MSG), max(10, n // 10))
    return out


def lib_gmssl_python(n):
    """gmssl-python installs a module `gmssl.py` (shadowed by the `gmssl` package when both are
    installed) that loads libgmssl with ctypes: its wheel bundles no library."""
    import site

    for d in site.getsitepackages():
        path = Path(d) / "gmssl.py"
        if path.exists():
            spec = importlib.util.spec_from_file_location("gmssl_python", path)
            mod = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(mod)
            except Exception as exc:  # noqa: BLE001
                return {"unavailable": f"{type(exc).__name__}: {exc}"}
            return {"loaded": True}
    return {"unavailable": "not installed"}


def lib_ecdsa_p256(n):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    sig = key.sign(MSG, ec.ECDSA(hashes.SHA256()))
    pub = key.public_key()
    return {"sign_per_s": per_second(lambda: key.sign(MSG, ec.ECDSA(hashes.SHA256())), n),
            "verify_per_s": per_second(lambda: pub.verify(sig, MSG, ec.ECDSA(hashes.SHA256())), n)}


NODE_BENCH = r"""
const path = require("path");
const [dir, nArg, rs] = process.argv.slice(-3);  // (with -e, argv has no script path)
const n = +nArg;
const libs = {"sm-crypto": require(path.join(dir, "sm-crypto-0.3.13-sm2.js")),
              "sm-crypto-v2": require(path.join(dir, "sm-crypto-v2-1.15.1.js")).sm2};
const d = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8";
const out = {};
function cpu() { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }
function rate(f, k) { const r = []; for (let j = 0; j < 3; j++) { const t = cpu(); for (let i = 0; i < k; i++) f(); r.push(k / Math.max(cpu() - t, 1e-9)); } r.sort((a, b) => a - b); return r[1]; }
for (const [name, lib] of Object.entries(libs)) {
  const msg = name === "sm-crypto" ? Array.from(Buffer.from("message digest")) : Uint8Array.from(Buffer.from("message digest"));
  const pub = lib.getPublicKeyFromPrivateKey(d);
  const opts = {hash: true, der: false, publicKey: pub, userId: "1234567812345678"};
  const ok = lib.doVerifySignature(msg, rs.toLowerCase(), pub, opts);
  const sig = lib.doSignature(msg, d, opts);
  out[name] = {verifies_published: !!ok, reproduces_published: "no (k not exposed)",
               sign_per_s: rate(() => lib.doSignature(msg, d, opts), n),
               verify_per_s: rate(() => lib.doVerifySignature(msg, sig, pub, opts), n)};
}
process.stdout.write(JSON.stringify(out));
"""


def libs_node(n):
    node = shutil.which("node")
    if node is None:
        return {"sm-crypto": {"unavailable": "node not installed"}}
    res = subprocess.run([node, "-e", NODE_BENCH, str(JS), str(max(3, n // 5)), R_S], capture_output=True, text=True,
                         check=True, timeout=600)
    return json.loads(res.stdout)


def run(quick: bool = False) -> dict:
    n = 20 if quick else 300
    results = {}
    for name, fn in (("edossier (tongsuopy, Tongsuo)", lib_edossier), ("tongsuopy API", lib_tongsuopy_direct),
                     ("gmssl (pure Python)", lib_gmssl), ("sm-crypto (PyPI, pure Python)", lib_sm_crypto_pypi),
                     ("gmssl-python", lib_gmssl_python), ("ECDSA P-256 (cryptography)", lib_ecdsa_p256)):
        try:
            results[name] = fn(n)
        except ImportError as exc:
            results[name] = {"unavailable": f"not installed ({exc})"}
    for name, r in libs_node(n).items():
        results[f"{name} (JavaScript, node)"] = r
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    res = run(args.quick)
    for name, r in res.items():
        print(f"{name:38} " + "  ".join(f"{k}={v:.0f}" if isinstance(v, float) else f"{k}={v}" for k, v in r.items()))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
