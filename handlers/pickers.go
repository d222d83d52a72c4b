package handlers

import (
	"context"
	"strconv"
	"time"

	"donorbot/botapi"
	"donorbot/datefmt"
	"donorbot/storage"
)

// Organizers' commands that name a drive offer a picker of the drives the
// user manages when typed without a code: pick:v1:<command>:d<drive> runs
// the command as if the drive's code had been typed, pick:v1:<command>:p<n>
// shows page n of the picker.

// pickerPageSize is how many drives a picker shows at once: a phone screen
// of buttons.
const pickerPageSize = 6

// pickerMaxPage bounds the page of a tapped paging button: data is
// untrusted, and no organizer manages thousands of pages of drives.
const pickerMaxPage = 10000

// pickerCommands are the commands with a picker, by the message id of
// their usage line (what organizerDrive is given). /stats offers its
// picker itself, since its argument may also be a campaign's name.
var pickerCommands = map[string]string{
	"checkin_usage": "checkin", "export_usage": "export", "qr_usage": "qr",
	"editdrive_usage": "editdrive", "canceldrive_usage": "canceldrive", "stats_usage": "stats",
}

// pickerTap is decoded picker callback data: a drive chosen for Command,
// or a page of its picker.
type pickerTap struct {
	Command string
	DriveID int64 // 0 for a page
	Page    int
}

// data encodes the tap as callback data.
func (p pickerTap) data() string {
	if p.DriveID != 0 {
		return encodeCallback("pick", p.Command, "d"+id(p.DriveID))
	}
	return encodeCallback("pick", p.Command, "p"+strconv.Itoa(p.Page))
}

// parsePickerData decodes picker callback data, refusing anything data()
// would not have written.
func parsePickerData(data string) (pickerTap, error) {
	cb, err := decodeCallback(data)
	if err != nil {
		return pickerTap{}, err
	}
	return parsePickerTap(cb)
}

// parsePickerTap reads decoded picker callback data.
func parsePickerTap(cb callback) (pickerTap, error) {
	if cb.Action != "pick" || len(cb.Args) != 2 || !isPickerCommand(cb.Args[0]) || len(cb.Args[1]) < 2 {
		return pickerTap{}, errBadCallback
	}
	p := pickerTap{Command: cb.Args[0]}
	arg := cb.Args[1]
	n, err := strconv.ParseInt(arg[1:], 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != arg[1:] {
		return pickerTap{}, errBadCallback
	}
	switch {
	case arg[0] == 'd' && n > 0:
		p.DriveID = n
	case arg[0] == 'p' && n >= 0 && n <= pickerMaxPage:
		p.Page = int(n)
	default:
		return pickerTap{}, errBadCallback
	}
	return p, nil
}

func isPickerCommand(s string) bool {
	for _, c := range pickerCommands {
		if c == s {
			return true
		}
	}
	return false
}

// runPicked runs a command for a drive as if its code had been typed.
func (h *Handlers) runPicked(ctx context.Context, t *turn, command, code string) error {
	t.args = code
	switch command {
	case "checkin":
		return h.checkin(ctx, t)
	case "export":
		return h.export(ctx, t)
	case "qr":
		return h.qr(ctx, t)
	case "editdrive":
		return h.editDrive(ctx, t)
	case "canceldrive":
		return h.cancelDrive(ctx, t)
	case "stats":
		return h.stats(ctx, t)
	}
	return errBadCallback
}

// managedQuery is the drives command may act on that the user manages, the
// most relevant first: /checkin only today's and later ones (it opens on
// the drive's day), /editdrive and /canceldrive only those still open.
func (h *Handlers) managedQuery(ctx context.Context, userID int64, command string) (storage.ManagedQuery, error) {
	admin, err := h.d.IsAdmin(ctx, userID)
	if err != nil {
		return storage.ManagedQuery{}, err
	}
	q := storage.ManagedQuery{UserID: userID, Admin: admin, Today: h.dayStart()}
	switch command {
	case "checkin":
		q.When = storage.WhenUpcoming
	case "editdrive", "canceldrive":
		q.LiveOnly = true
	}
	return q, nil
}

// dayStart is the start of the current day in the bot's time zone.
func (h *Handlers) dayStart() time.Time {
	now := h.d.Now().In(h.d.Location)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, h.d.Location)
}

// offerDrives shows page of the picker of the user's drives for command:
// a new message for a typed command, the same message for a paging tap.
func (h *Handlers) offerDrives(ctx context.Context, t *turn, command string, page int) error {
	q, err := h.managedQuery(ctx, t.userID, command)
	if err != nil {
		return err
	}
	q.Offset, q.Limit = page*pickerPageSize, pickerPageSize
	drives, total, err := h.d.Store.ManagedDrives(ctx, q)
	if err != nil {
		return err
	}
	if total == 0 {
		return t.reply(ctx, t.textf("pick_none", map[string]any{"Command": "/" + command}), nil)
	}
	var bs []botapi.Button
	for _, d := range drives {
		label := datefmt.Short(t.lang, d.Start.In(h.d.Location)) + " · " + shorten(d.Title, 32) +
			" · " + strconv.Itoa(d.Registered) + "/" + strconv.Itoa(d.Seats)
		bs = append(bs, botapi.Button{Text: label, CallbackData: pickerTap{Command: command, DriveID: d.ID}.data()})
	}
	kb := rows(1, bs...)
	var nav []botapi.Button
	if page > 0 {
		nav = append(nav, botapi.Button{Text: t.text("btn_pick_prev"), CallbackData: pickerTap{Command: command, Page: page - 1}.data()})
	}
	if (page+1)*pickerPageSize < total {
		nav = append(nav, botapi.Button{Text: t.text("btn_pick_next"), CallbackData: pickerTap{Command: command, Page: page + 1}.data()})
	}
	if len(nav) > 0 {
		kb.InlineKeyboard = append(kb.InlineKeyboard, nav)
	}
	if t.callbackID != "" {
		if err := t.answer(ctx, ""); err != nil {
			return err
		}
		return t.editButtons(ctx, kb)
	}
	return t.reply(ctx, t.textf("pick_ask", map[string]any{"Command": "/" + command, "Count": total}), kb)
}

// onPick runs a picker's tap: a page, or the command for the chosen drive,
// which is checked to be the user's like a typed code (data is untrusted).
func (h *Handlers) onPick(ctx context.Context, t *turn) error {
	p, err := parsePickerTap(t.cb)
	if err != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	if p.DriveID == 0 {
		return h.offerDrives(ctx, t, p.Command, p.Page)
	}
	d, ok, err := h.managedDriveByID(ctx, t, p.DriveID)
	if !ok || err != nil {
		return err
	}
	if err := t.finishTap(ctx); err != nil {
		return err
	}
	return h.runPicked(ctx, t, p.Command, d.Code)
}

// pickerFor is the command whose picker replaces the usage line usage, or
// "" when it has none.
func pickerFor(usage string) string { return pickerCommands[usage] }
