"""The container checks' short reasons (member names, member kinds, unreadable data) in Chinese, for the
`detail_zh` of C005, C011, C108 and C110 findings. A reason that is not one of these (an operating
system's message) is shown as it is."""

from __future__ import annotations

import re

_EXACT = {
    "empty name": "名称为空", "NUL character": "含 NUL 字符", "backslash": "含反斜杠",
    "absolute path": "绝对路径", "not in Unicode NFC": "不是 Unicode NFC 规范化形式",
    "longer than 255 bytes": "超过 255 字节", "directory entry": "目录条目",
    "empty, '.' or '..' path segment": "路径中有空段、“.”或“..”",
    "characters outside A-Z a-z 0-9 . _ -": "含 A-Z a-z 0-9 . _ - 以外的字符",
    "reserved device name": "Windows 保留的设备名", "control or non-ASCII character": "含控制字符或非 ASCII 字符",
    "a path segment ends with '.' (Windows drops it)": "路径段以“.”结尾（Windows 会将其去掉）",
    "UTF-8 flag set but the name is not valid UTF-8": "设置了 UTF-8 标志，但名称不是有效的 UTF-8",
    "non-ASCII name without the UTF-8 flag (CP437 or a local code page?)":
        "名称含非 ASCII 字符却未设置 UTF-8 标志（CP437 或本地代码页？）",
    "Info-ZIP Unicode path or comment extra field (other tools would show another name)":
        "含 Info-ZIP Unicode 路径或注释扩展字段（其他工具会显示另一个名称）",
    "Info-ZIP Unicode path extra field (other tools would show another name)":
        "含 Info-ZIP Unicode 路径扩展字段（其他工具会显示另一个名称）",
    "symbolic link": "符号链接", "directory": "目录",
    "the member's data is cut off": "成员数据被截断",
    "bytes after the end of the compressed stream": "压缩流结束后还有数据",
    "the compressed stream is incomplete": "压缩流不完整",
}
_PATTERNS = [
    (re.compile(r"special file \(mode (0o[0-7]+)\)"), r"特殊文件（模式 \1）"),
    (re.compile(r"compression method (\d+)"), r"压缩方法 \1"),
    (re.compile(r"decompresses to more than its declared (\d+) bytes"), r"解压后超过声明的 \1 字节"),
    (re.compile(r"corrupt compressed data \((.*)\)", re.S), r"压缩数据损坏（\1）"),
    (re.compile(r"(\d+) bytes, but (\d+) declared"), r"实有 \1 字节，声明为 \2 字节"),
    (re.compile(r"CRC-32 mismatch \(data ([0-9a-f]+), header ([0-9a-f]+)\)"), r"CRC-32 不符（数据 \1，文件头 \2）"),
]


def reason_zh(reason: str | None) -> str | None:
    """`reason` in Chinese when it is one of the container checks' own; otherwise as it is."""
    if reason is None:
        return None
    if reason in _EXACT:
        return _EXACT[reason]
    for pattern, zh in _PATTERNS:
        if pattern.fullmatch(reason):
            return pattern.sub(zh, reason)
    return reason


__all__ = ["reason_zh"]
