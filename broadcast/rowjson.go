package broadcast

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// withChatID returns params, a JSON object, with its top-level chat_id
// set to chatID (and any other chat_id member left out), ready to post.
// The object is read once, member by member, without decoding values: an
// outbox row's params come from a jsonb column, so they are valid JSON
// with each key once; a nested chat_id (reply_parameters) is left alone.
func withChatID(params []byte, chatID int64) ([]byte, error) {
	out := make([]byte, 0, len(params)+32)
	out = append(out, `{"chat_id":`...)
	out = strconv.AppendInt(out, chatID, 10)
	err := eachMember(params, func(key, member []byte) error {
		isChat, err := keyIs(key, "chat_id")
		if err != nil || isChat {
			return err
		}
		out = append(out, ',')
		out = append(out, member...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(out, '}'), nil
}

// keyIs reports whether a raw key (between its quotes) spells name; only
// a key with escapes is decoded.
func keyIs(raw []byte, name string) (bool, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw) == name, nil
	}
	var key string
	if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &key); err != nil {
		return false, fmt.Errorf("outbox params: key %s: %w", raw, err)
	}
	return key == name, nil
}

var errNotObject = errors.New("outbox params: not a JSON object")

// eachMember calls fn with each top-level member of a JSON object: its raw
// key (without quotes) and the member as written, `"key": value`.
func eachMember(obj []byte, fn func(key, member []byte) error) error {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return errNotObject
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return trailing(obj, i+1)
	}
	for {
		start := i
		keyEnd, err := skipString(obj, i)
		if err != nil {
			return err
		}
		i = skipSpace(obj, keyEnd)
		if i >= len(obj) || obj[i] != ':' {
			return errNotObject
		}
		valueEnd, err := skipValue(obj, skipSpace(obj, i+1))
		if err != nil {
			return err
		}
		if err := fn(obj[start+1:keyEnd-1], obj[start:valueEnd]); err != nil {
			return err
		}
		i = skipSpace(obj, valueEnd)
		if i >= len(obj) {
			return errNotObject
		}
		switch obj[i] {
		case ',':
			i = skipSpace(obj, i+1)
		case '}':
			return trailing(obj, i+1)
		default:
			return errNotObject
		}
	}
}

func trailing(obj []byte, i int) error {
	if skipSpace(obj, i) != len(obj) {
		return errNotObject
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i].
func skipString(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != '"' {
		return 0, errNotObject
	}
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errNotObject
}

// skipValue returns the index just past the value starting at b[i]:
// strings and brackets are followed to their end, anything else (numbers,
// true, false, null) runs to the next delimiter.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errNotObject
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				end, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errNotObject
	}
	start := i
	for i < len(b) && strings.IndexByte(",}] \t\n\r", b[i]) < 0 {
		i++
	}
	if i == start {
		return 0, errNotObject
	}
	return i, nil
}
