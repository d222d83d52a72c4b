package screening

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// dayOf is an answer's exact day, as ParseEventDate gives it.
func dayOf(y int, m time.Month, d int) *time.Time { t := date(y, m, d); return &t }

func yesOn(q QuestionID, when *time.Time) Answer {
	return Answer{Question: q, Yes: true, When: when, Exact: true}
}

// Every deferral rule with an exact day, at its last deferred day and its
// first free day. Today is 10 Mar 2026; the drive date varies.
func TestRegulationExactDays(t *testing.T) {
	onWoman := func(a Answer) []Answer { return []Answer{a} }
	runEval(t, []evalCase{
		// TT26 Điều 6 khoản 1: 12 weeks = 84 days after whole blood. Given
		// 1 Jan, the 84th day after (25 Mar) is free, the 83rd is not.
		{name: "Điều 6.1 day 83", donor: man(), on: date(2026, time.March, 25).AddDate(0, 0, -1),
			answers: []Answer{{Question: QDonatedBefore, Yes: true, When: dayOf(2026, time.January, 1), Exact: true, Kind: WholeBlood}},
			status:  Deferred, until: date(2026, time.March, 26), codes: []Code{CodeDonationInterval}, bases: []Basis{BasisExact}},
		{name: "Điều 6.1 day 84", donor: man(), on: date(2026, time.March, 26),
			answers: []Answer{{Question: QDonatedBefore, Yes: true, When: dayOf(2026, time.January, 1), Exact: true, Kind: WholeBlood}},
			status:  Eligible, volume: 450},
		// Điều 6.1 from the history: 84 days free, 85 too; 83 deferred.
		{name: "Điều 6.1 history 85 days", donor: lastGave(85, WholeBlood), status: Eligible, volume: 450},
		// TT26 Điều 6 khoản 2: 2 weeks = 14 days after platelets or plasma.
		{name: "Điều 6.2 day 13", donor: man(), on: date(2026, time.March, 14),
			answers: []Answer{{Question: QDonatedBefore, Yes: true, When: dayOf(2026, time.March, 1), Exact: true, Kind: Platelets}},
			status:  Deferred, until: date(2026, time.March, 15), codes: []Code{CodeDonationInterval}},
		{name: "Điều 6.2 day 14", donor: man(), on: date(2026, time.March, 15),
			answers: []Answer{{Question: QDonatedBefore, Yes: true, When: dayOf(2026, time.March, 1), Exact: true, Kind: Plasma}},
			status:  Eligible, volume: 450},
		// PĐK 1: "I don't remember" and no history: unknown, no interval,
		// the staff check the donor card (the long-lapsed donor of issue 17).
		{name: "PĐK 1 don't remember", donor: man(), answers: []Answer{donated(nil, WholeBlood)},
			status: Eligible, volume: 450, notices: []Notice{NoticeLastDonationUnknown}},
		// PĐK 1: an exact day before the record's: the record wins.
		{name: "PĐK 1 day before record", donor: lastGave(83, WholeBlood),
			answers: []Answer{{Question: QDonatedBefore, Yes: true, When: dayOf(2025, time.December, 1), Exact: true}},
			status:  Deferred, until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}, bases: []Basis{BasisExact}},
		// PĐK 4 / TT26 Điều 5 khoản 1: 12 months, calendar; surgery 15 Mar 2025.
		{name: "Điều 5.1 12 months last day", donor: man(), on: date(2026, time.March, 14),
			answers: []Answer{yesOn(QWithin12Months, dayOf(2025, time.March, 15))},
			status:  Deferred, until: date(2026, time.March, 15), codes: []Code{CodeWithin12Months}, bases: []Basis{BasisExact}},
		{name: "Điều 5.1 12 months free", donor: man(), on: date(2026, time.March, 15),
			answers: []Answer{yesOn(QWithin12Months, dayOf(2025, time.March, 15))}, status: Eligible, volume: 450},
		// Điều 5.1, leap year: 29 Feb 2024 + 12 months is 28 Feb 2025.
		{name: "Điều 5.1 from 29 Feb", donor: man(), on: date(2025, time.February, 27),
			answers: []Answer{yesOn(QWithin12Months, dayOf(2024, time.February, 29))},
			status:  Deferred, until: date(2025, time.February, 28), codes: []Code{CodeWithin12Months}},
		// PĐK 5 / TT26 Điều 5 khoản 2: 6 months clamped: tattoo 31 Aug 2025
		// -> 28 Feb 2026 (not 3 Mar); free on 28 Feb.
		{name: "Điều 5.2 31 Aug clamped", donor: man(), on: date(2026, time.February, 27),
			answers: []Answer{yesOn(QWithin6Months, dayOf(2025, time.August, 31))},
			status:  Deferred, until: date(2026, time.February, 28), codes: []Code{CodeWithin6Months}},
		{name: "Điều 5.2 31 Aug free", donor: man(), on: date(2026, time.February, 28),
			answers: []Answer{yesOn(QWithin6Months, dayOf(2025, time.August, 31))}, status: Eligible, volume: 450},
		// PĐK 6 / TT26 Điều 5 khoản 3: 4 weeks = 28 days; vaccine 9 Feb
		// 2026, free on 9 Mar (yesterday), not deferred "a month".
		{name: "Điều 5.3 28 days over", donor: man(), answers: []Answer{yesOn(QWithin1Month, dayOf(2026, time.February, 9))},
			status: Eligible, volume: 450},
		{name: "Điều 5.3 day 27", donor: man(), answers: []Answer{yesOn(QWithin1Month, dayOf(2026, time.February, 11))},
			status: Deferred, until: date(2026, time.March, 11), codes: []Code{CodeWithin4Weeks}, bases: []Basis{BasisExact}},
		// PĐK 7: 14 days from the day given; flu on 1 Mar -> free 15 Mar.
		{name: "PĐK 7 day 13", donor: man(), on: date(2026, time.March, 14), answers: []Answer{yesOn(QWithin14Days, dayOf(2026, time.March, 1))},
			status: Deferred, until: date(2026, time.March, 15), codes: []Code{CodeWithin14Days}, bases: []Basis{BasisExact}},
		{name: "PĐK 7 day 14", donor: man(), on: date(2026, time.March, 15), answers: []Answer{yesOn(QWithin14Days, dayOf(2026, time.March, 1))},
			status: Eligible, volume: 450},
		// PĐK 8 / TT26 Điều 5 khoản 4: 7 days; aspirin on 5 Mar -> free 12 Mar.
		{name: "PĐK 8 day 6", donor: man(), on: date(2026, time.March, 11), answers: []Answer{yesOn(QWithin7Days, dayOf(2026, time.March, 5))},
			status: Deferred, until: date(2026, time.March, 12), codes: []Code{CodeWithin7Days}},
		{name: "PĐK 8 day 7", donor: man(), on: date(2026, time.March, 12), answers: []Answer{yesOn(QWithin7Days, dayOf(2026, time.March, 5))},
			status: Eligible, volume: 450},
		// PĐK 9: nursing a child born 31 May 2025: 12 months -> 31 May 2026.
		{name: "PĐK 9 nursing exact", donor: woman(), on: date(2026, time.May, 30),
			answers: onWoman(yesOn(QNursing, dayOf(2025, time.May, 31))),
			status:  Deferred, until: date(2026, time.May, 31), codes: []Code{CodeNursing}},
		// TT26 Điều 5 khoản 1 điểm d: pregnancy ended 20 Jan 2026 -> 20 Jan 2027.
		{name: "Điều 5.1.d pregnancy ended exact", donor: woman(), on: date(2027, time.January, 20),
			answers: onWoman(yesOn(QPregnancyEnded, dayOf(2026, time.January, 20))), status: Eligible, volume: 450},
	})
}

// TT26 Điều 4 khoản 1 with a deferral: a deferral ending on or after the
// 61st birthday is not a date to promise (issue 17: Evaluate ignored it).
func TestRegulationDeferralPastSixty(t *testing.T) {
	runEval(t, []evalCase{
		// 61 on 1 Apr 2026; tattoo in 02/2026 ends 31 Aug: too old by then.
		{name: "ends after 61st birthday", donor: bornOn(date(1965, time.April, 1)),
			answers: []Answer{yesIn(QWithin6Months, monthOf(2026, time.February))},
			status:  NotEligible, codes: []Code{CodeWithin6Months, CodeOver60}},
		// Ends on the birthday itself: too old that day.
		{name: "ends on 61st birthday", donor: bornOn(date(1965, time.March, 17)),
			answers: []Answer{yesOn(QWithin7Days, dayOf(2026, time.March, 10))},
			status:  NotEligible, codes: []Code{CodeWithin7Days, CodeOver60}},
		// Ends the day before: that day is promised.
		{name: "ends the day before", donor: bornOn(date(1965, time.March, 18)),
			answers: []Answer{yesOn(QWithin7Days, dayOf(2026, time.March, 10))},
			status:  Deferred, until: date(2026, time.March, 17), codes: []Code{CodeWithin7Days}},
	})
}

// Born 29 Feb 1968: 61 on 28 Feb 2029, a non-leap year (the earlier
// reading, TT26 Điều 4 khoản 1). Aspirin on 21 Feb 2029 defers to 28 Feb:
// too old by then; on 20 Feb, to 27 Feb: that day is promised.
func TestRegulationLeapBirthdayDeferral(t *testing.T) {
	d := bornOn(date(1968, time.February, 29))
	now := date(2029, time.February, 22)
	res := Evaluate(Config{}, d, []Answer{yesOn(QWithin7Days, dayOf(2029, time.February, 21))}, now, now)
	if res.Status != NotEligible || res.Reasons[len(res.Reasons)-1].Code != CodeOver60 {
		t.Errorf("deferral to 28 Feb 2029: %s %+v, want not eligible, over 60", res.Status, res.Reasons)
	}
	res = Evaluate(Config{}, d, []Answer{yesOn(QWithin7Days, dayOf(2029, time.February, 20))}, now, now)
	if res.Status != Deferred || !res.Until.Equal(date(2029, time.February, 27)) {
		t.Errorf("deferral to 27 Feb 2029: %s until %s, want deferred until 27 Feb", res.Status, res.Until)
	}
}

// TT26 Điều 4 khoản 2: whole-blood volume by weight (điểm a) and apheresis
// from 50 kg (điểm b), at every boundary.
func TestRegulationWeight(t *testing.T) {
	cases := []struct {
		female    bool
		kg        float64
		volume    int
		apheresis bool
	}{
		{true, 41.9, 0, false},   // điểm a: women from 42 kg
		{true, 42, 250, false},   // điểm a: 42 to under 45 kg, at most 250 ml
		{true, 44.9, 250, false}, // still 250 ml
		{true, 45, 350, false},   // 9 ml/kg = 405 ml -> 350 ml bag
		{true, 49.9, 350, false}, // 449.1 ml -> 350 ml; under 50 kg: no apheresis (điểm b)
		{true, 50, 450, true},    // 450 ml; apheresis from 50 kg (điểm b)
		{false, 41.9, 0, false},  // điểm a: men from 45 kg
		{false, 42, 0, false},
		{false, 44.9, 0, false},
		{false, 45, 350, false},
		{false, 49.9, 350, false},
		{false, 50, 450, true},
		{false, 0, 0, false}, // unknown weight: neither is promised
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("female=%v %vkg", c.female, c.kg), func(t *testing.T) {
			d := withWeight(man(), c.kg)
			d.Female = c.female
			res := Evaluate(Config{}, d, nil, today, today)
			if res.MaxVolumeML != c.volume || res.Apheresis != c.apheresis {
				t.Errorf("volume %d apheresis %v, want %d %v", res.MaxVolumeML, res.Apheresis, c.volume, c.apheresis)
			}
			if ApheresisAllowed(c.kg) != c.apheresis {
				t.Errorf("ApheresisAllowed(%v) = %v", c.kg, !c.apheresis)
			}
		})
	}
}

func TestAddMonthsClamps(t *testing.T) {
	cases := []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{date(2025, time.August, 31), 6, date(2026, time.February, 28)},
		{date(2027, time.August, 31), 6, date(2028, time.February, 29)}, // leap year
		{date(2024, time.February, 29), 12, date(2025, time.February, 28)},
		{date(2024, time.February, 29), 48, date(2028, time.February, 29)},
		{date(2026, time.January, 31), 1, date(2026, time.February, 28)},
		{date(2026, time.March, 31), 1, date(2026, time.April, 30)},
		{date(2026, time.March, 15), 6, date(2026, time.September, 15)},
		{date(2026, time.December, 31), 2, date(2027, time.February, 28)},
	}
	for _, c := range cases {
		if got := addMonths(c.from, c.n); !got.Equal(c.want) {
			t.Errorf("addMonths(%s, %d) = %s, want %s", c.from.Format(time.DateOnly), c.n,
				got.Format(time.DateOnly), c.want.Format(time.DateOnly))
		}
	}
}

func TestParseEventDate(t *testing.T) {
	cases := []struct {
		in    string
		want  time.Time
		exact bool
		err   error
	}{
		{"15/02/2026", date(2026, time.February, 15), true, nil},
		{"5/2/2026", date(2026, time.February, 5), true, nil},
		{"05-02-2026", date(2026, time.February, 5), true, nil},
		{"5.2.2026", date(2026, time.February, 5), true, nil},
		{" 5 / 2 / 2026 ", date(2026, time.February, 5), true, nil},
		{"ngày 5/2/2026", date(2026, time.February, 5), true, nil},
		{"Ngày 10/03/2026", today, true, nil}, // today itself
		{"29/02/2024", date(2024, time.February, 29), true, nil},
		{"29/02/2025", time.Time{}, false, ErrMonthYearFormat}, // not a leap year
		{"31/04/2025", time.Time{}, false, ErrMonthYearFormat},
		{"00/03/2026", time.Time{}, false, ErrMonthYearFormat},
		{"15/13/2025", time.Time{}, false, ErrMonthYearFormat},
		{"11/03/2026", time.Time{}, false, ErrMonthYearFuture}, // tomorrow
		{"01/03/2016", date(2016, time.March, 1), true, nil},
		{"28/02/2016", time.Time{}, false, ErrMonthYearTooOld},
		{"15/02/26", time.Time{}, false, ErrMonthYearFormat}, // two-digit year
		{"15/02 2026", time.Time{}, false, ErrMonthYearFormat},
		{"15/02/2026/1", time.Time{}, false, ErrMonthYearFormat},
		// A month alone still works, as a month.
		{"03/2012", time.Time{}, false, ErrMonthYearTooOld},
		{"02/2026", date(2026, time.February, 1), false, nil},
		{"tháng 2/2026", date(2026, time.February, 1), false, nil},
		{"", time.Time{}, false, ErrMonthYearFormat},
	}
	for _, c := range cases {
		got, exact, err := ParseEventDate(c.in, today)
		if !errors.Is(err, c.err) || !got.Equal(c.want) || exact != c.exact {
			t.Errorf("ParseEventDate(%q) = %v %v %v; want %v %v %v", c.in, got, exact, err, c.want, c.exact, c.err)
		}
	}
}

// FuzzParseEventDate: any input fails with a documented error or gives a
// date at UTC midnight within ten years up to today, which its canonical
// spelling parses back to with the same precision.
func FuzzParseEventDate(f *testing.F) {
	for _, s := range []string{"15/02/2026", "ngày 5/2/2026", "29/02/2025", "31/04/2025", "11/03/2026",
		"5.2.2026", "02/2026", "15/02/26", "１５/０２/２０２６", "1/1/1", "99/99/9999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, exact, err := ParseEventDate(s, today)
		if err != nil {
			if !errors.Is(err, ErrMonthYearFormat) && !errors.Is(err, ErrMonthYearFuture) &&
				!errors.Is(err, ErrMonthYearTooOld) {
				t.Fatalf("ParseEventDate(%q): undocumented error %v", s, err)
			}
			return
		}
		if got.Location() != time.UTC || got.Hour() != 0 || got.After(today) || got.Before(date(2016, time.March, 1)) {
			t.Fatalf("ParseEventDate(%q) = %v, out of range", s, got)
		}
		canon := got.Format("01/2006")
		if exact {
			canon = got.Format("02/01/2006")
		}
		back, backExact, err := ParseEventDate(canon, today)
		if err != nil || !back.Equal(got) || backExact != exact {
			t.Fatalf("round trip of %q via %q: %v %v %v", s, canon, back, backExact, err)
		}
	})
}

// Donor.Answered (the latest screening's answer to PĐK 1) counts when the
// answers do not include question 1, so /eligibility, /drives and urgent
// matching judge the donation the screening heard; fresh answers win.
func TestEvaluateUsesTheLatestDonationAnswer(t *testing.T) {
	gave := Answer{Question: QDonatedBefore, Yes: true, When: dayOf(2026, time.March, 1), Exact: true, Kind: WholeBlood}
	d := man()
	d.Answered = &gave
	runEval(t, []evalCase{
		// TT26 Điều 6 khoản 1: 1 Mar + 84 days = 24 May.
		{name: "remembered answer", donor: d, status: Deferred, until: date(2026, time.May, 24),
			codes: []Code{CodeDonationInterval}, bases: []Basis{BasisExact}},
		{name: "fresh No wins", donor: d, answers: []Answer{{Question: QDonatedBefore}}, status: Eligible, volume: 450},
		// PĐK 1: "don't remember" now, and no history: unknown, the card is checked.
		{name: "fresh don't remember wins", donor: d, answers: []Answer{donated(nil, WholeBlood)},
			status: Eligible, volume: 450, notices: []Notice{NoticeLastDonationUnknown}},
	})
	if next, _ := NextEligible(Config{}, d, today); !next.Equal(date(2026, time.May, 24)) {
		t.Errorf("NextEligible = %s, want 24 May", next.Format(time.DateOnly))
	}
}
