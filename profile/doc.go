// Package profile parses and validates what a donor types during onboarding:
// name, phone, sex, birth date, weight and blood group.
//
// Every parser returns a normalized value or one of the exported sentinel
// errors, so handlers can pick a localized message with errors.Is. The
// package is pure: no Telegram, no storage, and the current date is passed
// in so results never depend on the clock or the server's time zone.
//
// These checks are about plausible input only. Whether someone may donate
// today (age, weight, intervals, health questions) is decided elsewhere.
package profile
