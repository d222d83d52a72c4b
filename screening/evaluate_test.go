package screening

import (
	"testing"
	"time"
)

// Intervals between donations (TT26 Điều 6) and question 1 (PĐK 1).
func TestEvaluateIntervals(t *testing.T) {
	runEval(t, []evalCase{
		// Baseline: nothing to report, 70 kg man -> 450 ml (TT26 Điều 4).
		{name: "baseline", donor: man(), status: Eligible, volume: 450, notices: []Notice{}},
		// Điều 6 khoản 1: whole blood, exactly 84 days later is eligible.
		{name: "whole blood 84 days", donor: lastGave(84, WholeBlood), status: Eligible, volume: 450},
		// Điều 6 khoản 1: 83 days is the last deferred day.
		{name: "whole blood 83 days", donor: lastGave(83, WholeBlood), status: Deferred,
			until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}, bases: []Basis{BasisExact}},
		// Điều 6 khoản 1: red cells by apheresis count like whole blood.
		{name: "red cells 83 days", donor: lastGave(83, RedCells), status: Deferred,
			until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}},
		// Điều 6 khoản 2: platelets, exactly 14 days later is eligible.
		{name: "platelets 14 days", donor: lastGave(14, Platelets), status: Eligible, volume: 450},
		// Điều 6 khoản 2: 13 days is the last deferred day.
		{name: "platelets 13 days", donor: lastGave(13, Platelets), status: Deferred,
			until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}},
		// Điều 6 khoản 2: plasma like platelets.
		{name: "plasma 13 days", donor: lastGave(13, Plasma), status: Deferred,
			until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}},
		// Config: a centre using 3 weeks after apheresis, last deferred day.
		{name: "3-week centre 20 days", cfg: Config{ApheresisDays: 21}, donor: lastGave(20, Platelets),
			status: Deferred, until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}},
		// Config: the same centre, first free day.
		{name: "3-week centre 21 days", cfg: Config{ApheresisDays: 21}, donor: lastGave(21, Platelets),
			status: Eligible, volume: 450},
		// Config: a longer whole-blood interval (16 weeks) is honoured.
		{name: "16-week centre 84 days", cfg: Config{WholeBloodDays: 112}, donor: lastGave(84, WholeBlood),
			status: Deferred, until: today.AddDate(0, 0, 28), codes: []Code{CodeDonationInterval}},
		// Unknown kind in the history counts as whole blood (safe side).
		{name: "unknown kind 20 days", donor: lastGave(20, ""), status: Deferred,
			until: today.AddDate(0, 0, 64), codes: []Code{CodeDonationInterval}},
		// PĐK 1 with a month: counted from 31 Dec 2025; +84 days = 25 Mar.
		{name: "answered 12/2025 whole blood", donor: man(),
			answers: []Answer{donated(monthOf(2025, time.December), WholeBlood)},
			status:  Deferred, until: date(2026, time.March, 25), codes: []Code{CodeDonationInterval},
			bases: []Basis{BasisMonthEnd}},
		// PĐK 1 without a date and no record: unknown, no interval; the
		// staff check the donor card.
		{name: "answered yes, no month", donor: man(), answers: []Answer{donated(nil, WholeBlood)},
			status: Eligible, volume: 450, notices: []Notice{NoticeLastDonationUnknown}},
		// PĐK 1, kind not given: whole blood, 28 Feb + 84 days = 23 May.
		{name: "answered 02/2026 no kind", donor: man(), answers: []Answer{donated(monthOf(2026, time.February), "")},
			status: Deferred, until: date(2026, time.May, 23), codes: []Code{CodeDonationInterval}},
		// PĐK 1, plasma in 02/2026: 28 Feb + 14 days = 14 Mar.
		{name: "answered 02/2026 plasma", donor: man(), answers: []Answer{donated(monthOf(2026, time.February), Plasma)},
			status: Deferred, until: date(2026, time.March, 14), codes: []Code{CodeDonationInterval}},
		// History 5 Jan and an answer of 01/2026: the exact record wins,
		// 5 Jan + 84 days = 30 Mar (not 31 Jan + 84 = 25 Apr).
		{name: "record beats same-month answer", donor: func() Donor {
			d := man()
			d.LastDonation = &Donation{Date: date(2026, time.January, 5), Kind: WholeBlood}
			return d
		}(), answers: []Answer{donated(monthOf(2026, time.January), WholeBlood)},
			status: Deferred, until: date(2026, time.March, 30), codes: []Code{CodeDonationInterval},
			bases: []Basis{BasisExact}},
		// An answer later than the history is a donation elsewhere: it wins.
		{name: "later answer beats record", donor: func() Donor {
			d := man()
			d.LastDonation = &Donation{Date: date(2025, time.November, 2), Kind: WholeBlood}
			return d
		}(), answers: []Answer{donated(monthOf(2026, time.February), Plasma)},
			status: Deferred, until: date(2026, time.March, 14), codes: []Code{CodeDonationInterval}},
		// Yes without a month, and a record: the record is the donation
		// meant (counting from today would defer for no reason).
		{name: "record beats answer without month", donor: lastGave(83, WholeBlood),
			answers: []Answer{donated(nil, WholeBlood)}, status: Deferred,
			until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}, bases: []Basis{BasisExact}},
		// "No" to question 1 does not erase the history.
		{name: "no answer keeps record", donor: lastGave(83, WholeBlood),
			answers: []Answer{{Question: QDonatedBefore}}, status: Deferred,
			until: today.AddDate(0, 0, 1), codes: []Code{CodeDonationInterval}},
	})
}

// Questions 2-9 of the form, each window at its last deferred day and its
// first free day (the drive date varies, the answers are given today).
func TestEvaluateQuestions(t *testing.T) {
	mar24, mar31 := date(2026, time.March, 24), date(2026, time.March, 31)
	runEval(t, []evalCase{
		// PĐK 2: ill now, assumed 14 days: last deferred day 23 Mar.
		{name: "ill now, last day", donor: man(), answers: []Answer{yes(QIllNow)}, on: date(2026, time.March, 23),
			status: Deferred, until: mar24, codes: []Code{CodeIllNow}, bases: []Basis{BasisAssumedRecovery}},
		// PĐK 2: first free day 24 Mar.
		{name: "ill now, free", donor: man(), answers: []Answer{yes(QIllNow)}, on: mar24, status: Eligible, volume: 450},
		// PĐK 3: chronic condition -> not eligible, see a doctor.
		{name: "chronic", donor: man(), answers: []Answer{yes(QChronic)}, status: NotEligible,
			codes: []Code{CodeChronicCondition}, notices: []Notice{NoticeSeeDoctor}},
		// Not eligible wins over deferrals, which are not listed.
		{name: "chronic wins", donor: lastGave(10, WholeBlood), status: NotEligible,
			answers: []Answer{yes(QWithin7Days), yes(QChronic), yesIn(QWithin6Months, monthOf(2026, time.January))},
			codes:   []Code{CodeChronicCondition}},
		// PĐK 4 / Điều 5.1: 03/2025 -> 31 Mar 2025 + 12 months; last day.
		{name: "12 months, last day", donor: man(), answers: []Answer{yesIn(QWithin12Months, monthOf(2025, time.March))},
			on: date(2026, time.March, 30), status: Deferred, until: mar31,
			codes: []Code{CodeWithin12Months}, bases: []Basis{BasisMonthEnd}},
		// PĐK 4: first free day.
		{name: "12 months, free", donor: man(), answers: []Answer{yesIn(QWithin12Months, monthOf(2025, time.March))},
			on: mar31, status: Eligible, volume: 450},
		// PĐK 4 without a month: 12 months from today.
		{name: "12 months, no month", donor: man(), answers: []Answer{yes(QWithin12Months)},
			status: Deferred, until: date(2027, time.March, 10), codes: []Code{CodeWithin12Months}, bases: []Basis{BasisToday}},
		// PĐK 5 / Điều 5.2: 10/2025 -> 31 Oct + 6 months, clamped to 30 Apr.
		{name: "6 months, last day", donor: man(), answers: []Answer{yesIn(QWithin6Months, monthOf(2025, time.October))},
			on: date(2026, time.April, 29), status: Deferred, until: date(2026, time.April, 30), codes: []Code{CodeWithin6Months}},
		// PĐK 5: first free day.
		{name: "6 months, free", donor: man(), answers: []Answer{yesIn(QWithin6Months, monthOf(2025, time.October))},
			on: date(2026, time.April, 30), status: Eligible, volume: 450},
		// PĐK 6 / Điều 5.3: 02/2026 -> 28 Feb + 28 days = 28 Mar; last day.
		{name: "4 weeks, last day", donor: man(), answers: []Answer{yesIn(QWithin1Month, monthOf(2026, time.February))},
			on: date(2026, time.March, 27), status: Deferred, until: date(2026, time.March, 28), codes: []Code{CodeWithin4Weeks}},
		// PĐK 6: first free day.
		{name: "4 weeks, free", donor: man(), answers: []Answer{yesIn(QWithin1Month, monthOf(2026, time.February))},
			on: date(2026, time.March, 28), status: Eligible, volume: 450},
		// PĐK 6, this month: its end is after today, so count from today.
		{name: "4 weeks, this month", donor: man(), answers: []Answer{yesIn(QWithin1Month, monthOf(2026, time.March))},
			status: Deferred, until: date(2026, time.April, 7), codes: []Code{CodeWithin4Weeks}, bases: []Basis{BasisToday}},
		// PĐK 7: 14 days from today; last day.
		{name: "14 days, last day", donor: man(), answers: []Answer{yes(QWithin14Days)}, on: date(2026, time.March, 23),
			status: Deferred, until: mar24, codes: []Code{CodeWithin14Days}, bases: []Basis{BasisToday}},
		// PĐK 7: first free day; also a drive after the window ends.
		{name: "14 days, free", donor: man(), answers: []Answer{yes(QWithin14Days)}, on: mar24, status: Eligible, volume: 450},
		// PĐK 8 / Điều 5.4: 7 days from today without a date; last day.
		{name: "7 days, last day", donor: man(), answers: []Answer{yes(QWithin7Days)},
			on: date(2026, time.March, 16), status: Deferred, until: date(2026, time.March, 17), codes: []Code{CodeWithin7Days}},
		// PĐK 8: first free day.
		{name: "7 days, free", donor: man(), answers: []Answer{yes(QWithin7Days)}, on: date(2026, time.March, 17),
			status: Eligible, volume: 450},
		// PĐK 9: pregnant -> deferred, date unknown.
		{name: "pregnant", donor: woman(), answers: []Answer{yes(QPregnant)}, status: Deferred,
			codes: []Code{CodePregnant}, bases: []Basis{BasisUnknown}},
		// PĐK 9: nursing, child born 06/2025 -> 30 Jun 2026; last day.
		{name: "nursing, last day", donor: woman(), answers: []Answer{yesIn(QNursing, monthOf(2025, time.June))},
			on: date(2026, time.June, 29), status: Deferred, until: date(2026, time.June, 30), codes: []Code{CodeNursing}},
		// PĐK 9: nursing, first free day.
		{name: "nursing, free", donor: woman(), answers: []Answer{yesIn(QNursing, monthOf(2025, time.June))},
			on: date(2026, time.June, 30), status: Eligible, volume: 450},
		// PĐK 9 / Điều 5.1.d: pregnancy ended 01/2026 -> 31 Jan 2027; last day.
		{name: "pregnancy ended, last day", donor: woman(), answers: []Answer{yesIn(QPregnancyEnded, monthOf(2026, time.January))},
			on: date(2027, time.January, 30), status: Deferred, until: date(2027, time.January, 31), codes: []Code{CodePregnancyEnded}},
		// PĐK 9: pregnancy ended, first free day.
		{name: "pregnancy ended, free", donor: woman(), answers: []Answer{yesIn(QPregnancyEnded, monthOf(2026, time.January))},
			on: date(2027, time.January, 31), status: Eligible, volume: 450},
		// PĐK 9 is for women only: a man's answers are ignored.
		{name: "women-only ignored for men", donor: man(), status: Eligible, volume: 450,
			answers: []Answer{yes(QPregnant), yesIn(QNursing, monthOf(2026, time.January))}},
		// Several deferrals: each with its date, sorted; overall = latest.
		{name: "several deferrals", donor: lastGave(83, WholeBlood), status: Deferred, until: date(2026, time.April, 30),
			answers: []Answer{yesIn(QWithin6Months, monthOf(2025, time.October)), yes(QWithin7Days)},
			codes:   []Code{CodeDonationInterval, CodeWithin7Days, CodeWithin6Months}},
		// An unknown end makes the overall date unknown, listed last.
		{name: "unknown end wins the date", donor: woman(), answers: []Answer{yes(QPregnant), yes(QWithin7Days)},
			status: Deferred, codes: []Code{CodeWithin7Days, CodePregnant}},
		// A corrected answer: the last one counts.
		{name: "corrected answer", donor: man(), answers: []Answer{yes(QIllNow), {Question: QIllNow}},
			status: Eligible, volume: 450},
		// Unknown question IDs are ignored.
		{name: "unknown question", donor: man(), answers: []Answer{yes("bogus")}, status: Eligible, volume: 450},
	})
}
