// Package botapi holds what the handlers and the broadcast engine both need
// to speak the Telegram Bot API: reply markup types, and the rule for
// waiting out Telegram's flood control (HTTP 429).
package botapi

// These keyboard types replace go-telegram/bot's models, whose
// InlineKeyboardButton always serializes an empty copy_text object that the
// Bot API spec does not allow (CopyTextButton.text is 1-256 characters).

// Button is one inline keyboard button: callback data or a URL.
type Button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
	// WebApp opens a Mini App with the user's signed initData.
	WebApp *WebApp `json:"web_app,omitempty"`
}

// WebApp is a WebAppInfo: the https URL of a Mini App.
type WebApp struct {
	URL string `json:"url"`
}

// InlineKeyboard is an InlineKeyboardMarkup.
type InlineKeyboard struct {
	InlineKeyboard [][]Button `json:"inline_keyboard"`
}

// With appends one more row.
func (kb InlineKeyboard) With(row ...Button) InlineKeyboard {
	kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	return kb
}

// KeyButton is a reply keyboard button.
type KeyButton struct {
	Text           string `json:"text"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

// ReplyKeyboard is a ReplyKeyboardMarkup.
type ReplyKeyboard struct {
	Keyboard        [][]KeyButton `json:"keyboard"`
	ResizeKeyboard  bool          `json:"resize_keyboard,omitempty"`
	OneTimeKeyboard bool          `json:"one_time_keyboard,omitempty"`
	// IsPersistent keeps the keyboard up even when the user opens the
	// emoji or text keyboard instead.
	IsPersistent bool `json:"is_persistent,omitempty"`
}

// RemoveKeyboard is a ReplyKeyboardRemove.
type RemoveKeyboard struct {
	RemoveKeyboard bool `json:"remove_keyboard"`
}
