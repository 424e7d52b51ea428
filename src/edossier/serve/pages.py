"""Page images for the web page's viewer (docs/serve.md#viewer), rendered from the stored package.

The renderer is the HTML report's (report.html.render_page through edo.py), run in a child process
so that a hostile PDF cannot take the server with it: the child has a wall-clock timeout and an
address-space limit, and is killed when it overruns. Rendered PNGs are cached on disk,
content-addressed by the document's SHA-256 (the manifest's; the child checks the bytes against
it before anything is filed under it), the page and the size: DATA/cache/pages/ab/cdef…-P-PX.png.
A document that cannot be rendered is remembered too (…-P-PX.err), so a hostile PDF costs one
timeout, not one per request. At most `concurrent` pages render at a time.

Run as `python -m edossier.serve.pages PACKAGE MEMBER PAGE PX SHA256|- OUT` (the child): writes the
PNG to OUT and one JSON line to stdout.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import subprocess
import sys
import threading
from pathlib import Path

from . import edo

SIZES = {"thumb": 240, "page": 1400}  # longest side in pixels: the only two sizes served (bounded cache)
TIMEOUT = 20.0  # seconds for one page, child start included
BUDGET = 45.0  # seconds all the thumbnails of one HTML report may take (then placeholders)
MEMORY = 1536 * 1024 * 1024  # the child's address-space limit (bytes)
CONCURRENT = 2


class Pages:
    def __init__(self, cache: Path, *, timeout: float = TIMEOUT, concurrent: int = CONCURRENT,
                 memory: int = MEMORY, budget: float = BUDGET):
        self.dir = Path(cache)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.timeout, self.memory, self.budget = timeout, memory, budget
        self._slots = threading.BoundedSemaphore(concurrent)
        self.rendered = 0  # child processes run (tests: the cache is used)

    def _base(self, sha256: str, page: int, px: int) -> Path:
        return self.dir / sha256[:2] / f"{sha256[2:]}-{page}-{px}"

    def count(self, sha256: str | None) -> int | None:
        """The real page count of a document rendered before, or None."""
        if not sha256:
            return None
        with contextlib.suppress(OSError, ValueError):
            return int((self.dir / sha256[:2] / f"{sha256[2:]}.count").read_text())
        return None

    def get(self, package: Path, member: str, page: int, px: int, sha256: str | None) -> bytes:
        """The PNG of one page; edo.PageError (kind: …, "timeout", "crashed", "busy") otherwise."""
        if sha256 is None:  # no manifest names the document: nothing to file it under, render uncached
            return self._render(package, member, page, px, None, None)
        base = self._base(sha256, page, px)
        png, err = base.with_suffix(".png"), base.with_suffix(".err")
        with contextlib.suppress(FileNotFoundError):
            return png.read_bytes()
        remembered = None
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError):  # a damaged .err: render again
            e = json.loads(err.read_text("utf-8"))
            remembered = edo.PageError(e["kind"], e["en"], e["zh"], e.get("count"))
        if remembered is not None:
            raise remembered
        return self._render(package, member, page, px, sha256, base)

    def thumbnailer(self):
        """draw(package, member, page) -> PNG, for one HTML report's thumbnails (edo.render): each page
        rendered in the child at the viewer's "thumb" size and cached with the viewer's pages, under
        the SHA-256 of the document's bytes as they are in the package (a document that differs from
        its manifest is drawn as it is, like the command line's report, and still cached safely).
        Bounded in time: once a document's renderer was stopped, its other pages are not tried, and
        after `budget` seconds for the whole report no page is; both raise edo.PageError "timeout"."""
        import time

        start = time.monotonic()
        stopped: dict[tuple, edo.PageError] = {}
        digests: dict[tuple, str | None] = {}

        def draw(package, member: str, page: int) -> bytes:
            key = (str(package), member)
            if key in stopped:
                exc = stopped[key]
                raise edo.PageError(exc.kind, exc.en, exc.zh, exc.count)
            if time.monotonic() - start > self.budget:
                raise edo.PageError("timeout", f"page {page} of {member} was not drawn: the report's thumbnails "
                                               f"took longer than {self.budget:g} s",
                                    f"文书 {member} 第 {page} 页未绘制：本报告的缩略图绘制已超过 {self.budget:g} 秒")
            if key not in digests:
                digests[key] = edo.member_sha256(Path(package), member)
            try:
                return self.get(Path(package), member, page, SIZES["thumb"], digests[key])
            except edo.PageError as exc:
                if exc.kind in ("timeout", "crashed"):
                    stopped[key] = exc
                raise

        return draw

    def _render(self, package, member, page, px, sha256, base: Path | None) -> bytes:
        if not self._slots.acquire(timeout=self.timeout):
            raise edo.PageError("busy", "every page renderer is busy; try again", "页面渲染繁忙，请稍后重试")
        try:
            return self._child(package, member, page, px, sha256, base)
        finally:
            self._slots.release()

    def _child(self, package, member, page, px, sha256, base: Path | None) -> bytes:
        tmp = self.dir / f"render-{secrets.token_hex(8)}.part"
        cmd = [sys.executable, "-m", "edossier.serve.pages", str(package), member, str(page), str(px),
               sha256 or "-", str(tmp), str(self.memory)]
        self.rendered += 1
        try:
            try:
                done = subprocess.run(cmd, capture_output=True, timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired:  # subprocess.run kills the child
                err = edo.PageError("timeout", f"rendering page {page} of {member} took longer than "
                                               f"{self.timeout:g} s", f"文书 {member} 第 {page} 页渲染超过 {self.timeout:g} 秒")
                self._remember(base, err)
                raise err from None
            try:
                out = json.loads(done.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
            except (ValueError, IndexError):
                out = {"kind": "crashed", "en": f"the renderer stopped (exit {done.returncode}) on page {page} of "
                                                f"{member}", "zh": f"渲染文书 {member} 第 {page} 页时渲染进程异常退出"}
            if "kind" in out:
                err = edo.PageError(out["kind"], out["en"], out["zh"], out.get("count"))
                self._remember(base, err)
                raise err
            data = tmp.read_bytes()
            if base is not None:
                base.parent.mkdir(exist_ok=True)
                edo.atomic_write_bytes(base.with_suffix(".png"), data)
                edo.atomic_write_bytes(base.parent / f"{sha256[2:]}.count", str(out["count"]).encode())
            return data
        finally:
            tmp.unlink(missing_ok=True)

    @staticmethod
    def _remember(base: Path | None, err: "edo.PageError") -> None:
        if base is None or err.kind == "busy":
            return
        base.parent.mkdir(exist_ok=True)
        edo.atomic_write_bytes(base.with_suffix(".err"), json.dumps(
            {"kind": err.kind, "en": err.en, "zh": err.zh, "count": err.count}, ensure_ascii=False).encode("utf-8"))


def _main(argv: list[str]) -> int:
    package, member, page, px, sha256, out, memory = argv
    with contextlib.suppress(Exception):  # not every platform has RLIMIT_AS; the timeout still holds
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    try:
        png, count = edo.render_page(Path(package), member, int(page), max_px=int(px),
                                     sha256=None if sha256 == "-" else sha256)
    except edo.PageError as exc:
        print(json.dumps({"kind": exc.kind, "en": exc.en, "zh": exc.zh, "count": exc.count}, ensure_ascii=False))
        return 0
    except MemoryError:
        print(json.dumps({"kind": "unopenable", "en": f"page {page} of {member} needs more memory than allowed",
                          "zh": f"文书 {member} 第 {page} 页所需内存超过上限"}, ensure_ascii=False))
        return 0
    with open(out, "xb") as fh:
        fh.write(png)
    print(json.dumps({"count": count}))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
