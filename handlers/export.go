package handlers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

// export offers the slots of a drive to export: /export <drive code>.
func (h *Handlers) export(ctx context.Context, t *turn) error {
	d, ok, err := h.managedDrive(ctx, t, "export_usage")
	if !ok || err != nil {
		return err
	}
	slots, err := h.d.Store.DriveSlots(ctx, d.ID)
	if err != nil {
		return err
	}
	bs := []botapi.Button{{Text: t.text("btn_export_all"), CallbackData: encodeCallback("exp", id(d.ID), "0")}}
	for _, s := range slots {
		label := t.clock(s.Start) + "–" + t.clock(s.End)
		bs = append(bs, botapi.Button{Text: label, CallbackData: encodeCallback("exp", id(d.ID), id(s.ID))})
	}
	return t.reply(ctx, t.textf("export_choose", map[string]any{"Title": d.Title}), rows(3, bs...))
}

// onExport writes the chosen registration list as CSV and XLSX, sends both
// and records the export in the audit log.
func (h *Handlers) onExport(ctx context.Context, t *turn) error {
	driveID, err1 := strconv.ParseInt(t.cb.arg(0), 10, 64)
	slotID, err2 := strconv.ParseInt(t.cb.arg(1), 10, 64)
	if err1 != nil || err2 != nil {
		return t.answer(ctx, t.text("button_stale"))
	}
	d, ok, err := h.managedDriveByID(ctx, t, driveID)
	if !ok || err != nil {
		return err
	}
	if err := t.answer(ctx, t.text("export_working")); err != nil {
		return err
	}
	csvFile, err := os.CreateTemp("", "donorbot-export-*.csv")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(csvFile.Name())
	defer csvFile.Close()
	xlsxFile, err := os.CreateTemp("", "donorbot-export-*.xlsx")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(xlsxFile.Name())
	defer xlsxFile.Close()
	n, err := h.writeRegistrationList(ctx, t.lang, d.ID, slotID, csvFile, xlsxFile)
	if err != nil {
		return err
	}
	// Audited before sending: a list that may have left must be on record.
	if err := h.d.Store.AuditExport(ctx, t.userID, d.ID, d.Code, slotID, n, h.d.Now()); err != nil {
		return err
	}
	name := t.text("exp_file") + "-" + d.Code
	if slotID != 0 {
		name += "-" + id(slotID)
	}
	caption := t.textf("export_caption", map[string]any{"Title": d.Title, "Count": n})
	if err := h.d.Broadcaster.UploadNow(ctx, t.chatID, name+".csv", csvFile, caption); err != nil {
		return err
	}
	return h.d.Broadcaster.UploadNow(ctx, t.chatID, name+".xlsx", xlsxFile, caption)
}

// managedDrive loads the drive named in a command's arguments and checks
// that the user organizes it.
func (h *Handlers) managedDrive(ctx context.Context, t *turn, usage string) (drive.Drive, bool, error) {
	d, ok, err := h.organizerDrive(ctx, t, usage)
	if !ok || err != nil {
		return d, false, err
	}
	return h.checkOrganizes(ctx, t, d)
}

// managedDriveByID loads a drive named in callback data and checks that the
// user organizes it: data is untrusted.
func (h *Handlers) managedDriveByID(ctx context.Context, t *turn, driveID int64) (drive.Drive, bool, error) {
	d, err := h.d.Store.Drive(ctx, driveID)
	if errors.Is(err, storage.ErrNotFound) {
		return d, false, t.answer(ctx, t.text("button_stale"))
	}
	if err != nil {
		return d, false, err
	}
	return h.checkOrganizes(ctx, t, d)
}

// checkOrganizes refuses the user unless they organize d; a failed check
// is an error, not a refusal.
func (h *Handlers) checkOrganizes(ctx context.Context, t *turn, d drive.Drive) (drive.Drive, bool, error) {
	mine, err := h.organizes(ctx, t.userID, d)
	if err != nil {
		return d, false, err
	}
	if !mine {
		return d, false, t.refuse(ctx, "drive_not_yours")
	}
	return d, true, nil
}

// organizes reports whether the user may manage the drive: admins, its
// creator, organizers without a unit, and organizers or club admins of the
// unit it is for.
func (h *Handlers) organizes(ctx context.Context, userID int64, d drive.Drive) (bool, error) {
	if d.CreatedBy == userID {
		return true, nil
	}
	return h.organizesUnit(ctx, userID, d.AudienceUnitID)
}

// audit shows admins the latest registration lists exported.
func (h *Handlers) audit(ctx context.Context, t *turn) error {
	entries, err := h.d.Store.ExportAudits(ctx, 30)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return t.reply(ctx, t.text("audit_none"), nil)
	}
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.TelegramID)
	}
	people, err := h.d.Store.People(ctx, ids)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t.text("audit_header"))
	for _, e := range entries {
		b.WriteString("\n")
		b.WriteString(t.textf("audit_line", map[string]any{
			"When": t.date(e.At) + " " + h.clock(e.At), "User": t.auditUser(e.TelegramID, people), "Drive": e.DriveCode,
			"Slot": e.SlotID, "Rows": e.Rows, "Count": e.Rows,
		}))
	}
	return t.reply(ctx, b.String(), nil)
}
