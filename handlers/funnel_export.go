package handlers

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/xuri/excelize/v2"

	"donorbot/drive"
)

// addFunnelSheet adds the drive's funnel to the export's XLSX beside the
// forecast, as label and figure, then a table of its invitation waves.
func (h *Handlers) addFunnelSheet(ctx context.Context, book *excelize.File, lt *turn, d drive.Drive, styles exportStyles) error {
	f, err := h.d.Store.DriveFunnel(ctx, d.ID)
	if err != nil {
		return err
	}
	waves, err := h.d.Store.InviteWaveFunnels(ctx, d.ID)
	if err != nil {
		return err
	}
	sheet := lt.text("funnel_sheet")
	if _, err := book.NewSheet(sheet); err != nil {
		return fmt.Errorf("export xlsx: sheet %q: %w", sheet, err)
	}
	var per any = "—"
	if p, ok := f.PerUnit(); ok {
		per = math.Round(p*10) / 10
	}
	rows := [][2]any{
		{"funnel_col_target", f.Target}, {"funnel_col_invited", f.Invited},
		{"funnel_col_invited_registered", f.InvitedRegistered}, {"funnel_col_invited_arrived", f.InvitedArrived},
		{"funnel_col_invited_donated", f.InvitedDonated}, {"funnel_col_registered", f.Registered},
		{"funnel_col_arrived", f.Arrived}, {"funnel_col_donated", f.Donated}, {"funnel_col_percent", f.Percent()},
		{"funnel_col_announced", f.Announced}, {"funnel_col_invitations", f.Invited},
		{"funnel_col_recalled", f.Recalled}, {"funnel_col_messages", f.Messages()}, {"funnel_col_per_unit", per},
	}
	set := func(cell string, value any, style int) error {
		if err := book.SetCellValue(sheet, cell, value); err != nil {
			return err
		}
		return book.SetCellStyle(sheet, cell, cell, style)
	}
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		return name
	}
	wrap := func(err error) error { return fmt.Errorf("export xlsx: funnel: %w", err) }
	for i, r := range rows {
		style := styles.number
		switch r[1].(type) {
		case string:
			style = styles.text
		case float64:
			style = 0 // Excel's General: the decimal as the reader's settings write it
		}
		if err := set(cell(1, i+1), lt.text(r[0].(string)), styles.header); err != nil {
			return wrap(err)
		}
		if err := set(cell(2, i+1), r[1], style); err != nil {
			return wrap(err)
		}
	}
	if len(waves) > 0 {
		head := len(rows) + 2
		for c, key := range []string{"funnel_col_wave_days", "funnel_col_wave_date", "funnel_col_invited",
			"funnel_col_invited_registered", "funnel_col_invited_arrived", "funnel_col_invited_donated", "funnel_col_per_unit"} {
			if err := set(cell(c+1, head), lt.text(key), styles.header); err != nil {
				return wrap(err)
			}
		}
		for i, w := range waves {
			row := head + 1 + i
			start := wallClock(w.StartedAt.In(h.d.Location))
			var per any = "—"
			if p, ok := w.PerUnit(); ok {
				per = math.Round(p*10) / 10
			}
			for c, v := range []any{w.Checkpoint, start, w.Invited, w.InvitedRegistered, w.InvitedArrived, w.InvitedDonated, per} {
				style := styles.number
				switch v.(type) {
				case time.Time:
					style = styles.dateTime
				case string:
					style = styles.text
				case float64:
					style = 0
				}
				if err := set(cell(c+1, row), v, style); err != nil {
					return wrap(err)
				}
			}
		}
	}
	if err := book.SetColWidth(sheet, "A", "A", 36); err != nil {
		return wrap(err)
	}
	return book.SetColWidth(sheet, "B", "G", 16)
}
