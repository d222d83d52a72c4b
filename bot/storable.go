package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// storableUpdate returns an update's JSON in a form PostgreSQL's jsonb
// takes. Telegram relays what clients send, and jsonb refuses some valid
// JSON: \u0000 (22P05), a lone surrogate escape such as \ud800 (22P02),
// invalid UTF-8 (22021), and numbers beyond its numeric range (22003). Such
// an update would be refused on every delivery, fail the other updates of
// its group-commit statement, and put the text around the fault in the
// server's log (the error's CONTEXT quotes the JSON). So each of those is
// replaced before the update is stored or handled: a refused character by
// U+FFFD, which keeps the UTF-16 offsets of message entities right (one unit
// for one), and an out-of-range number by one jsonb takes or by null.
// Anything else comes back unchanged, JSON or not (the caller decodes it
// next); an error means raw is not JSON.
func storableUpdate(raw []byte) ([]byte, error) {
	if jsonbSafe(raw) {
		return raw, nil
	}
	return reencode(raw)
}

// reencode decodes raw and encodes it again with the replacements.
func reencode(raw []byte) ([]byte, error) {
	if !json.Valid(raw) { // a Decoder would ignore what follows the value
		return nil, errors.New("update JSON: malformed")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("update JSON: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(storableValue(v)); err != nil {
		return nil, fmt.Errorf("update JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// plainNumber reports whether jsonb takes a JSON number's text as it is:
// jsonb refuses more than 131072 digits before the point or 16383 after it,
// while Telegram's numbers are ids, dates and coordinates. A number of at
// most 40 characters whose exponent has at most 3 digits is well within.
func plainNumber(s string) bool {
	if len(s) > 40 {
		return false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return len(strings.TrimLeft(s[i+1:], "+-")) <= 3
	}
	return true
}

// storableValue rewrites a decoded JSON value (the decoder has already
// turned invalid UTF-8 and lone surrogates into U+FFFD).
func storableValue(v any) any {
	switch v := v.(type) {
	case string:
		return strings.ReplaceAll(v, "\x00", "\uFFFD")
	case json.Number:
		return storableNumber(v)
	case []any:
		for i := range v {
			v[i] = storableValue(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[strings.ReplaceAll(k, "\x00", "\uFFFD")] = storableValue(e)
		}
		return out
	default:
		return v
	}
}

func storableNumber(n json.Number) any {
	if plainNumber(string(n)) {
		return n
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil // beyond float64 as well: no value to keep
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// jsonbSafe reports, in one pass, that raw holds
// none of what storableUpdate replaces; it may answer false for JSON that
// is fine (then storableUpdate re-encodes it to the same value).
func jsonbSafe(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	inString, number := false, -1 // number: where the number being read starts
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if inString {
			switch c {
			case '"':
				inString = false
			case '\\':
				if i+1 < len(raw) && raw[i+1] == 'u' && !plainEscape(raw[i+2:]) {
					return false
				}
				i++ // the escaped character
			}
			continue
		}
		if strings.IndexByte("+-.0123456789eE", c) >= 0 {
			if number < 0 {
				number = i
			}
			continue
		}
		if number >= 0 && !plainNumber(string(raw[number:i])) {
			return false
		}
		number = -1
		inString = c == '"'
	}
	return number < 0 || plainNumber(string(raw[number:]))
}

// plainEscape reports whether the 4 hex digits of a \u escape name neither
// U+0000 nor a surrogate (which would need checking for its pair).
func plainEscape(hex []byte) bool {
	if len(hex) < 4 {
		return false
	}
	code, err := strconv.ParseUint(string(hex[:4]), 16, 16)
	return err == nil && code != 0 && (code < 0xD800 || code > 0xDFFF)
}
