"""Stats as JSON, CSV, text or a self-contained HTML dashboard (charts as inline SVG).

The HTML page has no scripts and no external resources: charts are drawn with matplotlib (imported
only here, with its SVG backend and no pyplot state) and inlined as <svg> elements. Neither the page
nor its charts depend on the fonts installed where it is read (issue #16): the page embeds its own
subset CJK web font (webfont.py), and chart text is drawn as paths in the same font, registered with
matplotlib. The figures are the dict of `Stats.to_dict()`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from ..version import __version__
from ..i18n import section, t
from ..report.html import BASE_CSS, MONO, e
from ..webfont import embed, matplotlib_family

# The "fully electronic and signed" tile is coloured by threshold (docs/stats.md): at or above OK green,
# at or above WARN amber, below it red; no packages: uncoloured.
FULLY_ELECTRONIC_OK = 0.9
FULLY_ELECTRONIC_WARN = 0.5

def _kind(kind: str, zh: bool) -> str:
    from ..caserules.periods import KINDS

    return KINDS.get(kind, (kind, kind))[0 if zh else 1]


# role → (zh, en), from the message catalogue (edossier.i18n)
ROLE_NAMES = {role: (t(f"role.{role}", "zh-CN"), t(f"role.{role}", "en"))
              for role in ("police", "procuratorate", "court", "justice", "supervision")}
ROLE_NAMES["?"] = (t("role.unknown", "zh-CN"), t("role.unknown", "en"))

# the dashboard's labels, from the message catalogue (edossier.i18n, section stats)
_L = {lang: {**section("stats", lang), "states": section("stats.states", lang), "sev": section("severity", lang)}
      for lang in ("en", "zh-CN")}

_CSS = BASE_CSS + """
h1{font-size:1.5rem;margin:.2rem 0 .3rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;
border-bottom:1px solid var(--line);padding-bottom:.2rem}
.meta,.note{color:var(--muted);font-size:.85em}
.tiles{display:flex;flex-wrap:wrap;gap:.6rem;margin:.5rem 0}
.tile{border:1px solid var(--line);border-radius:6px;padding:.5rem .9rem;min-width:9rem}
.tile .v{font-size:1.5rem;font-weight:700}.tile .k{color:var(--muted);font-size:.85em}
.tile.bad .v{color:var(--bad)}.tile.ok .v{color:var(--ok)}.tile.warn .v{color:var(--warn)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:1rem}
figure.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:.4rem}
figure.chart svg{width:100%;height:auto;display:block}
figcaption{font-size:.85em;color:var(--muted);text-align:center}
table{border-collapse:collapse;width:100%;margin:.3rem 0}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
code,td.loc{font-family:@MONO;font-size:.85em;word-break:break-all}
tr.expired td:first-child{border-left:4px solid var(--bad)}tr.due-soon td:first-child,tr.near td:first-child
{border-left:4px solid var(--warn)}
.state-expired{color:var(--bad);font-weight:700}.state-due-soon,.state-near{color:var(--warn);font-weight:600}
.sev-supervision{color:#8250df}.tile.sup .v{color:#8250df}.sev-error{color:var(--bad)}.sev-warning{color:var(--warn)}.sev-info{color:var(--info)}
""".replace("@MONO", MONO)


def _lang(lang: str) -> str:
    return "zh-CN" if lang.startswith("zh") else "en"


# --- JSON and CSV ---------------------------------------------------------------------------------------

def render_json(figures: dict, meta: dict | None = None) -> str:
    return json.dumps({"stats_version": "0.1", "tool": {"name": "edossier", "version": __version__},
                       **(meta or {}), **figures}, ensure_ascii=False, indent=2) + "\n"


def csv_rows(figures: dict):
    """(section, key, metric, value) rows: one tidy table for a spreadsheet or pandas."""
    for metric, value in figures["totals"].items():
        yield "totals", "", metric, value
    for section in ("by_agency", "by_stage", "by_month"):
        for row in figures[section]:
            for metric, value in row.items():
                if metric != "key":
                    yield section, row["key"], metric, value
    for row in figures["handover"]:
        for metric, value in row.items():
            if metric != "transition":
                yield "handover", row["transition"], metric, value
    for row in figures["codes"]:
        for metric in ("severity", "packages", "occurrences"):
            yield "codes", row["code"], metric, row[metric]
    d = figures["deadlines"]
    for metric in ("expired", "expired_open", "due_soon", "near"):
        yield "deadlines", "", metric, d[metric]
    for row in d["by_period"]:
        for metric in ("expired", "due_soon", "near"):
            yield "deadlines_by_period", row["period"], metric, row[metric]
    for row in d["list"]:
        key = f"{row['package']}#{row['period']}#{row['person']}"
        for metric in ("case_number", "state", "open", "start", "end", "days_left"):
            yield "deadline", key, metric, row[metric]


def render_csv(figures: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(("section", "key", "metric", "value"))
    for row in csv_rows(figures):
        w.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


# --- charts -----------------------------------------------------------------------------------------------

_SVG_HEAD = re.compile(r"^.*?(<svg\b)", re.S)


def _figure(width: float, height: float):
    import matplotlib

    # text as paths in the bundled CJK font: the chart's Chinese needs no installed font to be read
    matplotlib.rcParams.update({"svg.fonttype": "path", "svg.hashsalt": "edossier",
                                "font.family": ["sans-serif"],
                                "font.sans-serif": [matplotlib_family(), "DejaVu Sans"],
                                "axes.spines.top": False, "axes.spines.right": False, "font.size": 9})
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _svg(fig, label: str) -> str:
    import logging
    import warnings

    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.StringIO()
    FigureCanvasSVG(fig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a character the bundled font lacks (drawn as its box): not fatal
        level = logging.getLogger("matplotlib.font_manager").level
        logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
        try:
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            logging.getLogger("matplotlib.font_manager").setLevel(level)
    svg = _SVG_HEAD.sub(r"\1", buf.getvalue(), count=1)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{e(label)}" ', 1)


def _barh(labels, series, colours, names, title, *, width=6.4, integer=True):
    fig = _figure(width, max(1.6, 0.32 * len(labels) + 0.9))
    ax = fig.add_subplot()
    left = [0] * len(labels)
    ys = list(range(len(labels)))[::-1]
    for values, colour, name in zip(series, colours, names):
        ax.barh(ys, values, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(ys, labels)
    ax.set_title(title, fontsize=10)
    if integer:
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series) > 1:
        _legend_below(fig, len(series))
    return fig


def _legend_below(fig, ncol: int) -> None:
    """The legend outside the axes, under the figure: it never covers a bar (constrained layout makes
    room for it; issue #16)."""
    fig.legend(fontsize=8, frameon=False, loc="outside lower center", ncol=ncol)


def _no_data(ax, text: str) -> None:
    """An empty chart says so in words instead of showing an axis with meaningless ticks."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=10, color="#57606a", transform=ax.transAxes)


def charts(figures: dict, lang: str) -> list[tuple[str, str]]:
    """(caption, inline SVG) for each chart."""
    return [(cap, _svg(fig, label)) for cap, label, fig in chart_figures(figures, lang)]


def chart_figures(figures: dict, lang: str) -> list[tuple[str, str, object]]:
    """(caption, accessible label, matplotlib Figure) for each chart."""
    L = _L[lang]
    zh = lang == "zh-CN"
    out = []
    months = [r for r in figures["by_month"] if r["packages"]]
    if months:
        fig = _figure(6.4, 2.8)
        ax = fig.add_subplot()
        xs = list(range(len(months)))
        acc = [r["accepted"] for r in months]
        rej = [r["rejected"] for r in months]
        ax.bar(xs, acc, color="#1a7f37", label=L["accepted"])
        ax.bar(xs, rej, bottom=acc, color="#cf222e", label=L["rejected"])
        step = max(1, len(months) // 12)
        ax.set_xticks(xs[::step], [r["key"] for r in months][::step], rotation=45, ha="right", fontsize=8)
        ax.set_title(L["ch_month"], fontsize=10)
        _legend_below(fig, 2)
        out.append((L["ch_month"], L["ch_month"], fig))
    agencies = [r for r in figures["by_agency"] if r["layers"]][:20]
    if agencies:
        fig = _barh([r["key"] for r in agencies], [[r["layers"] for r in agencies]], ["#0969da"], [L["layers"]],
                    L["ch_agency"])
        out.append((L["ch_agency"], L["ch_agency"], fig))
    hand = [r for r in figures["handover"] if r["count"]]
    if hand:
        def label(t):
            if t == "*":
                return L["all"]
            a, _, b = t.partition("→")
            return f"{ROLE_NAMES.get(a, (a, a))[0 if zh else 1]} → {ROLE_NAMES.get(b, (b, b))[0 if zh else 1]}"

        hours = [round(r["median_minutes"] / 60, 1) for r in hand]
        fig = _barh([label(r["transition"]) for r in hand], [hours], ["#8250df"], [L["median"]], L["ch_handover"],
                    integer=False)
        # all hand-overs within minutes: an axis from 0, never the −0.04…0.04 of an all-zero range
        fig.axes[0].set_xlim(0, max(hours) * 1.05 if max(hours) > 0 else 1)
        out.append((L["ch_handover"], L["ch_handover"], fig))
    else:
        fig = _figure(6.4, 1.6)
        ax = fig.add_subplot()
        ax.set_title(L["ch_handover"], fontsize=10)
        _no_data(ax, L["no_handover"])
        out.append((L["ch_handover"], f'{L["ch_handover"]}: {L["no_handover"]}', fig))
    codes = figures["codes"][:12]
    if codes:
        colour = {"supervision": "#8250df", "error": "#cf222e", "warning": "#9a6700", "info": "#0969da"}
        fig = _figure(6.4, max(1.6, 0.32 * len(codes) + 0.9))
        ax = fig.add_subplot()
        ys = list(range(len(codes)))[::-1]
        ax.barh(ys, [r["packages"] for r in codes], color=[colour.get(r["severity"], "#57606a") for r in codes])
        ax.set_yticks(ys, [r["code"] for r in codes])
        ax.set_title(L["ch_codes"], fontsize=10)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        out.append((L["ch_codes"], L["ch_codes"], fig))
    periods = [r for r in figures["deadlines"]["by_period"] if r["expired"] or r["due_soon"] or r["near"]]
    if periods:
        names = [_kind(r["period"], zh) for r in periods]
        fig = _barh(names, [[r["expired"] for r in periods], [r["due_soon"] for r in periods],
                            [r["near"] for r in periods]], ["#cf222e", "#bf8700", "#eac54f"],
                    [L["expired"], L["due_soon"], L["near"]], L["ch_deadlines"])
        out.append((L["ch_deadlines"], L["ch_deadlines"], fig))
    return out


# --- HTML -------------------------------------------------------------------------------------------------

def _duration(minutes, L) -> str:
    if minutes is None:
        return L["none"]
    if minutes < 120:
        return f"{minutes:g} {L['minutes']}"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} {L['hours']}"
    return f"{minutes / 1440:.1f} {L['days']}"


def _share_class(share) -> str:
    """The tile class of the fully-electronic share (thresholds FULLY_ELECTRONIC_OK/WARN)."""
    if share is None:
        return ""
    return "ok" if share >= FULLY_ELECTRONIC_OK else "warn" if share >= FULLY_ELECTRONIC_WARN else "bad"


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _group_table(rows, first: str, L, lang, *, role: bool = False) -> str:
    cols = ["packages", "supervision", "accepted", "rejected", "not_checked", "fully_electronic", "layers", "documents",
            "pages"]
    head = f"<th>{e(L[first])}</th>" + (f"<th>{e(L['role'])}</th>" if role else "") + "".join(
        f"<th>{e(L[c])}</th>" for c in cols)
    body = []
    for r in rows:
        cells = f"<td>{e(r['key'])}</td>"
        if role:
            name = ROLE_NAMES.get(r.get("role") or "?", ("?", "?"))[0 if lang == "zh-CN" else 1]
            cells += f"<td>{e(name)}</td>"
        cells += "".join(f'<td class="n">{r[c]:,}</td>' for c in cols)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_html(figures: dict, *, lang: str = "en", meta: dict | None = None,
                generated: dt.datetime | None = None, tz: dt.tzinfo | None = None) -> str:
    """The dashboard: one self-contained HTML page; times in `tz` (default Asia/Shanghai, timefmt.zone)."""
    from ..timefmt import show

    lang = _lang(lang)
    L = _L[lang]
    zh = lang == "zh-CN"
    meta = meta or {}
    t = figures["totals"]
    when = show(generated or dt.datetime.now(dt.timezone.utc), tz, seconds=True)
    parts = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
             f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
             f'<meta name="generator" content="edossier {e(__version__)}">\n<title>{e(L["title"])}</title>\n'
             f"<style>{_CSS}</style>\n</head>\n<body>\n"]
    info = [f'{e(L["generated"])}: {e(when)}']
    if meta.get("judged_at"):
        info.append(f'{e(L["at"])}: {e(show(meta["judged_at"], tz, seconds=True))}')
    if meta.get("executor"):
        info.append(f'{e(L["run"])}: {e(meta["executor"])}')
    parts.append(f'<header><h1>{e(L["title"])}</h1><div class="meta">{" · ".join(info)}</div></header>')

    # supervision first (issue #15): packages with a period run out or about to, whatever their verdict
    tiles = [("supervision", t["supervision"], "sup" if t["supervision"] else ""), ("packages", t["packages"], ""),
             # a colour says something is there: 0 accepted is not good news, 0 rejected is not bad news
             ("accepted", t["accepted"], "ok" if t["accepted"] else ""),
             ("rejected", t["rejected"], "bad" if t["rejected"] else ""),
             ("not_checked", t["not_checked"], "bad" if t["not_checked"] else ""), ("layers", t["layers"], ""),
             ("documents", t["documents"], ""), ("pages", t["pages"], "")]
    html_tiles = "".join(f'<div class="tile {c}" data-metric="{k}"><div class="v">{v:,}</div>'
                         f'<div class="k">{e(L[k])}</div></div>' for k, v, c in tiles)
    html_tiles += (f'<div class="tile {_share_class(t["fully_electronic_share"])}" data-metric="fully_electronic">'
                   f'<div class="v">'
                   f'{_pct(t["fully_electronic_share"])}</div><div class="k">{e(L["fully_electronic"])} '
                   f'({t["fully_electronic"]:,})</div></div>')
    d = figures["deadlines"]
    html_tiles += (f'<div class="tile{" bad" if d["expired"] else ""}" data-metric="expired"><div class="v">{d["expired"]:,}</div>'
                   f'<div class="k">{e(L["expired"])} ({e(L["expired_open"])}: {d["expired_open"]:,})</div></div>')
    parts.append(f'<section id="overview"><h2>{e(L["overview"])}</h2><div class="tiles">{html_tiles}</div></section>')

    figs = charts(figures, lang)
    if figs:
        parts.append('<section id="charts"><div class="charts">' + "".join(
            f'<figure class="chart">{svg}<figcaption>{e(cap)}</figcaption></figure>' for cap, svg in figs)
            + "</div></section>")

    # overdue list
    rows = []
    for r in d["list"]:
        name = _kind(r["period"], zh)
        state = L["states"][r["state"]] + ("" if r["open"] or r["state"] != "expired" else f" ({L['closed_late']})")
        case = f'{e(r["case_number"] or "–")}<div class="note">{e(r["case_name"] or "")}</div>'
        rows.append(f'<tr class="{e(r["state"])}"><td><span class="state-{e(r["state"])}">{e(state)}</span></td>'
                    f"<td>{e(name)}</td><td>{e(r['person'] or '–')}</td><td>{case}</td><td>{e(show(r['end'], tz))}</td>"
                    f'<td class="n">{r["days_left"]}</td><td class="loc">{e(r["package"])}</td></tr>')
    parts.append(f'<section id="deadlines"><h2>{e(L["deadlines"])}</h2>')
    if rows:
        note = L["listed"].format(n=d["listed"], t=d["expired"] + d["due_soon"] + d["near"])
        head = "".join(f"<th>{e(L[k])}</th>" for k in ("state", "period", "person", "case", "end", "days_left",
                                                       "package"))
        parts.append(f'<p class="note">{e(note)}</p><table id="overdue-list"><thead><tr>{head}</tr></thead>'
                     f'<tbody>{"".join(rows)}</tbody></table>')
    else:
        parts.append(f'<p class="note">{e(L["no_deadlines"])}</p>')
    parts.append("</section>")

    parts.append(f'<section id="by-agency"><h2>{e(L["by_agency"])}</h2><p class="note">{e(L["note_groups"])}</p>'
                 + _group_table(figures["by_agency"], "agency", L, lang, role=True) + "</section>")
    parts.append(f'<section id="by-stage"><h2>{e(L["by_stage"])}</h2>'
                 + _group_table(figures["by_stage"], "stage", L, lang) + "</section>")
    parts.append(f'<section id="by-month"><h2>{e(L["by_month"])}</h2>'
                 + _group_table(figures["by_month"], "month", L, lang) + "</section>")

    hrows = []
    for r in figures["handover"]:
        if r["transition"] == "*":
            label = L["all"]
        else:
            a, _, b = r["transition"].partition("→")
            label = (f"{ROLE_NAMES.get(a, (a, a))[0 if zh else 1]} → {ROLE_NAMES.get(b, (b, b))[0 if zh else 1]}")
        hrows.append(f"<tr><td>{e(label)}</td><td class='n'>{r['count']:,}</td>"
                     + "".join(f"<td class='n'>{e(_duration(r[k], L))}</td>"
                               for k in ("median_minutes", "p90_minutes", "mean_minutes", "min_minutes", "max_minutes"))
                     + "</tr>")
    head = "".join(f"<th>{e(L[k])}</th>" for k in ("transition", "count", "median", "p90", "mean", "min", "max"))
    parts.append(f'<section id="handover"><h2>{e(L["handover"])}</h2><p class="note">{e(L["note_handover"])}</p>'
                 f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(hrows)}</tbody></table></section>")

    crows = []
    for r in figures["codes"][:50]:
        # one real occurrence, every parameter filled as the package reported it (issue #16), with
        # where it was found; never the bare template with its {placeholders}
        ex = r.get("example") or {}
        msg = (ex.get("message") or {}).get("zh-CN" if zh else "en", "")
        where = f'<div class="note"><code>{e(ex["location"])}</code></div>' if ex.get("location") else ""
        sev = L["sev"].get(r["severity"], r["severity"])
        crows.append(f"<tr><td><code>{e(r['code'])}</code></td><td class='sev-{e(r['severity'])}'>{e(sev)}"
                     f"</td><td class='n'>{r['packages']:,}</td><td class='n'>{r['occurrences']:,}</td>"
                     f"<td>{e(msg)}{where}</td></tr>")
    head = "".join(f"<th>{e(L[k])}</th>" for k in ("code", "severity", "packages", "occurrences", "message"))
    body = (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(crows)}</tbody></table>" if crows
            else f'<p class="note">{e(L["no_codes"])}</p>')
    parts.append(f'<section id="codes"><h2>{e(L["codes"])}</h2>{body}</section>')
    parts.append("</body>\n</html>\n")
    return embed("\n".join(parts))


# --- text (terminal) --------------------------------------------------------------------------------------

def render_text(figures: dict, console, lang: str = "en", *, max_rows: int = 15, tz: dt.tzinfo | None = None) -> None:
    """A short summary for the terminal (rich Console); times in `tz` (default Asia/Shanghai)."""
    from rich.table import Table

    from ..timefmt import show

    lang = _lang(lang)
    L = _L[lang]
    zh = lang == "zh-CN"
    t, d = figures["totals"], figures["deadlines"]
    console.print(f"{L['supervision']}: {t['supervision']:,}  {L['packages']}: {t['packages']:,}  {L['accepted']}: {t['accepted']:,}  "
                  f"{L['rejected']}: {t['rejected']:,}  {L['not_checked']}: {t['not_checked']:,}  "
                  f"{L['layers']}: {t['layers']:,}  {L['documents']}: {t['documents']:,}  {L['pages']}: {t['pages']:,}",
                  markup=False, soft_wrap=True)
    console.print(f"{L['fully_electronic']}: {_pct(t['fully_electronic_share'])}  ·  {L['expired']}: {d['expired']:,} "
                  f"({L['expired_open']}: {d['expired_open']:,})  ·  {L['due_soon']}: {d['due_soon']:,}  ·  "
                  f"{L['near']}: {d['near']:,}", markup=False, soft_wrap=True)

    def table(title, cols):
        tb = Table(title=title, box=None, header_style="bold", title_justify="left")
        for c in cols:
            tb.add_column(c, overflow="fold")
        return tb

    cols = ("packages", "accepted", "rejected", "layers", "documents", "pages")
    tb = table(L["by_agency"], [L["agency"]] + [L[c] for c in cols])
    for r in figures["by_agency"][:max_rows]:
        tb.add_row(r["key"], *(f"{r[c]:,}" for c in cols))
    console.print(tb)
    tb = table(L["handover"], [L["transition"], L["count"], L["median"], L["p90"]])
    for r in figures["handover"]:
        if r["transition"] == "*":
            label = L["all"]
        else:
            a, _, b = r["transition"].partition("→")
            label = f"{ROLE_NAMES.get(a, (a, a))[0 if zh else 1]} → {ROLE_NAMES.get(b, (b, b))[0 if zh else 1]}"
        tb.add_row(label, f"{r['count']:,}", _duration(r["median_minutes"], L), _duration(r["p90_minutes"], L))
    console.print(tb)
    tb = table(L["codes"], [L["code"], L["severity"], L["packages"], L["occurrences"]])
    for r in figures["codes"][:max_rows]:
        tb.add_row(r["code"], L["sev"].get(r["severity"], r["severity"]), f"{r['packages']:,}", f"{r['occurrences']:,}")
    console.print(tb)
    if d["list"]:
        tb = table(L["deadlines"], [L["state"], L["period"], L["person"], L["case"], L["end"], L["days_left"],
                                    L["package"]])
        for r in d["list"][:max_rows]:
            tb.add_row(L["states"][r["state"]], _kind(r["period"], zh),
                       r["person"] or "–", r["case_number"] or "–", show(r["end"], tz), str(r["days_left"]), r["package"])
        console.print(tb)
