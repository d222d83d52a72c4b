package handlers

import (
	"errors"
	"strings"
)

// Callback data is "<action>:v1[:arg...]". The version lets a later release
// change an action's arguments while old buttons in chats still decode (or
// fail clearly). Data is untrusted: every handler re-checks its arguments
// against the database and the user's rights.

const callbackVersion = "v1"

// maxCallbackBytes is Telegram's limit on callback_data.
const maxCallbackBytes = 64

var errBadCallback = errors.New("malformed callback data")

// callback is decoded callback data.
type callback struct {
	Action string
	Args   []string
}

// encodeCallback builds callback data. It panics on data Telegram would
// refuse, which only a programming error can produce (arguments are ids and
// fixed words), so tests catch it.
func encodeCallback(action string, args ...string) string {
	s := action + ":" + callbackVersion
	for _, a := range args {
		s += ":" + a
	}
	if len(s) > maxCallbackBytes {
		panic("callback data over 64 bytes: " + s)
	}
	return s
}

// decodeCallback parses callback data from a button tap.
func decodeCallback(data string) (callback, error) {
	if data == "" || len(data) > maxCallbackBytes {
		return callback{}, errBadCallback
	}
	parts := strings.Split(data, ":")
	if len(parts) < 2 || parts[1] != callbackVersion || !isWord(parts[0]) {
		return callback{}, errBadCallback
	}
	for _, p := range parts[2:] {
		if p == "" {
			return callback{}, errBadCallback
		}
	}
	return callback{Action: parts[0], Args: parts[2:]}, nil
}

// arg returns argument i or "".
func (c callback) arg(i int) string {
	if i < len(c.Args) {
		return c.Args[i]
	}
	return ""
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}
