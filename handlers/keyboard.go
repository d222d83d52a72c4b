package handlers

import "donorbot/botapi"

// rows lays buttons out perRow to a row.
func rows(perRow int, buttons ...botapi.Button) botapi.InlineKeyboard {
	kb := botapi.InlineKeyboard{InlineKeyboard: [][]botapi.Button{}}
	for i := 0; i < len(buttons); i += perRow {
		kb.InlineKeyboard = append(kb.InlineKeyboard, buttons[i:min(i+perRow, len(buttons))])
	}
	return kb
}
