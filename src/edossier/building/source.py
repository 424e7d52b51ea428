"""Reading a build source: a folder with `dossier.toml` and the scans and PDFs it names.

The TOML is validated against schemas/dossier-source-0.1.schema.json; every error names the key
(as a dotted path such as `documents[2].date`) and the line in dossier.toml where it is.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jsonschema

from ..resources import schema_bytes
from ..errors import UserError
from ..i18n import t
from ..i18n.explain import schema_error, toml_error

SOURCE_FILE = "dossier.toml"
MAX_TOML_BYTES = 4 * 1024 * 1024


class SourceError(UserError):
    """A problem with a build source; carries English and Chinese messages. `problems` lists every
    problem found, (en, zh) each, when there are several (the first is the message): `lint` shows them all."""

    def __init__(self, en: str, zh: str, problems: list[tuple[str, str]] | None = None):
        super().__init__(en, zh)
        self.problems = problems or [(en, zh)]


@dataclass(frozen=True)
class Source:
    folder: Path
    data: dict  # validated TOML, dates and times as ISO strings

    def file(self, rel: str, key: str | None = None) -> Path:
        """Resolve a file named in the source, refusing anything outside the source folder, missing or unreadable.

        `key` is the dotted key that names the file (e.g. `documents[0].files[1]`); when it is not given,
        the key is looked up in the source. Every error names the key and the path.
        """
        key = key or self._key_of(rel)
        where = f"{SOURCE_FILE}: key '{key}': " if key else ""
        where_zh = f"{SOURCE_FILE}：键 '{key}'：" if key else ""
        path = (self.folder / rel).resolve()
        if not path.is_relative_to(self._root):
            raise SourceError(f"{where}{rel}: the file is outside the source folder",
                              f"{where_zh}{rel}：文件不在源文件夹之内")
        if not path.is_file():
            raise SourceError(f"{where}{rel}: no such file in {self.folder}",
                              f"{where_zh}{rel}：源文件夹 {self.folder} 中没有该文件")
        try:
            with open(path, "rb") as fh:
                fh.read(1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise SourceError(f"{where}{rel}: cannot be read ({reason}): {path}",
                              f"{where_zh}{rel}：无法读取（{reason}）：{path}") from None
        return path

    @cached_property
    def _root(self) -> Path:
        return self.folder.resolve()

    def _key_of(self, rel: str) -> str | None:
        return self._keys.get(rel)

    @cached_property
    def _keys(self) -> dict[str, str]:
        """Each file name to the first key that names it: one pass, not one per file (a 1,000-page
        source asked once per page, #19)."""
        keys: dict[str, str] = {}
        for i, d in enumerate(self.data.get("documents", [])):
            for j, f in enumerate(d.get("files", [])):
                if isinstance(f, str):
                    keys.setdefault(f, f"documents[{i}].files[{j}]")
        return keys


def _plain(value):
    """TOML dates and times become ISO strings so that JSON Schema can check them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.isoformat() + "!no-offset"
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def load_source(folder: Path) -> Source:
    folder = Path(folder)
    toml_path = folder / SOURCE_FILE
    if not folder.is_dir():
        raise SourceError(f"{folder}: not a folder", f"{folder}：不是文件夹")
    if not toml_path.is_file():
        raise SourceError(f"{toml_path}: missing; a source folder needs a {SOURCE_FILE}",
                          f"{toml_path}：不存在；源文件夹中必须有 {SOURCE_FILE}")
    raw = toml_path.read_bytes()[: MAX_TOML_BYTES + 1]
    if len(raw) > MAX_TOML_BYTES:
        raise SourceError(f"{toml_path}: larger than {MAX_TOML_BYTES} bytes", f"{toml_path}：超过 {MAX_TOML_BYTES} 字节")
    try:
        # Notepad and some Windows editors save UTF-8 with a byte-order mark; TOML does not allow it,
        # but it carries no meaning, so it is dropped rather than refused (#16).
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise SourceError(f"{toml_path}: not UTF-8 ({exc.reason} at byte {exc.start})",
                          f"{toml_path}：不是 UTF-8 编码（第 {exc.start} 字节）") from None
    except tomllib.TOMLDecodeError as exc:
        en, zh = toml_error(exc)
        raise SourceError(f"{toml_path}: {en}", f"{toml_path}：{zh}") from None
    plain = _plain(data)
    schema = json.loads(schema_bytes("dossier-source-0.1.schema.json"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    # in the order of the file: documents[2] before documents[10] (list indexes compare as numbers)
    errors = sorted(validator.iter_errors(plain),
                    key=lambda e: [(p, "") if isinstance(p, int) else (-1, str(p)) for p in e.absolute_path])
    problems = []
    seen_keys = set()
    for err in errors:  # every one, each with its key and line (lint shows them all); one per key
        path = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            path.append(sorted(set(err.instance) - set(err.schema.get("properties", {})))[0])
        key = _dotted(path)
        if key in seen_keys:
            continue
        seen_keys.add(key)
        line = _find_line(text, path)
        where = f"{toml_path.name}:{line}" if line else toml_path.name
        en, zh = schema_error(err)
        problems.append((t("schema.key", "en", where=where, key=key, msg=en),
                         t("schema.key", "zh-CN", where=where, key=_dotted(path, "zh-CN"), msg=zh)))
    problems += _check_unique(plain, text, toml_path)
    try:
        problems += _check_codes(plain, text, toml_path)
    except (KeyError, TypeError, AttributeError):
        pass  # the schema errors above say why the values cannot be looked up
    if problems:
        raise SourceError(*problems[0], problems=problems)
    _default_titles(plain)
    return Source(folder, plain)


def _default_titles(plain: dict) -> None:
    """A document without `title` is titled with its type's name in the code list (`type = "C035"` or
    "到案经过" gives "到案经过"): most forms are filed under their type's name, and a clerk should not
    have to write it twice (#16)."""
    from ..caserules import codelist

    types = codelist.document_types()
    for d in plain.get("documents", []):
        if "title" not in d:
            entry = types.lookup(d["type"])
            d["title"] = entry.zh if entry is not None else d["type"]


def _check_codes(plain: dict, text: str, toml_path: Path) -> list[tuple[str, str]]:
    """Document and event types and the procedure must be in the code lists, a declared profile must exist
    (docs/caserules.md); each problem names the key and suggests the closest known values."""
    from ..caserules import codelist
    from ..caserules.profiles import profile_names

    problems = []

    def refuse(path: list, en: str, zh: str) -> None:
        line = _find_line(text, path)
        where = f"{toml_path.name}:{line}" if line else toml_path.name
        key = _dotted(path)
        problems.append((f"{where}: key '{key}': {en}", f"{where}：键 '{key}'：{zh}"))

    for what, zh_what, items, cl in (("document type", "文书类型", plain.get("documents", []), codelist.document_types()),
                                     ("event type", "事件类型", plain.get("events", []), codelist.event_types())):
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                continue  # a schema error already names it
            if cl.lookup(item["type"]) is None:
                en, zh = codelist.suggestion_text(cl.suggest(item["type"]))
                refuse([("documents" if cl is codelist.document_types() else "events"), i, "type"],
                       f"unknown {what} {item['type']!r} (code list {cl.uri} {cl.version}); {en}",
                       f"未知的{zh_what}“{item['type']}”（代码表 {cl.uri} {cl.version}）；{zh}")
    procedure = plain.get("case", {}).get("procedure")
    if isinstance(procedure, str) and codelist.resolve_procedure(procedure) is None:
        # a free-text procedure would leave 认罪认罚 and the trial track to guesswork (docs/caserules.md#procedures)
        cl = codelist.procedures()
        en, zh = codelist.suggestion_text(cl.suggest(procedure))
        refuse(["case", "procedure"], f"unknown procedure {procedure!r} (code list {cl.uri} {cl.version}); {en}",
               f"未知的办理程序“{procedure}”（代码表 {cl.uri} {cl.version}）；{zh}")
    profile = plain.get("layer", {}).get("profile")
    if profile is not None and profile not in profile_names():
        known = ", ".join(profile_names())
        refuse(["layer", "profile"], f"unknown profile {profile!r}; known profiles: {known}",
               f"未知的阶段规则“{profile}”；可用的阶段规则：{known}")
    return problems


def _check_unique(plain: dict, text: str, toml_path: Path) -> list[tuple[str, str]]:
    """A volume or document id given twice: named by its key and line here, in the source the clerk
    edits, rather than later by the record schema's unique constraint with a line of the generated XML."""
    problems = []
    for table, what, zh_what in (("volumes", "volume", "卷"), ("documents", "document", "文书")):
        items = plain.get(table)
        first: dict[str, int] = {}
        for i, item in enumerate(items if isinstance(items, list) else []):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str):
                continue  # a schema error already names it
            if ident not in first:
                first[ident] = i
                continue
            line = _find_line(text, [table, i, "id"])
            earlier = _find_line(text, [table, first[ident], "id"])
            where = f"{toml_path.name}:{line}" if line else toml_path.name
            key = _dotted([table, i, "id"])
            earlier_key = _dotted([table, first[ident], "id"])
            problems.append((f"{where}: key '{key}': {what} id {ident!r} is already used by '{earlier_key}' "
                             f"(line {earlier}); give each {what} its own id",
                             f"{where}：键 '{key}'：{zh_what}编号“{ident}”已被 '{earlier_key}'（第 {earlier} 行）使用；"
                             f"每个{zh_what}须有自己的编号"))
    return problems


def _dotted(path, lang: str = "en") -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or t("schema.top_level", lang)


def _find_line(text: str, path: list) -> int | None:
    """Best-effort line number of a key path like ['documents', 2, 'date'] in TOML text."""
    lines = text.splitlines()
    start = 0
    # Walk the path: the n-th [[array]] header, a [table] header or a `key =` line, each after the last.
    pos = 0
    i = 0
    while i < len(path):
        part = path[i]
        nxt = path[i + 1] if i + 1 < len(path) else None
        if isinstance(nxt, int):
            pattern = re.compile(rf"^\s*\[\[\s*{re.escape(str(part))}\s*\]\]")
            hits = [n for n, line in enumerate(lines) if n >= pos and pattern.match(line)]
            if len(hits) > nxt:
                pos = hits[nxt]
                start = pos
            i += 2
            continue
        # a [table] or [[array]] header first (a misspelled [[volume]] is a header, not the `volume =`
        # key of some document further down), then a `key =` line
        pattern = re.compile(rf"^\s*\[\[?\s*{re.escape(str(part))}\s*\]\]?")
        key_pattern = re.compile(rf"^\s*\"?{re.escape(str(part))}\"?\s*=")
        for matcher in ((pattern, key_pattern) if i == 0 else (key_pattern, pattern)):
            found = next((n for n in range(pos, len(lines)) if matcher.match(lines[n])), None)
            if found is not None:
                pos = start = found
                break
        i += 1
    return start + 1 if path else None


def source_inputs(folder: Path):
    """What a build reads from the source `folder`, as `fsutil.Input`s for `guard_output`: the folder
    (no output may land on any existing file in it), `dossier.toml`, and every scan or PDF the source
    names, labelled with its key. A source that does not load still protects its folder and
    `dossier.toml`; the build then reports the source's error as usual."""
    from ..fsutil import Input

    folder = Path(folder)
    inputs = [Input(folder / SOURCE_FILE, f"the source file {SOURCE_FILE}", f"源文件 {SOURCE_FILE}"),
              Input(folder, "the source folder", "源文件夹", tree=True)]
    try:
        source = load_source(folder)
    except SourceError:
        return inputs
    for i, d in enumerate(source.data.get("documents", [])):
        for j, rel in enumerate(d.get("files", [])):
            key = f"documents[{i}].files[{j}]"
            try:
                path = source.file(rel, key=key)
            except SourceError:
                continue  # missing or outside: the build names it
            inputs.append(Input(path, f"the input file named by {SOURCE_FILE} key '{key}'",
                                f"{SOURCE_FILE} 键 '{key}' 所指的输入文件"))
    return inputs


# --- writing a source from a dict (library callers that hold the case in memory; docs/api.md) --------

def write_source(folder: Path, data: dict) -> Path:
    """Write `data` (the dict that `dossier.toml` would parse to: tables, arrays of tables, strings,
    numbers, booleans, dates) as `folder/dossier.toml`, atomically, and return `folder`; the scans it
    names are the caller's to put beside it. The file is read back and checked with `load_source`, so
    a dict the schema refuses raises SourceError here, naming the key, as a hand-written file would."""
    from ..fsutil import atomic_write_bytes

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    _toml_table(lines, [], data)
    atomic_write_bytes(folder / SOURCE_FILE, "\n".join(lines).lstrip("\n").encode("utf-8") + b"\n")
    load_source(folder)
    return folder


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # a JSON string without ASCII escaping is a TOML basic string: both use \" \\ \n \t \uXXXX
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise SourceError(f"{SOURCE_FILE}: a value of type {type(value).__name__} cannot be written to TOML",
                      f"{SOURCE_FILE}：类型为 {type(value).__name__} 的值无法写入 TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _is_table_array(value) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(lines: list[str], path: list[str], table: dict) -> None:
    # plain keys first: in TOML every key after a [header] belongs to that header's table
    for key, value in table.items():
        if not isinstance(value, dict) and not _is_table_array(value):
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in table.items():
        name = ".".join(_toml_key(k) for k in [*path, key])
        if isinstance(value, dict):
            lines += ["", f"[{name}]"]
            _toml_table(lines, [*path, key], value)
        elif _is_table_array(value):
            for item in value:
                lines += ["", f"[[{name}]]"]
                _toml_table(lines, [*path, key], item)
