package handlers

import (
	"donorbot/mobilize"
)

// forecastLine is the drive's forecast as /stats shows it, e.g. "Dự kiến
// hiến: 34 đơn vị (tỷ lệ 72% từ 6 ngày hội trước) — còn thiếu 6".
func (t *turn) forecastLine(f mobilize.Forecast) string { return t.h.forecastLineIn(t.lang, f) }

// forecastLineIn is forecastLine for a reader of lang.
func (h *Handlers) forecastLineIn(lang string, f mobilize.Forecast) string {
	units := h.textIn(lang, "forecast_units", map[string]any{"Count": f.Expected})
	data := map[string]any{"Units": units, "Rate": f.RatePercent(), "Count": f.BasedOnDrives}
	line := h.textIn(lang, "forecast_line", data)
	if f.BasedOnDrives == 0 {
		line = h.textIn(lang, "forecast_line_default", data)
	}
	if f.Gap > 0 {
		return line + h.textIn(lang, "forecast_gap", map[string]any{"Gap": f.Gap})
	}
	return line + h.textIn(lang, "forecast_no_gap", nil)
}

// consoleForecast is the drive's forecast in the console; RatePercent is
// the rate as /stats rounds it, so the two screens show the same figure.
type consoleForecast struct {
	Target        int     `json:"target"`
	Registered    int     `json:"registered"`
	Rate          float64 `json:"rate"`
	RatePercent   int     `json:"rate_percent"`
	Expected      int     `json:"expected"`
	Gap           int     `json:"gap"`
	BasedOnDrives int     `json:"based_on_drives"`
}

func forecastOf(f mobilize.Forecast) consoleForecast {
	return consoleForecast{Target: f.Target, Registered: f.Registered, Rate: f.Rate, RatePercent: f.RatePercent(),
		Expected: f.Expected, Gap: f.Gap, BasedOnDrives: f.BasedOnDrives}
}
