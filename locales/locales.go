// Package locales holds the user-facing texts in go-i18n's TOML format, one
// file per journey and language: <journey>.<lang>.toml. Vietnamese is the
// default language.
package locales

import "embed"

// FS holds every locale file.
//
//go:embed *.toml
var FS embed.FS
