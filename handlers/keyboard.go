package handlers

// These keyboard types replace go-telegram/bot's models, whose
// InlineKeyboardButton always serializes an empty copy_text object that the
// Bot API spec does not allow (CopyTextButton.text is 1-256 characters).

// button is one inline keyboard button carrying callback data.
type button struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// inlineKeyboard is an InlineKeyboardMarkup.
type inlineKeyboard struct {
	InlineKeyboard [][]button `json:"inline_keyboard"`
}

// keyButton is a reply keyboard button.
type keyButton struct {
	Text           string `json:"text"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

// replyKeyboard is a ReplyKeyboardMarkup.
type replyKeyboard struct {
	Keyboard        [][]keyButton `json:"keyboard"`
	ResizeKeyboard  bool          `json:"resize_keyboard,omitempty"`
	OneTimeKeyboard bool          `json:"one_time_keyboard,omitempty"`
}

// removeKeyboard is a ReplyKeyboardRemove.
type removeKeyboard struct {
	RemoveKeyboard bool `json:"remove_keyboard"`
}

// rows lays buttons out perRow to a row.
func rows(perRow int, buttons ...button) inlineKeyboard {
	kb := inlineKeyboard{InlineKeyboard: [][]button{}}
	for i := 0; i < len(buttons); i += perRow {
		kb.InlineKeyboard = append(kb.InlineKeyboard, buttons[i:min(i+perRow, len(buttons))])
	}
	return kb
}

// with appends one more row.
func (kb inlineKeyboard) with(row ...button) inlineKeyboard {
	kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	return kb
}
