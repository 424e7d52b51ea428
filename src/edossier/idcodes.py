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

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "credit_code_check_char",
    "is_valid_credit_code",
    "organization_code_check_char",
    "is_valid_organization_code",
    "resident_id_check_char",
    "is_valid_resident_id",
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
