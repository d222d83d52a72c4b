// Package screening is the pre-donation questionnaire and eligibility engine.
//
// It encodes Thông tư 26/2013/TT-BYT "Quy định về hoạt động truyền máu"
// (TT26: Điều 4 donor criteria, Điều 5 deferrals, Điều 6 intervals) and the
// standard registration form "Phiếu đăng ký hiến máu tình nguyện" (PĐK),
// whose questions 1–9 the conversation asks. Where the form is stricter than
// the circular (flu: 14 days instead of 7) the form wins, since it is what the
// staff ask at the drive. Each rule cites its source next to its code.
//
// The package is pure domain: no Telegram, storage or i18n. Everything it
// returns is a code (QuestionID, Status, Code, Basis, Notice) that the UI maps
// to localized text.
//
// # Flow
//
//	qs := screening.Questions(female)          // one Yes/No at a time
//	next := screening.Missing(female, answers) // what to ask next
//	// On Yes to a question with AsksDate, ask month/year and parse it with
//	// ParseMonthYear; with AsksKind (question 1), ask what was donated.
//	res := screening.Evaluate(screening.Config{}, donor, answers, driveDay, today)
//	day, why := screening.NextEligible(screening.Config{}, donor, today) // for /eligibility
//
// A Result is Eligible (with MaxVolumeML), Deferred (each reason with its own
// Until; Result.Until is the latest) or NotEligible (the reasons; with
// NoticeSeeDoctor when medical). Any NotEligible reason wins over deferrals.
// Every Result carries NoticeFinalDecisionByStaff first: the bot pre-screens,
// the medical staff at the drive decide.
//
// # Dates
//
// All dates are calendar days. The package takes the date each time.Time
// shows in its own location and works at UTC midnight, so callers pass times
// in Asia/Ho_Chi_Minh (or dates already at UTC midnight).
//
// Until dates are the first day the donor may donate again: a donor is
// deferred on a day d when d < Until. A whole-blood donation on day D gives
// Until = D + 84 days, so the donor is eligible exactly 84 days later.
//
// "Deferred N months" means time.AddDate(0, N, 0): the same day N months
// later. Go normalizes a missing day forward (31 October + 6 months = 1 May),
// which errs on the side of the donor's and the recipient's safety.
//
// Where a Yes has a date that matters, the donor gives a month and year
// (ParseMonthYear). The window is then counted from the last day of that
// month, because it is the only day of the month that never ends a deferral
// too early; and never from later than today, because the event cannot have
// happened after the answer. Without a date the window is counted from the
// day of answering, for the same reason. Reason.Basis tells the UI which was
// used, and BasisAssumedRecovery marks "ill now", assumed to last until 14
// days from today.
//
// A deferral whose end cannot be known (pregnant; an open record deferral)
// has a zero Until and BasisUnknown; Result.Until is then zero too, meaning
// "ask again later".
package screening
