"""Issue #15, deadline errors 1-7: every expected date below is computed by hand in the comment next to it.

Counting (CPL 2018 Art. 105): the start day does not count (para 2); N days end at the end of start+N;
N months end on the same day N months later, the month's last day when it has none, and the last day of
the target month when the start is a month's last day (公安部《公安机关适用刑事羁押期限规定》2006); a last
day on a holiday moves to the next working day unless the person is held then (para 4); travel time is
not counted (para 3). Dates are Beijing dates. 2025 holidays used: 4-6 Apr (清明), 1-8 Oct (国庆).
"""

from __future__ import annotations

import datetime as dt

from edossier.caserules.check import check_case
from edossier.caserules.calendar_cn import add_months
from edossier.caserules.deadlines import compute
from edossier.record.model import Agency, Event
from test_caserules_support import codes, ev, rec, t

D = dt.date.fromisoformat
UTC = dt.timezone.utc
SUPERVISION = Agency("深圳市南山区监察委员会", "11440305MB2D30001X", "supervision")


def kinds(records, **kw) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in compute(records, **kw).periods:
        out.setdefault(p.kind, []).append(p)
    return out


def late(records, **kw) -> list:
    return [f for f in check_case(records, **kw) if f.code in ("K050", "K051")]


# --- 1. periods are scoped to their stage --------------------------------------------------------------

def test_court_arrest_of_a_bailed_defendant_opens_no_investigative_custody():
    # bail 10 Feb, transfer 28 Feb; review 3 Mar → 3 Apr (Art. 172), prosecution 20 Mar;
    # court receives 21 Mar → trial 21 Mar + 2 months = 21 May (Art. 208); court arrests 10 Apr, judgment 20 May.
    # Art. 156 would have said 10 Apr + 2 months = 10 Jun, "expired" at 1 Jul: it must not apply in trial.
    police = rec(1, "police", events=[ev("取保候审", "2025-02-10 10:00"), ev("移送审查起诉", "2025-02-28 10:00")])
    proc = rec(2, "procuratorate", events=[ev("受理", "2025-03-03 09:00"), ev("提起公诉", "2025-03-20 10:00")])
    court = rec(3, "court", events=[ev("受理", "2025-03-21 09:00"), ev("逮捕", "2025-04-10 10:00"),
                                    ev("判决", "2025-05-20 10:00")])
    at = t("2025-07-01 12:00")
    k = kinds([police, proc, court], at=at)
    assert "investigative-custody" not in k
    [trial] = k["trial"]
    assert (trial.end, trial.state, trial.custody) == (D("2025-05-21"), "closed", True)
    assert not late([police, proc, court], at=at)


def test_procuratorate_arrest_during_review_is_bounded_by_the_review_period():
    # review 3 Mar + 1 month = 3 Apr (Art. 172); arrest 10 Mar in review; prosecution 31 Mar: in time.
    # (Art. 156 would wrongly have run 10 Mar → 10 May and been "expired" at 1 Jul.)
    police = rec(1, "police", events=[ev("取保候审", "2025-02-10 10:00"), ev("移送审查起诉", "2025-02-28 10:00")])
    proc = rec(2, "procuratorate", events=[ev("受理", "2025-03-03 09:00"), ev("逮捕", "2025-03-10 10:00"),
                                           ev("提起公诉", "2025-03-31 10:00")])
    k = kinds([police, proc], at=t("2025-07-01 12:00"))
    assert "investigative-custody" not in k
    assert k["prosecution-review"][0].end == D("2025-04-03")
    assert not late([police, proc], at=t("2025-07-01 12:00"))


def test_arrest_during_investigation_still_runs_art_156():
    # arrest 5 Mar 2025 in investigation: 5 Mar + 2 months = 5 May; still running at 6 May → K051
    r = rec(events=[ev("逮捕", "2025-03-05 10:00")])
    [p] = kinds([r])["investigative-custody"]
    assert p.end == D("2025-05-05")
    assert [f.code for f in late([r], at=t("2025-05-06 08:00"))] == ["K051"]


# --- 2. the detaining authority decides the clock ------------------------------------------------------

def test_procuratorate_own_detention_14_days_plus_1_to_3():
    # 自侦 detention 3 Mar 10:00: Art. 167 → 3 + 14 = 17 Mar; +3 days → 20 Mar (police clock: 6 Mar)
    detained = [ev("拘留", "2025-03-03 10:00")]
    [p] = kinds([rec(1, "procuratorate", events=detained)])["detention-decision"]
    assert (p.end, p.basis, p.custody) == (D("2025-03-17"), "CPL 2018 Art. 167", True)
    assert not late([rec(1, "procuratorate", events=detained + [ev("逮捕", "2025-03-15 10:00")])])
    [f] = late([rec(1, "procuratorate", events=detained + [ev("逮捕", "2025-03-18 10:00")])])
    assert f.code == "K050" and "2025-03-17" in f.message_en and "Art. 167" in f.message_en
    extended = detained + [ev("延长拘留期限", "2025-03-16 10:00", days=3), ev("逮捕", "2025-03-18 10:00")]
    assert not late([rec(1, "procuratorate", events=extended)])
    assert kinds([rec(1, "procuratorate", events=extended)])["detention-decision"][0].end == D("2025-03-20")
    too_long = detained + [ev("延长拘留期限", "2025-03-16 10:00", days=4)]
    assert "K053" in codes(check_case([rec(1, "procuratorate", events=too_long)]))
    # the 30 days of Art. 91 para 2 are for police detention only
    thirty = detained + [ev("延长拘留期限至三十日", "2025-03-05 10:00")]
    assert "K053" in codes(check_case([rec(1, "procuratorate", events=thirty)]))


def test_retention_then_preliminary_detention():
    # 留置 10 Jan 2025: 3 months → 10 Apr (监察法 Art. 43); 先行拘留 8 Apr ends it;
    # Art. 170 para 2: 8 Apr + 10 = 18 Apr; +4 days → 22 Apr
    sup = rec(1, events=[ev("留置", "2025-01-10 10:00"), ev("移送审查起诉", "2025-04-07 10:00")], agency=SUPERVISION)
    proc = [ev("受理", "2025-04-08 09:00"), ev("先行拘留", "2025-04-08 10:00")]
    k = kinds([sup, rec(2, "procuratorate", events=proc)])
    [ret] = k["retention"]
    assert (ret.end, ret.state) == (D("2025-04-10"), "closed")
    [pre] = k["preliminary-detention"]
    assert (pre.end, pre.basis) == (D("2025-04-18"), "CPL 2018 Art. 170 para 2")
    arrested_20th = proc + [ev("逮捕", "2025-04-20 10:00")]
    [f] = late([sup, rec(2, "procuratorate", events=arrested_20th)])
    assert f.code == "K050" and "2025-04-18" in f.message_en
    extended = proc + [ev("延长拘留期限", "2025-04-15 10:00", days=4), ev("逮捕", "2025-04-20 10:00")]
    records = [sup, rec(2, "procuratorate", events=extended)]
    assert not late(records)
    k = kinds(records)
    assert k["preliminary-detention"][0].end == D("2025-04-22")
    assert "investigative-custody" not in k  # the arrest is in review, not investigation


def test_retention_extension_once_by_three_months():
    # 留置 10 Jan → 10 Apr; extended once → 10 Jul; a second extension is refused (K053)
    events = [ev("留置", "2025-01-10 10:00"), ev("延长留置期限", "2025-04-01 10:00")]
    [p] = kinds([rec(1, events=events, agency=SUPERVISION)])["retention"]
    assert p.end == D("2025-07-10")
    again = events + [ev("延长留置期限", "2025-07-01 10:00")]
    assert "K053" in codes(check_case([rec(1, events=again, agency=SUPERVISION)]))


# --- 3. arrest review: 7 days detained, 15 (20) days not detained -----------------------------------------

def test_arrest_review_of_a_suspect_not_detained():
    # 人民检察院刑事诉讼规则 (2019) Art. 296: not detained → 15 days: 3 Mar + 15 = 18 Mar (a Tuesday)
    req = [ev("提请批准逮捕", "2025-03-03 10:00")]
    [p] = kinds([rec(events=req)])["arrest-review"]
    assert (p.end, p.custody) == (D("2025-03-18"), False)
    approved = rec(events=req + [ev("批准逮捕", "2025-03-17 10:00")])
    assert not late([approved])
    # major or complex (Event/@days = 20): 3 Mar + 20 = 23 Mar, a Sunday; not held → Monday 24 Mar
    [p] = kinds([rec(events=[ev("提请批准逮捕", "2025-03-03 10:00", days=20)])])["arrest-review"]
    assert (p.raw_end, p.end) == (D("2025-03-23"), D("2025-03-24"))
    assert "K053" in codes(check_case([rec(events=[ev("提请批准逮捕", "2025-03-03 10:00", days=30)])]))


def test_arrest_review_of_a_detained_suspect_stays_7_days():
    # detained 1 Mar, request 3 Mar: Art. 91 para 3 → 3 + 7 = 10 Mar; approval on 17 Mar is late
    r = rec(events=[ev("拘留", "2025-03-01 10:00"), ev("提请批准逮捕", "2025-03-03 10:00"),
                    ev("批准逮捕", "2025-03-17 10:00")])
    [f] = late([r])
    assert f.code == "K050" and "2025-03-10" in f.message_en


# --- 4. Beijing dates ---------------------------------------------------------------------------------

def test_an_instant_written_in_utc_counts_from_its_beijing_date():
    # 受理 at 2025-02-28T17:00Z = 1 Mar 01:00 in Beijing: review 1 Mar + 1 month = 1 Apr (a Tuesday)
    # (taking the UTC date, 28 Feb, would have ended it on 31 Mar)
    accepted = Event("受理", dt.datetime(2025, 2, 28, 17, 0, tzinfo=UTC))
    r = rec(2, "procuratorate", events=[ev("取保候审", "2025-02-10 10:00"), accepted])
    [p] = kinds([r])["prosecution-review"]
    assert (p.start_date, p.end) == (D("2025-03-01"), D("2025-04-01"))
    # the period runs out at 2 Apr 00:00 Beijing = 1 Apr 16:00 UTC
    in_time = Event("提起公诉", dt.datetime(2025, 4, 1, 15, 59, tzinfo=UTC))
    too_late = Event("提起公诉", dt.datetime(2025, 4, 1, 16, 0, tzinfo=UTC))
    assert not late([rec(2, "procuratorate", events=list(r.events) + [in_time])])
    [f] = late([rec(2, "procuratorate", events=list(r.events) + [too_late])])
    assert f.code == "K050" and "2025-04-01" in f.message_en


# --- 5. custody judged per person at the end of the period ----------------------------------------------

def _review_from_custody(extra_proc):
    # arrest 5 Aug (investigation), transfer 29 Aug; review 1 Sep + 1 month = 1 Oct, a National Day holiday
    police = rec(1, "police", events=[ev("逮捕", "2025-08-05 10:00"), ev("移送审查起诉", "2025-08-29 10:00")])
    proc = rec(2, "procuratorate", events=[ev("受理", "2025-09-01 09:00")] + extra_proc)
    return [police, proc]


def test_release_on_bail_mid_review_lets_the_end_move_past_the_holiday():
    # held throughout: ends on 1 Oct itself; prosecution on 5 Oct is late
    [f] = late(_review_from_custody([ev("提起公诉", "2025-10-05 10:00")]))
    assert f.code == "K050" and "2025-10-01" in f.message_en
    # released on bail 15 Sep: not held when it ends → first working day after 1-8 Oct = 9 Oct; 5 Oct in time
    records = _review_from_custody([ev("取保候审", "2025-09-15 10:00"), ev("提起公诉", "2025-10-05 10:00")])
    assert not late(records)
    [p] = kinds(records)["prosecution-review"]
    assert (p.raw_end, p.end, p.custody) == (D("2025-10-01"), D("2025-10-09"), False)


def test_arrest_mid_review_stops_the_holiday_extension_per_person():
    # two suspects on bail, review 1 Sep → 1 Oct (holiday); 甲 is arrested on 15 Sep, 乙 stays on bail:
    # 甲's period ends on 1 Oct (held), 乙's moves to 9 Oct; prosecution of both on 5 Oct is late only for 甲
    police = rec(1, "police", events=[ev("取保候审", "2025-08-10 10:00"), ev("移送审查起诉", "2025-08-29 10:00")])
    proc = rec(2, "procuratorate", events=[ev("受理", "2025-09-01 09:00"), ev("逮捕", "2025-09-15 10:00", person="甲"),
                                           ev("提起公诉", "2025-10-05 10:00", person="甲"),
                                           ev("提起公诉", "2025-10-05 10:00", person="乙")])
    ends = {p.person: p.end for p in kinds([police, proc])["prosecution-review"]}
    assert ends == {"甲": D("2025-10-01"), "乙": D("2025-10-09")}
    found = late([police, proc])
    assert [f.code for f in found] == ["K050"] and "甲" in found[0].message_zh


# --- 6. travel time -----------------------------------------------------------------------------------

def test_travel_time_extends_the_period_of_the_recording_agency():
    # held (arrest 3 Feb), review 3 Mar + 1 month = 3 Apr; 2 days of travel (Art. 105 para 3) → 5 Apr
    # (held: no holiday move although 4-6 Apr is 清明)
    police = rec(1, "police", events=[ev("逮捕", "2025-02-03 10:00"), ev("移送审查起诉", "2025-02-28 10:00")])
    travel = ev("路途时间", "2025-03-20 10:00", days=2, document="x2_1")

    def proc(*extra):
        return rec(2, "procuratorate", events=[ev("受理", "2025-03-03 09:00"), *extra])

    [f] = late([police, proc(ev("提起公诉", "2025-04-05 10:00"))])
    assert "2025-04-03" in f.message_en
    assert not late([police, proc(travel, ev("提起公诉", "2025-04-05 10:00"))])
    [f] = late([police, proc(travel, ev("提起公诉", "2025-04-06 10:00"))])
    assert "2025-04-05" in f.message_en and "Art. 105 para 3" in f.message_en
    # without a length, or recorded by an agency that runs no period: K053
    assert "K053" in codes(check_case([police, proc(ev("路途时间", "2025-03-20 10:00"))]))
    assert "K053" in codes(check_case([rec(1, "police", events=[ev("路途时间", "2025-03-20 10:00", days=2)])]))


# --- 7. month ends: chained extensions and counting from the start ---------------------------------------

def test_month_end_rule_both_directions():
    # from a month's last day to the target month's last day (2006 公安部 rule):
    # 31 Jan → 28 Feb → (28 Feb is February's last day) 31 Mar, not 28 Mar; = 31 Jan + 2 months
    assert add_months(D("2025-01-31"), 1) == D("2025-02-28")
    assert add_months(D("2025-02-28"), 1) == D("2025-03-31")
    assert add_months(D("2025-01-31"), 2) == D("2025-03-31")
    # not a last day: same day of the month, clamped: 28 Feb 2024 (leap year) → 28 Mar; 30 Jan → 28 Feb
    assert add_months(D("2024-02-28"), 1) == D("2024-03-28")
    assert add_months(D("2024-02-29"), 1) == D("2024-03-31")
    assert add_months(D("2025-01-30"), 1) == D("2025-02-28")


def test_extension_chained_from_a_clamped_end():
    # arrest 30 Dec 2024: 2 months → 28 Feb 2025 (clamped: 30 Dec is not a last day).
    # Extension +1 month (Art. 156) runs on from that end: 28 Feb is February's last day → 31 Mar.
    # Counting from the start would say 30 Dec + 3 months = 30 Mar; the extension is its own period that
    # starts where the last one ended, so the chained 31 Mar is the end (docs/caserules.md#counting).
    events = [ev("逮捕", "2024-12-30 10:00")]
    assert kinds([rec(events=events)])["investigative-custody"][0].end == D("2025-02-28")
    events.append(ev("延长侦查羁押期限", "2025-02-20 10:00"))
    assert kinds([rec(events=events)])["investigative-custody"][0].end == D("2025-03-31")


def test_review_from_the_last_day_of_february():
    # 受理 28 Feb 2025 on bail: 1 month → 31 Mar 2025 (a Monday), not 28 Mar
    r = rec(2, "procuratorate", events=[ev("取保候审", "2025-02-10 10:00"), ev("受理", "2025-02-28 09:00")])
    assert kinds([r])["prosecution-review"][0].end == D("2025-03-31")
