package handlers

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/sync/errgroup"

	"donorbot/botapi"
	"donorbot/drive"
	"donorbot/storage"
)

// exportColumns are the columns of a registration list, as message ids of
// their headers.
var exportColumns = []string{"exp_col_slot", "exp_col_name", "exp_col_phone", "exp_col_birth", "exp_col_sex",
	"exp_col_blood", "exp_col_units", "exp_col_status", "exp_col_screening", "exp_col_flagged",
	"exp_col_volume", "exp_col_donations", "exp_col_last"}

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
	if err := h.d.Store.AuditExport(ctx, t.userID, d.ID, d.Code, slotID, n); err != nil {
		return err
	}
	name := "dang-ky-" + d.Code
	if slotID != 0 {
		name += "-" + id(slotID)
	}
	caption := t.textf("export_caption", map[string]any{"Title": d.Title, "Count": n})
	if err := h.d.Broadcaster.UploadNow(ctx, t.chatID, name+".csv", csvFile, caption); err != nil {
		return err
	}
	return h.d.Broadcaster.UploadNow(ctx, t.chatID, name+".xlsx", xlsxFile, caption)
}

// writeRegistrationList streams the registrations of a drive (or one slot)
// from Postgres into a CSV (UTF-8 with a BOM, so Excel reads Vietnamese
// right) and an XLSX at once, and returns the number of rows. Neither file
// is built in memory: csv writes through a buffer, excelize's stream writer
// spills to a temporary file.
func (h *Handlers) writeRegistrationList(ctx context.Context, lang string, driveID, slotID int64, csvOut, xlsxOut io.Writer) (int, error) {
	lt := &turn{h: h, lang: lang}
	header := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = lt.text(c)
	}
	buf := bufio.NewWriterSize(csvOut, 64<<10)
	if _, err := buf.WriteString("\ufeff"); err != nil {
		return 0, fmt.Errorf("export csv: %w", err)
	}
	cw := csv.NewWriter(buf)
	if err := cw.Write(header); err != nil {
		return 0, fmt.Errorf("export csv: %w", err)
	}
	book := excelize.NewFile()
	defer book.Close()
	sheet := book.GetSheetName(0)
	sw, err := book.NewStreamWriter(sheet)
	if err != nil {
		return 0, fmt.Errorf("export xlsx: %w", err)
	}
	cells := make([]any, len(header))
	for i, s := range header {
		cells[i] = s
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return 0, fmt.Errorf("export xlsx: %w", err)
	}
	labels := map[string]string{} // localized values, rendered once
	label := func(msgID string) string {
		s, ok := labels[msgID]
		if !ok {
			s = lt.text(msgID)
			labels[msgID] = s
		}
		return s
	}
	// Reading and scanning rows runs beside writing them, on another core:
	// a bounded channel keeps memory flat whatever the list's length.
	ch := make(chan storage.ExportRow, 512)
	g, gctx := errgroup.WithContext(ctx)
	var n int
	g.Go(func() error {
		defer close(ch)
		var err error
		n, err = h.d.Store.ExportRegistrations(gctx, driveID, slotID, func(r storage.ExportRow) error {
			select {
			case ch <- r:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
		return err
	})
	g.Go(func() error {
		record := make([]string, len(header))
		safe := make([]string, len(header))
		line := 1
		for r := range ch {
			h.exportRecord(record, r, label)
			for i, v := range record {
				safe[i] = csvSafe(v)
				cells[i] = v // an XLSX cell is typed text: no formula to defuse
			}
			if err := cw.Write(safe); err != nil {
				return fmt.Errorf("export csv: %w", err)
			}
			line++
			cell, err := excelize.CoordinatesToCellName(1, line)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, cells); err != nil {
				return fmt.Errorf("export xlsx: %w", err)
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("export csv: %w", err)
	}
	if err := buf.Flush(); err != nil {
		return n, fmt.Errorf("export csv: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return n, fmt.Errorf("export xlsx: %w", err)
	}
	if _, err := book.WriteTo(xlsxOut); err != nil {
		return n, fmt.Errorf("export xlsx: %w", err)
	}
	return n, nil
}

// exportRecord renders one registration into record, in exportColumns order.
func (h *Handlers) exportRecord(record []string, r storage.ExportRow, label func(string) string) {
	str := func(v sql.NullString) string { return v.String }
	record[0] = exportDate(r.SlotStart.In(h.d.Location)) + " " + h.clock(r.SlotStart)
	record[1] = str(r.FullName)
	record[2] = str(r.Phone)
	record[3] = ""
	if r.BirthDate.Valid {
		record[3] = exportDate(r.BirthDate.Time)
	}
	record[4] = ""
	if r.Sex.Valid {
		record[4] = label("btn_" + r.Sex.String)
	}
	record[5] = str(r.BloodGroup)
	if record[5] == "unknown" {
		record[5] = "?"
	}
	record[6] = r.Units
	record[7] = label("reg_" + r.Status)
	switch {
	case r.Status == string(drive.RegDeferred):
		record[8] = label("exp_screening_deferred")
	case r.Screened:
		record[8] = label("exp_screening_eligible")
	default:
		record[8] = label("exp_screening_none")
	}
	record[9] = r.Flagged
	record[10] = ""
	if r.AllowedVolumeML.Valid {
		record[10] = strconv.FormatInt(r.AllowedVolumeML.Int64, 10)
	}
	record[11] = strconv.Itoa(r.Donations)
	record[12] = ""
	switch {
	case r.LastMonthOnly:
		record[12] = r.LastDonation.Time.Format("01/2006")
	case r.LastDonation.Valid:
		record[12] = exportDate(r.LastDonation.Time)
	}
}

// exportDate writes a date cell of the CSV and XLSX files: a plain
// dd/mm/yyyy a spreadsheet reads as a date, without the weekday of the
// dates in messages (issue 20 will type these cells).
func exportDate(d time.Time) string { return d.Format("02/01/2006") }

// csvSafe defuses a cell a spreadsheet would run as a formula (OWASP "CSV
// injection"): a leading = + - @ tab or carriage return gets a quote mark.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
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
