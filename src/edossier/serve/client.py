"""The sending side: `edossier submit PKG --to URL --cert CRED` (docs/serve.md#submit).

Uploads the package as a signed request (auth.py), streamed from disk with a progress callback,
waits for the node's receipt, checks it and saves it next to the package (atomically, never over the
package). Every failure is a SubmitError with English and Chinese text and an exit code.

The check is what the receipt binds: its signature for the receiver it names (`verify_layer`, as
`validate-receipt` does) and that it names exactly the bytes that were sent — the file's size and
SHA-256 (hashed again while the body streams out, so a file that changed after the request was
signed is caught here too) and every manifest and signature with its digest (read before sending;
the whole-file digest of the sent bytes equal to the one taken then shows they are the same file).
The package is not validated again: the node did that, and its receipt says so under its signature.
`recheck=True` (`submit --recheck`) adds the full `validate-receipt --package` check, which
re-validates the package and compares the verdict.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import auth, edo

CHUNK = 1024 * 1024
EXIT_NETWORK = 3  # the node could not be reached or answered with an error


class SubmitError(edo.UserError):
    def __init__(self, en: str, zh: str, exit_code: int = EXIT_NETWORK):
        super().__init__(en, zh)
        self.exit_code = exit_code


@dataclass
class SubmitResult:
    id: str
    created: bool
    receipt_path: Path
    check: object  # receipt.ReceiptCheck
    submission: dict


def receipt_path_for(package: Path) -> Path:
    package = Path(package)
    out = package.with_suffix(".edr")
    return out if out != package else package.with_name(package.name + ".edr")


def _refusal(resp) -> SubmitError:
    """The node's own error body (code + both messages) when it sent one, else the HTTP status."""
    try:
        err = resp.json()["error"]
        code, msg = err.get("code"), err["message"]
        return SubmitError(f"the node refused the submission (HTTP {resp.status_code}) {code + ': ' if code else ''}"
                           f"{msg['en']}", f"节点拒绝了提交（HTTP {resp.status_code}）{code + '：' if code else ''}{msg['zh-CN']}")
    except Exception:  # noqa: BLE001 - not our node, or a proxy's page
        text = resp.text[:200].strip() if resp.content else ""
        return SubmitError(f"the node answered HTTP {resp.status_code} {resp.reason_phrase}: {text}",
                           f"节点返回 HTTP {resp.status_code} {resp.reason_phrase}：{text}")


def submit(package: Path, *, to: str, cred: Path, trust, passphrase: bytes | None = None, ca: Path | None = None,
           policy: str | None = None, wait: float = 600.0, progress: Callable[[int, int], None] | None = None,
           transport=None, recheck: bool = False) -> SubmitResult:
    import httpx

    package = Path(package)
    try:
        key, cert = edo.read_signing_key(cred, passphrase)
    except edo.UserError as exc:
        raise SubmitError(exc.en, exc.zh, 2) from None
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        # the request signature covers the body's SHA-256, so it is taken before sending (with the
        # members a receipt names); a file that is no package is still sent: the node says why (N019)
        try:
            fp = edo.fingerprint(package)
            size, digest = fp.size, fp.sha256.hex()
        except edo.NotAPackage:
            fp = None
            size, digest = _digest(package)
    except OSError as exc:
        raise SubmitError(f"{package}: cannot be read ({exc.strerror})", f"{package}：无法读取（{exc.strerror}）", 2) \
            from None
    out = receipt_path_for(package)
    base = to.rstrip("/")
    headers = auth.sign_headers(key, cert.public_bytes(Encoding.DER), "POST", "/v1/inbox", digest)
    headers.update({"content-type": "application/vnd.etsi.asic-e+zip", "content-length": str(size)})

    streamed = hashlib.sha256()
    counted = [0]

    def body():
        with open(package, "rb") as fh:
            while chunk := fh.read(CHUNK):
                streamed.update(chunk)
                counted[0] += len(chunk)
                if progress:
                    progress(counted[0], size)
                yield chunk

    params = {"name": package.name, **({"policy": policy} if policy else {})}
    verify = str(ca) if ca else True
    try:
        with httpx.Client(base_url=base, verify=verify, timeout=httpx.Timeout(60.0, read=max(wait, 60.0)),
                          transport=transport) as http:
            resp = http.post("/v1/inbox", content=body(), headers=headers, params=params)
            if resp.status_code not in (200, 201, 202):
                raise _refusal(resp)
            if (counted[0], streamed.hexdigest()) != (size, digest):  # the node refuses that too (N018)
                raise SubmitError(f"{package} changed while it was being sent; send it again",
                                  f"{package} 在发送过程中发生了变化；请重新发送", 2)
            doc = resp.json()
            sid, created = doc["id"], resp.status_code != 200
            deadline = time.monotonic() + wait
            while True:
                r = http.get(f"/v1/inbox/{sid}/receipt")
                if r.status_code == 200:
                    data = r.content
                    break
                if r.status_code != 202:
                    raise _refusal(r)
                if time.monotonic() > deadline:
                    raise SubmitError(f"no receipt within {wait:.0f} s; submission {sid} is still being validated "
                                      f"(run the command again later: the same package gets the same submission)",
                                      f"{wait:.0f} 秒内未收到回执；提交 {sid} 仍在校验中（稍后重新运行此命令：同一卷宗包对应同一提交）")
                time.sleep(min(2.0, max(0.2, float(r.headers.get("retry-after", "1")))))
            doc = http.get(f"/v1/inbox/{sid}").json()
    except SubmitError:
        raise
    except httpx.ConnectError as exc:
        raise SubmitError(f"cannot connect to {base}: {exc}", f"无法连接 {base}：{exc}") from None
    except httpx.TimeoutException:
        raise SubmitError(f"{base} did not answer in time", f"{base} 未在限定时间内应答") from None
    except httpx.HTTPError as exc:
        raise SubmitError(f"{base}: {type(exc).__name__}: {exc}", f"{base}：{type(exc).__name__}：{exc}") from None
    except ValueError:  # a 2xx answer that is not our JSON
        raise SubmitError(f"{base} is not an edossier node (unexpected answer)",
                          f"{base} 不是 edossier 节点（应答无法识别）") from None
    return _keep_receipt(package, out, data, trust, sid, created, doc, sent=None if recheck else fp)


def _digest(path: Path) -> tuple[int, str]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _keep_receipt(package: Path, out: Path, data: bytes, trust, sid: str, created: bool, doc: dict, *,
                  sent=None) -> SubmitResult:
    """Check the receipt before it takes its place next to the package: against `sent`, the
    fingerprint of the bytes sent; without it (`recheck`), against the package file, validated again."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.check")
    try:
        edo.atomic_write_bytes(tmp, data)
        if sent is not None:
            check = edo.check_receipt_binds(tmp, trust=trust, sent=sent, where=str(package))
        else:
            check = edo.check_receipt(tmp, trust=trust, package=package)
        if check.verdict != "accept":
            codes = ", ".join(sorted({f.code for f in check.findings if f.severity == "error"})) or "?"
            raise SubmitError(f"the node's receipt for submission {sid} does not check out ({codes}); not saved",
                              f"节点就提交 {sid} 签发的回执未通过校验（{codes}）；未保存", 1)
        os.replace(tmp, out)
        edo.fsync_dir(out.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return SubmitResult(sid, created, out, check, doc)
