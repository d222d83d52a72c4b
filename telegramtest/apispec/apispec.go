// Package apispec embeds the machine-readable Telegram Bot API spec that the
// fake Bot API server (telegramtest) checks every request against: tests,
// the playground and the load driver all use this copy, so the repository
// needs nothing beside it. It is api.min.json from
// github.com/PaulSonOfLars/telegram-bot-api-spec (MIT: see LICENSE here);
// SOURCE says which version and when. scripts/update-bot-api-spec.sh
// replaces it, and the tests here check that it parses and documents every
// method, parameter and type the bot uses.
package apispec

import _ "embed"

// JSON is the contents of api.min.json.
//
//go:embed api.min.json
var JSON []byte
