package handlers

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/sync/errgroup"

	"donorbot/drive"
	"donorbot/profile"
	"donorbot/screening"
	"donorbot/spreadsheet"
	"donorbot/storage"
)

// cellKind is how a column's cells are typed in the XLSX file.
type cellKind int

const (
	cellText cellKind = iota
	cellNumber
	cellDate
	cellDateTime
)

// exportColumn is a column of a registration list: its header's message id,
// the type of its cells and how many characters its content usually takes
// (a column is as wide as that or its header, whichever is wider).
type exportColumn struct {
	header string
	kind   cellKind
	chars  int
}

// exportColumns are the columns of a registration list, in order.
var exportColumns = []exportColumn{
	{"exp_col_slot", cellDateTime, 16}, {"exp_col_name", cellText, 26}, {"exp_col_phone", cellText, 13},
	{"exp_col_birth", cellDate, 10}, {"exp_col_age", cellNumber, 4}, {"exp_col_sex", cellText, 5},
	{"exp_col_blood", cellText, 4}, {"exp_col_units", cellText, 24}, {"exp_col_status", cellText, 12},
	{"exp_col_screening", cellText, 12}, {"exp_col_flagged", cellText, 40}, {"exp_col_volume", cellNumber, 5},
	{"exp_col_donations", cellNumber, 4}, {"exp_col_last", cellDate, 10},
}

// Column widths, in Excel's units of one digit: room for the filter
// button of the header, and no column so wide it hides the next ones.
const (
	filterButtonChars = 3
	maxColumnChars    = 60
)

// exportStyles are the XLSX style ids of the list's cells.
type exportStyles struct {
	header, text, number, date, dateTime, month int
}

func newExportStyles(book *excelize.File) (exportStyles, error) {
	var s exportStyles
	text, number := 49, 1 // Excel's built-in formats "@" and "0"
	dateFmt, dateTimeFmt, monthFmt := "dd/mm/yyyy", "dd/mm/yyyy hh:mm", "mm/yyyy"
	for _, st := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}},
			Alignment: &excelize.Alignment{Vertical: "center"}, NumFmt: text}},
		{&s.text, excelize.Style{NumFmt: text}},
		{&s.number, excelize.Style{NumFmt: number}},
		{&s.date, excelize.Style{CustomNumFmt: &dateFmt}},
		{&s.dateTime, excelize.Style{CustomNumFmt: &dateTimeFmt}},
		{&s.month, excelize.Style{CustomNumFmt: &monthFmt}},
	} {
		id, err := book.NewStyle(&st.style)
		if err != nil {
			return s, fmt.Errorf("export xlsx: style: %w", err)
		}
		*st.id = id
	}
	return s, nil
}

// exportRowCells is one registration as typed XLSX cells and as the texts of
// its CSV line.
type exportRowCells struct {
	cells  []any
	record []string
}

// writeRegistrationList streams the registrations of a drive (or one slot)
// from Postgres into a CSV and an XLSX at once, both in lang, and returns
// the number of rows. Neither file is built in memory: csv writes through a
// buffer, excelize's stream writer spills to a temporary file.
func (h *Handlers) writeRegistrationList(ctx context.Context, lang string, driveID, slotID int64, csvOut, xlsxOut io.Writer) (int, error) {
	d, err := h.d.Store.Drive(ctx, driveID)
	if err != nil {
		return 0, err
	}
	lt := &turn{h: h, lang: lang}
	header := make([]string, len(exportColumns))
	for i, c := range exportColumns {
		header[i] = lt.text(c.header)
	}
	buf := bufio.NewWriterSize(csvOut, 64<<10)
	if _, err := buf.WriteString(spreadsheet.BOM); err != nil {
		return 0, fmt.Errorf("export csv: %w", err)
	}
	cw := csv.NewWriter(buf)
	cw.Comma = spreadsheet.CSVSeparator
	if err := cw.Write(header); err != nil {
		return 0, fmt.Errorf("export csv: %w", err)
	}
	book := excelize.NewFile()
	defer book.Close()
	sheet := spreadsheet.SheetName(d.Title, d.Start.In(h.d.Location))
	if err := book.SetSheetName(book.GetSheetName(0), sheet); err != nil {
		return 0, fmt.Errorf("export xlsx: sheet %q: %w", sheet, err)
	}
	styles, err := newExportStyles(book)
	if err != nil {
		return 0, err
	}
	sw, err := book.NewStreamWriter(sheet)
	if err != nil {
		return 0, fmt.Errorf("export xlsx: %w", err)
	}
	if err := startSheet(sw, header, styles); err != nil {
		return 0, err
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
	line := 1
	g.Go(func() error {
		row := exportRowCells{cells: make([]any, len(header)), record: make([]string, len(header))}
		for r := range ch {
			h.exportRow(&row, r, styles, label)
			if err := cw.Write(row.record); err != nil {
				return fmt.Errorf("export csv: %w", err)
			}
			line++
			cell, err := excelize.CoordinatesToCellName(1, line)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, row.cells); err != nil {
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
	// The filter covers the rows written: the stream writer keeps the
	// sheet's settings until Flush writes them after the rows.
	last, err := excelize.CoordinatesToCellName(len(header), line)
	if err != nil {
		return n, err
	}
	if err := book.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return n, fmt.Errorf("export xlsx: filter: %w", err)
	}
	if err := sw.Flush(); err != nil {
		return n, fmt.Errorf("export xlsx: %w", err)
	}
	if err := h.addForecastSheet(ctx, book, lt, d, styles); err != nil {
		return n, err
	}
	if err := h.addFunnelSheet(ctx, book, lt, d, styles); err != nil {
		return n, err
	}
	if _, err := book.WriteTo(xlsxOut); err != nil {
		return n, fmt.Errorf("export xlsx: %w", err)
	}
	return n, nil
}

// startSheet sets the columns' widths, freezes the header row under which
// the list scrolls and writes it in bold; the stream writer takes these
// before any row.
func startSheet(sw *excelize.StreamWriter, header []string, styles exportStyles) error {
	for i, c := range exportColumns {
		chars := min(max(c.chars, utf8.RuneCountInString(header[i])+filterButtonChars), maxColumnChars)
		if err := sw.SetColWidth(i+1, i+1, float64(chars)+1); err != nil {
			return fmt.Errorf("export xlsx: width: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("export xlsx: freeze: %w", err)
	}
	cells := make([]any, len(header))
	for i, s := range header {
		cells[i] = excelize.Cell{StyleID: styles.header, Value: s}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 20}); err != nil {
		return fmt.Errorf("export xlsx: header: %w", err)
	}
	return nil
}

// exportRow renders one registration into row, in exportColumns order: the
// XLSX gets numbers and dates, the CSV the same values as text a
// spreadsheet reads back as numbers and dates.
func (h *Handlers) exportRow(row *exportRowCells, r storage.ExportRow, styles exportStyles, label func(string) string) {
	blank := excelize.Cell{StyleID: styles.text}
	text := func(i int, s string) {
		row.cells[i] = excelize.Cell{StyleID: styles.text, Value: s}
		row.record[i] = spreadsheet.DefuseFormula(s)
	}
	number := func(i int, v int64) {
		row.cells[i] = excelize.Cell{StyleID: styles.number, Value: v}
		row.record[i] = strconv.FormatInt(v, 10)
	}
	date := func(i int, d time.Time) {
		row.cells[i] = excelize.Cell{StyleID: styles.date, Value: wallClock(d)}
		row.record[i] = exportDate(d)
	}
	for i := range row.cells {
		row.cells[i], row.record[i] = blank, ""
	}
	slot := r.SlotStart.In(h.d.Location)
	row.cells[0] = excelize.Cell{StyleID: styles.dateTime, Value: wallClock(slot)}
	row.record[0] = exportDate(slot) + " " + slot.Format("15:04")
	text(1, r.FullName.String)
	text(2, profile.LocalPhone(r.Phone.String))
	if r.BirthDate.Valid {
		date(3, r.BirthDate.Time)
		number(4, int64(profile.Age(r.BirthDate.Time, slot)))
	}
	if r.Sex.Valid {
		text(5, label("btn_"+r.Sex.String))
	}
	blood := r.BloodGroup.String
	if blood == "unknown" {
		blood = "?"
	}
	text(6, blood)
	text(7, r.Units)
	text(8, label("reg_"+r.Status))
	switch {
	case r.Status == string(drive.RegDeferred):
		text(9, label("exp_screening_deferred"))
	case r.Screened:
		text(9, label("exp_screening_eligible"))
	default:
		text(9, label("exp_screening_none"))
	}
	text(10, flaggedText(r.Flagged, label))
	if r.AllowedVolumeML.Valid {
		number(11, r.AllowedVolumeML.Int64)
	}
	number(12, int64(r.Donations))
	switch {
	case r.LastMonthOnly:
		row.cells[13] = excelize.Cell{StyleID: styles.month, Value: wallClock(r.LastDonation.Time)}
		row.record[13] = r.LastDonation.Time.Format("01/2006")
	case r.LastDonation.Valid:
		date(13, r.LastDonation.Time)
	}
}

// questionIDs are the questions of the questionnaire, women's included.
var questionIDs = func() map[string]bool {
	ids := map[string]bool{}
	for _, q := range screening.Questions(true) {
		ids[string(q.ID)] = true
	}
	return ids
}()

// flaggedText writes the questions answered Yes as short texts in the
// reader's language; an answer to a question since removed from the
// questionnaire says so rather than showing its stored id.
func flaggedText(ids []string, label func(string) string) string {
	texts := make([]string, 0, len(ids))
	for _, id := range ids {
		if questionIDs[id] {
			texts = append(texts, label("exp_flag_"+id))
		} else {
			texts = append(texts, label("exp_flag_other"))
		}
	}
	return strings.Join(texts, "; ")
}

// wallClock is the date and time t shows on a wall clock where it was read,
// as excelize writes a date: it counts Excel's serial days from an instant,
// and a spreadsheet cell has no time zone.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
}

// exportDate writes a date of the CSV file: a plain dd/mm/yyyy a
// spreadsheet reads as a date under Vietnamese settings, without the
// weekday of the dates in messages.
func exportDate(d time.Time) string { return d.Format("02/01/2006") }
