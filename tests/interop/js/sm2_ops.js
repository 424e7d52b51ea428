// Runs SM2 operations of two independent JavaScript implementations for tests/test_sm2_interop.py:
// sm-crypto 0.3.13 (jsbn arithmetic) and sm-crypto-v2 1.15.1 (@noble/curves arithmetic), both vendored
// here unchanged from npm (MIT, licences beside them). Reads a JSON list of operations on stdin, writes
// a JSON list of results: {"sig": hex} for sign, {"ok": bool} for verify, {"error": text} on a throw.
"use strict";
const path = require("path");
const libs = {
  "sm-crypto": require(path.join(__dirname, "sm-crypto-0.3.13-sm2.js")),
  "sm-crypto-v2": require(path.join(__dirname, "sm-crypto-v2-1.15.1.js")).sm2,
};
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = input.map((op) => {
  const lib = libs[op.lib];
  // The message goes in as bytes (an array), never as a string, so that no text encoding intervenes.
  // (sm-crypto takes a plain array of byte values, sm-crypto-v2 a Uint8Array.)
  const bytes = Buffer.from(op.msg, "hex");
  const msg = op.lib === "sm-crypto" ? Array.from(bytes) : Uint8Array.from(bytes);
  const opts = { der: op.der, hash: op.hash };
  if (op.uid !== undefined && op.uid !== null) opts.userId = op.uid;
  if (op.hash) opts.publicKey = op.pub;
  try {
    if (op.op === "sign") return { sig: lib.doSignature(msg, op.d, opts) };
    if (op.op === "verify") return { ok: !!lib.doVerifySignature(msg, op.sig, op.pub, opts) };
    if (op.op === "pub") return { pub: lib.getPublicKeyFromPrivateKey(op.d) };
    return { error: "unknown op" };
  } catch (e) {
    return { error: String(e && e.message || e) };
  }
});
process.stdout.write(JSON.stringify(out));
