package playground_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"donorbot/internal/testenv"
)

// TestDemoCampaignShowsForecastAndWave: the demo campaign's second drive
// has auto-fill on and is at its first checkpoint, so within a scheduler
// run of the start its first wave has invited demo donors; Mai's /stats of
// that drive shows its forecast, and its auto-fill screen the wave.
func TestDemoCampaignShowsForecastAndWave(t *testing.T) {
	pg := start(t)
	base := pg.URL
	var drive struct {
		ID   int64  `db:"id"`
		Code string `db:"code"`
	}
	if err := testenv.DB(t).Get(&drive, `SELECT id, code FROM drives
		WHERE wave = 'Đợt 2' AND status = 'published' AND autofill AND starts_at > $1
		ORDER BY starts_at DESC LIMIT 1`, time.Now()); err != nil {
		t.Fatalf("the demo's auto-fill drive: %v", err)
	}
	var invited int
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err := testenv.DB(t).Get(&invited, `SELECT coalesce(sum(invited), 0) FROM invitation_waves
			WHERE drive_id = $1 AND checkpoint = 10`, drive.ID)
		if err != nil {
			t.Fatal(err)
		}
		if invited > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no wave invited anyone within 20 s of the start")
		}
	}
	if status, body := call(t, "POST", base+"api/send", map[string]any{"user": 910004, "text": "/stats " + drive.Code}); status != 200 {
		t.Fatalf("send: %d %s", status, body)
	}
	var stats struct {
		id   int
		data string
	}
	waitView(t, base, "910004", func(v view) bool {
		for _, m := range v.Messages {
			for _, row := range m.Buttons {
				for _, b := range row {
					if m.FromBot && strings.Contains(m.Text, "Dự kiến hiến") && b.Text == "🤖 Tự động mời thêm" {
						stats.id, stats.data = m.ID, b.Data
					}
				}
			}
		}
		return stats.id != 0
	})
	if status, body := call(t, "POST", base+"api/tap", map[string]any{"user": 910004, "message_id": stats.id, "data": stats.data}); status != 200 {
		t.Fatalf("tap: %d %s", status, body)
	}
	want := fmt.Sprintf("mốc 10 ngày: mời %d người", invited)
	waitView(t, base, "910004", func(v view) bool {
		for _, m := range v.Messages {
			if m.ID == stats.id && strings.Contains(m.Text, "Trạng thái: đang bật") && strings.Contains(m.Text, want) {
				return true
			}
		}
		return false
	})
}
