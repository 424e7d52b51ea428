"""Statutory deadlines with hand-computed expectations (CPL 2018; counting rule of Art. 105).

Counting: the start day does not count; N days end at the end of start+N; N months end on the same day
N months later or the month's last day; extensions run on from the previous end; custody periods never
roll over holidays, other periods end on the next working day.
"""

from __future__ import annotations

import datetime as dt

import pytest

from edossier.caserules.check import check_case
from edossier.caserules.calendar_cn import add_months, holiday_calendar
from edossier.caserules.deadlines import compute
from test_caserules_support import codes, ev, rec, t

D = dt.date.fromisoformat


def periods(records, **kw):
    return {p.kind: p for p in compute(records, **kw).periods}


def test_month_arithmetic():
    assert add_months(D("2025-01-31"), 1) == D("2025-02-28")
    assert add_months(D("2024-01-31"), 1) == D("2024-02-29")  # leap year
    assert add_months(D("2024-03-31"), 1) == D("2024-04-30")
    assert add_months(D("2023-12-31"), 2) == D("2024-02-29")
    assert add_months(D("2025-11-15"), 2) == D("2026-01-15")


def test_jan_31_plus_one_month_review_not_in_custody():
    # suspect on bail: 受理 31 Jan 2025 → one month → 28 Feb 2025 (a Friday, a working day)
    r = rec(2, "procuratorate", events=[ev("取保候审", "2025-01-10 10:00"), ev("受理", "2025-01-31 09:00")])
    p = periods([r])["prosecution-review"]
    assert (p.raw_end, p.end, p.custody) == (D("2025-02-28"), D("2025-02-28"), False)


def test_leap_year_review():
    r = rec(2, "procuratorate", events=[ev("受理", "2024-01-31 09:00")])
    assert periods([r])["prosecution-review"].end == D("2024-02-29")


def test_detention_3_days_plus_4_or_to_30():
    # detained 1 Apr 2025 → 4 Apr (a holiday, 清明: custody is never extended) → +4 days: 8 Apr → 30 days: 1 May
    base = [ev("拘留", "2025-04-01 10:00")]
    assert periods([rec(events=base)])["detention-request"].end == D("2025-04-04")
    p = periods([rec(events=base + [ev("延长拘留期限", "2025-04-03 10:00", days=4)])])["detention-request"]
    assert p.end == D("2025-04-08") and p.basis == "CPL 2018 Art. 91 para 1"
    p = periods([rec(events=base + [ev("延长拘留期限至三十日", "2025-04-03 10:00")])])["detention-request"]
    assert p.end == D("2025-05-01") and p.basis == "CPL 2018 Art. 91 para 2"


def test_arrest_request_after_three_days_is_overdue():
    r = rec(events=[ev("拘留", "2025-04-01 10:00"), ev("提请批准逮捕", "2025-04-05 09:00")])
    [f] = [f for f in check_case([r]) if f.code == "K050"]
    assert f.severity == "supervision" and "2025-04-04" in f.message_en and "Art. 91" in f.message_en


def test_holiday_does_not_extend_custody_but_does_extend_other_periods():
    # 30-day detention from 1 Sep 2025 ends 1 Oct 2025, a National Day holiday: custody → 1 Oct stands
    detained = [ev("拘留", "2025-09-01 20:00"), ev("延长拘留期限至三十日", "2025-09-03 10:00")]
    p = periods([rec(events=detained)])["detention-request"]
    assert (p.raw_end, p.end, p.custody) == (D("2025-10-01"), D("2025-10-01"), True)
    late = rec(events=detained + [ev("提请批准逮捕", "2025-10-02 09:00")])
    assert "K050" in codes(check_case([late]))
    # the same date for a suspect on bail: 1 Oct → first working day after the 1-8 Oct holiday = 9 Oct
    r = rec(2, "procuratorate", events=[ev("取保候审", "2025-08-20 10:00"), ev("受理", "2025-09-01 09:00")])
    p = periods([r])["prosecution-review"]
    assert (p.raw_end, p.end, p.rolled) == (D("2025-10-01"), D("2025-10-09"), True)
    ok = rec(2, "procuratorate", events=list(r.events) + [ev("提起公诉", "2025-10-09 16:00")])
    assert "K050" not in codes(check_case([ok]))


def test_calendar_knows_adjusted_workdays():
    cal = holiday_calendar()
    assert cal.is_rest_day(D("2025-10-08")) and not cal.is_rest_day(D("2025-10-11"))  # Saturday worked
    assert cal.next_working_day(D("2025-01-28")) == D("2025-02-05")


def test_thirty_day_detention_warns_three_days_before():
    r = rec(events=[ev("拘留", "2025-09-01 20:00"), ev("延长拘留期限至三十日", "2025-09-03 10:00")])
    assert "K052" not in codes(check_case([r], at=t("2025-09-27 23:00")))
    [f] = [f for f in check_case([r], at=t("2025-09-28 12:00")) if f.code == "K052"]
    assert f.severity == "supervision" and "2025-10-01" in f.message_en
    [f] = [f for f in check_case([r], at=t("2025-10-02 08:00")) if f.code == "K051"]
    assert f.severity == "supervision"


def test_investigative_custody_chain_to_seven_months():
    # arrested 31 Jan 2024: 2 months → 31 Mar; +1 (Art. 156) → 30 Apr; +2 (Art. 158) → 30 Jun; +2 (Art. 159):
    # 30 Jun is the last day of June, so (2006 公安部 month rule, 起算日为本月最后一日的至下月最后一日) → 31 Aug,
    # the same as 31 Jan + 7 months counted from the start (31 Jan is a month's last day → 31 Aug)
    events = [ev("逮捕", "2024-01-31 18:00"), ev("延长侦查羁押期限", "2024-03-25 10:00")]
    assert periods([rec(events=events[:1])])["investigative-custody"].end == D("2024-03-31")
    assert periods([rec(events=events)])["investigative-custody"].end == D("2024-04-30")
    events.append(ev("延长侦查羁押期限", "2024-04-24 10:00"))
    assert periods([rec(events=events)])["investigative-custody"].end == D("2024-06-30")
    events.append(ev("延长侦查羁押期限", "2024-06-24 10:00"))
    p = periods([rec(events=events)])["investigative-custody"]
    assert p.end == D("2024-08-31") and p.basis == "CPL 2018 Art. 156, Art. 158, Art. 159"
    assert p.length.startswith("7 months")
    # warning from the start of the day 7 days before the last day (31 - 7 = 24 Aug), K051 after 31 Aug;
    # no fourth extension
    assert "K052" in codes(check_case([rec(events=events)], at=t("2024-08-25 09:00")))
    assert "K052" in codes(check_case([rec(events=events)], at=t("2024-08-24 00:30")))
    assert "K052" not in codes(check_case([rec(events=events)], at=t("2024-08-23 23:30")))
    assert "K051" not in codes(check_case([rec(events=events)], at=t("2024-08-31 23:30")))
    assert "K051" in codes(check_case([rec(events=events)], at=t("2024-09-01 08:00")))
    fourth = events + [ev("延长侦查羁押期限", "2024-08-20 10:00")]
    assert "K053" in codes(check_case([rec(events=fourth)]))


def test_extension_after_expiry_is_too_late():
    events = [ev("逮捕", "2024-01-31 18:00"), ev("延长侦查羁押期限", "2024-04-01 10:00")]
    [f] = [f for f in check_case([rec(events=events)]) if f.code == "K050"]
    assert "2024-03-31" in f.message_en


def test_recalculation_restarts_custody():
    events = [ev("逮捕", "2024-01-31 18:00"), ev("重新计算侦查羁押期限", "2024-03-10 10:00")]
    ps = compute([rec(events=events)]).periods
    assert [(p.state, p.end) for p in ps] == [("superseded", D("2024-03-31")), ("running", D("2024-05-10"))]
    assert ps[1].basis == "CPL 2018 Art. 160 para 1"


def test_review_restarts_after_return_for_supplementary_investigation():
    police = rec(1, events=[ev("逮捕", "2025-02-10 10:00"), ev("移送审查起诉", "2025-03-03 10:00")])
    proc = rec(2, "procuratorate", events=[ev("受理", "2025-03-04 09:00"), ev("退回补充侦查", "2025-03-20 10:00")])
    police2 = rec(3, events=[ev("重新移送审查起诉", "2025-04-15 10:00")])
    proc2 = rec(4, "procuratorate", events=[ev("受理", "2025-04-16 09:00")])
    ps = [p for p in compute([police, proc, police2, proc2]).periods]
    review1, sup, review2 = [p for p in ps if p.kind in ("prosecution-review", "supplementary")]
    assert (review1.end, review1.state) == (D("2025-04-04"), "closed")  # custody: 4 Apr holiday not rolled
    assert (sup.end, sup.state) == (D("2025-04-20"), "closed")
    assert review2.end == D("2025-05-16") and "Art. 175 para 3" in review2.basis
    # a third return is not allowed
    more = [rec(5, "procuratorate", events=[ev("退回补充侦查", "2025-05-10 10:00")]),
            rec(6, events=[ev("重新移送审查起诉", "2025-06-05 10:00")]),
            rec(7, "procuratorate", events=[ev("受理", "2025-06-06 09:00"), ev("退回补充侦查", "2025-06-20 10:00")])]
    assert "K053" in codes(check_case([police, proc, police2, proc2] + more))


def test_fast_track_review_and_trial_10_or_15_days():
    proc = rec(2, "procuratorate", events=[ev("受理", "2026-11-11 09:30")], procedure="速裁")
    assert periods([proc])["prosecution-review"].raw_end == D("2026-11-21")
    ext = rec(2, "procuratorate", events=[ev("受理", "2026-11-11 09:30"), ev("延长审查起诉期限", "2026-11-18 09:00")],
              procedure="速裁")
    assert periods([ext])["prosecution-review"].raw_end == D("2026-11-26")
    court = rec(3, "court", events=[ev("受理", "2026-11-14 09:00")], procedure="速裁")
    p = periods([court])["trial"]
    assert (p.raw_end, p.basis) == (D("2026-11-24"), "CPL 2018 Art. 225")
    court15 = rec(3, "court", events=[ev("受理", "2026-11-14 09:00"), ev("延长审理期限", "2026-11-20 09:00")],
                  procedure="速裁")
    assert periods([court15])["trial"].raw_end == D("2026-11-29")
    # ordinary review: one month + 15 days
    ordinary = rec(2, "procuratorate", events=[ev("受理", "2025-03-04 09:00"), ev("延长审查起诉期限", "2025-03-30 09:00")])
    assert periods([ordinary])["prosecution-review"].raw_end == D("2025-04-19")


@pytest.mark.parametrize("procedure", ["PR05", "速裁程序", "速裁"])
def test_fast_track_is_read_from_the_procedure_code_list(procedure):
    """A record may name the procedure by its code (PR05), its name or the older free text: CPL 2018
    Art. 172 para 1 gives 速裁 review 10 days, so 受理 on 2026-11-11 ends 11 + 10 = 2026-11-21."""
    proc = rec(2, "procuratorate", events=[ev("受理", "2026-11-11 09:30")], procedure=procedure)
    assert periods([proc])["prosecution-review"].raw_end == D("2026-11-21")


@pytest.mark.parametrize("procedure,first,extended", [(None, "2025-05-04", "2025-06-04"),
                                                      ("简易", "2025-03-24", "2025-04-19")])
def test_first_instance_ordinary_and_summary(procedure, first, extended):
    court = rec(3, "court", events=[ev("受理", "2025-03-04 09:00")], procedure=procedure)
    assert periods([court])["trial"].raw_end == D(first)
    court = rec(3, "court", events=[ev("受理", "2025-03-04 09:00"), ev("延长审理期限", "2025-03-20 09:00")],
                procedure=procedure)
    assert periods([court])["trial"].raw_end == D(extended)


def test_second_instance_and_execution_handover():
    court = rec(3, "court", events=[ev("二审受理", "2025-03-04 09:00"), ev("延长审理期限", "2025-04-20 09:00"),
                                    ev("二审裁判", "2025-06-01 09:00"), ev("判决生效", "2025-06-01 10:00"),
                                    ev("执行通知", "2025-06-13 10:00")])
    ps = periods([court])
    assert ps["second-instance"].raw_end == D("2025-07-04") and ps["second-instance"].state == "closed"
    assert ps["execution-handover"].raw_end == D("2025-06-11")
    assert ps["execution-handover"].state == "expired"


def test_sample_like_case_is_all_in_time():
    police = rec(1, events=[ev("拘留", "2026-10-31 11:30"), ev("提请批准逮捕", "2026-11-03 10:00"),
                            ev("批准逮捕", "2026-11-06 16:00"), ev("逮捕", "2026-11-06 18:00"),
                            ev("移送审查起诉", "2026-11-10 10:00")], procedure="速裁")
    proc = rec(2, "procuratorate", events=[ev("受理", "2026-11-11 09:30"), ev("提起公诉", "2026-11-13 15:00")],
               procedure="速裁")
    court = rec(3, "court", events=[ev("受理", "2026-11-14 09:00"), ev("判决", "2026-11-20 10:10")], procedure="速裁")
    tl = compute([police, proc, court], now=t("2030-01-01 00:00"))
    assert [(p.kind, p.end.isoformat(), p.state) for p in tl.periods] == [
        ("detention-request", "2026-11-03", "closed"), ("arrest-review", "2026-11-10", "closed"),
        ("investigative-custody", "2027-01-06", "closed"), ("prosecution-review", "2026-11-21", "closed"),
        ("trial", "2026-11-24", "closed")]
    # the police layer alone leaves nothing running that the police answer for
    assert all(p.state == "closed" for p in compute([police], now=t("2030-01-01 00:00")).periods)


def test_at_ignores_later_events():
    r = rec(events=[ev("拘留", "2025-04-01 10:00"), ev("提请批准逮捕", "2025-04-03 10:00")])
    tl = compute([r], at=t("2025-04-02 10:00"))
    assert [(p.kind, p.state) for p in tl.periods] == [("detention-request", "running")]


def test_per_person_periods():
    r = rec(events=[ev("拘留", "2025-04-01 10:00", person="甲"), ev("拘留", "2025-04-02 10:00", person="乙"),
                    ev("提请批准逮捕", "2025-04-04 10:00", person="甲"), ev("提请批准逮捕", "2025-04-05 10:00", person="乙")])
    ps = compute([r]).periods
    by = {(p.person, p.kind): p for p in ps}
    assert by[("甲", "detention-request")].state == "closed"
    assert by[("乙", "detention-request")].end == D("2025-04-05") and by[("乙", "detention-request")].state == "closed"
