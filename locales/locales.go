// Package locales holds the user-facing texts, one TOML file per language,
// in go-i18n's format. Vietnamese is the default language.
package locales

import "embed"

// FS holds vi.toml and en.toml.
//
//go:embed *.toml
var FS embed.FS
