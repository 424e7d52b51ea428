"""`edossier pdfa check FILE.pdf...`: the PDF/A-2 and active-content checks on single PDFs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import click
from rich.console import Console

from edossier.cli.main import EXIT_OK, EXIT_REJECT, EXIT_USAGE, _lang, fail, main, say
from edossier.i18n.explain import pdf_location


@main.group()
def pdfa():
    """PDF/A-2 checks on single files. / 单个 PDF 文件的 PDF/A-2 检查。"""


def _verapdf(path: Path, flavour: str) -> set[str] | None:
    """Rule ids veraPDF reports as failed, or None when it could not run."""
    exe = shutil.which("verapdf")
    if not exe:
        return None
    try:
        proc = subprocess.run([exe, "--flavour", flavour, "--format", "json", str(path)], capture_output=True,
                              text=True, timeout=300)
        data = json.loads(proc.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    failed = set()

    def walk(node):
        if isinstance(node, dict):
            if node.get("status") == "failed" and "clause" in node and "testNumber" in node:
                failed.add(f"{node['clause']}-{node['testNumber']}")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return failed


def _image_issues(path: Path) -> list[dict]:
    from edossier.validation.documents import image_findings

    return [{"rule_id": f.code, "clause": "", "kind": "image" if f.severity == "error" else "image-warning",
             "location": f.location[len(path.name) + 2:-1] if f.location != path.name else "",
             "message": {"zh-CN": f.message_zh, "en": f.message_en}}
            for f in image_findings(path.name, path.read_bytes())]


@pdfa.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--flavour", type=click.Choice(["2b", "2u"]), default=None,
              help="Check against this level (default: from the file's claim) / 按此级别检查（默认取自文件声明）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-active", is_flag=True, help="Skip the active-content policy (PDF/A rules only) / 不检查活动内容")
@click.option("--verapdf", is_flag=True, help="Also run veraPDF (if on PATH) and show disagreements / 同时运行 veraPDF 并对比")
@click.pass_context
def pdfa_check(ctx, files, flavour, fmt, no_active, verapdf):
    """Check PDFs against PDF/A-2b/2u (veraPDF rule ids) and the active-content policy. Exit 0 when
    all are conformant, 1 when any is not, 2 when the check could not run. / 检查 PDF 是否符合 PDF/A-2。"""
    from edossier.pdfa.check import check_pdf

    missing = [f for f in files if not f.is_file()]
    if missing:
        fail(ctx, f"{missing[0]}: no such file", f"{missing[0]}：文件不存在", EXIT_USAGE)
    if verapdf and not shutil.which("verapdf"):
        fail(ctx, "--verapdf: no verapdf executable on PATH", "--verapdf：PATH 中没有 verapdf", EXIT_USAGE)
    zh = _lang(ctx).startswith("zh")
    results = []
    for path in files:
        report = check_pdf(path, flavour=flavour, active_content=not no_active)
        issues = [{"rule_id": i.rule_id, "clause": i.clause, "kind": i.kind, "location": i.location,
                   "message": {"zh-CN": i.message_zh, "en": i.message_en}} for i in report.issues]
        # the image checks validate runs (D006-D008): truncated/corrupt images, JPEGs PDF cannot draw, low dpi
        images = _image_issues(path) if report.pages is not None else []
        issues += images
        entry = {
            "path": str(path),
            "conformant": report.conformant and not any(i["kind"] == "image" for i in images),
            "claimed": report.claimed,
            "flavour": report.flavour,
            "failed_rules": sorted({i["rule_id"] for i in issues if i["kind"] != "image-warning"}),
            "issues": issues,
        }
        if verapdf:
            theirs = _verapdf(path, report.flavour)
            ours = {i.rule_id for i in report.issues if i.kind == "pdfa"}
            entry["verapdf"] = None if theirs is None else {
                "failed_rules": sorted(theirs), "only_ours": sorted(ours - theirs), "only_verapdf": sorted(theirs - ours)}
        results.append(entry)
    if fmt == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        console = Console(highlight=False)
        for entry in results:
            ok = entry["conformant"]
            verdict = ("符合" if ok else "不符合") if zh else ("CONFORMANT" if ok else "NOT CONFORMANT")
            console.print(f"[{'green' if ok else 'red'}]{verdict}[/]  {entry['path']}  "
                          f"(PDF/A-{entry['claimed'] or '?'} → {entry['flavour']})", soft_wrap=True)
            for issue in entry["issues"]:
                where = f" [{pdf_location(issue['location'], _lang(ctx))}]" if issue["location"] else ""
                console.print(f"    {issue['rule_id']}{where}: {issue['message']['zh-CN' if zh else 'en']}",
                              markup=False, soft_wrap=True)
            v = entry.get("verapdf")
            if v:
                console.print(f"    veraPDF: 仅本工具发现 {v['only_ours'] or '-'}，仅 veraPDF 发现 {v['only_verapdf'] or '-'}"
                              if zh else f"    veraPDF: only ours {v['only_ours'] or '-'}, only veraPDF "
                              f"{v['only_verapdf'] or '-'}", markup=False)
        if len(results) > 1:
            bad = sum(not e["conformant"] for e in results)
            say(ctx, f"{len(results)} file(s): {len(results) - bad} conformant, {bad} not.",
                f"共 {len(results)} 个文件：{len(results) - bad} 个符合，{bad} 个不符合。")
    ctx.exit(EXIT_OK if all(e["conformant"] for e in results) else EXIT_REJECT)
