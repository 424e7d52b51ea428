"""Check characters of credit codes, organisation codes and resident identity numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edossier.idcodes import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    is_valid_credit_code,
    is_valid_organization_code,
    is_valid_resident_id,
    organization_code_check_char,
    resident_id_check_char,
)

credit_prefix = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17)
digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
org_body = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8)


@st.composite
def resident_prefixes(draw):
    """17 digits whose birth-date part is a real date."""
    area = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    born = draw(st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31)))
    seq = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return f"{area}{born:%Y%m%d}{seq}"


# --- known examples -----------------------------------------------------------------------------------

# Published codes of well-known organisations; both the GB 32100 and the embedded GB 11714 check pass.
REAL_CREDIT_CODES = [
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "11100000000013127D",  # 最高人民法院
]


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes(code):
    assert is_valid_credit_code(code)
    assert is_valid_credit_code(code, check_organization_code=True)
    assert is_valid_organization_code(code[8:17])


def test_brief_example_credit_code():
    # The example of the design brief: GB 32100 check character correct, but its embedded
    # organisation code MB2C12345 is not a valid GB 11714 code (the check character would be 8).
    code = "11440300MB2C123452"
    assert credit_code_check_char(code[:17]) == "2"
    assert is_valid_credit_code(code)
    assert organization_code_check_char("MB2C1234") == "8"
    assert not is_valid_credit_code(code, check_organization_code=True)


def test_demo_agency_codes_are_valid():
    from edossier.demo.pki import DEMO_AGENCIES

    for agency in DEMO_AGENCIES:
        assert is_valid_credit_code(agency.credit_code), agency
    assert len({a.credit_code for a in DEMO_AGENCIES}) == len(DEMO_AGENCIES)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "11440300MB2C12345",  # 17 characters
        "11440300MB2C1234522",  # 19
        "11440300MB2C123453",  # wrong check character
        "11440300mb2c123452",  # lower case
        "11440300MB2C12345I",  # I is not in the alphabet
        "1144O300MB2C123452",  # letter O
        "１1440300MB2C123452",  # full-width digit
    ],
)
def test_invalid_credit_codes(code):
    assert not is_valid_credit_code(code)


def test_credit_code_check_char_rejects_bad_prefix():
    with pytest.raises(ValueError):
        credit_code_check_char("1144030")
    with pytest.raises(ValueError):
        credit_code_check_char("11440300MB2C1234I")


def test_not_a_string():
    assert not is_valid_credit_code(None)  # type: ignore[arg-type]
    assert not is_valid_resident_id(12345)  # type: ignore[arg-type]
    assert not is_valid_organization_code(None)  # type: ignore[arg-type]


def test_organization_code_examples():
    assert is_valid_organization_code("71526726X")
    assert is_valid_organization_code("71526726-X")
    assert not is_valid_organization_code("715267261")
    assert organization_code_check_char("19220382") == "1"
    assert organization_code_check_char("00000000") == "0"  # 11 - 0 = 11 -> "0"
    with pytest.raises(ValueError):
        organization_code_check_char("7152672")


@pytest.mark.parametrize(
    "rid",
    [
        "11010519491231002X",  # the GB 11643-1999 example
        "440524188001010014",  # the GB 11643-1999 example
    ],
)
def test_resident_id_examples(rid):
    assert is_valid_resident_id(rid)


@pytest.mark.parametrize(
    "rid",
    [
        "11010519491231002x",  # lower-case x
        "110105194912310021",  # wrong check character
        "11010519491231002",  # too short
        "1101051949123100２X",  # full-width digit
    ],
)
def test_invalid_resident_ids(rid):
    assert not is_valid_resident_id(rid)


@pytest.mark.parametrize(
    "prefix",
    [
        "11010519490230002",  # 30 February
        "11010519491301002",  # month 13
        "11010519490100002",  # day 0
        "11010517991231002",  # before 1800
        "11010520230229002",  # 29 February in a common year
    ],
)
def test_impossible_birth_date_rejected_despite_right_check_char(prefix):
    assert not is_valid_resident_id(prefix + resident_id_check_char(prefix))


def test_leap_day_accepted():
    prefix = "11010520240229002"
    assert is_valid_resident_id(prefix + resident_id_check_char(prefix))


# --- properties -----------------------------------------------------------------------------------------


@given(credit_prefix)
def test_credit_code_completion_is_valid(prefix):
    code = prefix + credit_code_check_char(prefix)
    assert is_valid_credit_code(code)
    assert code[17] in CREDIT_CODE_ALPHABET


@given(credit_prefix, st.integers(0, 17), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_credit_code_single_substitution_detected(prefix, pos, new):
    # 31 is prime and every weight is non-zero mod 31, so every single substitution within the
    # alphabet changes the check character: the claim holds for all positions, check char included.
    code = prefix + credit_code_check_char(prefix)
    if code[pos] == new:
        return
    changed = code[:pos] + new + code[pos + 1 :]
    assert not is_valid_credit_code(changed)


def test_credit_code_single_substitution_exhaustive_for_one_code():
    code = "11440300MB2C123452"
    for pos in range(18):
        for new in CREDIT_CODE_ALPHABET:
            if new != code[pos]:
                assert not is_valid_credit_code(code[:pos] + new + code[pos + 1 :]), (pos, new)


@given(credit_prefix, st.integers(0, 15))
def test_credit_code_adjacent_transposition_detected_in_body(prefix, pos):
    # All 17 weights are distinct mod 31, so swapping two different adjacent characters among the
    # first 17 is always detected. (Swapping position 17 with the check character is not covered.)
    code = prefix + credit_code_check_char(prefix)
    if code[pos] == code[pos + 1]:
        return
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2 :]
    assert not is_valid_credit_code(swapped)


@given(org_body)
def test_organization_code_completion_is_valid(body):
    assert is_valid_organization_code(body + organization_code_check_char(body))


@given(credit_prefix)
def test_fully_valid_credit_code_construction(prefix):
    # Any prefix can be completed to a credit code valid under both checks: the organisation check
    # character (0-9 or X) is always in the credit-code alphabet.
    body17 = prefix[:16] + organization_code_check_char(prefix[8:16])
    code = body17 + credit_code_check_char(body17)
    assert is_valid_credit_code(code, check_organization_code=True)


@given(resident_prefixes())
def test_resident_id_completion_is_valid(prefix):
    assert is_valid_resident_id(prefix + resident_id_check_char(prefix))


@settings(max_examples=300)
@given(resident_prefixes(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_resident_id_single_substitution_detected(prefix, pos, new):
    # 11 is prime and every weight is non-zero mod 11, so a substituted digit always changes the
    # check character; a substituted check character is wrong by definition; X outside position 18
    # is not a digit. Holds for every position.
    rid = prefix + resident_id_check_char(prefix)
    if rid[pos] == new:
        return
    changed = rid[:pos] + new + rid[pos + 1 :]
    assert not is_valid_resident_id(changed)


@given(st.text(max_size=20))
def test_never_raises(s):
    assert isinstance(is_valid_credit_code(s), bool)
    assert isinstance(is_valid_credit_code(s, check_organization_code=True), bool)
    assert isinstance(is_valid_resident_id(s), bool)
    assert isinstance(is_valid_organization_code(s), bool)


@given(digits17)
def test_resident_check_char_total_on_digits(prefix):
    assert resident_id_check_char(prefix) in "0123456789X"


# --- issue #15: GB/T 2260 address codes and GB 32100 structure ---------------------------------

def _with_check(first17: str) -> str:
    """GB 11643-1999 §6.2 written out: weights 2**(17-i) mod 11, check = '10X98765432'[sum mod 11]."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def test_division_codes_union_keeps_abolished_codes():
    from edossier.idcodes import division_code_status, division_codes

    assert division_code_status("110103") == "known"  # 崇文区, merged into 东城区 in 2010
    assert division_code_status("110104") == "known"  # 宣武区, same
    assert division_code_status("440305") == "known"  # 南山区 today
    assert division_code_status("000000") == "invalid" and division_code_status("999999") == "invalid"
    assert division_code_status("990101") == "invalid"  # no province 99
    assert division_code_status("440399") == "unknown"  # province 44 exists, county 99 of 4403 never did
    assert division_code_status("44030a") == "invalid" and division_code_status(None) == "invalid"
    # 2023 外国人永久居留身份证: 9 + accepting province (44) + country code (156 here as a stand-in)
    assert division_code_status("944156") == "foreign"
    assert division_code_status("999156") == "invalid"  # no province 99
    data = division_codes()
    assert data.version and "2019" in data.coverage and len(data.codes) > 7000


def test_id_address_code_findings():
    from edossier.caserules.check import check_case
    from test_caserules_support import Person, codes, rec

    def fs(first17):
        return codes(check_case([rec(persons=[Person("suspect", "张某某", _with_check(first17))])]))

    assert not {"K010", "K070", "K071"} & set(fs("11010319850101001"))  # 1985 number of 崇文区
    assert "K070" in fs("00000019850101001") and "K010" not in fs("00000019850101001")
    assert "K070" in fs("99999919850101001")
    found = fs("44039919850101001")
    assert "K071" in found and "K070" not in found


def test_credit_code_structure():
    from edossier.idcodes import credit_code_check_char, credit_code_structure

    def code(first17):
        return first17 + credit_code_check_char(first17)

    assert credit_code_structure("11100000000013127D") == []  # SPC: central body, division 100000
    [(part, _, _)] = credit_code_structure(code("B1440305MB2D10001"))
    assert part == "authority"  # registration authority B is not in GB 32100 Table 1
    parts = [p for p, _, _ in credit_code_structure(code("15440305MB2D10001"))]
    assert parts == ["authority"]  # 机构编制 has no category 5
    parts = [p for p, _, _ in credit_code_structure(code("11440399MB2D10001"))]
    assert parts == ["division"]
    assert credit_code_structure("11100000000013127E") == []  # a wrong check character is K012's business


def test_bundled_sample_credit_codes_pass_the_enabled_checks():
    from edossier.caserules.check import check_case
    from edossier.demo.pki import DEMO_AGENCIES
    from edossier.idcodes import credit_code_structure
    from test_caserules_support import codes, rec

    for a in DEMO_AGENCIES:
        parts = [p for p, _, _ in credit_code_structure(a.credit_code)]
        assert not {"authority", "division"} & set(parts), a
    # only the police code fails the optional organisation-code check (MB2C1234 -> check 8, hand-computed:
    # M=22,B=11,2,C=12,1,2,3,4 weighted 3,7,9,10,5,8,4,2 = 66+77+18+120+5+16+12+8 = 322; 11 - 322 mod 11 = 8)
    assert "K074" not in codes(check_case([rec()]))
    assert "K074" in codes(check_case([rec()], organization_code=True))
