package drive

import "slices"

// DeferralReasons are the reasons medical staff most often give for
// deferring a donor at a drive, offered as buttons at the check-in desk and
// stored as these codes (the deferrals.reason_code CHECK lists the same):
// each reader sees the reason in their own language, whoever typed it. Any
// other reason is typed and kept as typed.
var DeferralReasons = []string{"low_hb", "high_bp", "low_bp", "underweight", "unwell", "medication"}

// IsDeferralReason reports whether code is a preset reason.
func IsDeferralReason(code string) bool { return slices.Contains(DeferralReasons, code) }
