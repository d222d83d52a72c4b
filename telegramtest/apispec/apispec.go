// Package apispec embeds a copy of the machine-readable Telegram Bot API
// spec (api.min.json from github.com/PaulSonOfLars/telegram-bot-api-spec,
// MIT licensed: see LICENSE here) for programs that run the fake Bot API
// server outside the repository, where ../shared is not available: the
// playground. Tests keep reading ../shared (telegramtest.SpecPath);
// TestEmbeddedCopyIsCurrent fails when the two differ.
package apispec

import _ "embed"

// JSON is the contents of api.min.json.
//
//go:embed api.min.json
var JSON []byte
