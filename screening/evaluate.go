package screening

import (
	"slices"
	"time"
)

// Status is the outcome of a screening.
type Status string

// Statuses. NotEligible wins over Deferred, which wins over Eligible.
const (
	Eligible    Status = "eligible"
	Deferred    Status = "deferred"
	NotEligible Status = "not_eligible"
)

// Code identifies a reason. Codes are stable strings that the UI maps to
// localized text; record deferrals pass their own codes through.
type Code string

// Reason codes produced by this package.
const (
	CodeIllNow           Code = "ill_now"           // PĐK 2
	CodeChronicCondition Code = "chronic_condition" // PĐK 3
	CodeWithin12Months   Code = "within_12_months"  // PĐK 4
	CodeWithin6Months    Code = "within_6_months"   // PĐK 5
	CodeWithin4Weeks     Code = "within_4_weeks"    // PĐK 6
	CodeWithin14Days     Code = "within_14_days"    // PĐK 7
	CodeWithin7Days      Code = "within_7_days"     // PĐK 8
	CodePregnant         Code = "pregnant"          // PĐK 9
	CodeNursing          Code = "nursing"           // PĐK 9
	CodePregnancyEnded   Code = "pregnancy_ended"   // PĐK 9
	CodeDonationInterval Code = "donation_interval" // TT26 Điều 6
	CodeUnder18          Code = "age_under_18"      // TT26 Điều 4 khoản 1
	CodeOver60           Code = "age_over_60"       // TT26 Điều 4 khoản 1
	CodeUnderweight      Code = "underweight"       // TT26 Điều 4 khoản 2
)

// Basis says how a reason's Until date was obtained, so the UI can say when
// it is an estimate.
type Basis string

// Bases.
const (
	// BasisExact: from an exact date (history, records, birth date, or the
	// day the donor gave).
	BasisExact Basis = "exact"
	// BasisMonthEnd: counted from the last day of the month the donor gave.
	BasisMonthEnd Basis = "month_end"
	// BasisToday: counted from the day of answering (no date given, or the
	// form does not ask one).
	BasisToday Basis = "today"
	// BasisAssumedRecovery: "ill now", assumed recovered 14 days from today.
	BasisAssumedRecovery Basis = "assumed_recovery"
	// BasisUnknown: the end cannot be computed (pregnancy, open record
	// deferral); Until is zero. Ask again later.
	BasisUnknown Basis = "unknown"
)

// Notice is a message code the UI shows with the result.
type Notice string

// Notices.
const (
	// NoticeFinalDecisionByStaff is on every result, first: the bot only
	// pre-screens, the medical staff at the drive decide.
	NoticeFinalDecisionByStaff Notice = "final_decision_by_staff"
	// NoticeSeeDoctor: a medical NotEligible reason; advise a doctor.
	NoticeSeeDoctor Notice = "see_doctor"
	// NoticeWeightUnknown: the profile has no weight; it was not checked.
	NoticeWeightUnknown Notice = "weight_unknown"
	// NoticeBirthDateUnknown: the profile has no birth date; age was not
	// checked.
	NoticeBirthDateUnknown Notice = "birth_date_unknown"
	// NoticeLastDonationUnknown: the donor has given blood but does not
	// remember when, and the history does not know either. No interval is
	// applied; the staff check the donor card at the drive.
	NoticeLastDonationUnknown Notice = "last_donation_unknown"
)

// Reason is one reason for a deferral or for not being eligible.
type Reason struct {
	Code Code
	// Until is the first day the donor may donate again; zero for
	// NotEligible reasons and for deferrals of unknown end.
	Until time.Time
	Basis Basis
}

// Result is the outcome of Evaluate.
type Result struct {
	Status Status
	// Until, when Deferred, is the first day the donor may donate again:
	// the latest Until of Reasons, or zero if any of them is unknown.
	Until time.Time
	// Reasons lists every deferral (sorted by Until, unknown last) when
	// Deferred, or the NotEligible reasons only when NotEligible, since
	// deferral dates mean nothing then. Empty when Eligible.
	Reasons []Reason
	// MaxVolumeML is the largest whole-blood bag allowed when Eligible (0
	// if the weight is unknown), otherwise 0.
	MaxVolumeML int
	// Apheresis says platelets or plasma may be collected too (Eligible
	// and at least 50 kg, see ApheresisAllowed).
	Apheresis bool
	// Notices always starts with NoticeFinalDecisionByStaff.
	Notices []Notice
}

// Evaluate screens a donor for a drive on date on, from the profile,
// history and latest answer about the last donation in d and the
// questionnaire answers given today. It is the one eligibility rule: every
// screen that shows a donor's status calls it (NextEligible too). Unanswered
// questions count as No (check Missing first); answers to unknown questions
// and, for men, to women-only questions are ignored. A reason whose Until is
// on or before the drive's date does not defer.
func Evaluate(cfg Config, d Donor, answers []Answer, on, today time.Time) Result {
	v := &verdict{on: day(on)}
	today = day(today)
	v.checkDonor(d)
	byID := latestAnswers(answers)
	a, ok := byID[QDonatedBefore]
	if !ok && d.Answered != nil {
		a, ok = *d.Answered, true
	}
	last, basis, known := donationFrom(d.LastDonation, a, ok, today)
	if !known {
		v.notice(NoticeLastDonationUnknown)
	}
	v.checkInterval(cfg, last, basis)
	for _, it := range questionnaire {
		a, ok := byID[it.q.ID]
		if !ok || !a.Yes || it.q.ID == QDonatedBefore || (it.q.WomenOnly && !d.Female) {
			continue
		}
		switch r := it.r; {
		case r.notEligible:
			v.exclude(Reason{Code: r.code, Basis: BasisExact}, true)
		case r.unknownEnd:
			v.deferral(Reason{Code: r.code, Basis: BasisUnknown})
		default:
			if !it.q.AsksDate {
				a.When = nil
			}
			from, b := eventDate(a, today, r.basis)
			v.deferral(Reason{Code: r.code, Until: r.until(from), Basis: b})
		}
	}
	return v.result(d)
}

// NextEligible returns the earliest day, from date from on, on which the
// donor may donate as far as the profile, the history, the records and the
// latest answer about the last donation tell (no new answers), with the reasons that push it past from. It returns a
// zero time when there is no such day or it cannot be computed: a
// NotEligible reason (including a deferral that ends on or after the 61st
// birthday) or a deferral of unknown end. It is Evaluate without answers.
func NextEligible(cfg Config, d Donor, from time.Time) (time.Time, []Reason) {
	res := Evaluate(cfg, d, nil, from, from)
	switch {
	case res.Status == Eligible:
		return day(from), nil
	case res.Status == NotEligible || res.Until.IsZero():
		return time.Time{}, res.Reasons
	}
	return res.Until, res.Reasons
}

// verdict collects reasons for one screening date.
type verdict struct {
	on          time.Time
	notEligible []Reason
	deferrals   []Reason
	seeDoctor   bool
	notices     []Notice
}

// deferral keeps r only if it still defers on the screening date.
func (v *verdict) deferral(r Reason) {
	if r.Until.IsZero() || v.on.Before(r.Until) {
		v.deferrals = append(v.deferrals, r)
	}
}

func (v *verdict) exclude(r Reason, medical bool) {
	v.notEligible = append(v.notEligible, r)
	v.seeDoctor = v.seeDoctor || medical
}

func (v *verdict) notice(n Notice) { v.notices = append(v.notices, n) }

func (v *verdict) result(d Donor) Result {
	res := Result{Notices: []Notice{NoticeFinalDecisionByStaff}}
	switch {
	case len(v.notEligible) > 0:
		res.Status = NotEligible
		res.Reasons = v.notEligible
		if v.seeDoctor {
			res.Notices = append(res.Notices, NoticeSeeDoctor)
		}
	case len(v.deferrals) > 0:
		res.Status = Deferred
		res.Reasons = v.deferrals
		slices.SortStableFunc(res.Reasons, compareUntil)
		// Sorted with unknown last, so the last one is the overall date,
		// and zero (unknown) if any is unknown.
		res.Until = res.Reasons[len(res.Reasons)-1].Until
		// TT26 Điều 4 khoản 1: a deferral that ends on or after the 61st
		// birthday ends when the donor is already too old; promising that
		// date would send them to a drive that must turn them away.
		if !res.Until.IsZero() && !d.BirthDate.IsZero() &&
			!res.Until.Before(anniversary(d.BirthDate, limitAgeYears, false)) {
			res.Status, res.Until = NotEligible, time.Time{}
			res.Reasons = append(res.Reasons, Reason{Code: CodeOver60, Basis: BasisExact})
		}
	default:
		res.Status = Eligible
		res.MaxVolumeML = MaxVolumeML(d.Female, d.WeightKg)
		res.Apheresis = ApheresisAllowed(d.WeightKg)
	}
	res.Notices = append(res.Notices, v.notices...)
	return res
}

// compareUntil orders by Until, with zero (unknown) after every date.
func compareUntil(a, b Reason) int {
	switch az, bz := a.Until.IsZero(), b.Until.IsZero(); {
	case az && bz:
		return 0
	case az:
		return 1
	case bz:
		return -1
	}
	return a.Until.Compare(b.Until)
}
