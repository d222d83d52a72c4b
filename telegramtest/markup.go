package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Button is an inline keyboard button as the user sees it.
type Button struct {
	Text         string
	CallbackData string
	URL          string
	WebAppURL    string // a web_app button's Mini App
}

// KeyboardButton is a reply keyboard button as the user sees it.
type KeyboardButton struct {
	Text            string
	RequestContact  bool
	RequestLocation bool
}

// inlineActions are InlineKeyboardButton's fields of which exactly one must
// be used ("Exactly one of the fields other than text, icon_custom_emoji_id,
// and style must be used").
var inlineActions = []string{
	"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
	"copy_text", "callback_game", "pay",
}

// checkReplyMarkup validates a JSON-serialized reply_markup; allowed are the
// spec types the method's reply_markup accepts.
func (sp *spec) checkReplyMarkup(raw string, allowed []string) []problem {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil || obj == nil {
		return []problem{prob("reply_markup is not a JSON object", "can't parse reply keyboard markup JSON object")}
	}
	var kind string
	switch {
	case obj["inline_keyboard"] != nil:
		kind = "InlineKeyboardMarkup"
	case obj["keyboard"] != nil:
		kind = "ReplyKeyboardMarkup"
	case obj["remove_keyboard"] != nil:
		kind = "ReplyKeyboardRemove"
	case obj["force_reply"] != nil:
		kind = "ForceReply"
	default:
		return []problem{prob("reply_markup has none of inline_keyboard, keyboard, remove_keyboard, force_reply", "can't parse reply keyboard markup JSON object")}
	}
	if !slices.Contains(allowed, kind) {
		return []problem{prob(kind+" given, expected "+strings.Join(allowed, " or "), "inline keyboard expected")}
	}
	var probs []problem
	if t := sp.types[kind]; t != nil {
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if t.byName[k] == nil {
				probs = append(probs, prob(fmt.Sprintf("reply_markup field %q is not in %s", k, kind), "can't parse reply keyboard markup JSON object"))
			}
		}
	}
	switch kind {
	case "InlineKeyboardMarkup":
		var rows [][]map[string]json.RawMessage
		if err := json.Unmarshal(obj["inline_keyboard"], &rows); err != nil {
			return append(probs, prob("inline_keyboard must be an array of arrays of InlineKeyboardButton", "can't parse inline keyboard button: %v", err))
		}
		for r, row := range rows {
			for c, btn := range row {
				probs = append(probs, sp.checkInlineButton(fmt.Sprintf("inline_keyboard[%d][%d]", r, c), btn)...)
			}
		}
	case "ReplyKeyboardMarkup":
		var rows [][]json.RawMessage
		if err := json.Unmarshal(obj["keyboard"], &rows); err != nil {
			return append(probs, prob("keyboard must be an array of arrays of KeyboardButton", "can't parse keyboard button: %v", err))
		}
		for r, row := range rows {
			for c, btn := range row {
				probs = append(probs, sp.checkKeyboardButton(fmt.Sprintf("keyboard[%d][%d]", r, c), btn)...)
			}
		}
	case "ReplyKeyboardRemove":
		if string(obj["remove_keyboard"]) != "true" {
			probs = append(probs, prob("remove_keyboard must be true", "can't parse reply keyboard markup JSON object"))
		}
	case "ForceReply":
		if string(obj["force_reply"]) != "true" {
			probs = append(probs, prob("force_reply must be true", "can't parse reply keyboard markup JSON object"))
		}
	}
	return probs
}

func (sp *spec) checkInlineButton(where string, btn map[string]json.RawMessage) []problem {
	var probs []problem
	if t := sp.types["InlineKeyboardButton"]; t != nil {
		for _, k := range slices.Sorted(maps.Keys(btn)) {
			if t.byName[k] == nil {
				probs = append(probs, prob(fmt.Sprintf("%s has field %q, not in InlineKeyboardButton", where, k), "can't parse inline keyboard button: unknown field %q", k))
			}
		}
	}
	var text string
	if json.Unmarshal(btn["text"], &text) != nil || strings.TrimSpace(text) == "" {
		probs = append(probs, prob(where+".text is missing or empty", "BUTTON_TEXT_INVALID"))
	}
	actions := 0
	copyTextBad := false
	for _, name := range inlineActions {
		v, present := btn[name]
		if !present || string(v) == "null" {
			continue
		}
		switch name {
		case "callback_data":
			var data string
			_ = json.Unmarshal(v, &data)
			if n := len(data); n < 1 || n > 64 {
				probs = append(probs, prob(fmt.Sprintf("%s.callback_data is %d bytes, must be 1-64", where, n), "BUTTON_DATA_INVALID"))
			}
		case "url":
			var u string
			if json.Unmarshal(v, &u) != nil || u == "" {
				probs = append(probs, prob(where+".url is empty", "BUTTON_URL_INVALID"))
			}
		case "copy_text":
			var ct struct {
				Text string `json:"text"`
			}
			_ = json.Unmarshal(v, &ct)
			if n := utf8.RuneCountInString(ct.Text); n < 1 || n > 256 {
				// go-telegram/bot's InlineKeyboardButton has a non-pointer
				// CopyText, so it always sends "copy_text":{"text":""}.
				probs = append(probs, prob(fmt.Sprintf("%s.copy_text.text is %d characters, must be 1-256 (go-telegram/bot's models.InlineKeyboardButton always sends an empty copy_text)", where, n),
					"can't parse inline keyboard button: copy_text text must be 1-256 characters"))
				copyTextBad = true
				continue
			}
		case "pay":
			if string(v) != "true" {
				continue
			}
		}
		actions++
	}
	switch {
	case actions == 0 && !copyTextBad:
		probs = append(probs, prob(where+" has no action field (url, callback_data, ...)", "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"))
	case actions > 1:
		probs = append(probs, prob(fmt.Sprintf("%s uses %d action fields, exactly one is allowed", where, actions), "can't parse inline keyboard button: exactly one of the optional fields must be used"))
	}
	return probs
}

func (sp *spec) checkKeyboardButton(where string, raw json.RawMessage) []problem {
	var s string
	if json.Unmarshal(raw, &s) == nil { // a plain string button is still accepted
		if strings.TrimSpace(s) == "" {
			return []problem{prob(where+" is an empty string", "keyboard button text is empty")}
		}
		return nil
	}
	var btn map[string]json.RawMessage
	if err := json.Unmarshal(raw, &btn); err != nil {
		return []problem{prob(where+" is neither a string nor an object", "can't parse keyboard button")}
	}
	var probs []problem
	if t := sp.types["KeyboardButton"]; t != nil {
		for _, k := range slices.Sorted(maps.Keys(btn)) {
			if t.byName[k] == nil {
				probs = append(probs, prob(fmt.Sprintf("%s has field %q, not in KeyboardButton", where, k), "can't parse keyboard button: unknown field %q", k))
			}
		}
	}
	var text string
	if json.Unmarshal(btn["text"], &text) != nil || strings.TrimSpace(text) == "" {
		probs = append(probs, prob(where+".text is missing or empty", "keyboard button text is empty"))
	}
	return probs
}

// markup is a validated reply_markup in the form a Message keeps.
type markup struct {
	inline    [][]Button
	inlineRaw json.RawMessage // canonical JSON, echoed in Message.reply_markup
	reply     [][]KeyboardButton
	remove    bool
	force     bool
}

// parseMarkup reads a reply_markup that already passed checkReplyMarkup.
// Only inline keyboards become part of the Message object, as on Telegram.
func parseMarkup(raw string) markup {
	var m markup
	if raw == "" {
		return m
	}
	var obj struct {
		Inline [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
			URL          string `json:"url"`
			WebApp       struct {
				URL string `json:"url"`
			} `json:"web_app"`
		} `json:"inline_keyboard"`
		Keyboard       [][]json.RawMessage `json:"keyboard"`
		RemoveKeyboard bool                `json:"remove_keyboard"`
		ForceReply     bool                `json:"force_reply"`
	}
	if json.Unmarshal([]byte(raw), &obj) != nil {
		return m
	}
	for _, row := range obj.Inline {
		r := make([]Button, len(row))
		for i, b := range row {
			r[i] = Button{Text: b.Text, CallbackData: b.CallbackData, URL: b.URL, WebAppURL: b.WebApp.URL}
		}
		m.inline = append(m.inline, r)
	}
	if len(m.inline) > 0 {
		// An empty inline keyboard is no keyboard, as on Telegram.
		m.inlineRaw = canonicalJSON(raw)
	}
	for _, row := range obj.Keyboard {
		r := make([]KeyboardButton, len(row))
		for i, b := range row {
			var s string
			if json.Unmarshal(b, &s) == nil {
				r[i] = KeyboardButton{Text: s}
				continue
			}
			var kb struct {
				Text            string `json:"text"`
				RequestContact  bool   `json:"request_contact"`
				RequestLocation bool   `json:"request_location"`
			}
			_ = json.Unmarshal(b, &kb)
			r[i] = KeyboardButton{Text: kb.Text, RequestContact: kb.RequestContact, RequestLocation: kb.RequestLocation}
		}
		m.reply = append(m.reply, r)
	}
	m.remove, m.force = obj.RemoveKeyboard, obj.ForceReply
	return m
}

// canonicalJSON re-encodes JSON with sorted keys so that two markups can be
// compared for "message is not modified".
func canonicalJSON(raw string) json.RawMessage {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return json.RawMessage(raw)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(raw)
	}
	return out
}

func copyInline(k [][]Button) [][]Button {
	if k == nil {
		return nil
	}
	out := make([][]Button, len(k))
	for i, row := range k {
		out[i] = slices.Clone(row)
	}
	return out
}

func copyReply(k [][]KeyboardButton) [][]KeyboardButton {
	if k == nil {
		return nil
	}
	out := make([][]KeyboardButton, len(k))
	for i, row := range k {
		out[i] = slices.Clone(row)
	}
	return out
}

func jsonEqual(a, b json.RawMessage) bool { return bytes.Equal(a, b) }
