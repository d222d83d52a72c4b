package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/go-telegram/bot"

	"donorbot/profile"
	"donorbot/regsearch"
	"donorbot/storage"
)

// consoleRegistrationsPer is a page of the registrations table when the
// page does not say.
const consoleRegistrationsPer = 50

// consoleRegistrationRow is one row of the table.
type consoleRegistrationRow struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Group      string `json:"group"`
	Slot       string `json:"slot"`
	SlotID     int64  `json:"slot_id"`
	Status     string `json:"status"`
	StatusText string `json:"status_text"`
}

type consoleRegistrationsReply struct {
	Rows  []consoleRegistrationRow `json:"rows"`
	Total int                      `json:"total"`
	Page  int                      `json:"page"`
	Per   int                      `json:"per"`
}

// consoleRegistrations: GET /drives/{id}/registrations?q=&status=&slot=&page=&per=.
func (h *Handlers) consoleRegistrations(ctx context.Context, c *consoleCall) (any, error) {
	d, err := h.consoleDriveOf(ctx, c)
	if err != nil {
		return nil, err
	}
	in := storage.RegistrationSearch{Query: regsearch.Parse(c.query("q")), Status: c.query("status"), Page: 1, Per: consoleRegistrationsPer}
	if in.Status != "" && !regsearch.ValidStatus(in.Status) {
		return nil, errConsoleBadInput
	}
	for name, dst := range map[string]*int{"page": &in.Page, "per": &in.Per} {
		if raw := c.query(name); raw != "" {
			if *dst, err = strconv.Atoi(raw); err != nil {
				return nil, errConsoleBadInput
			}
		}
	}
	if in.Page < 1 || in.Per < 1 || in.Per > storage.MaxSearchPer {
		return nil, errConsoleBadInput
	}
	if raw := c.query("slot"); raw != "" {
		if in.SlotID, err = strconv.ParseInt(raw, 10, 64); err != nil || in.SlotID <= 0 {
			return nil, errConsoleBadInput
		}
	}
	hits, total, err := h.d.Store.SearchRegistrations(ctx, d.ID, in)
	if err != nil {
		return nil, err
	}
	reply := consoleRegistrationsReply{Rows: make([]consoleRegistrationRow, 0, len(hits)), Total: total, Page: in.Page, Per: in.Per}
	for _, r := range hits {
		group := r.BloodGroup.String
		if group == "unknown" {
			group = "?"
		}
		reply.Rows = append(reply.Rows, consoleRegistrationRow{
			ID: r.ID, Name: r.FullName.String, Phone: profile.LocalPhone(r.Phone.String), Group: group,
			Slot: h.clock(r.SlotStart) + "–" + h.clock(r.SlotEnd), SlotID: r.SlotID, Status: r.Status,
			StatusText: h.texts.text(c.Lang, "console_reg_status_"+r.Status, nil),
		})
	}
	return reply, nil
}

// consoleExport: POST /drives/{id}/export {"format":"xlsx"|"csv"} sends the
// drive's registration list into the user's chat with the bot, as /export
// does, and records it in the same audit log.
func (h *Handlers) consoleExport(ctx context.Context, c *consoleCall) (any, error) {
	driveID, err := c.pathID("id")
	if err != nil {
		return nil, err
	}
	var body struct {
		Format string `json:"format"`
	}
	if err := c.decode(&body); err != nil {
		return nil, err
	}
	if body.Format != "xlsx" && body.Format != "csv" {
		return nil, errConsoleBadInput
	}
	d, err := h.consoleDrive(ctx, c, driveID)
	if err != nil {
		return nil, err
	}
	file, err := os.CreateTemp("", "donorbot-export-*."+body.Format)
	if err != nil {
		return nil, fmt.Errorf("console export: %w", err)
	}
	defer os.Remove(file.Name())
	defer file.Close()
	// The list is written in both formats at once; the one not asked for
	// is dropped.
	csvOut, xlsxOut := io.Writer(file), io.Discard
	if body.Format == "xlsx" {
		csvOut, xlsxOut = io.Discard, file
	}
	n, err := h.writeRegistrationList(ctx, c.Lang, d.ID, 0, csvOut, xlsxOut)
	if err != nil {
		return nil, err
	}
	// Audited before sending: a list that may have left must be on record.
	if err := h.d.Store.AuditExport(ctx, c.User.ID, d.ID, d.Code, 0, n, h.d.Now()); err != nil {
		return nil, err
	}
	caption := h.texts.text(c.Lang, "export_caption", map[string]any{"Title": d.Title, "Count": n})
	// A private chat's id is its user's id: the file goes to the chat
	// with the bot of the person who asked, whoever they are.
	err = h.d.Broadcaster.UploadNow(ctx, c.User.ID, "dang-ky-"+d.Code+"."+body.Format, file, caption)
	if noChat(err) {
		return nil, consoleRefuse(http.StatusConflict, "export_no_chat")
	}
	if err != nil {
		return nil, err
	}
	return map[string]bool{"sent": true}, nil
}

// noChat says whether err is Telegram refusing to write to a person: one
// who opened the console from a link without ever starting the bot (403
// "bot can't initiate conversation", or 400 "chat not found"), or who
// blocked it. They can mend it themselves, so it is their answer, not a 500.
func noChat(err error) bool {
	return errors.Is(err, bot.ErrorForbidden) ||
		(errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found"))
}
