"""`edossier stats`: figures, formats, the dashboard in a browser, JSON reports and fsspec input,
and the synthetic archive generator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import subprocess

import lxml.html
import pytest
from click.testing import CliRunner

from edossier.cli.main import main
from edossier.stats.aggregate import Stats
from edossier.stats.collect import LayerFacts, PackageFacts, PeriodFacts
from edossier.stats.render import render_csv, render_html
from edossier.stats.run import run_stats
from stats_support import AT, AT_TEXT, ARCHIVE_SIZE, build_archive, make_archive, options, relative


@pytest.fixture(scope="session")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="session")
def figures(archive):
    from edossier.batch.executors import LocalExecutor

    return run_stats(make_archive_locations(archive), options(archive), executor=LocalExecutor(2)).to_dict()


def make_archive_locations(folder):
    from edossier.batch.storage import expand

    return expand([folder])


# --- aggregation ----------------------------------------------------------------------------------------

def _facts(i: int, rng: random.Random) -> PackageFacts:
    roles = ("police", "procuratorate", "court", "justice")
    n = rng.randint(1, 4)
    layers = tuple(LayerFacts(k + 1, roles[k], f"agency-{roles[k]}-{rng.randint(1, 2)}", "code", "stage",
                              f"2026-0{rng.randint(1, 9)}-1{k}T0{rng.randint(0, 9)}:00:00+08:00", 2, 3,
                              rng.randint(0, 2), rng.random() < 0.9) for k in range(n))
    periods = tuple(PeriodFacts("trial", f"p{j}", rng.choice(("expired", "due-soon", "near")), rng.random() < 0.5,
                                "2026-01-01T00:00:00+08:00", f"2026-02-{rng.randint(10, 28)}", rng.randint(-40, 7))
                    for j in range(rng.randint(0, 2)))
    return PackageFacts(f"pkg-{i:04d}", rng.choice(("accept", "reject")), True, True, f"case {i}", "n", None,
                        (("K051", "error", 1),) if rng.random() < 0.3 else (), layers, periods)


def test_aggregate_is_independent_of_arrival_order_and_bounded():
    rng = random.Random(7)
    facts = [_facts(i, rng) for i in range(400)]
    a, b = Stats(max_periods=25), Stats(max_periods=25)
    for f in facts:
        a.add(f)
    for f in random.Random(3).sample(facts, len(facts)):
        b.add(f)
    da, db = a.to_dict(), b.to_dict()
    assert da == db
    assert da["totals"]["packages"] == 400
    assert da["totals"]["layers"] == sum(len(f.layers) for f in facts)
    listed = da["deadlines"]["list"]
    assert len(listed) == 25 == da["deadlines"]["listed"]
    total = sum(len(f.periods) for f in facts)
    assert da["deadlines"]["expired"] + da["deadlines"]["due_soon"] + da["deadlines"]["near"] == total
    # the kept ones are the most urgent: every expired-and-open period comes before any other
    open_expired = sum(1 for f in facts for p in f.periods if p.state == "expired" and p.open)
    assert da["deadlines"]["expired_open"] == open_expired
    assert all(r["state"] == "expired" and r["open"] for r in listed[:min(25, open_expired)])


def test_handover_quantiles_exact_at_minute_resolution():
    s = Stats()
    for minutes in (3, 5, 7, 9, 600):
        s.add(PackageFacts("x", "accept", True, True, None, None, None, (),
                           (LayerFacts(1, "police", "a", "c", None, "2026-01-01T00:00:00+08:00", 1, 1, 1, True),
                            LayerFacts(2, "court", "b", "d", None,
                                       f"2026-01-01T{minutes // 60:02d}:{minutes % 60:02d}:00+08:00", 1, 1, 1, True)),
                           ()))
    row = next(r for r in s.to_dict()["handover"] if r["transition"] == "police→court")
    assert (row["count"], row["median_minutes"], row["min_minutes"], row["max_minutes"]) == (5, 7, 3.0, 600.0)
    assert row["mean_minutes"] == round((3 + 5 + 7 + 9 + 600) / 5, 1)


# --- figures of the synthetic archive ----------------------------------------------------------------------

def test_figures_of_the_archive(archive, figures):
    plans = [make_archive.package_bytes("1", i)[0] for i in range(ARCHIVE_SIZE)]
    t = figures["totals"]
    assert t["packages"] == ARCHIVE_SIZE
    # a package held past the detention limit is not rejected for it (issue #15): it is counted under
    # supervision, as is one whose custody ends soon (K052)
    assert t["rejected"] == sum(1 for p in plans if p.defect)
    assert t["supervision"] == sum(1 for p in plans if p.custody and p.defect != "truncated") > 0
    assert t["layers"] == sum(p.layers for p in plans if p.defect != "truncated")
    assert t["not_checked"] == 0
    assert 0 < t["fully_electronic"] < ARCHIVE_SIZE
    # every package counted once per table
    for table in ("by_agency", "by_stage", "by_month"):
        assert sum(r["packages"] for r in figures[table]) == ARCHIVE_SIZE
        assert sum(r["layers"] for r in figures[table]) == t["layers"]
    assert {r["role"] for r in figures["by_agency"] if r["key"] != "–"} <= {"police", "procuratorate", "court",
                                                                          "justice"}
    # hand-overs: one per pair of consecutive layers
    everything = next(r for r in figures["handover"] if r["transition"] == "*")
    assert everything["count"] == sum(p.layers - 1 for p in plans if p.defect != "truncated")
    assert everything["min_minutes"] <= everything["median_minutes"] <= everything["p90_minutes"]
    # held past the detention limit: listed first, open
    overdue = sum(1 for p in plans if p.custody == "overdue")
    d = figures["deadlines"]
    assert d["expired_open"] == overdue > 0
    assert [r["state"] for r in d["list"][:overdue]] == ["expired"] * overdue
    assert all(r["days_left"] < 0 for r in d["list"][:overdue])
    codes = {r["code"]: r for r in figures["codes"]}
    assert codes["K051"]["packages"] == overdue


def test_csv_is_one_tidy_table(figures):
    rows = list(csv.reader(io.StringIO(render_csv(figures))))
    assert rows[0] == ["section", "key", "metric", "value"]
    assert ["totals", "", "packages", str(ARCHIVE_SIZE)] in rows
    assert {r[0] for r in rows[1:]} >= {"totals", "by_agency", "by_stage", "by_month", "handover", "codes", "deadline"}


# --- command line -------------------------------------------------------------------------------------------

def test_cli_formats_and_errors(archive, figures, tmp_path):
    runner = CliRunner()
    out = tmp_path / "s.json"
    res = runner.invoke(main, ["stats", str(archive), "--trust", str(archive / "trustlist.xml"),
                               "--trust-anchor", str(archive / "trust-anchor.pem"), "--at", AT_TEXT,
                               "-j", "2", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text("utf-8"))
    assert data["totals"] == figures["totals"] and data["deadlines"] == figures["deadlines"]
    assert data["judged_at"] == AT.isoformat()
    res = runner.invoke(main, ["--lang", "zh-CN", "stats", str(archive), "--at", AT_TEXT])
    assert res.exit_code == 2 and "--trust" in res.output
    res = runner.invoke(main, ["--lang", "zh-CN", "stats", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "不存在" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["stats", str(tmp_path)])
    assert res.exit_code == 2 and "no packages found" in res.output
    res = runner.invoke(main, ["stats", str(archive), "--scheduler", "tcp://x:1", "--dask", "local"])
    assert res.exit_code == 2 and "not both" in res.output


def test_stats_from_an_earlier_json_report(archive, tmp_path):
    """Verdicts from `validate --format json`, records (pages, events) from the packages themselves."""
    from edossier.batch.storage import expand

    few = expand([archive])[:5]
    runner = CliRunner()
    report = tmp_path / "report.json"
    res = runner.invoke(main, ["validate", *few, "--trust", str(archive / "trustlist.xml"),
                               "--trust-anchor", str(archive / "trust-anchor.pem"), "--at", AT_TEXT,
                               "--format", "json", "-o", str(report), "-j", "1"])
    assert res.exit_code in (0, 1), res.output
    direct = run_stats(few, options(archive)).to_dict()
    res = runner.invoke(main, ["stats", str(report), "--at", AT_TEXT, "--format", "json", "-j", "1"])
    assert res.exit_code == 0, res.output
    reused = json.loads(res.stdout)
    for key in ("totals", "by_agency", "by_stage", "by_month", "handover", "codes", "deadlines"):
        assert reused[key] == direct[key], key


def test_fsspec_memory_urls_give_the_same_figures(archive):
    """Packages read through fsspec (memory://, in process) count exactly like local files."""
    import fsspec

    from edossier.batch.storage import expand

    few = expand([archive])[:6]
    fs = fsspec.filesystem("memory")
    for loc in few:
        fs.pipe(f"/stats-archive/{os.path.relpath(loc, archive)}", open(loc, "rb").read())
    urls = expand(["memory://stats-archive"])
    assert len(urls) == 6 and all(u.startswith("memory://") for u in urls)
    local = run_stats(few, options(archive), jobs=1).to_dict()
    remote = run_stats(urls, options(archive), jobs=1).to_dict()
    assert relative(remote, "stats-archive") == relative(local, str(archive))
    fs.rm("/stats-archive", recursive=True)


def test_generator_is_deterministic(tmp_path):
    a = make_archive.make_archive(tmp_path / "a", 6, seed="9", jobs=1)
    b = make_archive.make_archive(tmp_path / "b", 6, seed="9", jobs=2)
    assert a["packages"] == b["packages"] == 6
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


# --- the HTML dashboard ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_html_is_self_contained_with_charts_and_overdue_list(figures, lang):
    page = render_html(figures, lang=lang, meta={"judged_at": AT_TEXT, "executor": "test"})
    doc = lxml.html.document_fromstring(page.encode("utf-8"))
    assert doc.get("lang") == lang
    assert not doc.xpath("//script | //link | //img[not(starts-with(@src, 'data:'))]")
    assert len(doc.xpath("//figure[@class='chart']/*[local-name()='svg']")) >= 4
    rows = doc.xpath("//table[@id='overdue-list']/tbody/tr")
    assert len(rows) == figures["deadlines"]["listed"] > 0
    word = "已超期" if lang == "zh-CN" else "PAST THE END"
    assert word in rows[0].text_content()


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@pytest.mark.skipif(chromium() is None, reason="headless Chromium not installed (Debian: apt-get install -y chromium)")
def test_html_dashboard_in_headless_chromium(figures, tmp_path):
    page = tmp_path / "stats.html"
    page.write_text(render_html(figures, lang="zh-CN", meta={"judged_at": AT_TEXT}), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}"]
    env = {**os.environ, "HOME": str(tmp_path)}
    res = subprocess.run([chromium(), *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=180, env=env)
    assert res.returncode == 0, res.stderr[-2000:]
    dom = lxml.html.document_fromstring(res.stdout.encode("utf-8"))
    svgs = dom.xpath("//figure[@class='chart']/*[local-name()='svg']")
    assert len(svgs) >= 4
    assert all(svg.xpath(".//*[local-name()='path' or local-name()='rect' or local-name()='use']") for svg in svgs)
    rows = dom.xpath("//table[@id='overdue-list']/tbody/tr")
    assert rows and "已超期" in rows[0].text_content()
    shot = tmp_path / "stats.png"
    res = subprocess.run([chromium(), *flags, f"--screenshot={shot}", "--window-size=1280,2400", "--hide-scrollbars",
                          page.as_uri()], capture_output=True, text=True, timeout=180, env=env)
    assert res.returncode == 0 and shot.read_bytes().startswith(b"\x89PNG")
    from PIL import Image

    with Image.open(shot) as im:
        colours = {c for _, c in im.convert("RGB").getcolors(maxcolors=1 << 22)}
    assert (0x1A, 0x7F, 0x37) in colours and (0xCF, 0x22, 0x2E) in colours  # accepted / rejected bars drawn


def test_dashboard_times_in_beijing_time_and_tz(figures):
    """Issue #16: the generated and judged-at times are shown in Beijing time by default (17:30 UTC is
    01:30 the next day, hand arithmetic), in the zone given otherwise; the JSON keeps ISO 8601."""
    from edossier.timefmt import zone

    late = dt.datetime(2026, 11, 20, 17, 30, tzinfo=dt.timezone.utc)
    meta = {"judged_at": "2026-11-20T16:00:00+00:00"}
    page = render_html(figures, lang="zh-CN", meta=meta, generated=late)
    assert "2026-11-21 01:30:00 +08:00" in page and "2026-11-21 00:00:00 +08:00" in page
    page = render_html(figures, lang="en", meta=meta, generated=late, tz=zone("UTC"))
    assert "2026-11-20 17:30:00 +00:00" in page and "2026-11-20 16:00:00 +00:00" in page
    assert "+08:00" not in page.split("<header>", 1)[1].split("</header>", 1)[0]


# --- dashboard fixes of issue #16 ------------------------------------------------------------------------

def _one_layer_facts(i: int, electronic: bool, layers: int = 1, hours: float = 0.0) -> PackageFacts:
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    roles = ("police", "procuratorate", "court")
    return PackageFacts(f"pkg-{i}", "accept", True, True, f"case {i}", "n", None, (),
                        tuple(LayerFacts(k + 1, roles[k], f"机关{k}", "code", "侦查",
                                         (start + dt.timedelta(hours=hours * k)).isoformat(), 2, 3,
                                         2 if electronic else 1, True) for k in range(layers)), ())


def _chart(figs, caption):
    found = [(label, fig) for cap, label, fig in figs if cap == caption]
    assert len(found) == 1, caption
    return found[0]


def test_chart_legends_sit_outside_the_bars(figures):
    from edossier.stats.render import _L, chart_figures

    L = _L["zh-CN"]
    figs = chart_figures(figures, "zh-CN")
    for caption in (L["ch_month"], L["ch_deadlines"]):
        _, fig = _chart(figs, caption)
        fig.draw_without_rendering()
        ax = fig.axes[0]
        legend = fig.legends[0] if fig.legends else ax.get_legend()
        box = legend.get_window_extent()
        bars = [p.get_window_extent() for p in ax.patches if p.get_width() and p.get_height()]
        assert bars, caption
        assert not any(box.overlaps(b) for b in bars), caption
        # not inside the plotting area at all: below it
        assert box.y1 <= ax.get_window_extent().y0, caption


def test_handover_chart_without_data_says_so(tmp_path):
    from edossier.stats.render import _L, chart_figures

    stats = Stats()
    stats.add(_one_layer_facts(0, True))  # one layer: no hand-over
    figures = stats.to_dict()
    assert not any(r["count"] for r in figures["handover"])
    for lang, sentence in (("en", "no hand-overs yet"), ("zh-CN", "尚无移送")):
        label, fig = _chart(chart_figures(figures, lang), _L[lang]["ch_handover"])
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert texts == [sentence]
        assert not fig.axes[0].axison  # no axis, no ticks from -0.04 to 0.04
        assert sentence in label
        page = render_html(figures, lang=lang)
        assert f'aria-label="{_L[lang]["ch_handover"]}: {sentence}"' in page


def test_handover_chart_of_instant_hand_overs_starts_at_zero():
    from edossier.stats.render import _L, chart_figures

    stats = Stats()
    stats.add(_one_layer_facts(0, True, layers=2, hours=0.0))  # signed the same minute: median 0 h
    _, fig = _chart(chart_figures(stats.to_dict(), "en"), _L["en"]["ch_handover"])
    assert fig.axes[0].get_xlim() == (0.0, 1.0)


@pytest.mark.parametrize("electronic, expected", [(0, "bad"), (4, "bad"), (5, "warn"), (8, "warn"), (9, "ok"),
                                                  (10, "ok")])
def test_fully_electronic_tile_is_coloured_by_threshold(electronic, expected):
    """Of 10 packages: below 50 % red, from 50 % amber, from 90 % green (docs/stats.md)."""
    stats = Stats()
    for i in range(10):
        stats.add(_one_layer_facts(i, i < electronic))
    figures = stats.to_dict()
    assert figures["totals"]["fully_electronic_share"] == electronic / 10
    doc = lxml.html.document_fromstring(render_html(figures, lang="en").encode("utf-8"))
    tile = doc.xpath("//div[@data-metric='fully_electronic']")[0]
    assert tile.get("class").split() == ["tile", expected]


def test_fully_electronic_tile_without_packages_is_uncoloured():
    doc = lxml.html.document_fromstring(render_html(Stats().to_dict(), lang="en").encode("utf-8"))
    assert doc.xpath("//div[@data-metric='fully_electronic']")[0].get("class").split() == ["tile"]


UNFILLED = re.compile(r"\{[^}]*\}|…|\(\s*\)|（\s*）|\?|？")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_findings_table_shows_filled_messages(archive, figures, lang):
    """Every message in the dashboard's findings table is one a package really reported, with every
    template parameter filled: no {name}, no "…", no empty "()" and no "?" left by a missing one."""
    assert figures["codes"], "the archive has packages with findings"
    doc = lxml.html.document_fromstring(render_html(figures, lang=lang).encode("utf-8"))
    rows = doc.xpath("//section[@id='codes']//tbody/tr")
    assert len(rows) == len(figures["codes"][:50])
    key = "zh-CN" if lang == "zh-CN" else "en"
    for row, r in zip(rows, figures["codes"]):
        assert row[0].text_content() == r["code"]
        message = row[4].xpath("string(text())")
        assert message and message == r["example"]["message"][key], r["code"]
        assert not UNFILLED.search(message), (r["code"], message)
        assert row[4].xpath("string(div/code)") == r["example"]["location"]


def test_count_tiles_are_coloured_only_when_something_is_counted():
    """Issue #16 walk-through: a green "0 accepted" reads as good news. No packages: no tile coloured."""
    doc = lxml.html.document_fromstring(render_html(Stats().to_dict(), lang="en").encode("utf-8"))
    for metric in ("accepted", "rejected", "expired", "supervision", "not_checked"):
        assert doc.xpath(f"//div[@data-metric='{metric}']")[0].get("class").split() == ["tile"], metric
