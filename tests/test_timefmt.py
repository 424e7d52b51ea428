"""Issue #16: times in Beijing time (--tz to change), signature indications in plain words, and
layouts that read well in an 80-column terminal.

Expected times are hand arithmetic: Asia/Shanghai is UTC+8 all year (no DST since 1991), so
17:30 UTC on 20 November is 01:30 on 21 November in Beijing; New York in November is UTC-5."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import lxml.html
import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console

from edossier.cli.main import main
from edossier.timefmt import UnknownZoneError, indication_text, show, zone

UTC = dt.timezone.utc
LATE_UTC = dt.datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # after 16:00 UTC: the Beijing date is the next day


def run(*args, lang="en", columns=None):
    env = {"COLUMNS": str(columns)} if columns else None
    return CliRunner().invoke(main, ["--lang", lang, *map(str, args)], catch_exceptions=False, env=env)


# --- the helper -------------------------------------------------------------------------------------------

def test_late_utc_instant_is_next_day_in_beijing():
    assert show(LATE_UTC) == "2026-11-21 01:30 +08:00"
    assert show(LATE_UTC, seconds=True) == "2026-11-21 01:30:00 +08:00"
    assert show("2026-11-20T17:30:00Z") == "2026-11-21 01:30 +08:00"
    assert show("2026-11-20T17:30:00+00:00") == "2026-11-21 01:30 +08:00"
    assert show(LATE_UTC, zone("Asia/Shanghai")) == "2026-11-21 01:30 +08:00"


def test_other_zones():
    assert show(LATE_UTC, zone("UTC")) == "2026-11-20 17:30 +00:00"
    assert show(LATE_UTC, zone("America/New_York")) == "2026-11-20 12:30 -05:00"
    assert show(LATE_UTC, zone("+05:30")) == "2026-11-20 23:00 +05:30"
    assert show(LATE_UTC, zone("-03:00")) == "2026-11-20 14:30 -03:00"


def test_dates_naive_times_and_odd_values():
    assert show(dt.date(2026, 11, 20)) == "2026-11-20"  # a date has no zone: shown as it is
    assert show("2026-11-20") == "2026-11-20"
    # a record time without offset is Beijing time (caserules convention): not shifted
    assert show(dt.datetime(2026, 11, 20, 9, 0)) == "2026-11-20 09:00 +08:00"
    assert show(dt.datetime(2026, 11, 20, 9, 0), zone("UTC")) == "2026-11-20 01:00 +00:00"
    assert show(None) == "-" and show("", empty="?") == "?"
    assert show("not a time <b>") == "not a time <b>"  # hostile text displayed, never a traceback


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "", "+25:00", "UTC+8"])
def test_unknown_zone_is_a_user_error(name):
    with pytest.raises(UnknownZoneError) as info:
        zone(name)
    assert "unknown time zone" in info.value.en and "未知时区" in info.value.zh


@pytest.mark.parametrize("ind, en, zh", [
    ("TOTAL_PASSED", "valid (TOTAL_PASSED)", "签名有效（TOTAL_PASSED）"),
    ("INDETERMINATE", "cannot be confirmed (INDETERMINATE)", "无法确认（INDETERMINATE）"),
    ("TOTAL_FAILED", "invalid (TOTAL_FAILED)", "签名无效（TOTAL_FAILED）"),
])
def test_indications_in_plain_words(ind, en, zh):
    assert indication_text(ind, "en") == en
    assert indication_text(ind, "zh-CN") == zh


def test_indication_with_sub_indication_and_unknown():
    assert indication_text("INDETERMINATE", "en", "NO_CERTIFICATE_CHAIN_FOUND") == \
        "cannot be confirmed (INDETERMINATE, NO_CERTIFICATE_CHAIN_FOUND)"
    assert indication_text("SOMETHING_ELSE", "zh-CN") == "SOMETHING_ELSE"
    assert indication_text(None, "en") == "-"


# --- the commands -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def late_package(tmp_path_factory, agencies, creds):
    """One layer whose record was created at 17:30 UTC (01:30 the next day in Beijing)."""
    from conftest import make_source

    from edossier.building.pipeline import build_package

    base = tmp_path_factory.mktemp("late")
    src = make_source(base / "src", agencies["police"], docs=[("d1", "立案决定书", 1)])
    out = base / "late.edp"
    build_package(src, out, creds["police"], created=LATE_UTC)
    return out


def test_html_report_in_beijing_time_and_tz_utc(late_package, pki, anchor_args, tmp_path):
    trust = ["--trust", pki / "trustlist.xml", *anchor_args]
    res = run("validate", late_package, *trust, "--format", "html", "-o", tmp_path / "r.html")
    assert res.exit_code == 0, res.output
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "2026-11-21 01:30:00 +08:00" in page  # the record's creation time, in Beijing time
    res = run("--tz", "UTC", "validate", late_package, *trust, "--format", "html", "-o", tmp_path / "u.html")
    assert res.exit_code == 0, res.output
    page = (tmp_path / "u.html").read_text("utf-8")
    assert "2026-11-20 17:30:00 +00:00" in page and "2026-11-21 01:30" not in page


def test_html_report_indication_plain_then_code(late_package, pki, anchor_args, tmp_path):
    for lang, plain in (("en", "valid"), ("zh-CN", "签名有效")):
        res = run("validate", late_package, "--trust", pki / "trustlist.xml", *anchor_args, "--format", "html",
                  "-o", tmp_path / f"{lang}.html", lang=lang)
        assert res.exit_code == 0, res.output
        doc = lxml.html.document_fromstring((tmp_path / f"{lang}.html").read_bytes())
        cell = doc.xpath("//table[@class='layers']/tbody/tr/td[last()]")[0]
        assert cell.xpath("string(./span)") == plain
        assert "TOTAL_PASSED" in cell.xpath("string(./div)")


def test_text_report_and_inspect_show_signing_time_in_beijing_time(late_package, pki, anchor_args):
    # the signing time is the moment of signing; JSON keeps it ISO 8601 with its offset, and the
    # human-readable outputs show the same instant + 8 hours (hand arithmetic, not timefmt)
    res = run("inspect", late_package, "--format", "json")
    signed = json.loads(res.output)["layers"][0]["signing_time"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)", signed), signed
    instant = dt.datetime.fromisoformat(signed.replace("Z", "+00:00"))
    bj = (instant.astimezone(UTC) + dt.timedelta(hours=8)).replace(tzinfo=None)
    utc = instant.astimezone(UTC).replace(tzinfo=None)
    res = run("validate", late_package, "--trust", pki / "trustlist.xml", *anchor_args)
    assert res.exit_code == 0 and bj.strftime("%Y-%m-%d %H:%M") + " +08:00" in res.output, res.output
    assert "valid (TOTAL_PASSED)" in res.output
    res = run("validate", late_package, "--trust", pki / "trustlist.xml", *anchor_args, lang="zh-CN")
    assert "签名有效（TOTAL_PASSED）" in res.output and bj.strftime("%Y-%m-%d %H:%M") + " +08:00" in res.output
    res = run("inspect", late_package)
    assert bj.strftime("%Y-%m-%d %H:%M:%S") + " +08:00" in res.output, res.output
    res = run("--tz", "UTC", "inspect", late_package)
    assert utc.strftime("%Y-%m-%d %H:%M:%S") + " +00:00" in res.output, res.output


def test_log_in_beijing_time_and_json_iso(late_package):
    res = run("log", late_package, "--format", "json")
    times = [e["time"] for e in json.loads(res.output)["entries"] if e.get("time")]
    assert times and all(re.search(r"([+-]\d\d:\d\d|Z)$", t) for t in times), times
    expected = {dt.datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(UTC) for t in times}
    res = run("log", late_package, columns=100)
    assert res.exit_code == 0
    for t in expected:
        assert (t + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") + " +08:00" in res.output, res.output
    res = run("--tz", "UTC", "log", late_package, columns=100)
    for t in expected:
        assert t.strftime("%Y-%m-%d %H:%M") + " +00:00" in res.output, res.output


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_unknown_tz_exits_2_in_both_languages(late_package, lang):
    res = CliRunner().invoke(main, ["--lang", lang, "--tz", "Mars/Olympus", "inspect", str(late_package)])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert ("未知时区" if lang == "zh-CN" else "unknown time zone") in res.output


# --- 80 columns -------------------------------------------------------------------------------------------

def _lines_fit(text: str, width: int = 80, *, whole: str = "\0") -> list[str]:
    """The lines of `text`, asserting each fits `width` cells; a line holding `whole` (the package path,
    printed unbroken so that it can be copied) is exempt."""
    lines = text.splitlines()
    long = [line for line in lines if cell_len(line) > width and whole not in line]
    assert not long, long
    return lines


def test_stacked_never_breaks_a_word_at_80_columns():
    from edossier.report.text import stacked

    name = ("Intermediate People's Procuratorate of the Shenzhen Municipality Guangdong Province "
            "Second Branch for Railway Transport Cases")
    buf = io.StringIO()
    console = Console(file=buf, width=80, no_color=True)
    stacked(console, ("Layer 002", name), [("Signature", indication_text("TOTAL_PASSED", "en")),
                                          ("Signed", show(LATE_UTC))])
    lines = _lines_fit(buf.getvalue())
    assert len(lines) > 3  # the name did wrap
    words = " ".join(line.strip() for line in lines).split()
    for word in name.split():
        assert word in words, word  # every word whole on one line
    assert any("2026-11-21 01:30 +08:00" in line for line in lines)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_text_report_at_80_columns_keeps_agency_names_whole(three_layers, trust, lang):
    from edossier.report.text import render_text
    from edossier.validation.pipeline import validate_package

    rep = validate_package(three_layers["packages"][-1], trust=trust)
    buf = io.StringIO()
    render_text([rep], Console(file=buf, width=80, no_color=True), lang)
    lines = _lines_fit(buf.getvalue())
    for layer in rep.layers:
        assert any(layer.record.agency.name in line for line in lines), layer.record.agency.name
    plain = "签名有效（TOTAL_PASSED）" if lang == "zh-CN" else "valid (TOTAL_PASSED)"
    assert sum(plain in line for line in lines) == 3


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_inspect_at_80_columns(three_layers, lang):
    res = run("inspect", three_layers["packages"][-1], lang=lang, columns=80)
    assert res.exit_code == 0, res.output
    lines = _lines_fit(res.output, whole=str(three_layers["packages"][-1]))
    summary = json.loads(run("inspect", three_layers["packages"][-1], "--format", "json").output)
    for layer in summary["layers"]:
        assert layer["agency"] and any(layer["agency"] in line for line in lines), layer["agency"]
    # member names are not cut mid-name by a squeezed column
    assert summary["documents"]
    for doc in summary["documents"]:
        assert any(doc["file"] in line for line in lines), doc["file"]
        assert any(doc["title"] in line for line in lines), doc["title"]  # short titles are not folded
