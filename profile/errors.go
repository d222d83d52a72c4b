package profile

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the parsers. Each maps to one localized message,
// so callers compare with errors.Is; a parser may wrap them to add context.
var (
	ErrNameTooShort = errors.New("profile: name too short")
	ErrNameTooLong  = errors.New("profile: name too long")
	ErrNameInvalid  = errors.New("profile: name has characters other than letters, spaces, ' - .")

	ErrPhoneInvalid       = errors.New("profile: not a valid Vietnamese mobile number")
	ErrPhoneNotVietnamese = errors.New("profile: phone number is not Vietnamese")
	// ErrPhoneNotMobile is a Vietnamese landline. It wraps ErrPhoneInvalid, so
	// a handler that only knows ErrPhoneInvalid still shows a sensible message,
	// while one that checks it first can say "please give a mobile number".
	ErrPhoneNotMobile = fmt.Errorf("%w: landline, not a mobile", ErrPhoneInvalid)

	ErrDateInvalid   = errors.New("profile: not a valid date (dd/mm/yyyy)")
	ErrDateFuture    = errors.New("profile: date is in the future")
	ErrAgeOutOfRange = errors.New("profile: age out of range")

	ErrWeightInvalid    = errors.New("profile: weight is not a number")
	ErrWeightOutOfRange = errors.New("profile: weight out of range")

	ErrSexInvalid        = errors.New("profile: unknown sex")
	ErrBloodGroupInvalid = errors.New("profile: unknown blood group")
)
