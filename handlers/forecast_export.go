package handlers

import (
	"context"
	"fmt"

	"github.com/xuri/excelize/v2"

	"donorbot/drive"
)

// addForecastSheet adds the drive's forecast to the export's XLSX as a
// second sheet of label and figure, so the registrations sheet keeps its
// columns for the desk's filters. The CSV stays the registrations alone:
// rows above its header would break every import of it.
func (h *Handlers) addForecastSheet(ctx context.Context, book *excelize.File, lt *turn, d drive.Drive, styles exportStyles) error {
	now := h.d.Now()
	f, err := h.d.Store.DriveForecast(ctx, d.ID, d.AudienceUnitID, now)
	if err != nil {
		return err
	}
	sheet := lt.text("forecast_sheet")
	if _, err := book.NewSheet(sheet); err != nil {
		return fmt.Errorf("export xlsx: sheet %q: %w", sheet, err)
	}
	rows := []struct {
		label string
		value any
	}{
		{"forecast_col_target", f.Target}, {"forecast_col_registered", f.Registered},
		{"forecast_col_rate", f.RatePercent()}, {"forecast_col_expected", f.Expected},
		{"forecast_col_gap", f.Gap}, {"forecast_col_based_on", f.BasedOnDrives},
		{"forecast_col_at", wallClock(now.In(h.d.Location))},
	}
	for i, r := range rows {
		style := styles.number
		if i == len(rows)-1 {
			style = styles.dateTime
		}
		label, value := fmt.Sprintf("A%d", i+1), fmt.Sprintf("B%d", i+1)
		for _, err := range []error{
			book.SetCellStr(sheet, label, lt.text(r.label)), book.SetCellStyle(sheet, label, label, styles.header),
			book.SetCellValue(sheet, value, r.value), book.SetCellStyle(sheet, value, value, style),
		} {
			if err != nil {
				return fmt.Errorf("export xlsx: forecast: %w", err)
			}
		}
	}
	if err := book.SetColWidth(sheet, "A", "A", 32); err != nil {
		return fmt.Errorf("export xlsx: forecast: %w", err)
	}
	return nil
}
