// Package datefmt writes dates for people, in their language, with the
// weekday that makes a date easy to place: "Thứ Bảy, 20/12/2026" in
// Vietnamese, "Sat 20 Dec 2026" in English, whose readers would take
// 05/03 for the 3rd of May. Times are written apart, 24-hour ("15:04").
//
// The package is pure: a date is read in its own location, so callers pass
// an instant already in the bot's time zone, or a calendar date (midnight
// UTC, as the storage reads SQL dates).
package datefmt

import "time"

// vietnameseWeekdays are indexed by time.Weekday: Sunday is "Chủ Nhật",
// the other days are numbered from Monday, "Thứ Hai" (the second day).
var vietnameseWeekdays = [7]string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// Day writes the calendar date of d with its weekday: "Thứ Bảy,
// 19/12/2026" for "vi", "Sat 19 Dec 2026" for "en" (and any other
// language the bot may learn before this package does, since a day-first
// number date is what it would misread).
func Day(lang string, d time.Time) string {
	if lang == "vi" {
		return vietnameseWeekdays[d.Weekday()] + ", " + d.Format("02/01/2006")
	}
	return d.Format("Mon 2 Jan 2006")
}

// Month writes the month of d: "12/2026" for "vi", "Dec 2026" for "en".
func Month(lang string, d time.Time) string {
	if lang == "vi" {
		return d.Format("01/2006")
	}
	return d.Format("Jan 2006")
}

// Short writes the date of d with its weekday but no year, for a button
// where the year is near enough: "Thứ Bảy 19/12" for "vi", "Sat 19 Dec"
// for "en".
func Short(lang string, d time.Time) string {
	if lang == "vi" {
		return vietnameseWeekdays[d.Weekday()] + " " + d.Format("02/01")
	}
	return d.Format("Mon 2 Jan")
}
