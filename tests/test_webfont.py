"""HTML pages carry their own CJK font (issue #16): the subset, the CSS, and headless Chromium on a
machine whose CJK fonts are hidden by a fontconfig that lists only a Latin font."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess

import pytest

from edossier.webfont import ASCII, FAMILY, PLACEHOLDER, embed

FACE = re.compile(r'@font-face\{font-family:"edossier CJK";[^}]*src:url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\) '
                  r'format\("woff2"\)\}')


@pytest.fixture(scope="module")
def report_page(three_layers, trust):
    from edossier.report.html import render_html
    from edossier.validation.pipeline import validate_package

    rep = validate_package(three_layers["packages"][-1], trust=trust)
    return render_html([rep], lang="zh-CN", thumbnails=False)


@pytest.fixture(scope="module")
def dashboard_page():
    """A dashboard over facts with Chinese agency names and a finding, rendered under zh-CN."""
    from edossier.stats.aggregate import Stats
    from edossier.stats.collect import Example, LayerFacts, PackageFacts
    from edossier.stats.render import render_html

    stats = Stats()
    for i, (agency, role) in enumerate((("某市公安局", "police"), ("某区人民检察院", "procuratorate"))):
        layers = (LayerFacts(1, "police", "某市公安局", "code", "侦查", "2026-03-01T09:00:00+08:00", 2, 3, 2, True),
                  LayerFacts(2, role, agency, "code", "审查起诉", "2026-03-04T09:00:00+08:00", 1, 2, 1, True))
        stats.add(PackageFacts(f"pkg-{i}.edp", "accept" if i else "reject", True, True, f"案{i}", "张某危险驾驶案",
                               None, (("K020", "error", 1),), layers, (),
                               (Example("K020", "dossier/001.xml", "a message", "一条说明"),)))
    return render_html(stats.to_dict(), lang="zh-CN")


def woff2_of(page: str) -> bytes:
    found = FACE.findall(page)
    assert len(found) == 1, "exactly one embedded @font-face"
    return base64.b64decode(found[0])


def cjk_cmap() -> set[int]:
    """Code points of the font the PDFs use, asked of PyMuPDF (not of the module under test)."""
    import pymupdf

    font = pymupdf.Font("cjk")
    return {c for c in range(0x20, 0x10000) if font.has_glyph(c)}


@pytest.mark.parametrize("which", ["report", "dashboard"])
def test_page_embeds_a_woff2_subset_of_exactly_its_characters(which, report_page, dashboard_page):
    from fontTools.ttLib import TTFont

    page = report_page if which == "report" else dashboard_page
    data = woff2_of(page)
    assert data[:4] == b"wOF2"
    font = TTFont(io.BytesIO(data))
    assert font.flavor == "woff2"
    # the page's characters the CJK font has, plus printable ASCII: nothing more, nothing less
    text = FACE.sub("", page)
    expected = ({ord(c) for c in text} & cjk_cmap()) | set(range(0x20, 0x7F))
    assert set(font.getBestCmap()) == expected
    assert {ord(c) for c in "电子卷宗"} <= expected
    # first in the page's font stack, and the page still needs nothing from the network
    assert re.search(r'body\{[^}]*font:15px/1\.5 "edossier CJK",', page)
    assert PLACEHOLDER not in page
    assert not re.search(r"url\((?!data:|#)", page)  # data: URLs and references inside the page only
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)


def test_subset_is_small_and_cached():
    import time

    page = ('<html><head><style>' + PLACEHOLDER + '</style></head><body>电子卷宗校验报告 拒收 接收</body></html>')
    embed(page)  # warm: the font bytes are read once per process
    t0 = time.perf_counter()
    again = embed(page.replace("拒收", "接收拒收"))  # same character set: from the cache
    assert time.perf_counter() - t0 < 0.05
    assert 2_000 < len(woff2_of(again)) < 40_000
    with pytest.raises(ValueError):
        embed("<html>no placeholder</html>")
    assert len(ASCII) == 95


def test_dashboard_charts_draw_text_as_paths_in_the_bundled_font(dashboard_page):
    svgs = re.findall(r"<svg\b.*?</svg>", dashboard_page, re.S)
    assert len(svgs) >= 3
    for svg in svgs:
        assert "<text" not in svg  # no text left for the reader's fonts to draw
    assert all(re.search(r'<use xlink:href="#[^"]+"', svg) for svg in svgs)  # glyphs as reused paths
    # the chart font matplotlib resolves is the bundled one, and it has the Chinese of the captions
    import matplotlib
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.sans-serif"]),
                                 fallback_to_default=False)
    assert os.path.basename(path) == "DroidSansFallback.ttf"
    with open(path, "rb") as fh:
        assert fh.read() == bytes(__import__("pymupdf").Font("cjk").buffer)


# --- headless Chromium without CJK fonts ---------------------------------------------------------------

def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def latin_only_fontconfig(folder) -> dict:
    """Environment for a process that sees one Latin font (matplotlib's DejaVu Sans) and no other."""
    import matplotlib

    fonts = folder / "fonts"
    fonts.mkdir(parents=True)
    shutil.copy(os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"), fonts)
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
                    encoding="utf-8")
    home = folder / "home"
    home.mkdir()
    return {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(home), "XDG_CONFIG_HOME": str(home),
            "XDG_CACHE_HOME": str(folder / "cache"), "XDG_DATA_HOME": str(home)}


W, H = 900, 120  # the probe region


def probe(page: str, text: str) -> str:
    """The page with `text` drawn large at a fixed place, in the page's own font stack (inherited from body)."""
    box = (f'<div id="probe" style="position:fixed;left:0;top:0;width:{W}px;height:{H}px;background:#fff;'
           f'z-index:99;font-size:64px;line-height:{H}px;white-space:nowrap;overflow:hidden;color:#000">'
           f"{text}</div>")
    return page.replace("</body>", box + "</body>", 1)


def shoot(binary: str, env: dict, folder, name: str, page: str):
    from PIL import Image

    html = folder / f"{name}.html"
    html.write_text(page, encoding="utf-8")
    png = folder / f"{name}.png"
    res = subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={folder / ('p-' + name)}",
                          f"--screenshot={png}", "--window-size=1280,900", html.as_uri()],
                         capture_output=True, text=True, timeout=180, env=env)
    assert res.returncode == 0 and png.is_file(), res.stderr[-2000:]
    with Image.open(png) as im:
        return im.convert("L").crop((0, 0, W, H))


@pytest.mark.skipif(chromium() is None, reason="headless Chromium not installed (Debian: apt-get install -y chromium)")
@pytest.mark.parametrize("which", ["report", "dashboard"])
def test_chinese_is_drawn_by_the_embedded_font_without_system_cjk_fonts(which, report_page, dashboard_page,
                                                                        tmp_path):
    from PIL import ImageChops

    page, text = (report_page, "电子卷宗校验报告") if which == "report" else (dashboard_page, "电子卷宗监督统计")
    assert text in page
    env = latin_only_fontconfig(tmp_path / "fc")
    fc_list = shutil.which("fc-list")
    if fc_list:  # the fontconfig really hides the machine's CJK fonts
        listed = subprocess.run([fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, env=env).stdout
        assert listed.strip() == ""
    binary = chromium()
    without_face = FACE.sub("", page)
    # characters no font has (Private Use Area): what boxes (tofu) look like, same count as the probe text
    tofu_text = "".join(chr(0xE000 + i) for i in range(len(text)))
    embedded = shoot(binary, env, tmp_path, "embedded", probe(page, text))
    removed = shoot(binary, env, tmp_path, "removed", probe(without_face, text))
    tofu = shoot(binary, env, tmp_path, "tofu", probe(without_face, tofu_text))

    def differs(a, b) -> bool:
        return ImageChops.difference(a, b).getbbox() is not None

    # without the embedded font the Chinese is boxes: the machine really has no CJK font for Chromium
    assert not differs(removed, tofu)
    # with it, the same text is drawn with real glyphs
    assert differs(embedded, tofu)
    ink = sum(embedded.histogram()[:128])
    assert ink > 2000, ink  # eight glyphs at 64 px leave ink
    # and the eight glyphs differ from each other, as boxes never do: cut the probe into glyph cells
    cells = [embedded.crop((x, 0, x + 64, H)).tobytes() for x in range(0, 64 * len(text), 64)]
    assert len(set(cells)) == len(text)


def test_subset_outlines_are_those_of_a_plain_fonttools_subset():
    """The fast path (made-up glyph names, cmap given for the page's characters only) keeps each
    character's outline and advance as fontTools' own subsetting of the PDF font gives them."""
    import pymupdf
    from fontTools import subset
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.ttLib import TTFont

    from edossier.webfont import subset_woff2

    text = "电子卷宗校验报告，拒收（第 1 页）"
    ours = TTFont(io.BytesIO(subset_woff2(text)))
    plain = TTFont(io.BytesIO(bytes(pymupdf.Font("cjk").buffer)))
    sub = subset.Subsetter(subset.Options())
    sub.populate(text=text)
    sub.subset(plain)

    def drawn(font, ch):
        name = font.getBestCmap()[ord(ch)]
        glyphs = font.getGlyphSet()
        pen = DecomposingRecordingPen(glyphs)  # composite glyphs: compare the outlines, not part names
        glyphs[name].draw(pen)
        return pen.value, glyphs[name].width

    for ch in set(text):
        assert drawn(ours, ch) == drawn(plain, ch), ch
