"""换押 per person and every trigger of the 2014 两高一部 notice (issue #15, docs/caserules.md#k-custody).

Each test builds records in memory; the expectation is the rule of the notice (DOMAIN.md §5.3), not the
product's output."""

from __future__ import annotations

import datetime as dt

from edossier.caserules.check import check_case
from edossier.record.model import Agency

from test_caserules_support import codes, doc, ev, rec

A, B = "张某某", "李某某"


def _two_arrested():
    # Both detained and arrested in the police layer (CPL 2018 Arts. 82, 91, 93).
    return [ev("拘留", "2026-10-31 11:30", person=A), ev("拘留", "2026-10-31 11:30", person=B),
            ev("逮捕", "2026-11-06 18:00", person=A), ev("逮捕", "2026-11-06 18:00", person=B)]


def test_co_suspects_bail_does_not_silence_the_other_missing_transfer():
    # B is bailed; A is still in custody when the case is transferred: A needs a 换押.
    police = rec(1, events=_two_arrested() + [ev("取保候审", "2026-11-08 10:00", person=B),
                                              ev("移送审查起诉", "2026-11-10 10:00")])
    assert "K043" in codes(check_case([police]))


def test_transfer_for_one_person_does_not_cover_another():
    events = _two_arrested() + [ev("移送审查起诉", "2026-11-10 10:00"), ev("换押", "2026-11-10 10:00", person=B)]
    assert "K043" in codes(check_case([rec(1, events=events)]))
    both = events + [ev("换押", "2026-11-10 10:05", person=A)]
    assert "K043" not in codes(check_case([rec(1, events=both)]))


def test_everyone_released_needs_no_transfer():
    events = _two_arrested() + [ev("取保候审", "2026-11-08 10:00", person=A),
                                ev("取保候审", "2026-11-08 10:00", person=B), ev("移送审查起诉", "2026-11-10 10:00")]
    assert "K043" not in codes(check_case([rec(1, events=events)]))


def _court_case(extra):
    # Arrested during investigation (police), prosecuted (procuratorate), judged (court).
    police = rec(1, events=[ev("拘留", "2026-08-01 10:00", person=A), ev("逮捕", "2026-08-05 10:00", person=A)])
    court = rec(2, "court", events=[ev("判决", "2026-10-20 10:00", person=A), ev("上诉", "2026-10-25 10:00", person=A)]
                + extra)
    return [police, court]


def test_second_instance_without_transfer_is_flagged_for_the_person():
    fs = check_case(_court_case([ev("二审受理", "2026-11-05 10:00", person=A)]))
    [f] = [f for f in fs if f.code == "K075"]
    assert A in f.message_zh and "二审受理" in f.message_zh


def test_second_instance_with_the_first_courts_transfer_since_the_judgment_is_clean():
    fs = check_case(_court_case([ev("换押", "2026-11-01 10:00", person=A),
                                 ev("二审受理", "2026-11-05 10:00", person=A)]))
    assert "K075" not in codes(fs)


def test_a_transfer_before_the_judgment_does_not_count_for_the_second_instance():
    fs = check_case(_court_case([ev("二审受理", "2026-11-05 10:00", person=A)])[:1]
                    + [rec(2, "court", events=[ev("换押", "2026-10-19 10:00", person=A),
                                               ev("判决", "2026-10-20 10:00", person=A),
                                               ev("二审受理", "2026-11-05 10:00", person=A)])])
    assert "K075" in codes(fs)


def test_every_new_trigger_needs_a_transfer_within_three_days():
    for trigger in ("发回重审", "延期审理", "报请核准死刑", "改变管辖", "移送管辖", "指定管辖"):
        without = check_case(_court_case([ev(trigger, "2026-11-05 10:00", person=A)]))
        assert "K075" in codes(without), trigger
        within = check_case(_court_case([ev(trigger, "2026-11-05 10:00", person=A),
                                         ev("换押", "2026-11-07 09:00", person=A)]))  # 1 day 23 h later
        assert "K075" not in codes(within), trigger
        late = check_case(_court_case([ev(trigger, "2026-11-05 10:00", person=A),
                                       ev("换押", "2026-11-09 10:00", person=A)]))  # 4 days later
        assert "K075" in codes(late), trigger


def test_trigger_after_release_needs_no_transfer():
    fs = check_case(_court_case([ev("取保候审", "2026-10-21 10:00", person=A),
                                 ev("发回重审", "2026-11-05 10:00", person=A)]))
    assert "K075" not in codes(fs)


def test_self_acceptance_by_the_same_agency_is_k041():
    police = rec(1, events=[ev("换押", "2026-11-10 10:00")])
    again = rec(2, events=[ev("换押接收", "2026-11-11 10:00")])  # the same police agency
    fs = check_case([police, again])
    assert "K041" in codes(fs)


def test_acceptance_for_another_person_does_not_match():
    police = rec(1, events=[ev("拘留", "2026-10-31 11:30", person=A), ev("移送审查起诉", "2026-11-10 10:00"),
                            ev("换押", "2026-11-10 10:00", person=A)])
    proc = rec(2, "procuratorate", events=[ev("受理", "2026-11-11 09:30"),
                                           ev("换押接收", "2026-11-11 09:30", person=B)])
    assert {"K040", "K041"} <= set(codes(check_case([police, proc])))


def test_certificate_for_the_detention_centre():
    bare = rec(1, events=[ev("换押", "2026-11-10 10:00")])
    assert codes(check_case([bare])).count("K076") == 1
    with_cert = rec(1, docs=[doc(1, "换押证", id="hy")], events=[ev("换押", "2026-11-10 10:00", document="hy")])
    assert "K076" not in codes(check_case([with_cert]))


def test_missing_notice_of_changed_period_after_an_extension():
    base = [ev("拘留", "2026-08-01 10:00", person=A), ev("逮捕", "2026-08-05 10:00", person=A),
            ev("延长侦查羁押期限", "2026-10-01 10:00", person=A)]
    fs = check_case([rec(1, events=base + [ev("移送审查起诉", "2026-10-20 10:00")])])
    [f] = [f for f in fs if f.code == "K077"]
    assert A in f.message_zh and "移送审查起诉" in f.message_zh
    notified = base + [ev("变更羁押期限通知", "2026-10-02 10:00", person=A), ev("移送审查起诉", "2026-10-20 10:00")]
    assert "K077" not in codes(check_case([rec(1, events=notified)]))
    # a notice after the case moved on, or for someone else, does not count
    late = base + [ev("移送审查起诉", "2026-10-20 10:00"), ev("变更羁押期限通知", "2026-10-21 10:00", person=A)]
    assert "K077" in codes(check_case([rec(1, events=late)]))
    other = base + [ev("变更羁押期限通知", "2026-10-02 10:00", person=B)]
    assert "K077" in codes(check_case([rec(1, events=other)]))


def test_extension_of_a_released_person_needs_no_notice():
    events = [ev("拘留", "2026-08-01 10:00", person=A), ev("逮捕", "2026-08-05 10:00", person=A),
              ev("取保候审", "2026-09-01 10:00", person=A), ev("延长侦查羁押期限", "2026-10-01 10:00", person=A)]
    assert "K077" not in codes(check_case([rec(1, events=events)]))
